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
from decimal import Decimal
from pathlib import Path

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
    # Excel allows 31 characters in a sheet's name: a longer group name is cut at a word, with "…".
    assert book.sheetnames[:2] == ["I. Nhóm đơn vị xếp loại trên…", "II. Nhóm đơn vị đặc thù xếp…"]
    assert "Points by criterion" in book.sheetnames and "Sub-indices" in book.sheetnames
    rows = {}
    for sheet in book.worksheets[:2]:
        header = [c.value for c in sheet[3]]
        assert header[:5] == ["No.", "Unit", "Điểm thẩm định", "Điểm điều tra", "Total points"]
        for values in sheet.iter_rows(min_row=4, values_only=False):
            if isinstance(values[0].value, int):
                rows[values[1].value] = values
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
    assert "&quot;http://example.com&quot;" in html.read_text(encoding="utf-8")


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
    bar_blue = bytes((0x15, 0x65, 0xC0))
    blue_rows = [y for y, row in enumerate(rows)
                 if any(row[x:x + 3] == bar_blue for x in range(0, len(row), size))]
    assert blue_rows, "no bar was drawn"
    # Runs of rows containing bar pixels: one run per bar (bars are separated by a gap).
    runs = sum(1 for i, y in enumerate(blue_rows) if i == 0 or blue_rows[i - 1] != y - 1)
    assert runs == 20
