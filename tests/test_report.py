"""The published table as Markdown, HTML and Excel: the seed's numbers, a rendered chart, no formulas."""

from __future__ import annotations

import csv
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "lai-chau-2020"
RULESETS = ROOT / "rulesets" / "lai-chau" / "2020"
# Computed from the published (rounded) points; see tests/test_seed_lai_chau.py.
KNOWN = {"Sở Ngoại vụ": "86.54", "BQL Khu KTCK Ma Lù Thàng": "72.20", "Huyện Sìn Hồ": "67.82"}


def parrules(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "parrules.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=False)


def published(level: str) -> list[dict[str, str]]:
    with (SEED / f"{level}-published.csv").open(encoding="utf-8") as stream:
        rows = [r for r in csv.DictReader(stream) if r["line"] == "unit"]
    for row in rows:
        row["index"] = KNOWN.get(row["unit"], row["index"])
    return rows


def report(level: str, path: Path) -> Path:
    done = parrules("report", str(RULESETS / f"{level}.par"), str(SEED / f"{level}.csv"), "-o", str(path))
    assert done.returncode == 0, done.stderr
    return path


@pytest.mark.parametrize("level", ["departments", "districts"])
def test_markdown_has_the_seeds_numbers(level: str, tmp_path: Path) -> None:
    text = report(level, tmp_path / "report.md").read_text(encoding="utf-8")
    lines = {cells[1]: cells for line in text.splitlines() if line.startswith("| ")
             and (cells := [c.strip() for c in line.strip("|").split("|")])[0].isdigit()}
    for row in published(level):
        cells = lines[row["unit"]]
        assert cells[2:5] == [row["appraisal"], row["survey"], row["total"]]
        assert row["index"] in cells and row["class"] in cells
    average = "82.08" if level == "departments" else "72.65"
    assert f"**Average index: {average} %**" in text


def test_markdown_has_one_table_per_group_with_its_average(tmp_path: Path) -> None:
    text = report("departments", tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## I. Nhóm đơn vị xếp loại trên thang điểm 98" in text
    assert "## II. Nhóm đơn vị đặc thù xếp loại trên thang điểm thấp hơn 98 điểm" in text
    # Group averages from the published indices: 1240.08 / 15 = 82.672, 401.54 / 5 = 80.308.
    assert "*82.67*" in text and "*80.31*" in text


def test_xlsx_reopens_with_numbers_stored_as_numbers(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(report("departments", tmp_path / "report.xlsx"))
    # The annex is one sheet, both groups under their heading lines (I, II), as the decision prints them.
    assert book.sheetnames == ["Results", "Points by criterion", "Sub-indices"]
    sheet = book["Results"]
    header = [c.value for c in sheet[3]]
    assert header[:5] == ["No.", "Unit", "Điểm thẩm định", "Điểm điều tra", "Total points"]
    assert [(c.value, sheet.cell(row=c.row, column=2).value) for c in sheet["A"] if c.value in ("I", "II")] == [
        ("I", "Nhóm đơn vị xếp loại trên thang điểm 98"),
        ("II", "Nhóm đơn vị đặc thù xếp loại trên thang điểm thấp hơn 98 điểm")]
    rows = {}
    for values in sheet.iter_rows(min_row=4, values_only=False):
        if isinstance(values[0].value, int):
            rows[values[1].value] = values
    assert len(rows) == 20
    # Excel allows 31 characters in a sheet's name: a longer name is cut at a word, with "…".
    from parrules.report.xlsx_out import _sheet_title

    assert _sheet_title("II. Nhóm đơn vị đặc thù xếp loại trên thang điểm thấp hơn 98 điểm", set()) == (
        "II. Nhóm đơn vị đặc thù xếp…")
    for row in published("departments"):
        cells = rows[row["unit"]]
        for cell, expected in zip(cells[2:5], (row["appraisal"], row["survey"], row["total"]), strict=True):
            assert cell.data_type == "n" and cell.number_format == "0.00"
            assert Decimal(repr(cell.value)) == Decimal(expected).normalize()
        index = cells[6]  # after the maximum column
        assert index.data_type == "n" and f"{index.value:.2f}" == row["index"]
        assert cells[7].value == row["class"]


def test_xlsx_prints_on_a4_one_page_wide_with_its_header_repeated(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(report("departments", tmp_path / "report.xlsx"))
    group = book.worksheets[0]
    setup = group.page_setup
    # A4 is paper size 9; the group table (stt, unit, 2 components, total, max, index, class, rank:
    # 9 columns) is landscape, one page wide and as many pages tall as it needs.
    assert (setup.paperSize, setup.orientation) == (9, "landscape")
    assert group.sheet_properties.pageSetUpPr.fitToPage is True
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert group.print_title_rows == "$3:$3"  # the column headings, on every page
    assert group.oddHeader.center.text.startswith("Chỉ số CCHC")
    assert group.oddFooter.center.text == "Page &P of &N"
    criteria = book["Points by criterion"]
    assert criteria.page_setup.orientation == "landscape" and criteria.print_title_cols == "$A:$A"


def test_no_unit_name_becomes_a_formula(tmp_path: Path) -> None:
    names = ['=HYPERLINK("http://example.com","bấm")', "+1", "-2+3", "@SUM(A1)"]
    data = tmp_path / "units.csv"
    with data.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["unit", "appraisal_points", "survey_points"])
        for n, name in enumerate(names):
            writer.writerow([name, f"{50 + n}", "20"])
    ruleset = str(RULESETS / "districts.par")
    done = parrules("score", ruleset, str(data), "--format", "csv")
    assert done.returncode == 0, done.stderr
    cells = [row[2] for row in csv.reader(done.stdout.splitlines()[1:])]
    assert sorted(cells) == sorted("'" + n for n in names)
    out = tmp_path / "out.xlsx"
    assert parrules("report", ruleset, str(data), "-o", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    seen = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value in names]
    assert len(seen) >= 2 * len(names)  # the results sheet and the criteria sheet
    assert all(c.data_type == "s" for c in seen)
    assert not [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    html = tmp_path / "out.html"
    assert parrules("report", ruleset, str(data), "-o", str(html)).returncode == 0
    page = html.read_text(encoding="utf-8")
    assert "&#34;http://example.com&#34;" in page and '"http://example.com"' not in page  # text, never markup


def test_html_is_self_contained(tmp_path: Path) -> None:
    text = report("departments", tmp_path / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "@import" not in text and "<script" not in text
    assert text.count('class="bar"') == 20
    assert text.count('class="band"') == 2 * 3  # two groups, three classes each


# ---- rendered in a real browser ----------------------------------------------------------------------


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit PNG (what Chromium writes), no imaging library."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    size = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * size
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - size] if x >= size else 0
            up, corner = previous[x], previous[x - size] if x >= size else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, size, rows


def test_html_renders_in_headless_chromium_with_one_bar_per_unit(tmp_path: Path) -> None:
    browser = chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (make test installs Debian's chromium package where it can)")
    page = report("departments", tmp_path / "report.html")
    flags = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
             "--disable-background-networking", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120,
                         check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert len(re.findall(r'<rect class="bar"', dom.stdout)) == 20  # one bar per unit, after rendering
    shot = tmp_path / "report.png"
    done = subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,2600", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    _, size, rows = png_pixels(shot)
    # Bars are coloured by class: green for "Tốt", blue for "Khá" (the published classes: 15 and 5).
    expected = {bytes((0x2E, 0x7D, 0x32)): 15, bytes((0x15, 0x65, 0xC0)): 5}
    assert Counter(r["class"] for r in published("departments")) == Counter({"Tốt": 15, "Khá": 5})

    def long_run(row: bytes, colour: bytes) -> bool:
        """40 pixels of the colour in a row: a bar (the legend's swatches are much narrower)."""
        run = 0
        for x in range(0, len(row), size):
            run = run + 1 if row[x:x + 3] == colour else 0
            if run >= 40:
                return True
        return False

    for colour, bars in expected.items():
        coloured = [y for y, row in enumerate(rows) if long_run(row, colour)]
        assert coloured, f"no bar was drawn in #{colour.hex()}"
        # Runs of rows containing bar pixels: one run per bar (bars are separated by a gap).
        runs = sum(1 for i, y in enumerate(coloured) if i == 0 or coloured[i - 1] != y - 1)
        assert runs == bars, colour.hex()


# ---- the annex as issued: header, footnote on method, signature -----------------------------------------

ISSUED = """  authority "UBND tỉnh Lai Châu"
  decision "1234/QĐ-UBND"
  dated "2021-07-15"
  place "Lai Châu"
  signed "TM. Ủy ban nhân dân" "KT. CHỦ TỊCH" "PHÓ CHỦ TỊCH" by "Nguyễn Văn A"
"""
FULL = ROOT / "rulesets" / "examples" / "department-full.par"
FULL_DATA = ROOT / "examples" / "department-full" / "units.csv"


def issued_ruleset(tmp_path: Path, source: Path, authority: str) -> Path:
    """`source` with the decision's settings in its `ruleset { … }` block, in place of its authority."""
    text = source.read_text(encoding="utf-8")
    assert text.count(f'  authority "{authority}"\n') == 1
    path = tmp_path / source.name
    path.write_text(text.replace(f'  authority "{authority}"\n', ISSUED), encoding="utf-8")
    return path


def annex_texts(path: Path, data: Path) -> tuple[object, list[str], list[str]]:
    """The issuer, the method notes and the column keys of the annex of `path` scoring `data`."""
    import parrules
    from parrules.report.document import Issuer
    from parrules.report.layout import published_table
    from parrules.report.method import method_notes

    results = parrules.load(path).score_file(data)
    assert results.model is not None
    keys = [c.key for c in published_table(results).columns]
    return Issuer.of(results.model.meta), method_notes(results), keys


def test_xlsx_annex_has_the_decisions_header_its_method_and_its_signature(tmp_path: Path) -> None:
    from parrules.report.document import Issuer

    ruleset = issued_ruleset(tmp_path, ROOT / "tests" / "fixtures" / "small.par", "Sở Nội vụ")
    data = ROOT / "tests" / "fixtures" / "small.csv"
    issuer, notes, keys = annex_texts(ruleset, data)
    assert isinstance(issuer, Issuer) and notes
    assert keys == ["stt", "unit", "component:appraisal", "component:survey", "total", "max", "index", "class",
                    "rank"]
    out = tmp_path / "annex.xlsx"
    done = parrules("report", str(ruleset), str(data), "-o", str(out))
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(out)["Results"]
    width = sheet.max_column
    merged = {str(r) for r in sheet.merged_cells.ranges}

    def at(text: str) -> Any:
        found = [c for row in sheet.iter_rows() for c in row if c.value == text]
        assert len(found) == 1, (text, found)
        return found[0]

    # Two columns: authority and number on the left; Quốc hiệu, tiêu ngữ and the date on the right.
    authority, country = at("UBND TỈNH LAI CHÂU"), at("SOCIALIST REPUBLIC OF VIET NAM")
    motto, number, dated = at("Independence - Freedom - Happiness"), at("No.: 1234/QĐ-UBND"), at(
        "Lai Châu, 15 July 2021")
    assert (authority.coordinate, country.row, motto.row, number.row, dated.row) == ("A1", 1, 2, 3, 3)
    assert authority.font.b and country.font.b and motto.font.b and dated.font.i and not number.font.b
    split = country.column - 1
    assert number.column == 1 and motto.column == dated.column == country.column and 1 < split < width
    for cell in (authority, number):
        assert f"A{cell.row}:{openpyxl.utils.get_column_letter(split)}{cell.row}" in merged
    for cell in (country, motto, dated):
        assert f"{cell.coordinate}:{openpyxl.utils.get_column_letter(width)}{cell.row}" in merged
    # "PHỤ LỤC", the title in capitals, "(Kèm theo Quyết định số …)": centred over the table.
    annex, title = at("ANNEX"), at("BỘ CHỈ SỐ THỬ NGHIỆM (2024)")
    with_decision = at("(Issued with Decision No. 1234/QĐ-UBND dated 15 July 2021 of UBND tỉnh Lai Châu)")
    assert annex.row > dated.row and title.row == annex.row + 1 and with_decision.row == title.row + 1
    assert all(c.alignment.horizontal == "center" for c in (annex, title, with_decision))
    assert with_decision.font.i and title.font.b
    # The table: its header row is the one repeated on every page, not the document's header.
    header = at("No.")
    assert header.row == with_decision.row + 2 and sheet.print_title_rows == f"${header.row}:${header.row}"
    assert [c.value for c in sheet[header.row]][4:] == ["Total points", "Maximum points", "Index (%)", "Class",
                                                       "Rank"]
    units = [row for row in sheet.iter_rows(min_row=header.row + 1) if isinstance(row[0].value, int)]
    assert [row[1].value for row in units] == ["Sở Nội vụ", "Ban Dân tộc", "Sở Tư pháp"]
    for row in units:  # every figure a number, never text
        assert all(c.data_type == "n" and isinstance(c.value, int | float) for c in (*row[2:7], row[8])), row
    assert [row[4].value for row in units] == [9.35, 6.1, 5.9] and units[0][6].number_format == "0.00"
    # The footnote: "Ghi chú:" and the method, a note a row, wrapped across the table's width.
    heading = at("Notes:")
    assert heading.row > units[-1][1].row and heading.font.b
    for offset, note in enumerate(notes, start=1):
        cell = sheet.cell(row=heading.row + offset, column=1)
        assert cell.value == f"- {note}" and cell.alignment.wrap_text
        assert f"A{cell.row}:{openpyxl.utils.get_column_letter(width)}{cell.row}" in merged
    # The signature block under the right half: capacity lines in capitals, room to sign, the name.
    lines = [at(line) for line in ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")]
    signer = at("Nguyễn Văn A")
    assert lines[0].row > heading.row + len(notes) and [c.row - lines[0].row for c in lines] == [0, 1, 2]
    assert signer.row - lines[-1].row == 5  # four blank rows for the signature and the seal
    assert all(c.column == split + 1 and c.font.b for c in (*lines, signer))
    assert all(sheet.cell(row=r, column=c).value is None for r in range(lines[-1].row + 1, signer.row)
               for c in range(1, width + 1))
    # Printed: A4, one page wide, exactly the annex; the first page without the running title.
    assert sheet.print_area == f"'Results'!$A$1:${openpyxl.utils.get_column_letter(width)}${signer.row}"
    assert (sheet.page_setup.paperSize, sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (9, 1, 0)
    first_footer: Any = sheet.firstFooter
    assert sheet.HeaderFooter.differentFirst and first_footer.center.text == "Page &P of &N"


def test_markdown_annex_has_the_same_header_footnote_and_signature(tmp_path: Path) -> None:
    ruleset = issued_ruleset(tmp_path, ROOT / "tests" / "fixtures" / "small.par", "Sở Nội vụ")
    data = ROOT / "tests" / "fixtures" / "small.csv"
    _, notes, _ = annex_texts(ruleset, data)
    out = tmp_path / "annex.md"
    assert parrules("report", str(ruleset), str(data), "-o", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("**UBND TỈNH LAI CHÂU**\\\nNo.: 1234/QĐ-UBND\n\n"
                           "**SOCIALIST REPUBLIC OF VIET NAM**\\\n**Independence - Freedom - Happiness**\\\n"
                           "*Lai Châu, 15 July 2021*\n\n**ANNEX**\n\n# BỘ CHỈ SỐ THỬ NGHIỆM (2024)\n\n"
                           "*(Issued with Decision No. 1234/QĐ-UBND dated 15 July 2021 of UBND tỉnh Lai Châu)*\n\n"
                           "| No. | Unit |")
    from parrules.report.markdown import _escape

    footnote = "**Notes:**\n\n" + "".join(f"- {_escape(note)}\n" for note in notes)
    assert footnote in text and text.index(footnote) > text.index("| 3 | Sở Tư pháp |")
    assert text.endswith(footnote + "\n**TM. ỦY BAN NHÂN DÂN**\\\n**KT. CHỦ TỊCH**\\\n**PHÓ CHỦ TỊCH**\n\n"
                                     "**Nguyễn Văn A**\n")
    # Without a decision's number or date the table is not an annex: no header, nothing made up.
    plain = tmp_path / "plain.md"
    assert parrules("report", str(ROOT / "tests" / "fixtures" / "small.par"), str(data), "-o", str(plain)
                    ).returncode == 0
    plain_text = plain.read_text(encoding="utf-8")
    assert plain_text.startswith("# Bộ chỉ số thử nghiệm (2024)\n") and "VIET NAM" not in plain_text
    assert footnote in plain_text and plain_text.endswith(footnote)


def test_bonus_and_penalty_columns_add_up_to_the_printed_total(tmp_path: Path) -> None:
    """Every column that makes up the total is printed: components + bonus − penalty = total, row by row.

    Each figure is rounded from unrounded points: where the printed columns then differ from the
    printed total by a cent, the footnote on method names the unit with both figures.
    """
    ruleset = issued_ruleset(tmp_path, FULL, "UBND tỉnh (minh họa, không trích từ quyết định nào)")
    _, notes, keys = annex_texts(ruleset, FULL_DATA)
    book_path, md_path = tmp_path / "annex.xlsx", tmp_path / "annex.md"
    for path in (book_path, md_path):
        done = parrules("report", str(ruleset), str(FULL_DATA), "-o", str(path))
        assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(book_path)["Results"]
    header_row = next(c.row for c in sheet["A"] if c.value == "No.")
    bonus, penalty, total = (keys.index(k) for k in ("extra:B1", "extra:P1", "total"))
    assert (bonus, penalty, total) == (4, 5, 6)  # after the two components, before the total
    assert [c.value for c in sheet[header_row]][total] == "Total points"
    explained = next(n for n in notes if " / " in n)
    rows = [row for row in sheet.iter_rows(min_row=header_row + 1) if isinstance(row[0].value, int)]
    assert len(rows) == 25
    penalties = 0
    for row in rows:
        figures = [row[i] for i in range(2, total + 1)]
        assert all(c.data_type == "n" and c.number_format == "0.00" for c in figures), row[1].value
        parts = [Decimal(repr(c.value)) for c in figures]
        assert parts[3] <= 0 and parts[2] >= 0  # the penalty stored negative, so that SUM of the row is the total
        penalties += parts[3] < 0
        if sum(parts[:-1]) != parts[-1]:
            assert f"{row[1].value} ({sum(parts[:-1]):.2f} / {parts[-1]:.2f})" in explained
    assert penalties >= 2
    # In Markdown, the printed figures: a penalty with its minus sign, the same sums.
    markdown = md_path.read_text(encoding="utf-8").splitlines()
    lines = [[c.strip() for c in line.strip("|").split("|")] for line in markdown
             if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert len(lines) == 25 and any(cells[5].startswith("-") for cells in lines)
    mismatched = 0
    for cells in lines:
        printed = [Decimal(c) for c in cells[2:7]]
        if sum(printed[:-1]) != printed[-1]:
            mismatched += 1
            assert f"{cells[1]} ({sum(printed[:-1]):.2f} / {printed[-1]:.2f})" in explained
    assert mismatched == len(re.findall(r"\(\d+\.\d\d / \d+\.\d\d\)", explained)) == 4


def test_libreoffice_prints_the_annex_on_a4_landscape_one_page_wide(tmp_path: Path) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice and poppler-utils are needed (make test installs them where it can)")
    ruleset = issued_ruleset(tmp_path, FULL, "UBND tỉnh (minh họa, không trích từ quyết định nào)")
    book = tmp_path / "annex.xlsx"
    assert parrules("report", str(ruleset), str(FULL_DATA), "-o", str(book)).returncode == 0
    profile = tmp_path / "lo-profile"
    done = subprocess.run([office, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path / "pdf"), str(book)], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    pdf = tmp_path / "pdf" / "annex.pdf"
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "2", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    for width, height in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info):
        assert (round(float(width)), round(float(height))) == (842, 595)  # A4 landscape

    def page(number: int) -> str:
        return subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout

    first = page(1)
    # The header block, two columns on the same lines; the title; the table one page wide: every
    # column of a unit's line, from its number to its rank, on one line of the first page.
    assert re.search(r"UBND TỈNH LAI CHÂU +SOCIALIST REPUBLIC OF VIET NAM", first)
    assert re.search(r"No.: 1234/QĐ-UBND +Lai Châu, 15 July 2021", first)
    assert "ANNEX" in first and "BỘ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH" in first
    line = next(li for li in first.splitlines() if "Văn phòng UBND tỉnh" in li)
    # (LibreOffice writes the decimal separator of its own locale: the cells hold numbers.)
    assert re.search(r"^\s*1\s+Văn phòng UBND tỉnh\s+65[.,]35\s+25[.,]53\s+1[.,]75\s+0[.,]00\s+92[.,]63\s+98\s+"
                     r"94[.,]52\s*Xuất sắc\s+1\s*$", line), line
    assert re.search(r"Sở Giáo dục và Đào tạo\s+65[.,]24\s+27[.,]69\s+0[.,]00\s+-1[.,]00\s+91[.,]93\s", first)
    second = page(2)  # the rest of the table, the footnote and the signature
    assert "Notes:" in second and re.search(r"PHÓ CHỦ TỊCH", second) and "Nguyễn Văn A" in second


def test_vietnamese_documents_write_decimal_commas_and_data_files_keep_the_point(tmp_path: Path) -> None:
    ruleset, data = str(RULESETS / "departments.par"), str(SEED / "departments.csv")
    md = tmp_path / "report.md"
    assert parrules("report", ruleset, data, "--lang", "vi", "-o", str(md)).returncode == 0
    row = next(line for line in md.read_text(encoding="utf-8").splitlines() if "| Sở Nội vụ |" in line)
    assert [c.strip() for c in row.strip("|").split("|")][2:7] == ["62,30", "23,37", "85,67", "98", "87,42"]
    csv_out = parrules("score", ruleset, data, "--lang", "vi", "--format", "csv")
    assert ",Sở Nội vụ,62.30,23.37,85.67,98,87.42," in csv_out.stdout and "87,42" not in csv_out.stdout
    report_csv = tmp_path / "report.csv"
    assert parrules("report", ruleset, data, "--lang", "vi", "-o", str(report_csv)).returncode == 0
    assert ",Sở Nội vụ,62.30,23.37,85.67,98,87.42," in report_csv.read_text(encoding="utf-8-sig")
    import json

    payload = json.loads(parrules("score", ruleset, data, "--lang", "vi", "--format", "json").stdout)
    unit = next(u for u in payload["units"] if u["unit"] == "Sở Nội vụ")
    assert (unit["total"], unit["index"]) == ("85.67", "87.42") and payload["average"] == "82.08"
