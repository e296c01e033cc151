"""Each unit's result sheet: its figures add up as printed, it says what did not apply, it prints.

The sheet is read back as a person reads it: its HTML table parsed with the standard library's
`html.parser`, each printed figure turned into a `Decimal` (after the decimal comma) and added up
again here, by the ruleset's own arithmetic (an inner row is its rows' sum, held between its
minimum and maximum; the total is the components plus bonus less penalty, rounded 2 decimals half
up). The figures it must come to are the scored results' (`Results.to_records`, `UnitResult`),
never the sheet's own code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

import parrules
from parrules import i18n
from parrules.report.pdf import browser
from parrules.report.unit_sheet import file_stem, render_unit_sheet
from parrules.results import NodeResult, Results, UnitResult

ROOT = Path(__file__).resolve().parents[1]
FULL = ROOT / "rulesets/examples/department-full.par", ROOT / "examples/department-full/units.csv"
LAI_CHAU = ROOT / "rulesets/lai-chau/2020/departments.par", ROOT / "examples/lai-chau-2020/departments.csv"
CENT = Decimal("0.01")
SHOWN = Decimal("0.0001")  # a figure of more decimals is printed to 4, marked ≈


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "parrules.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False)


@pytest.fixture(scope="module")
def full() -> Results:
    return parrules.load(FULL[0]).score_file(FULL[1])


@pytest.fixture(scope="module")
def lai_chau() -> Results:
    return parrules.load(LAI_CHAU[0]).score_file(LAI_CHAU[1])


# ---- reading a sheet back ------------------------------------------------------------------------


class Cell:
    def __init__(self, attrs: dict[str, str]) -> None:
        self.attrs = attrs
        self.text = ""
        self.value: str | None = attrs.get("data-value")  # the figure's digits, on the cell or its span

    @property
    def css(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Tr:
    def __init__(self, attrs: dict[str, str], part: str) -> None:
        self.attrs = attrs
        self.part = part  # tbody, tfoot, losses, summary, …
        self.cells: list[Cell] = []

    def cell(self, css: str) -> Cell:
        return next(c for c in self.cells if css in c.css)

    @property
    def css(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class SheetReader(HTMLParser):
    """Every table row of every sheet, with its cells' text and `data-value`s; nothing else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sheets: list[list[Tr]] = []
        self.tables: list[str] = []
        self.part = ""
        self.row: Tr | None = None
        self.cell: Cell | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attributes}
        if tag == "section" and "sheet" in attrs.get("class", "").split():
            self.sheets.append([])
        elif tag == "table":
            self.tables.append(attrs.get("class", ""))
            self.part = attrs.get("class", "")
        elif tag in ("tbody", "tfoot") and self.tables and self.tables[-1] == "points":
            self.part = tag
        elif tag == "tr" and self.sheets:
            self.row = Tr(attrs, self.part)
            self.sheets[-1].append(self.row)
        elif tag == "td" and self.row is not None:
            self.cell = Cell(attrs)
            self.row.cells.append(self.cell)
        elif tag == "span" and self.cell is not None and "data-value" in attrs:
            self.cell.value = attrs["data-value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.cell = None
        elif tag == "tr":
            self.row = None
        elif tag == "table" and self.tables:
            self.tables.pop()

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data


def read(html: str) -> list[list[Tr]]:
    reader = SheetReader()
    reader.feed(html)
    reader.close()
    return reader.sheets


def figure(text: str, lang: str) -> Decimal:
    """A printed figure as a Decimal: 1.234,5 (vi) or 1,234.5 (en); ≈, +, % and spaces dropped."""
    text = text.strip().replace("≈", "").replace("%", "").replace("\u00a0", "").replace(" ", "").replace("+", "")
    text = text.replace("−", "-")
    text = text.replace(".", "").replace(",", ".") if lang == "vi" else text.replace(",", "")
    return Decimal(text)


def printed(cell: Cell, lang: str) -> Decimal:
    """The figure a cell prints, after checking that its digits (`data-value`) are what it stands for."""
    assert cell.value is not None, cell.text
    shown, exact = figure(cell.text, lang), Decimal(cell.value)
    if cell.text.strip().startswith("≈"):
        assert shown == exact.quantize(SHOWN, rounding=ROUND_HALF_UP), (cell.text, cell.value)
        assert exact != shown
    else:
        assert shown == exact, (cell.text, cell.value)
    return shown


def applicable_max(row: Tr, lang: str) -> Decimal:
    """A row's maximum as counted: a maximum in parentheses, "(2)", is one that does not apply: 0."""
    cell = row.cell("max")
    if cell.text.startswith("("):
        assert cell.text.endswith(")") and cell.value == "0"
        return Decimal(0)
    return printed(cell, lang)


def exact(cell: Cell) -> Decimal:
    assert cell.value is not None
    return Decimal(cell.value)


def half_up(value: Decimal, quantum: Decimal = CENT) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


# ---- the figures add up ---------------------------------------------------------------------------


def shown_nodes(unit: UnitResult) -> list[NodeResult]:
    """The nodes a sheet must print: every node whose ancestors were all scored."""
    out: list[NodeResult] = []

    def visit(node: NodeResult) -> None:
        out.append(node)
        if node.status == "scored":
            for child in node.children:
                visit(child)

    for root in unit.nodes:
        visit(root)
    return out


def check_sheet(results: Results, unit: UnitResult, html: str, lang: str) -> None:
    sheets = read(html)
    assert len(sheets) == 1
    rows = sheets[0]
    record = next(r for r in results.to_records(nodes=True) if r["unit"] == unit.unit)
    assert results.model is not None
    declared = {n.id: n for n in results.model.nodes()}
    body = {r.attrs["data-id"]: r for r in rows if r.part == "tbody"}

    # Every node is printed once (below one that does not apply, nothing), in the ruleset's order.
    nodes = shown_nodes(unit)
    assert list(body) == [n.id for n in nodes]
    children: dict[str, list[Tr]] = {}
    for row in body.values():
        children.setdefault(row.attrs["data-parent"], []).append(row)

    for node in nodes:
        row = body[node.id]
        maximum = applicable_max(row, lang)
        assert maximum == node.max  # the applicable maximum (0 where it does not apply)
        if node.status != "scored":
            # Greyed, saying so and why, with no points of its own.
            assert "not-applicable" in row.css and row.attrs["data-status"] == node.status
            status = row.cell("status").text
            assert status == {"not_applicable": "does not apply", "excluded": "not scored this year"}[node.status] \
                or lang == "vi"
            assert node.reason and re.search(r"\S", row.cell("title").text.replace(node.title, "", 1))
            assert not any("points" in c.css for c in row.cells)
            assert figure(row.cell("max").text.strip("()"), lang) == declared[node.id].max
            if node.cause == "excluded":
                assert node.reason in row.cell("title").text
            continue
        points = printed(row.cell("points"), lang)
        # The published per-node figure is this one rounded as the ruleset rounds points.
        assert half_up(exact(row.cell("points"))) == record[node.id]
        assert exact(row.cell("points")) == node.points
        lost = row.cell("lost")
        if lost.value is not None:  # blank where nothing was lost
            printed(lost, lang)
            assert exact(lost) == maximum - exact(row.cell("points"))
        below = children.get(node.id, [])
        if not below:
            continue
        # An inner row is its rows added up, never above its maximum nor below its minimum (model.Node).
        scored = [r for r in below if r.attrs["data-status"] == "scored"]
        total = sum((exact(r.cell("points")) for r in scored), Decimal(0))
        source = declared[node.id]
        assert exact(row.cell("points")) == max(source.min, min(maximum, total))
        if exact(row.cell("points")) != total:
            assert row.attrs.get("data-held") in ("cap", "floor")
        elif not any(r.cell("points").text.strip().startswith("≈") for r in scored) and \
                not row.cell("points").text.strip().startswith("≈"):
            # What a reader adds up with a pencil: the printed figures themselves.
            assert points == sum((printed(r.cell("points"), lang) for r in scored), Decimal(0))
        # Its maximum is theirs added up, what does not apply left out (capped: at most its own).
        below_max = sum((applicable_max(r, lang) for r in below), Decimal(0))
        assert maximum == (min(source.max, below_max) if source.capped else below_max)

    # The foot: components + bonus − penalty = the total before rounding; rounded, the published total.
    foot = {r.attrs["data-kind"]: r for r in rows if r.part == "tfoot"}
    roots = [body[n.id] for n in unit.nodes]
    tree = sum((exact(r.cell("points")) for r in roots if r.attrs["data-status"] == "scored"), Decimal(0))
    extras = [r for r in rows if r.part == "tfoot" and r.attrs["data-kind"] in ("bonus", "penalty")]
    for extra in extras:
        value = exact(extra.cell("points"))
        assert printed(extra.cell("points"), lang) == value
        expected = unit.exact.extras[extra.attrs["data-id"]]
        assert value == (expected if extra.attrs["data-kind"] == "bonus" else -expected)
    before = tree + sum((exact(r.cell("points")) for r in extras), Decimal(0))
    if "total_floor" in foot:
        before += exact(foot["total_floor"].cell("points"))
    published = printed(foot["total"].cell("points"), lang)
    if "exact_total" in foot:
        printed(foot["exact_total"].cell("points"), lang)
        assert exact(foot["exact_total"].cell("points")) == before == unit.exact.total
        assert half_up(before) == published
    else:
        assert before == published
    assert published == record["total"]
    # The maximum: the components', an in-scale bonus's, less what the data's `max` takes off.
    top = sum((applicable_max(r, lang) for r in roots), Decimal(0))
    top += sum((exact(r.cell("max")) for r in extras if r.cell("max").value), Decimal(0))
    if "max_from_data" in foot:
        top += printed(foot["max_from_data"].cell("max"), lang)
    assert top == printed(foot["total"].cell("max"), lang) == record["max"]

    # The summary prints the published figures.
    summary = next(r for r in rows if r.part == "summary" and r.cells)
    assert figure(summary.cell("summary-total").text, lang) == record["total"]
    assert figure(summary.cell("summary-max").text, lang) == record["max"]
    assert figure(summary.cell("summary-index").text, lang) == record["index"]
    assert summary.cell("summary-index").text.strip().endswith("%")
    assert half_up(unit.exact.total / unit.max * 100) == record["index"]  # the index from the total, as published
    if record["class"]:
        assert summary.cell("summary-class").text == record["class"]

    # The points lost add up to the maximum less the total before rounding.
    losses = [r for r in rows if r.part == "losses"]
    lost_in_all = sum((exact(r.cells[-1]) for r in losses), Decimal(0))
    for loss in losses:
        printed(loss.cells[-1], lang)
    assert lost_in_all == unit.max - unit.exact.total == Decimal(str(record["max"])) - unit.exact.total
    leaves = [figure(r.cells[-1].text, lang) for r in losses if r.attrs["data-kind"] == "leaf"]
    assert leaves == sorted(leaves, reverse=True)  # largest first


def test_every_unit_of_the_full_ruleset_adds_up(full: Results) -> None:
    assert len(full.units) == 25
    for unit in full.units:
        check_sheet(full, unit, render_unit_sheet(full, unit), "en")


def test_every_unit_adds_up_in_vietnamese_with_the_decimal_comma(full: Results) -> None:
    with i18n.language("vi"):
        for unit in full.units:
            html = render_unit_sheet(full, unit)
            check_sheet(full, unit, html, "vi")
            assert '<html lang="vi">' in html
    # Sở Tư pháp: 71,00 of 98, index 72,45 % (the published table), Khá.
    with i18n.language("vi"):
        html = render_unit_sheet(full, "Sở Tư pháp")
    assert '<td class="summary-total" data-value="71.00">71,00</td>' in html
    assert "72,45 %" in html


def test_the_units_scored_on_a_maximum_from_the_data_add_up(lai_chau: Results) -> None:
    # Lai Châu's special units: a maximum of 78,5 from the data against the rules' 98, not itemised.
    for unit in lai_chau.units:
        check_sheet(lai_chau, unit, render_unit_sheet(lai_chau, unit), "en")
    rows = read(render_unit_sheet(lai_chau, "Sở Ngoại vụ"))[0]
    line = next(r for r in rows if r.attrs.get("data-kind") == "max_from_data")
    assert figure(line.cell("max").text, "en") == Decimal("-19.5")


def test_what_does_not_apply_is_greyed_with_its_reason(full: Results) -> None:
    # Sở Xây dựng has no survey_eligible attribute set: 3.7 and S2 do not apply; S3 (DCCI) is excluded for all.
    rows = {r.attrs["data-id"]: r for r in read(render_unit_sheet(full, "Sở Xây dựng"))[0] if r.part == "tbody"}
    assert rows["S3"].attrs["data-status"] == "excluded"
    assert "Năm 2024 không tổ chức đánh giá DCCI (minh họa)" in rows["S3"].cell("title").text
    assert rows["S3"].cell("status").text == "not scored this year"
    for node_id in ("3.7", "S2"):
        assert "not-applicable" in rows[node_id].css
        assert rows[node_id].cell("status").text == "does not apply"
        assert "survey_eligible = no" in rows[node_id].cell("title").text
    assert rows["S2"].cell("max").text == "(10)"  # the maximum it would have had, not counted


def test_the_gap_to_the_next_class(full: Results) -> None:
    # Sở Tư pháp: 70.99816… of 98 is 72.45 %; Tốt from 80 %, published 2 decimals half up, so 79.995 %:
    # 79.995 % × 98 = 78.3951 points, 78.3951 − 70.99816… = 7.39693… more points (≈7.3969), i.e. +7.5479… %.
    html = render_unit_sheet(full, "Sở Tư pháp")
    assert "To reach Tốt (an index from 80 %), ≈7.3969 more points are needed" in html
    assert "rise by ≈7.5479 percentage points, to 79.995 % before rounding (now 72.45 %)" in html
    # The first in Xuất sắc has no class above.
    assert "Xuất sắc is the highest class" in render_unit_sheet(full, full.units[0])


def test_a_capped_criterion_says_so(full: Results) -> None:
    # 2.4 is `capped`: its sub-criteria's maxima add up to 2, the criterion's is 1.5.
    for unit in full.units:
        rows = {r.attrs["data-id"]: r for r in read(render_unit_sheet(full, unit))[0] if r.part == "tbody"}
        if rows["2.4"].attrs["data-status"] != "scored":
            continue
        parts = [exact(rows[i].cell("points")) for i in ("2.4.1", "2.4.2") if rows[i].attrs["data-status"] == "scored"]
        if sum(parts) > Decimal("1.5"):
            assert rows["2.4"].attrs["data-held"] == "cap" and "held at its maximum 1.5" in rows["2.4"].cell(
                "title").text
        else:
            assert rows["2.4"].attrs.get("data-held") in ("max", None)


def test_the_page_is_self_contained(full: Results) -> None:
    html = render_unit_sheet(full, "Sở Tư pháp")
    assert html.startswith("<!DOCTYPE html>")
    for forbidden in ("<script", "<link", "src=", "http://", "https://", "@import"):
        assert forbidden not in html
    assert "size: A4 portrait" in html  # unit.css, inline


def test_a_file_name_keeps_the_vietnamese_letters() -> None:
    decomposed = unicodedata.normalize("NFD", "Sở Văn hóa, Thể thao và Du lịch")
    assert file_stem(11, 25, decomposed) == "11-Sở-Văn-hóa-Thể-thao-và-Du-lịch"
    assert unicodedata.is_normalized("NFC", file_stem(1, 9, decomposed))
    assert file_stem(3, 120, 'a/b:c*"<>|?') == "003-a-b-c"
    assert file_stem(1, 2, "<>") == "01-unit"


# ---- on the command line --------------------------------------------------------------------------


def test_report_per_unit_writes_one_sheet_per_unit_in_vietnamese(tmp_path: Path, full: Results) -> None:
    folder = tmp_path / "phieu"
    done = run("report", str(FULL[0]), str(FULL[1]), "--per-unit", "-o", str(folder), "--lang", "vi")
    assert done.returncode == 0, done.stderr
    files = sorted(folder.iterdir())
    assert len(files) == len(full.units) == 25
    assert [f.name for f in files][:2] == ["01-Văn-phòng-UBND-tỉnh.html", "02-Sở-Giáo-dục-và-Đào-tạo.html"]
    assert all(unicodedata.is_normalized("NFC", f.name) and f.suffix == ".html" for f in files)
    assert str(folder) in done.stderr and "25" in done.stderr
    for path, unit in zip(files, full.units, strict=True):  # in the results' order
        html = path.read_text(encoding="utf-8")
        assert '<html lang="vi">' in html and f'<p class="unit-name">{unit.unit}</p>' in html
        with i18n.language("vi"):
            check_sheet(full, unit, html, "vi")
    vietnamese = i18n.translations("vi")
    if vietnamese.gettext("PAR INDEX RESULT SHEET, {year}") == "PAR INDEX RESULT SHEET, {year}":
        pytest.skip("the Vietnamese catalogue does not hold the sheet's headings yet (make messages, then translate)")
    html = files[8].read_text(encoding="utf-8")
    for heading in ("PHIẾU KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2024", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                    "Độc lập - Tự do - Hạnh phúc", "Điểm tối đa", "Điểm đạt", "Điểm bị mất", "Xếp loại",
                    "Xếp hạng", "không chấm năm nay"):
        assert heading in html


def test_explain_prints_the_sheet_as_html(tmp_path: Path) -> None:
    done = run("explain", str(LAI_CHAU[0]), str(LAI_CHAU[1]), "--unit", "sở tư pháp", "--format", "html",
               "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<!DOCTYPE html>")
    (sheet,) = read(done.stdout)
    assert ">Sở Tư pháp<" in done.stdout
    summary = next(r for r in sheet if r.part == "summary" and r.cells)
    assert summary.cell("summary-total").text == "84.79" and summary.cell("summary-index").text == "86.52 %"
    # -o writes the file instead.
    out = tmp_path / "tu-phap.html"
    done = run("explain", str(LAI_CHAU[0]), str(LAI_CHAU[1]), "--unit", "Sở Tư pháp", "--format", "html",
               "-o", str(out), "--lang", "en")
    assert done.returncode == 0 and done.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_text_from_the_data_is_escaped(tmp_path: Path) -> None:
    data = tmp_path / "units.csv"
    name = 'Sở <script>alert("x")</script> & <b>Co</b>'
    data.write_text(f'stt,unit,appraisal_points,survey_points,max\n1,"{name.replace(chr(34), chr(34) * 2)}",'
                    "62.30,23.37,\n2,Sở Y tế,51.57,21.25,\n", encoding="utf-8")
    done = run("explain", str(LAI_CHAU[0]), str(data), "--unit", name, "--format", "html", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "<script" not in done.stdout and "<b>" not in done.stdout
    assert "Sở &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in done.stdout
    folder = tmp_path / "sheets"
    done = run("report", str(LAI_CHAU[0]), str(data), "--per-unit", "-o", str(folder), "--lang", "en")
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["01-Sở-script-alert-x-script-b-Co-b.html", "02-Sở-Y-tế.html"]
    assert "<script" not in (folder / names[0]).read_text(encoding="utf-8")


def test_per_unit_refuses_a_file_and_writes_nothing_on_failure(tmp_path: Path) -> None:
    a_file = tmp_path / "results.txt"
    a_file.write_text("keep me", encoding="utf-8")
    done = run("report", str(LAI_CHAU[0]), str(LAI_CHAU[1]), "--per-unit", "-o", str(a_file), "--lang", "en")
    assert done.returncode == 2
    assert "is a file" in done.stderr and "folder" in done.stderr
    assert a_file.read_text(encoding="utf-8") == "keep me"
    # A province's template that cannot be used: nothing written, not even the folder.
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "unit.html.j2").write_text("{% for sheet in sheets %}{{ sheet.unit }", encoding="utf-8")
    folder = tmp_path / "sheets"
    done = run("report", str(LAI_CHAU[0]), str(LAI_CHAU[1]), "--per-unit", "-o", str(folder),
               "--template", str(templates), "--lang", "en")
    assert done.returncode == 2
    assert "unit.html.j2" in done.stderr
    assert not folder.exists()
    # Only html or pdf; a PDF sheet needs a file.
    done = run("report", str(LAI_CHAU[0]), str(LAI_CHAU[1]), "--per-unit", "-o", str(folder), "--format", "csv",
               "--lang", "en")
    assert done.returncode == 2 and "html or pdf" in done.stderr and not folder.exists()
    done = run("explain", str(LAI_CHAU[0]), str(LAI_CHAU[1]), "--unit", "Sở Y tế", "--format", "pdf", "--lang", "en")
    assert done.returncode == 2 and "-o FILE.pdf" in done.stderr and done.stdout == ""


def test_a_provinces_template_is_used(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "unit.html.j2").write_text(
        "{% for sheet in sheets %}<p>{{ sheet.unit }}: {{ sheet.total|figure }}</p>{% endfor %}\n", encoding="utf-8")
    done = run("explain", str(LAI_CHAU[0]), str(LAI_CHAU[1]), "--unit", "Sở Y tế", "--format", "html",
               "--template", str(templates), "--lang", "vi")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "<p>Sở Y tế: 72,82</p>"


# ---- printed by a real Chromium, read back by poppler ---------------------------------------------


def _printing_tools() -> None:
    missing = [name for name in ("pdfinfo", "pdftotext", "pdffonts") if shutil.which(name) is None]
    if browser() is None:
        missing.insert(0, "chromium")
    if missing:
        pytest.skip(f"printing the sheet needs {', '.join(missing)}, not installed here")


def _tool(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_explain_prints_one_a4_page_with_its_vietnamese_letters(tmp_path: Path) -> None:
    _printing_tools()
    pdf = tmp_path / "so-giao-duc.pdf"
    done = run("explain", str(LAI_CHAU[0]), str(LAI_CHAU[1]), "--unit", "Sở Giáo dục và Đào tạo", "--format", "pdf",
               "-o", str(pdf), "--lang", "vi")
    assert done.returncode == 0, done.stderr
    info = _tool("pdfinfo", str(pdf))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None, info
    assert abs(float(size[1]) - 595) <= 1 and abs(float(size[2]) - 842) <= 1  # A4 portrait
    assert re.search(r"Pages:\s+1\n", info), info
    text = unicodedata.normalize("NFC", _tool("pdftotext", "-layout", str(pdf), "-"))
    assert "Sở Giáo dục và Đào tạo" in text
    # 61.25 + 22.70 = 83.95 of 98: 85.66 % (the published table), with the decimal comma.
    assert "83,95" in text and "85,66 %" in text
    fonts = _tool("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    for line in fonts:
        # name type encoding emb sub uni object ID: "emb" is the 4th column from the right of the type.
        assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line), line


def test_report_per_unit_to_one_pdf_gives_each_unit_its_page(tmp_path: Path, lai_chau: Results) -> None:
    _printing_tools()
    pdf = tmp_path / "phieu.pdf"
    done = run("report", str(LAI_CHAU[0]), str(LAI_CHAU[1]), "--per-unit", "-o", str(pdf), "--lang", "vi")
    assert done.returncode == 0, done.stderr
    assert re.search(rf"Pages:\s+{len(lai_chau.units)}\n", _tool("pdfinfo", str(pdf)))
    pages = unicodedata.normalize("NFC", _tool("pdftotext", str(pdf), "-")).split("\f")
    for page, unit in zip(pages, lai_chau.units, strict=False):
        assert unit.unit in page.replace("\n", " ")
