"""Excel workbooks as data: title rows, merged headers, sheets, numbers and formulas."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import parrules
from parrules.diagnostics import DataError

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "small.par"
LAI_CHAU = ROOT / "rulesets" / "lai-chau" / "2020" / "departments.par"
HEADER = ["STT", "Tên đơn vị", "one_stop", "plan_issued", "plan_done", "reports_late", "3", "satisfaction"]
ROWS = [
    [1, "Sở Nội vụ", "có", "Đúng hạn", 90, 0, 2, 85],
    [2, "Sở Tư pháp", "có", "late", 75, 1, 1.5, 80],
    [3, "Ban Dân tộc", "không", "on_time", 100, 2, None, 70],
]


def workbook(path: Path, rows: list[list[object]], *, title_rows: int = 2, sheet: str = "Kết quả") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for n in range(title_rows):
        ws.append([f"BẢNG TỔNG HỢP ĐIỂM CHỈ SỐ CCHC NĂM 2024 ({n + 1})"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def codes(error: DataError) -> list[tuple[str, int | None, str | None]]:
    return [(d.code, d.row, d.column) for d in error.diagnostics]


def test_a_sheet_with_title_rows_scores_like_the_csv(tmp_path: Path) -> None:
    ruleset = parrules.load(SMALL)
    from_xlsx = ruleset.score_file(workbook(tmp_path / "units.xlsx", ROWS))
    from_csv = ruleset.score_file(ROOT / "tests" / "fixtures" / "small.csv")
    assert [(u.unit, u.total, u.index, u.class_, u.rank) for u in from_xlsx.units] == [
        (u.unit, u.total, u.index, u.class_, u.rank) for u in from_csv.units]


def _seed_workbook(path: Path, appraisal: float) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["STT", "Tên đơn vị", "Điểm thẩm định", "survey_points", "max"])
    ws.append([1, "Sở Nội vụ", appraisal, 23.37, None])
    book.save(path)
    return path


# A number is read as Excel shows it, to 15 significant digits: never the binary value, and a formula's
# 62.300000000000004 (0.1 + 0.2 + 62) is the 62.3 the sheet shows.
@pytest.mark.parametrize("appraisal", [62.3, 0.1 + 0.2 + 62], ids=["typed", "computed"])
def test_numbers_stored_as_numbers_are_read_as_excel_shows_them(tmp_path: Path, appraisal: float) -> None:
    path = _seed_workbook(tmp_path / "seed.xlsx", appraisal)
    unit = parrules.load(LAI_CHAU).score_file(path).unit("Sở Nội vụ")
    assert unit.exact.components == {"appraisal": Decimal("62.3"), "survey": Decimal("23.37")}
    assert unit.index == Decimal("87.42")


def test_the_sheet_can_be_chosen_and_a_wrong_name_lists_the_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path / "units.xlsx", ROWS)
    book = openpyxl.load_workbook(path)
    book.create_sheet("Ghi chú", 0)  # a notes sheet first: --sheet picks the data
    book.save(path)
    ruleset = parrules.load(SMALL)
    assert len(ruleset.score_file(path, sheet="Kết quả").units) == 3
    with pytest.raises(DataError) as caught:
        ruleset.score_file(path, sheet="Sheet9")
    [problem] = caught.value.diagnostics
    assert problem.code == "DAT119" and "Ghi chú, Kết quả" in problem.message


def test_a_header_merged_across_columns_is_reported_not_guessed(tmp_path: Path) -> None:
    path = workbook(tmp_path / "units.xlsx", ROWS, title_rows=0)
    book = openpyxl.load_workbook(path)
    ws = book.active
    assert ws is not None
    ws.merge_cells("D1:E1")
    book.save(path)
    with pytest.raises(DataError) as caught:
        parrules.load(SMALL).score_file(path)
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.row, problem.column) == ("DAT118", 1, "plan_issued")
    assert "D1:E1" in problem.message
    assert problem.file is not None and problem.file.endswith("units.xlsx[Kết quả]")


def test_a_header_merged_downwards_is_read_once_and_data_starts_below(tmp_path: Path) -> None:
    path = workbook(tmp_path / "units.xlsx", ROWS, title_rows=0)
    book = openpyxl.load_workbook(path)
    ws = book.active
    assert ws is not None
    ws.insert_rows(2)  # a second header line (units, notes) under the first
    for column in range(1, len(HEADER) + 1):
        ws.merge_cells(start_row=1, start_column=column, end_row=2, end_column=column)
    book.save(path)
    results = parrules.load(SMALL).score_file(path)
    assert sorted(u.row for u in results.units) == [3, 4, 5]


def test_text_with_a_decimal_comma_is_read_when_it_cannot_group_thousands(tmp_path: Path) -> None:
    ruleset = parrules.load(SMALL)
    plain = ruleset.score_file(workbook(tmp_path / "plain.xlsx", [[*ROWS[0][:4], 90.5, *ROWS[0][5:]], *ROWS[1:]]))
    read = ruleset.score_file(workbook(tmp_path / "comma.xlsx", [[*ROWS[0][:4], "90,5", *ROWS[0][5:]], *ROWS[1:]]))
    assert read.unit("Sở Nội vụ").total == plain.unit("Sở Nội vụ").total
    assert [(w.code, w.row, w.column) for w in read.warnings] == [("DAT136", 4, "plan_done")]


def test_text_with_a_comma_that_may_group_thousands_needs_the_option(tmp_path: Path) -> None:
    rows = [[*ROWS[0][:4], "1,500", *ROWS[0][5:]], *ROWS[1:]]
    path = workbook(tmp_path / "units.xlsx", rows)
    ruleset = parrules.load(SMALL)
    with pytest.raises(DataError) as caught:
        ruleset.score_file(path)
    assert codes(caught.value) == [("DAT110", 4, "plan_done")]
    unit = ruleset.score_file(path, decimal_comma=True).unit("Sở Nội vụ")
    assert unit.node("1.2") is not None


def test_a_formula_never_computed_is_reported_not_read_as_blank(tmp_path: Path) -> None:
    rows = [[*ROWS[0][:4], "=80+10", *ROWS[0][5:]], *ROWS[1:]]
    path = workbook(tmp_path / "units.xlsx", rows)  # openpyxl saves formulas without their values
    with pytest.raises(DataError) as caught:
        parrules.load(SMALL).score_file(path)
    assert ("DAT120", 4, "plan_done") in codes(caught.value)


def test_spreadsheet_errors_and_unreadable_files_are_problems(tmp_path: Path) -> None:
    rows = [[*ROWS[0][:4], "#DIV/0!", *ROWS[0][5:]], *ROWS[1:]]
    with pytest.raises(DataError) as caught:
        parrules.load(SMALL).score_file(workbook(tmp_path / "units.xlsx", rows))
    assert codes(caught.value) == [("DAT101", 4, "plan_done")]
    (tmp_path / "fake.xlsx").write_text("unit,plan_done\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        parrules.load(SMALL).score_file(tmp_path / "fake.xlsx")
    assert [d.code for d in caught.value.diagnostics] == ["DAT114"]


def test_a_sheet_without_a_unit_header_says_what_it_looked_for(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["a", "b"])
    ws.append([1, 2])
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(DataError) as caught:
        parrules.load(SMALL).score_file(tmp_path / "x.xlsx")
    [problem] = caught.value.diagnostics
    assert problem.code == "DAT113" and "tên đơn vị" in problem.message


def test_sheet_is_for_workbooks_only() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "parrules.cli", "score", str(SMALL),
                           str(ROOT / "tests" / "fixtures" / "small.csv"), "--sheet", "Kết quả"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "--sheet names a worksheet of an .xlsx workbook" in done.stderr


# ---- percent cells, Excel's precision, far-away cells, sizes ---------------------------------------------


def _percent_workbook(path: Path, rows: list[list[object]], number_format: str | None = "0.00%") -> Path:
    """small.par's data as a council keeps it: rates typed as Excel percentages (0.9 shown as 90.00%)."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    for line in ws.iter_rows(min_row=2):
        for cell in (line[4], line[7]):  # plan_done, satisfaction
            if number_format is not None:
                cell.number_format = number_format
    book.save(path)
    return path


