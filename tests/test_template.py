"""`parrules template`: the fill-in workbook, its validations and print setup, and the round trip.

For every shipped ruleset and both layouts, the template made with its CSV's units and filled by
program as a council types (`filling.py`) scores, with no option, exactly like the CSV: every unit's
total, index, class, rank and every node's points. LibreOffice (headless) opens, prints and saves it
again in a few tests, skipped with the reason where it is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

import parrules
from filling import csv_rows, expected_unplaced, fill_sheets, fill_wide, key_row, keyed_rows, summary
from parrules import cli, i18n
from parrules.data.sheets import is_unit_sheets
from parrules.template.columns import yes_no_words
from parrules.template.style import MAX_SHEET_NAME

ROOT = Path(__file__).resolve().parents[1]
DATA = {  # every shipped ruleset, with the CSV that goes with it
    "rulesets/lai-chau/2020/departments.par": "examples/lai-chau-2020/departments.csv",
    "rulesets/lai-chau/2020/districts.par": "examples/lai-chau-2020/districts.csv",
    "rulesets/examples/department-full.par": "examples/department-full/units.csv",
    "rulesets/national/qd766/province.par": "rulesets/national/qd766/example.csv",
}
FULL = "rulesets/examples/department-full.par"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def make(tmp_path: Path, ruleset: str, layout: str, *, units: str | None = None, lang: str = "vi",
         name: str = "template.xlsx") -> Path:
    out = tmp_path / name
    argv = ["template", str(ROOT / ruleset), "-o", str(out), "--layout", layout, "--lang", lang]
    if units is not None:
        argv += ["--units", str(ROOT / units) if not Path(units).is_absolute() else units]
    assert cli.main(argv) == 0
    return out


def fill(template: Path, ruleset: str, layout: str, out: Path) -> None:
    """The CSV's units typed into the template; every CSV column must have found its place."""
    model = parrules.load(ROOT / ruleset).model
    rows = csv_rows(ROOT / DATA[ruleset])
    placed = (fill_wide if layout == "wide" else fill_sheets)(template, rows, model, out)
    assert set(rows[0]) - placed == expected_unplaced(model, list(rows[0]))


def sheet_xml(path: Path, title: str) -> ElementTree.Element:
    """The XML of a worksheet, found by its title through the workbook's relationships."""
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        rid = next(s.get(REL) for s in book.iterfind("m:sheets/m:sheet", NS) if s.get("name") == title)
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        assert target is not None
        return ElementTree.fromstring(archive.read("xl/" + target.removeprefix("/xl/")))


def defined_names(path: Path) -> dict[tuple[str, str | None], str]:
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    return {(d.get("name", ""), d.get("localSheetId")): d.text or "" for d in book.iterfind(".//m:definedName", NS)}


def validations(root: ElementTree.Element) -> list[ElementTree.Element]:
    return list(root.iterfind(".//m:dataValidation", NS))


def covering(found: list[ElementTree.Element], cell: str) -> ElementTree.Element:
    """The data validation whose range holds `cell` (ranges written as `C8:C107` or single cells)."""
    column, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
    for element in found:
        for ref in element.get("sqref", "").split():
            first, _colon, last = ref.partition(":")
            a_col, a_row = re.fullmatch(r"([A-Z]+)(\d+)", first).groups()  # type: ignore[union-attr]
            b_col, b_row = re.fullmatch(r"([A-Z]+)(\d+)", last or first).groups()  # type: ignore[union-attr]
            if a_col == column == b_col and int(a_row) <= int(row) <= int(b_row):
                return element
    raise AssertionError(f"no data validation covers {cell}")


def formula(element: ElementTree.Element, which: str = "formula1") -> str:
    found = element.find(f"m:{which}", NS)
    assert found is not None and found.text is not None
    return found.text


# ---- the round trip ------------------------------------------------------------------------------


