"""The annex as a province issues it: read back by real clients (Chromium, poppler), not by parrules.

The PDF is printed by headless Chromium (`report -o FILE.pdf`), then measured with poppler's
`pdfinfo`, `pdffonts`, `pdftotext` and `pdftoppm`; the HTML is parsed with the standard library's
`html.parser`. Expected figures come from the seed's published tables (examples/lai-chau-2020), and
sums are redone here from the printed text.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from test_report import RULESETS, SEED, chromium, png_pixels, published

ROOT = Path(__file__).resolve().parents[1]
FULL = ROOT / "rulesets" / "examples" / "department-full.par"
FULL_DATA = ROOT / "examples" / "department-full" / "units.csv"
HEADER = ("--dated", "2021-07-15", "--place", "Lai Châu",
          "--signer", "KT. CHỦ TỊCH|PHÓ CHỦ TỊCH THƯỜNG TRỰC|Tống Thanh Hải")
COMMA_NUMBER = re.compile(r"-?\d+(?:\.\d{3})*(?:,\d+)?")


def parrules(*args: str, lang: str = "vi") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PARRULES_LANG": lang, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "parrules.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, check=False, timeout=900)


def vi_number(text: str) -> Decimal:
    """A figure as Vietnamese documents write it (93,83; 1.234,5), read back by hand."""
    return Decimal(text.replace(".", "").replace(",", "."))


def comma(figure: str) -> str:
    """The seed's figure (62.30) as the Vietnamese annex must print it (62,30)."""
    return figure.replace(".", ",")