FRACTIONS = [[1, "Sở Nội vụ", "có", "Đúng hạn", 0.9, 0, 2, 0.85],
             [2, "Sở Tư pháp", "có", "late", 0.75, 1, 1.5, 0.8],
             [3, "Ban Dân tộc", "không", "on_time", 1, 2, None, 0.7]]


def test_percent_formatted_cells_score_exactly_like_the_same_data_in_csv(tmp_path: Path) -> None:
    ruleset = parrules.load(SMALL)
    from_csv = ruleset.score_file(ROOT / "tests" / "fixtures" / "small.csv")
    for number_format in ("0.00%", "0%", '#,##0.0"" %;[Red]-0.0%'):
        path = _percent_workbook(tmp_path / "units.xlsx", FRACTIONS, number_format)
        from_xlsx = ruleset.score_file(path)
        assert [(u.unit, u.exact.total, u.index, u.class_, u.rank) for u in from_xlsx.units] == [
            (u.unit, u.exact.total, u.index, u.class_, u.rank) for u in from_csv.units], number_format
        assert from_xlsx.unit("Sở Nội vụ").inputs["plan_done"] == Decimal(90)


def test_fractions_without_a_percent_format_are_an_error_naming_the_column(tmp_path: Path) -> None:
    path = _percent_workbook(tmp_path / "units.xlsx", FRACTIONS, None)
    with pytest.raises(DataError) as caught:
        parrules.load(SMALL).score_file(path)
    assert codes(caught.value) == [("DAT117", 1, "plan_done"), ("DAT117", 1, "satisfaction")]
    assert all(d.severity == "error" for d in caught.value.diagnostics)
    results = parrules.load(SMALL).score_file(path, percent_fractions=True)  # the file says it stores fractions
    assert results.unit("Sở Nội vụ").index == Decimal("93.50")