def test_every_shipped_ruleset_has_its_data_here() -> None:
    assert {str(p.relative_to(ROOT)) for p in ROOT.glob("rulesets/**/*.par")} == set(DATA)


@pytest.mark.parametrize("layout", ["wide", "sheets"])
@pytest.mark.parametrize("ruleset", sorted(DATA))
def test_a_filled_template_scores_with_no_option_like_the_csv(tmp_path: Path, ruleset: str, layout: str) -> None:
    template = make(tmp_path, ruleset, layout, units=DATA[ruleset])
    assert is_unit_sheets(template) == (layout == "sheets")
    filled = tmp_path / "filled.xlsx"
    fill(template, ruleset, layout, filled)
    loaded = parrules.load(ROOT / ruleset)
    scored = loaded.score_file(filled)
    assert summary(scored) == summary(loaded.score_file(ROOT / DATA[ruleset]))
    assert scored.warnings == ()  # nothing in the template is a stray column or a skipped row


def test_the_command_scores_a_filled_template_and_names_a_bad_cell_where_it_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = "rulesets/lai-chau/2020/departments.par"
    template = make(tmp_path, ruleset, "wide", units=DATA[ruleset])
    filled = tmp_path / "filled.xlsx"
    fill(template, ruleset, "wide", filled)
    assert cli.main(["score", str(ROOT / ruleset), str(filled), "--format", "csv"]) == 0
    assert "Sở Nội vụ" in capsys.readouterr().out
    book = openpyxl.load_workbook(filled)
    ws = book[book.sheetnames[1]]
    ws["D9"] = "nhiều"  # Sở Tư pháp's appraisal points
    book.save(filled)
    assert cli.main(["score", str(ROOT / ruleset), str(filled)]) == 1
    assert f"{filled}[{ws.title}]:row 9:appraisal_points: error DAT101" in capsys.readouterr().err


# ---- what the workbook holds ---------------------------------------------------------------------


def test_the_wide_layout_has_titles_headings_and_the_key_row(tmp_path: Path) -> None:
    path = make(tmp_path, FULL, "wide", units=DATA[FULL])
    book = openpyxl.load_workbook(path)
    with i18n.language("vi"):
        assert book.sheetnames == [i18n._("Instructions"), i18n._("Data"), i18n._("Lists")]
        ws = book[i18n._("Data")]
        assert ws["A1"].value == "Bộ chỉ số cải cách hành chính các sở, ban, ngành tỉnh (minh họa)"
        year = i18n._("year {year}").format(year=2024)
        assert ws["A2"].value == f"UBND tỉnh (minh họa, không trích từ quyết định nào) – {year}"
        keys = [c.value for c in ws[7]]
        assert keys[:6] == ["stt", "unit", "one_stop", "public_service_units", "drafts_legal_docs", "survey_eligible"]
        assert keys.index("plan_issued") < keys.index("propaganda_points@self") < keys.index("1.5.2@appraisal")
        assert {"B1@self", "B1@appraisal", "leaders_disciplined", "S1", "officials_rate"} - set(keys) == {"S1"}
        assert "S3" not in keys  # excluded this year: not asked
        titles = {k: c.value for k, c in zip(keys, ws[6], strict=False)}
        assert titles["plan_done"] == "Tỷ lệ hoàn thành kế hoạch CCHC năm (%)"
        assert titles["1.5.2@self"] == "1.5.2 Triển khai nhân rộng sáng kiến của năm trước (điểm) – Tự chấm"
        headings = [str(c.value) for c in ws[5] if c.value]
        assert headings[1] == i18n._("{heading} ({points} points)").format(
            heading="1. Công tác chỉ đạo, điều hành CCHC", points="11")
    merged = {str(r) for r in ws.merged_cells.ranges}
    first_field = keys.index("plan_issued") + 1
    assert any(r.startswith(f"{openpyxl.utils.get_column_letter(first_field)}5:") for r in merged)
    assert [ws.cell(row=r, column=2).value for r in (8, 9)] == ["Sở Nội vụ", "Sở Tư pháp"]
    assert ws.cell(row=8, column=1).value == 1
    assert ws["A7"].font.sz == 7 and ws["A7"].font.color.rgb.endswith("808080")  # small, grey


