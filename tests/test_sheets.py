"""Reading the `sheets` layout: one sheet per unit (phiếu chấm điểm), criteria as rows, a key column.

The workbooks are made by `parrules template --layout sheets` and filled as a council fills them;
each problem must name the sheet and the row the value is on, and no value may be lost unsaid.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import parrules
from filling import csv_rows, fill_sheets, key_row, keyed_rows, summary
from parrules import cli
from parrules.data.sheets import STAGE, VALUE, is_unit_sheets
from parrules.diagnostics import DataError
from parrules.template import UnitEntry, render_template

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = ROOT / "rulesets/lai-chau/2020/districts.par"
FULL = ROOT / "rulesets/examples/department-full.par"


def workbook(path: Path, ruleset: Path, names: list[str]) -> Path:
    model = parrules.load(ruleset).model
    units = [UnitEntry(n, name) for n, name in enumerate(names, start=1)]
    path.write_bytes(render_template(model, layout="sheets", units=units))
    return path


def districts(path: Path, figures: dict[str, tuple[object, object]]) -> Path:
    """A districts workbook, one sheet per district, its two figures typed in."""
    workbook(path, DISTRICTS, list(figures))
    book = openpyxl.load_workbook(path)
    for ws, (appraisal, survey) in zip(book.worksheets[1:], figures.values(), strict=False):
        keys = keyed_rows(ws)
        ws.cell(row=keys["appraisal_points"], column=4).value = appraisal
        ws.cell(row=keys["survey_points"], column=4).value = survey
    book.save(path)
    return path


def problems(path: Path, ruleset: Path = DISTRICTS) -> list[tuple[str, str | None, int | None, str | None]]:
    report = parrules.load(ruleset).validate_file(path)
    return [(d.code, d.file, d.row, d.column) for d in report.diagnostics]


def test_a_sheets_workbook_is_told_from_others_by_its_key_row(tmp_path: Path) -> None:
    sheets = workbook(tmp_path / "sheets.xlsx", DISTRICTS, ["Huyện Tam Đường"])
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes(render_template(parrules.load(DISTRICTS).model, layout="wide"))
    fake = tmp_path / "fake.xlsx"
    fake.write_text("unit,appraisal_points\n", encoding="utf-8")
    assert is_unit_sheets(sheets)
    assert not is_unit_sheets(wide) and not is_unit_sheets(fake) and not is_unit_sheets(tmp_path / "none.xlsx")
    assert not is_unit_sheets(ROOT / "examples/lai-chau-2020/districts.csv")


def test_each_unit_sheet_is_one_unit_in_the_sheets_order(tmp_path: Path) -> None:
    path = districts(tmp_path / "h.xlsx", {"Huyện Tam Đường": (52.44, 21.56), "Thành phố Lai Châu": (55.17, 21.04)})
    results = parrules.load(DISTRICTS).score_file(path)
    assert {(u.unit, u.total, u.rank) for u in results.units} == {
        ("Huyện Tam Đường", Decimal("74.00"), 2), ("Thành phố Lai Châu", Decimal("76.21"), 1)}
    records = parrules.load(DISTRICTS).read_data(path)
    assert [r.name for r in records] == ["Huyện Tam Đường", "Thành phố Lai Châu"]  # the sheets' order
    assert records[0].file == f"{path}[Huyện Tam Đường]" and records[0].row == 5  # the row of the unit's name


def test_a_bad_cell_names_the_sheet_and_the_row_of_the_value(tmp_path: Path) -> None:
    path = districts(tmp_path / "h.xlsx", {"Huyện Tam Đường": ("năm mươi", 21.56), "Huyện Sìn Hồ": (50, "#N/A")})
    ws = openpyxl.load_workbook(path)["Huyện Tam Đường"]
    rows = keyed_rows(ws)
    assert problems(path) == [  # by file (and sheet), then row
        ("DAT101", f"{path}[Huyện Sìn Hồ]", rows["survey_points"], "survey_points"),
        ("DAT101", f"{path}[Huyện Tam Đường]", rows["appraisal_points"], "appraisal_points")]
    with pytest.raises(DataError) as caught:
        parrules.load(DISTRICTS).score_file(path)
    assert "Huyện Tam Đường: `năm mươi` is not a number" in caught.value.diagnostics[1].message


def test_a_sheet_with_values_but_no_name_is_an_error_and_a_blank_one_is_passed_over(tmp_path: Path) -> None:
    path = districts(tmp_path / "h.xlsx", {"Huyện A": (50, 20), "Huyện B": (None, None), "Huyện C": (51, 20)})
    book = openpyxl.load_workbook(path)
    for title in ("Huyện B", "Huyện C"):
        ws = book[title]
        ws.cell(row=keyed_rows(ws)["unit"], column=2).value = None
    book.save(path)
    assert problems(path) == [("DAT107", f"{path}[Huyện C]", 5, "unit")]


def test_the_same_unit_on_two_sheets_is_reported_with_the_first_sheet(tmp_path: Path) -> None:
    path = districts(tmp_path / "h.xlsx", {"Huyện Sìn Hồ": (50, 20), "Huyện Tam Đường": (51, 20)})
    book = openpyxl.load_workbook(path)
    ws = book["Huyện Tam Đường"]
    ws.cell(row=keyed_rows(ws)["unit"], column=2).value = "HUYỆN SÌN HỒ"
    book.save(path)
    report = parrules.load(DISTRICTS).validate_file(path)
    [problem] = report.diagnostics
    assert (problem.code, problem.file, problem.row) == ("DAT105", f"{path}[Huyện Tam Đường]", 5)
    assert f"first on the sheet {path}[Huyện Sìn Hồ]" in problem.message


def test_a_key_on_two_rows_a_value_on_a_row_without_a_key_and_a_broken_key_row(tmp_path: Path) -> None:
    path = districts(tmp_path / "h.xlsx", {"Huyện A": (50, 20), "Huyện B": (51, 20), "Huyện C": (52, 20)})
    book = openpyxl.load_workbook(path)
    a, b, c = book["Huyện A"], book["Huyện B"], book["Huyện C"]
    head, columns = key_row(a) or (0, {})
    rows = keyed_rows(a)
    a.cell(row=rows["survey_points"], column=columns["#key"]).value = "appraisal_points"  # a row copied
    component = next(r for r in range(head, b.max_row + 1) if b.cell(row=r, column=1).value == "I")
    b.cell(row=component, column=columns[VALUE]).value = 69  # typed on the component's row: nothing reads it
    c.cell(row=head, column=columns[VALUE]).value = None  # the key row loses `#value`
    book.save(path)
    found = problems(path)
    assert ("DAT141", f"{path}[Huyện A]", rows["survey_points"], "appraisal_points") in found
    assert ("DAT142", f"{path}[Huyện B]", component, "Figure") in found
    assert ("DAT145", str(path), head, None) in found
    assert parrules.load(DISTRICTS).validate_file(path).warnings[0].code == "DAT142"


def test_a_summary_sheet_with_numbers_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = districts(tmp_path / "h.xlsx", {"Huyện A": (50, 20)})
    book = openpyxl.load_workbook(path)
    book.create_sheet("Tổng hợp").append(["Huyện A", 70])
    book.create_sheet("Ghi chú").append(["chỉ có chữ"])  # text only: nothing to say
    book.save(path)
    report = parrules.load(DISTRICTS).validate_file(path)
    assert [(d.code, d.severity) for d in report.diagnostics] == [("DAT140", "warning")]
    assert "Tổng hợp" in report.diagnostics[0].message
    assert len(parrules.load(DISTRICTS).score_file(path).units) == 1


def test_sheet_reads_one_unit_sheet_only(tmp_path: Path) -> None:
    path = districts(tmp_path / "h.xlsx", {"Huyện A": (50, 20), "Huyện B": ("x", 20)})
    [unit] = parrules.load(DISTRICTS).score_file(path, sheet="Huyện A").units
    assert unit.unit == "Huyện A"
    with pytest.raises(DataError) as caught:
        parrules.load(DISTRICTS).score_file(path, sheet="Huyện Z")
    assert [d.code for d in caught.value.diagnostics] == ["DAT119"]


def test_a_folder_of_workbooks_is_read_as_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ho-so"
    folder.mkdir()
    districts(folder / "tam-duong.xlsx", {"Huyện Tam Đường": (52.44, 21.56)})
    districts(folder / "lai-chau.xlsx", {"Thành phố Lai Châu": (55.17, 21.04), "Huyện Sìn Hồ": (40, 20)})
    (folder / "~$lai-chau.xlsx").write_bytes(b"Excel's lock file while the workbook is open")
    records = parrules.load(DISTRICTS).read_data(folder)
    assert [r.name for r in records] == ["Thành phố Lai Châu", "Huyện Sìn Hồ", "Huyện Tam Đường"]  # by file name
    assert len(parrules.load(DISTRICTS).score_file(folder).units) == 3
    assert cli.main(["score", str(DISTRICTS), str(folder), "--format", "csv"]) == 0
    assert "Huyện Tam Đường" in capsys.readouterr().out
    (folder / "tong-hop.xlsx").write_bytes(render_template(parrules.load(DISTRICTS).model, layout="wide"))
    assert problems(folder) == [("DAT144", str(folder / "tong-hop.xlsx"), None, None)]
    empty = tmp_path / "trong"
    empty.mkdir()
    assert problems(empty) == [("DAT143", str(empty), None, None)]
    (folder / "tam-duong.xlsx").rename(empty / "tam-duong.xlsx")
    (folder / "tong-hop.xlsx").rename(empty / "tong-hop.xlsx")  # alone beside a unit's workbook, or alone
    assert problems(empty) == [("DAT144", str(empty / "tong-hop.xlsx"), None, None)]
    (empty / "tam-duong.xlsx").unlink()
    assert problems(empty) == [("DAT144", str(empty / "tong-hop.xlsx"), None, None)]


def test_percentages_are_judged_across_the_sheets_as_across_a_column(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", FULL, ["Sở A", "Sở B"])
    rows = [row for row in csv_rows(ROOT / "examples/department-full/units.csv")][:2]
    rows[0]["unit"], rows[1]["unit"] = "Sở A", "Sở B"
    rows[0]["plan_done"], rows[1]["plan_done"] = "0.5", "83.15"  # 0.5 % beside 83.15 %: percent units
    model = parrules.load(FULL).model
    fill_sheets(path, rows, model, path)
    scored = parrules.load(FULL).score_file(path)
    assert scored.unit("Sở A").inputs["plan_done"] == Decimal("0.5")
    rows[1]["plan_done"] = "1"  # every value between 0 and 1: fractions of 1, or tiny percentages?
    fill_sheets(path, rows, model, path)
    report = parrules.load(FULL).validate_file(path)
    assert [(d.code, d.file, d.column) for d in report.errors] == [("DAT117", f"{path}[Sở A]", "plan_done")]
    fractions = parrules.load(FULL).validate_file(path, percent_fractions=True)  # 57.79 is then 5779 %
    assert "DAT117" not in {d.code for d in fractions.errors} and "DAT102" in {d.code for d in fractions.errors}


def test_a_percent_cell_and_a_stage_column_are_read_as_they_show(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", FULL, ["Sở A"])
    rows = [csv_rows(ROOT / "examples/department-full/units.csv")[0]]
    rows[0]["unit"] = "Sở A"
    fill_sheets(path, rows, parrules.load(FULL).model, path)
    book = openpyxl.load_workbook(path)
    ws = book["Sở A"]
    keys = keyed_rows(ws)
    _head, columns = key_row(ws) or (0, {})
    cell = ws.cell(row=keys["plan_done"], column=columns[VALUE])
    cell.value, cell.number_format = 0.8315, "0.00%"
    ws.cell(row=keys["1.5.2"], column=columns[f"{STAGE}self"]).value = 0.75
    book.save(path)
    unit = parrules.load(FULL).score_file(path).unit("Sở A")
    assert unit.inputs["plan_done"] == Decimal("83.15")
    assert unit.node("1.5.2").stage_points == {"self": Decimal("0.75")}  # type: ignore[union-attr]


def test_a_filled_workbook_reads_like_its_csv_unit_for_unit(tmp_path: Path) -> None:
    names = [row["unit"] for row in csv_rows(ROOT / "examples/lai-chau-2020/districts.csv")]
    path = workbook(tmp_path / "s.xlsx", DISTRICTS, names)
    fill_sheets(path, csv_rows(ROOT / "examples/lai-chau-2020/districts.csv"), parrules.load(DISTRICTS).model, path)
    ruleset = parrules.load(DISTRICTS)
    csv = ROOT / "examples/lai-chau-2020/districts.csv"
    assert summary(ruleset.score_file(path)) == summary(ruleset.score_file(csv))


def test_a_formula_never_computed_is_reported_not_read_as_blank(tmp_path: Path) -> None:
    path = districts(tmp_path / "h.xlsx", {"Huyện A": (50, 20), "Huyện B": (51, 20)})
    book = openpyxl.load_workbook(path)
    ws = book["Huyện B"]
    rows = keyed_rows(ws)
    ws.cell(row=rows["survey_points"], column=4).value = "=10+10"  # saved by a program: no value stored
    book.save(path)
    assert problems(path) == [("DAT120", f"{path}[Huyện B]", rows["survey_points"], "survey_points")]