def test_a_percent_cell_where_no_percent_is_declared_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "units.xlsx", ROWS, title_rows=0)
    book = openpyxl.load_workbook(path)
    ws = book.active
    assert ws is not None
    ws["F2"].number_format = "0%"  # reports_late, a count, shown as 0%
    book.save(path)
    with pytest.raises(DataError) as caught:
        parrules.load(SMALL).score_file(path)
    assert codes(caught.value) == [("DAT101", 2, "reports_late")]


def test_a_cell_far_away_is_streamed_past_not_loaded(tmp_path: Path) -> None:
    path = workbook(tmp_path / "units.xlsx", ROWS)
    book = openpyxl.load_workbook(path)
    ws = book.active
    assert ws is not None
    ws["XFD1048576"] = "ghi chú"  # the last cell of a sheet: a dense read would hold 17 billion cells
    book.save(path)
    assert path.stat().st_size < 20_000
    # A note outside the table's columns is not part of it.
    assert len(parrules.load(SMALL).score_file(path).units) == 3
    ws["H1048576"] = 85  # a value under the satisfaction header, a million rows down, with no unit
    book.save(path)
    with pytest.raises(DataError) as caught:
        parrules.load(SMALL).score_file(path)
    assert codes(caught.value) == [("DAT107", 1048576, "Tên đơn vị")]


def test_a_part_that_unpacks_beyond_its_limit_is_refused_before_it_is_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from parrules.data import xlsx

    path = workbook(tmp_path / "units.xlsx", ROWS)
    monkeypatch.setattr(xlsx, "MAX_XLSX_SHEET_BYTES", 500)
    with pytest.raises(DataError) as caught:
        parrules.load(SMALL).score_file(path)
    [problem] = caught.value.diagnostics
    assert problem.code == "DAT116" and "xl/worksheets/sheet1.xml" in problem.message


def test_the_command_exits_1_naming_a_fraction_column_and_scores_percent_cells_as_the_csv(tmp_path: Path) -> None:
    import subprocess
    import sys

    def score(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "parrules.cli", "score", str(SMALL), str(path), "--format", "csv",
                               *options], capture_output=True, text=True, check=False)

    fractions = score(_percent_workbook(tmp_path / "fractions.xlsx", FRACTIONS, None))
    assert fractions.returncode == 1 and fractions.stdout == ""
    assert "DAT117" in fractions.stderr and "`plan_done`" in fractions.stderr
    assert "--percent-fractions" in fractions.stderr
    percent_cells = score(_percent_workbook(tmp_path / "percent.xlsx", FRACTIONS, "0.00%"))
    from_csv = score(ROOT / "tests" / "fixtures" / "small.csv")
    assert percent_cells.returncode == from_csv.returncode == 0
    assert percent_cells.stdout == from_csv.stdout