def test_units_from_a_text_file_and_their_maxima_from_a_data_file(tmp_path: Path) -> None:
    names = tmp_path / "units.txt"
    names.write_text("\ufeffSở Nội vụ\n\n  Ban Dân tộc  \n", encoding="utf-8")
    ws = openpyxl.load_workbook(make(tmp_path, "rulesets/lai-chau/2020/departments.par", "wide",
                                     units=str(names))).worksheets[1]
    assert [ws.cell(row=r, column=2).value for r in (8, 9, 10)] == ["Sở Nội vụ", "Ban Dân tộc", None]
    ws = openpyxl.load_workbook(make(tmp_path, "rulesets/lai-chau/2020/departments.par", "wide",
                                     units=DATA["rulesets/lai-chau/2020/departments.par"], name="b.xlsx")).worksheets[1]
    assert [c.value for c in ws[7]][:3] == ["stt", "unit", "max"]
    assert [ws.cell(row=r, column=3).value for r in (8, 23)] == [None, 78.5]  # Sở Ngoại vụ's 78.5 points


def test_a_units_file_with_a_unit_twice_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = tmp_path / "units.txt"
    names.write_text("Sở Nội vụ\nSở Tư pháp\nSỞ  NỘI VỤ\n", encoding="utf-8")
    out = tmp_path / "t.xlsx"
    code = cli.main(["template", str(ROOT / FULL), "-o", str(out), "--units", str(names)])
    assert code == 1 and not out.exists()
    assert f"{names}:row 3:unit: error DAT105" in capsys.readouterr().err


def test_a_template_is_an_xlsx_and_never_overwrites_its_inputs(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["template", str(ROOT / FULL), "-o", str(tmp_path / "t.csv")]) == 2
    assert "end the file name with .xlsx" in capsys.readouterr().err
    units = tmp_path / "units.xlsx"
    make(tmp_path, FULL, "wide", name="units.xlsx")
    before = units.read_bytes()
    assert cli.main(["template", str(ROOT / FULL), "-o", str(units), "--units", str(units)]) == 2
    assert units.read_bytes() == before
    again = make(tmp_path, FULL, "wide", name="again.xlsx").read_bytes()
    assert make(tmp_path, FULL, "wide", name="again.xlsx").read_bytes() == again  # replaced, as `report` does


def test_sheet_names_are_unique_short_and_without_the_characters_excel_refuses(tmp_path: Path) -> None:
    names = tmp_path / "units.txt"
    long = "Sở Lao động - Thương binh và Xã hội tỉnh Lai Châu"
    names.write_text("\n".join([long, long + " (2)", "Ban A/B: [x]*?", "'Văn phòng'", "History", "Danh mục"]),
                     encoding="utf-8")
    book = openpyxl.load_workbook(make(tmp_path, FULL, "sheets", units=str(names)))
    titles = book.sheetnames[1:-1]
    assert len(titles) == 6 and len({t.casefold() for t in book.sheetnames}) == len(book.sheetnames)
    assert all(len(t) <= MAX_SHEET_NAME and not re.search(r"[\[\]:*?/\\]", t) for t in titles)
    assert not any(t.startswith("'") or t.endswith("'") or t.casefold() == "history" for t in titles)
    assert titles[0] == long[:MAX_SHEET_NAME].rstrip()
    # The whole name is on the sheet, beside "Đơn vị:" (the unit's label, in the #title column).
    full = [book[t].cell(row=keyed_rows(book[t])["unit"], column=2).value for t in titles]
    assert full == [long, long + " (2)", "Ban A/B: [x]*?", "'Văn phòng'", "History", "Danh mục"]