def needs(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (make test installs Debian's poppler-utils and chromium "
                    "where it can)")
    if chromium() is None:
        pytest.skip("Chromium is not installed (make test installs Debian's chromium package where it can)")


class Cells(HTMLParser):
    """The rows of every `table.results` of a page: (row class, [cell texts])."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.headers: list[list[str]] = []
        self._in_results = 0
        self._row: list[str] | None = None
        self._kind = ""
        self._cell: list[str] | None = None
        self._head: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and "results" in classes:
            self._in_results += 1
        elif self._in_results and tag == "tr":
            self._row, self._kind = [], " ".join(classes)
        elif self._in_results and tag in ("td", "th"):
            self._cell = []
        if self._in_results and tag == "thead":
            self._head = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._in_results:
            self._in_results -= 1
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._head is not None:
                self.headers.append(self._row)
                self._head = None
            else:
                self.rows.append((self._kind, self._row))
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_of(html: str) -> Cells:
    cells = Cells()
    cells.feed(html)
    return cells


# ---- the Lai Châu 2020 departments annex, printed ---------------------------------------------------


@pytest.fixture(scope="module")
def annex_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs("pdftotext", "pdfinfo", "pdftoppm", "pdffonts")
    out = tmp_path_factory.mktemp("annex") / "phu-luc.pdf"
    done = parrules("report", str(RULESETS / "departments.par"), str(SEED / "departments.csv"), "-o", str(out),
                    *HEADER)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    return out


def pages_of(pdf: Path) -> list[str]:
    count = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                              check=True).stdout, re.MULTILINE)[1])
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, count + 1)]


def test_every_page_of_the_annex_is_a4(annex_pdf: Path) -> None:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(annex_pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert sizes
    for width, height in sizes:  # A4 portrait: 210 × 297 mm = 595.28 × 841.89 pt
        assert abs(float(width) - 595.28) < 1 and abs(float(height) - 841.89) < 1
    with_pixels = subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", str(annex_pdf),
                                  str(annex_pdf.with_suffix(""))], capture_output=True, check=True)
    assert with_pixels.returncode == 0
    png = next(annex_pdf.parent.glob("phu-luc*-1.png"))
    width, size, rows = png_pixels(png)
    assert (width, len(rows)) in ((595, 842), (596, 842), (595, 841))
    ink = sum(1 for row in rows for x in range(0, len(row), size) if row[x] < 128)
    assert ink > 10_000  # something is printed on the page, not a blank sheet


def test_the_fonts_are_embedded(annex_pdf: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(annex_pdf)], capture_output=True, text=True, check=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines, fonts
    for line in lines:  # name type encoding emb sub uni object ID
        assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line), line


def test_every_unit_row_is_on_one_page_under_the_table_header(annex_pdf: Path) -> None:
    pages = pages_of(annex_pdf)
    for row in published("departments"):
        # The row as printed: STT, the name, then the figures (the seed's, with decimal commas).
        pattern = re.compile(rf"^\s*{row['stt']}\s+{re.escape(row['unit'])}\s+(.*)$", re.MULTILINE)
        found = [(n, m) for n, page in enumerate(pages) for m in pattern.finditer(page)]
        assert len(found) == 1, (row["unit"], found)
        number, match = found[0]
        figures = COMMA_NUMBER.findall(match[1])
        assert figures[:3] == [comma(row["appraisal"]), comma(row["survey"]), comma(row["total"])], match[0]
        assert comma(row["index"]) in figures and row["class"] in match[1]
        # The table header is on the page of every row (repeated on each page the table runs to).
        assert "Tên đơn vị" in pages[number] and "Tổng" in pages[number], number


def test_each_total_is_the_sum_of_the_printed_columns(annex_pdf: Path) -> None:
    text = "\n".join(pages_of(annex_pdf))
    names = [r["unit"] for r in published("departments")]
    checked = 0
    for name in names:
        line = re.search(rf"^\s*\d+\s+{re.escape(name)}\s+(.*)$", text, re.MULTILINE)
        assert line is not None, name
        appraisal, survey, total = (vi_number(f) for f in COMMA_NUMBER.findall(line[1])[:3])
        assert appraisal + survey == total, line[0]
        checked += 1
    assert checked == 20


def test_the_header_and_signature_are_printed_in_vietnamese(annex_pdf: Path) -> None:
    pages = pages_of(annex_pdf)
    first, last = pages[0], pages[-1]
    for line in ("UBND TỈNH LAI CHÂU", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Lai Châu, ngày 15 tháng 7 năm 2021", "PHỤ LỤC"):
        assert line in first, line
    assert "Trang 1/" in first
    for line in ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH THƯỜNG TRỰC", "Tống Thanh Hải", "Ghi chú"):
        assert line in last, line
    # The footnote on method says what was left out of the scale and why, and how figures are rounded.
    notes = " ".join(" ".join(pages).split())
    assert "DCCI" in notes and "thang điểm 98" in notes and "Làm tròn" in notes
    assert "Chỉ số trung bình: 82,08 %" in notes


def test_the_first_page_is_what_the_docs_show(annex_pdf: Path) -> None:
    """docs/images/annex-pdf-page-1.png is this page; a changed layout is redrawn by tools/screenshots.py."""
    shot = ROOT / "docs" / "images" / "annex-pdf-page-1.png"
    assert shot.is_file(), "run tools/screenshots.py"
    width, _, rows = png_pixels(shot)
    assert width > 500 and len(rows) > width  # a portrait page


# ---- what the header says, and what it leaves out ---------------------------------------------------


def test_a_header_not_given_is_left_out_never_made_up(tmp_path: Path) -> None:
    out = tmp_path / "annex.html"
    done = parrules("report", str(RULESETS / "departments.par"), str(SEED / "departments.csv"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    style = page.split("<style>")[1].split("</style>")[0]
    assert 'font-family: "Times New Roman"' in style and "&#34;" not in style  # the CSS as written, not escaped
    # Neither a number nor a date: a working table, not yet a decision's annex — its title, no header block.
    assert "Chỉ số CCHC các sở, ban, ngành tỉnh Lai Châu năm 2020" in page.split("</h1>")[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in page and "PHỤ LỤC" not in page
    assert "Số:" not in page and "Kèm theo" not in page and 'class="signature"' not in page
    dated = parrules("report", str(RULESETS / "departments.par"), str(SEED / "departments.csv"), "-o", str(out),
                     "--dated", "2021-07-15")
    assert dated.returncode == 0, dated.stderr
    page = out.read_text(encoding="utf-8")
    assert "UBND TỈNH LAI CHÂU" in page and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page and "PHỤ LỤC" in page
    assert "Ngày 15 tháng 7 năm 2021" in page  # no place given: the date alone, capitalised
    assert "Số:" not in page and "Kèm theo" not in page and 'class="signature"' not in page


def test_the_ruleset_says_the_decision_and_an_option_overrides_it(tmp_path: Path) -> None:
    text = (RULESETS / "departments.par").read_text(encoding="utf-8").replace(
        '  authority "UBND tỉnh Lai Châu"\n',
        '  authority "UBND tỉnh Lai Châu"\n  decision "999/QĐ-UBND"\n  dated "2021-07-14"\n  place "Lai Châu"\n'
        '  signed "TM. ỦY BAN NHÂN DÂN" "CHỦ TỊCH" by "Nguyễn Văn A"\n')
    ruleset = tmp_path / "departments.par"
    ruleset.write_text(text, encoding="utf-8")
    assert parrules("check", str(ruleset)).returncode == 0
    out = tmp_path / "annex.html"
    assert parrules("report", str(ruleset), str(SEED / "departments.csv"), "-o", str(out)).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "Số: 999/QĐ-UBND" in page and "Lai Châu, ngày 14 tháng 7 năm 2021" in page
    assert "(Kèm theo Quyết định số 999/QĐ-UBND ngày 14 tháng 7 năm 2021 của UBND tỉnh Lai Châu)" in page
    assert "TM. ỦY BAN NHÂN DÂN" in page and "Nguyễn Văn A" in page
    done = parrules("report", str(ruleset), str(SEED / "departments.csv"), "-o", str(out), "--decision", "1/QĐ-UBND",
                    "--dated", "2021-07-15")
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "Số: 1/QĐ-UBND" in page and "ngày 15 tháng 7 năm 2021" in page and "999/QĐ" not in page
    english = parrules("report", str(ruleset), str(SEED / "departments.csv"), "-o", str(out), lang="en")
    assert english.returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "SOCIALIST REPUBLIC OF VIET NAM" in page and "Lai Châu, 14 July 2021" in page


def test_a_date_that_could_be_read_two_ways_is_refused(tmp_path: Path) -> None:
    text = (RULESETS / "departments.par").read_text(encoding="utf-8").replace(
        '  year 2020\n', '  year 2020\n  dated "07/08/2021"\n')
    ruleset = tmp_path / "departments.par"
    ruleset.write_text(text, encoding="utf-8")
    done = parrules("check", str(ruleset))
    assert done.returncode == 1 and "PAR126" in done.stdout and "2021-07-15" in done.stdout
    out = tmp_path / "x.html"
    bad = parrules("report", str(RULESETS / "departments.par"), str(SEED / "departments.csv"), "-o", str(out),
                   "--dated", "15/7/2021")
    assert bad.returncode == 2 and "2021-07-15" in bad.stderr and not out.exists()


# ---- every column that makes up the total ----------------------------------------------------------


def test_bonus_and_penalty_are_columns_and_each_total_is_the_sum_of_its_row(tmp_path: Path) -> None:
    out = tmp_path / "annex.html"
    done = parrules("report", str(FULL), str(FULL_DATA), "-o", str(out))
    assert done.returncode == 0, done.stderr
    table = table_of(out.read_text(encoding="utf-8"))
    header = table.headers[0]
    assert "Điểm thưởng" in header and "Điểm trừ" in header
    first, total = header.index("Tên đơn vị") + 1, header.index("Tổng điểm")
    units = [cells for kind, cells in table.rows if kind == "unit"]
    with FULL_DATA.open(encoding="utf-8") as stream:
        assert len(units) == sum(1 for _ in csv.DictReader(stream))
    page = out.read_text(encoding="utf-8")
    notes = page.split('<section class="method">')[1]
    penalised = off = 0
    for cells in units:
        parts = sum((vi_number(c) for c in cells[first:total]), Decimal(0))
        penalised += cells[header.index("Điểm trừ")].startswith("-")
        if parts == vi_number(cells[total]):
            continue
        # Each figure is rounded on its own (`points 2 decimals`): the footnote names the row and its two
        # sums, and they are at most half a cent per rounded column apart.
        off += 1
        assert abs(parts - vi_number(cells[total])) <= Decimal("0.005") * (total - first + 1), cells
        assert re.search(rf"{re.escape(cells[1])} \({re.escape(f'{parts:f}'.replace('.', ','))} / "
                         rf"{re.escape(cells[total])}\)", notes), cells[1]
    assert penalised > 0  # the example data has units with a penalty, printed with their minus sign
    assert off < len(units)


# ---- a province's own template -----------------------------------------------------------------------


def test_a_province_template_replaces_ours_and_still_escapes(tmp_path: Path) -> None:
    mine = tmp_path / "mau"
    mine.mkdir()
    (mine / "annex.html.j2").write_text(
        "<!DOCTYPE html><html><body><h1>{{ heading }}</h1><p class=mine>{{ issuer.country }}</p>"
        "{% for s in sections %}{% for row in s.rows %}<div class=row>{{ row[1] }}|{{ row[-3] }}</div>"
        "{% endfor %}{% endfor %}</body></html>", encoding="utf-8")
    (mine / "document.css").write_text("body { color: navy }", encoding="utf-8")
    data = tmp_path / "units.csv"
    data.write_text("unit,appraisal_points,survey_points\n<b>Sở X</b>,60,20\n", encoding="utf-8")
    out = tmp_path / "annex.html"
    done = parrules("report", str(RULESETS / "districts.par"), str(data), "-o", str(out), "--template", str(mine))
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert '<p class=mine>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>' in page
    assert "&lt;b&gt;Sở X&lt;/b&gt;|" in page and "<b>Sở X" not in page


def test_a_broken_template_says_where_and_writes_nothing(tmp_path: Path) -> None:
    mine = tmp_path / "mau"
    mine.mkdir()
    (mine / "annex.html.j2").write_text("<html>\n{% for x in sections %}\n<p>{{ x.title }</p>\n</html>\n",
                                        encoding="utf-8")
    out = tmp_path / "annex.html"
    done = parrules("report", str(RULESETS / "departments.par"), str(SEED / "departments.csv"), "-o", str(out),
                    "--template", str(mine))
    assert done.returncode == 2, done.stderr
    assert "annex.html.j2:3" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
    missing = parrules("report", str(RULESETS / "departments.par"), str(SEED / "departments.csv"), "-o", str(out),
                       "--template", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "nowhere" in missing.stderr and not out.exists()


# ---- the chart -----------------------------------------------------------------------------------------


def test_the_chart_colours_bars_by_class_and_marks_thresholds_average_and_last_year(tmp_path: Path) -> None:
    out = tmp_path / "annex.html"
    previous = ROOT / "tests" / "fixtures" / "lai-chau-districts-2019-reconstructed.json"
    done = parrules("report", str(RULESETS / "districts.par"), str(SEED / "districts.csv"), "-o", str(out),
                    "--previous", str(previous))
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    bars = re.findall(r'<rect class="bar" data-unit="([^"]*)" data-class="([^"]*)"[^>]* fill="(#[0-9a-f]{6})"', page)
    with (SEED / "districts-published.csv").open(encoding="utf-8") as stream:
        classes = {r["unit"]: r["class"] for r in csv.DictReader(stream) if r["line"] == "unit"}
    assert {unit for unit, _, _ in bars} == set(classes)
    colour_of: dict[str, str] = {}
    for unit, class_, colour in bars:
        assert class_ == classes[unit]
        assert colour_of.setdefault(class_, colour) == colour  # one colour per class ...
    assert len(set(colour_of.values())) == len(colour_of)  # ... and a different one for each
    legend = page.split('<figcaption class="legend">')[1].split("</figcaption>")[0]
    assert "80 %" in legend and "70 %" in legend and "trung bình nhóm" in legend
    assert page.count('class="threshold"') >= 2 and 'class="average"' in page
    assert page.count('class="previous"') >= 1 and "chỉ số năm trước" in page
    assert re.search(r"\(\+2,55\)", page)  # Huyện Sìn Hồ's change since 2019, as tests/test_history.py has it


def test_50000_units_make_a_page_under_2_mb_that_chromium_renders(tmp_path: Path) -> None:
    needs("pdftotext")
    data = tmp_path / "units.csv"
    with data.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["unit", "appraisal_points", "survey_points"])
        for n in range(50_000):
            writer.writerow([f"Xã {n:05d}", f"{40 + n % 30}.{n % 100:02d}", f"{10 + n % 17}.{(n * 7) % 100:02d}"])
    out = tmp_path / "annex.html"
    done = parrules("report", str(RULESETS / "districts.par"), str(data), "-o", str(out))
    assert done.returncode == 0, done.stderr
    size = out.stat().st_size
    assert size < 2_000_000, size
    page = out.read_text(encoding="utf-8")
    assert "50.000 đơn vị" in page  # said, with where every unit's row is
    counts = table_of(page).rows  # the count per class, in the table under the note
    assert sum(int(cells[1].replace(".", "")) for _, cells in counts) == 50_000
    browser = chromium()
    assert browser is not None
    dom = subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", out.as_uri()],
                         capture_output=True, text=True, timeout=300, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    counts = [int(c) for c in re.findall(r'<rect class="bin"[^>]*><title>[^<]*: (\d+)</title>', dom.stdout)]
    assert sum(counts) == 50_000  # the distribution accounts for every unit