def test_the_sheets_layout_without_units_is_one_blank_form_to_copy(tmp_path: Path) -> None:
    path = make(tmp_path, FULL, "sheets")
    book = openpyxl.load_workbook(path)
    with i18n.language("vi"):
        assert book.sheetnames == [i18n._("Instructions"), i18n._("Form"), i18n._("Lists")]
        form = book[i18n._("Form")]
        assert form["A4"].value == i18n._("Copy this sheet once per unit (right-click its tab → Move or Copy → "
                                          "Create a copy) and write the unit's name below.")
    assert book[book.sheetnames[-1]].sheet_state == "hidden"
    keys = keyed_rows(form)
    assert list(keys)[:5] == ["unit", "one_stop", "public_service_units", "drafts_legal_docs", "survey_eligible"]
    # The criteria as rows: each with its id, title and maximum; a bare `given` keyed on its own row.
    row = keys["1.5.2"]
    assert [form.cell(row=row, column=c).value for c in (1, 2, 3)] == [
        "1.5.2", "Triển khai nhân rộng sáng kiến của năm trước", 1]
    field = next(r for r in range(1, form.max_row + 1) if form.cell(row=r, column=1).value == "1")
    assert form.cell(row=field, column=2).font.b and form.cell(row=field, column=3).value == 11
    reader = next(r for r in range(1, form.max_row + 1) if form.cell(row=r, column=1).value == "1.1.2")
    assert keys["plan_done"] > reader  # under the criterion that reads it
    excluded = next(r for r in range(1, form.max_row + 1) if form.cell(row=r, column=1).value == "S3")
    assert "S3" not in keys and "DCCI" in str(form.cell(row=excluded, column=7).value)
    with pytest.raises(parrules.DataError) as caught:  # the blank form is not a unit
        parrules.load(ROOT / FULL).score_file(path)
    assert [d.code for d in caught.value.diagnostics] == ["DAT113"]


def test_the_blank_form_filled_in_is_one_unit(tmp_path: Path) -> None:
    path = make(tmp_path, "rulesets/lai-chau/2020/districts.par", "sheets")
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[1]
    keys = keyed_rows(ws)
    ws.cell(row=keys["unit"], column=2).value = "Huyện Sìn Hồ"
    ws.cell(row=keys["appraisal_points"], column=4).value = 50.5
    ws.cell(row=keys["survey_points"], column=4).value = 20
    book.save(path)
    [unit] = parrules.load(ROOT / "rulesets/lai-chau/2020/districts.par").score_file(path).units
    assert (unit.unit, unit.total) == ("Huyện Sìn Hồ", Decimal("70.50"))


SMALL = """
ruleset "Bộ chỉ số thử" {
  year 2024
  scale 10
  unit max from data
}
attributes {
  big yes/no "Đơn vị lớn" default no
}
inputs {
  mode  one of (a "b", b "Hai, ba") "Cách làm"
  found count "Số phát hiện"
  fixed count "Số đã sửa" at most found
  ratio number "Hệ số" range 0 to 2
  score points "Điểm hội đồng"
}
component c "Chấm điểm" max 10 {
  criterion 1 "Cách làm" max 2 { mode: a -> 2, b -> 1 }
  criterion 2 "Sửa lỗi" max 3 {
    when found = 0 -> max
    otherwise -> fixed / found * 3
  }
  criterion 3 "Hệ số" max 2 { ratio }
  criterion 4 "Điểm hội đồng" max 3 applies if big { given score }
}
groups from data
classes for "Nhóm A" { "Tốt" from 80%  "Khá" below 80% }
classes for "Nhóm B" { "Tốt" from 70%  "Khá" below 70% }
rank within group by index desc
"""


def test_groups_maxima_ambiguous_titles_and_bounds_from_the_ruleset(tmp_path: Path) -> None:
    ruleset = tmp_path / "thu.par"
    ruleset.write_text(SMALL, encoding="utf-8")
    units = tmp_path / "don-vi.csv"
    units.write_text("unit,group,max\nSở A,Nhóm A,10\nSở B,Nhóm B,6.5\n", encoding="utf-8")
    path = make(tmp_path, str(ruleset), "wide", units=str(units))
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[1]
    column = {c.value: c.column_letter for c in ws[7]}
    assert list(column) == ["stt", "unit", "max", "group", "big", "mode", "found", "fixed", "ratio", "score"]
    assert [ws[f"{column[k]}9"].value for k in ("unit", "max", "group")] == ["Sở B", 6.5, "Nhóm B"]
    found = validations(sheet_xml(path, ws.title))
    names = defined_names(path)
    lists = book.worksheets[2]

    def words(key: str) -> list[object]:
        reference = names[(formula(covering(found, f"{column[key]}8")), None)]
        first, last = re.findall(r"\$(\d+)", reference)
        letter = re.findall(r"\$([A-Z]+)\$", reference)[0]
        return [lists[f"{letter}{r}"].value for r in range(int(first), int(last) + 1)]

    assert words("group") == ["Nhóm A", "Nhóm B"]
    assert words("mode") == ["a", "Hai, ba"]  # a's title is b's name: a is offered by its name
    maximum = covering(found, f"{column['max']}8")
    assert (maximum.get("type"), maximum.get("operator"), formula(maximum)) == ("decimal", "greaterThan", "0")
    assert [(formula(covering(found, f"{column[k]}8")), formula(covering(found, f"{column[k]}8"), "formula2"))
            for k in ("ratio", "score")] == [("0", "2"), ("0", "3")]  # `range`; the criterion's 0 to 3
    with i18n.language("vi"):
        assert i18n._("At most {other}.").format(other="Số phát hiện") in str(
            covering(found, f"{column['fixed']}8").get("prompt"))
    values = {"Sở A": {"big": "Có", "mode": "a", "found": 4, "fixed": 3, "ratio": 1.5, "score": 2.25},
              "Sở B": {"big": None, "mode": "Hai, ba", "found": 0, "fixed": 0, "ratio": 0, "score": None}}
    for row, unit in ((8, "Sở A"), (9, "Sở B")):
        for key, value in values[unit].items():
            ws[f"{column[key]}{row}"] = value
    book.save(path)
    loaded = parrules.load(ruleset)
    expected = loaded.score([{"unit": "Sở A", "group": "Nhóm A", "max": "10", "big": "yes", "mode": "a", "found": "4",
                              "fixed": "3", "ratio": "1.5", "score": "2.25"},
                             {"unit": "Sở B", "group": "Nhóm B", "max": "6.5", "mode": "b", "found": "0", "fixed": "0",
                              "ratio": "0"}])
    got = loaded.score_file(path)
    assert summary(got) == summary(expected) and not got.warnings


# ---- validations, protection, print setup: as saved in the XML -------------------------------------


def test_every_input_cell_has_its_data_validation_in_the_saved_xml(tmp_path: Path) -> None:
    path = make(tmp_path, FULL, "wide", units=DATA[FULL])
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[1]
    column = {c.value: c.column_letter for c in ws[7]}
    found = validations(sheet_xml(path, ws.title))
    names = defined_names(path)
    lists = book.worksheets[2]
    # Every column below the key row is validated (the STT column excepted), down the prepared rows.
    assert all(covering(found, f"{letter}8") is covering(found, f"{letter}42")
               for key, letter in column.items() if key != "stt")

    def listed(key: str) -> list[str]:
        element = covering(found, f"{column[key]}8")
        assert element.get("type") == "list"
        reference = names[(formula(element), None)]
        cells = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", reference)
        assert cells is not None and cells.group(1) == lists.title
        letter, first, last = cells.group(2), int(cells.group(3)), int(cells.group(4))
        return [str(lists[f"{letter}{r}"].value) for r in range(first, last + 1)]

    with i18n.language("vi"):
        yes, no = yes_no_words()  # Có, Không (once the catalogue has them)
    assert listed("one_stop") == [yes, no]
    assert listed("plan_issued") == ["Đúng thời hạn", "Chậm", "Không ban hành"]
    assert listed("iso") == ["Duy trì, cải tiến", "Áp dụng chưa đầy đủ", "Chưa áp dụng"]  # a comma: not inline
    expected = {"plan_done": ("decimal", "0", "100"), "downsizing_rate": ("decimal", "0", "30"),
                "reports_late": ("whole", "0", "1000000000000000"), "propaganda_points@self": ("decimal", "0", "0.5"),
                "1.5.2@appraisal": ("decimal", "0", "1"), "B1@appraisal": ("decimal", "0", "2")}
    for key, (kind, low, high) in expected.items():
        element = covering(found, f"{column[key]}8")
        assert (element.get("type"), element.get("operator"), formula(element), formula(element, "formula2")) == (
            kind, "between", low, high), key
        assert element.get("showInputMessage") == "1" and element.get("showErrorMessage") == "1"
        assert element.get("allowBlank") == "1"
        assert len(element.get("promptTitle", "")) <= 32 and len(element.get("prompt", "")) <= 255
        assert element.get("error")
    with i18n.language("vi"):
        percent = covering(found, f"{column['plan_done']}8")
        assert percent.get("prompt", "").startswith(i18n._("Type {expected}, in percent units: 85 for 85 %.").format(
            expected=i18n._("a percentage from {low} to {high}").format(low="0", high="100")))
        assert "%" in percent.get("prompt", "")
        assert "0,5" in covering(found, f"{column['propaganda_points@self']}8").get("prompt", "")
        default = covering(found, f"{column['one_stop']}8").get("prompt", "")
        assert i18n._("A blank cell means {value}.").format(value=yes) in default
    assert covering(found, f"{column['unit']}8").get("prompt")  # the name: what to write, no list


def test_header_cells_are_locked_input_cells_unlocked_and_the_sheet_protected(tmp_path: Path) -> None:
    for layout in ("wide", "sheets"):
        path = make(tmp_path, FULL, layout, units=DATA[FULL], name=f"{layout}.xlsx")
        book = openpyxl.load_workbook(path)
        for ws in book.worksheets:
            assert ws.protection.sheet and ws.protection.password is None, (layout, ws.title)
        ws = book.worksheets[1]
        if layout == "wide":
            header = [ws.cell(row=r, column=c) for r in (1, 5, 6, 7) for c in (1, 2, 9)]
            inputs = [ws.cell(row=r, column=c) for r in (8, 30) for c in (2, 9, 40)]
        else:
            keys = keyed_rows(ws)
            found = key_row(ws)
            assert found is not None
            header = [ws.cell(row=r, column=c) for r in (1, found[0] - 1, found[0]) for c in (1, 2, 3, 4, 8)]
            header += [ws.cell(row=keys["1.5.2"], column=c) for c in (1, 2, 3, 8)]  # id, title, max, key
            inputs = [ws.cell(row=keys["plan_done"], column=4), ws.cell(row=keys["1.5.2"], column=5),
                      ws.cell(row=keys["1.5.2"], column=6), ws.cell(row=keys["unit"], column=2)]
        assert all(cell.protection.locked for cell in header), layout
        assert not any(cell.protection.locked for cell in inputs), layout
        root = sheet_xml(path, ws.title)
        protection = root.find("m:sheetProtection", NS)
        assert protection is not None and protection.get("sheet") == "1" and protection.get("password") is None


def test_print_setup_is_a4_with_the_titles_repeated(tmp_path: Path) -> None:
    wide = make(tmp_path, FULL, "wide", units=DATA[FULL], name="wide.xlsx")
    sheets = make(tmp_path, FULL, "sheets", units=DATA[FULL], name="sheets.xlsx")
    for path, orientation in ((wide, "landscape"), (sheets, "portrait")):
        book = openpyxl.load_workbook(path)
        root = sheet_xml(path, book.sheetnames[1])
        setup = root.find("m:pageSetup", NS)
        assert setup is not None and (setup.get("paperSize"), setup.get("orientation")) == ("9", orientation)
        assert setup.get("fitToHeight") == "0"
        fit = root.find("m:sheetPr/m:pageSetUpPr", NS)
        assert fit is not None and fit.get("fitToPage") == "1"
        if path is sheets:
            assert setup.get("fitToWidth") == "1"
    titles = defined_names(wide)[("_xlnm.Print_Titles", "1")]
    assert "$5:$7" in titles and "$A:$B" in titles  # the headings and key row; STT and the unit's name
    found = key_row(openpyxl.load_workbook(sheets).worksheets[1])
    assert found is not None  # the headings and the key row below them
    assert defined_names(sheets)[("_xlnm.Print_Titles", "1")].endswith(f"${found[0] - 1}:${found[0]}")
    area = defined_names(sheets)[("_xlnm.Print_Area", "1")]
    assert area.split("!")[1].startswith("$A$1:$G$")  # the key column (H) is not printed


def test_the_instructions_come_first_and_say_how_to_score(tmp_path: Path) -> None:
    path = make(tmp_path, FULL, "wide", units=DATA[FULL], name="don-vi.xlsx")
    ws = openpyxl.load_workbook(path).worksheets[0]
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    with i18n.language("vi"):
        yes, no = yes_no_words()
        assert ws.title == i18n._("Instructions")
        for said in (i18n._("INSTRUCTIONS FOR FILLING IN THE WORKBOOK"),
                     i18n._("Percentages in percent units: type 85 for 85 %, not 0.85."),
                     i18n._("Yes or no: choose {yes} or {no} from the cell's list.").format(yes=yes, no=no)):
            assert said in text
    assert f"parrules score {ROOT / FULL} don-vi.xlsx" in text


def test_the_vietnamese_texts_once_the_catalogue_has_them(tmp_path: Path) -> None:
    with i18n.language("vi"):
        if i18n._("Instructions") == "Instructions":
            pytest.skip("the Vietnamese catalogue does not have the template's texts yet (notes/po/template.po)")
    book = openpyxl.load_workbook(make(tmp_path, FULL, "sheets"))
    assert book.sheetnames == ["Hướng dẫn", "Mẫu", "Danh mục"]
    form = book["Mẫu"]
    assert form["A5"].value == "Đơn vị:"
    keys = keyed_rows(form)
    headings = [form.cell(row=keys["one_stop"] + 5, column=c).value for c in range(1, 8)]
    assert headings == ["Mã", "Nội dung", "Điểm tối đa", "Số liệu / Giá trị", "Tự chấm", "Thẩm định",
                        "Tài liệu kiểm chứng / Ghi chú"]


def test_the_same_ruleset_and_units_give_the_same_bytes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = make(tmp_path / "a", FULL, "sheets", units=DATA[FULL]).read_bytes()
    assert make(tmp_path / "b", FULL, "sheets", units=DATA[FULL]).read_bytes() == first


# ---- LibreOffice, headless ------------------------------------------------------------------------


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice is not installed: make test installs Debian's libreoffice-calc-nogui where it can")
    return found


def convert(tmp_path: Path, target: str, *files: Path) -> Path:
    """Every file converted by one LibreOffice run (each start costs seconds), into a folder of its own."""
    out = tmp_path / f"out-{re.sub(r'[^a-z]', '', target.split(':', maxsplit=1)[0])}"
    out.mkdir(exist_ok=True)
    profile = tmp_path / "lo-profile"
    done = subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                           target, "--outdir", str(out), *map(str, files)],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def test_libreoffice_prints_the_templates_on_a4_with_their_vietnamese_headings(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdftotext, pdfinfo) are not installed: make test installs them where it can")
    wide = make(tmp_path, FULL, "wide", units=DATA[FULL], name="wide.xlsx")
    sheets = make(tmp_path, FULL, "sheets", units=DATA[FULL], name="sheets.xlsx")
    out = convert(tmp_path, "pdf", wide, sheets)
    for name in ("wide", "sheets"):
        pdf = out / f"{name}.pdf"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        headings = ["Bộ chỉ số cải cách hành chính các sở, ban, ngành tỉnh (minh họa)", "Sở Nội vụ",
                    "Công tác chỉ đạo, điều hành CCHC"]
        if name == "sheets":  # a criterion's title on one line (in the wide table it wraps in its column)
            headings.append("Ban hành kế hoạch CCHC năm đúng thời hạn")
        for heading in headings:
            assert heading in text, (name, heading)
        info = subprocess.run(["pdfinfo", "-f", "1", "-l", "3", str(pdf)], capture_output=True, text=True,
                              check=True).stdout
        sizes = re.findall(r"Page +(\d+) size: +([\d.]+) x ([\d.]+) pts", info)
        assert len(sizes) == 3
        for page, width, height in sizes:
            assert sorted((round(float(width)), round(float(height)))) == [595, 842]  # A4
            # The instructions (page 1) and the unit sheets upright; the wide table across the page.
            assert (float(width) > float(height)) == (name == "wide" and page != "1"), (name, page)


def test_libreoffice_saves_the_filled_templates_again_and_they_still_score_like_the_csv(tmp_path: Path) -> None:
    filled = []
    for layout in ("wide", "sheets"):
        template = make(tmp_path, FULL, layout, units=DATA[FULL], name=f"{layout}-template.xlsx")
        filled.append(tmp_path / f"{layout}.xlsx")
        fill(template, FULL, layout, filled[-1])
    out = convert(tmp_path, "xlsx", *filled)
    loaded = parrules.load(ROOT / FULL)
    expected = summary(loaded.score_file(ROOT / DATA[FULL]))
    for layout in ("wide", "sheets"):
        saved = out / f"{layout}.xlsx"
        assert summary(loaded.score_file(saved)) == expected, layout
        book = openpyxl.load_workbook(saved)
        found = validations(sheet_xml(saved, book.sheetnames[1]))
        kinds = {element.get("type") for element in found}
        assert {"list", "decimal", "whole"} <= kinds, layout
        assert any(formula(e).startswith("parrules_list_") for e in found if e.get("type") == "list")
        assert book.worksheets[-1].sheet_state == "hidden"


def test_libreoffice_exports_the_wide_table_as_csv_with_its_key_row(tmp_path: Path) -> None:
    path = make(tmp_path, "rulesets/lai-chau/2020/departments.par", "wide",
                units=DATA["rulesets/lai-chau/2020/departments.par"], name="dep.xlsx")
    # Filter options: comma, double quotes, UTF-8 (76), from line 1, …, and the last one -1: every sheet
    # to a file of its own (LibreOffice 7.2 and later).
    out = convert(tmp_path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", path)
    data = next(p for p in out.iterdir() if p.name != "dep.csv" and "Instructions" not in p.name
                and "Hướng dẫn" not in p.name and "Lists" not in p.name and "Danh mục" not in p.name)
    lines = data.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith('"Chỉ số CCHC các sở, ban, ngành tỉnh Lai Châu năm 2020"')
    assert "stt,unit,max,appraisal_points,survey_points" in lines
    assert lines[lines.index("stt,unit,max,appraisal_points,survey_points") + 16] == "16,Sở Ngoại vụ,78.5,,"
