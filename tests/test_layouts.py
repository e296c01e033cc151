"""Reading the layouts people keep: where the header is, what its cells name, rows that are not units."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

import parrules
from parrules.data import validate_data, validate_mappings
from parrules.data.grid import Merge, find_header
from parrules.data.headers import HeaderIndex, Target
from parrules.diagnostics import DataError

ROOT = Path(__file__).resolve().parents[1]
FULL = parrules.load(ROOT / "rulesets" / "examples" / "department-full.par")
HEADERS = HeaderIndex(FULL.model)


def where(diagnostics: object) -> list[tuple[str, int | None, str | None]]:
    return [(d.code, d.row, d.column) for d in diagnostics]  # type: ignore[attr-defined]


# ---- what a header names ----------------------------------------------------------------------------


@pytest.mark.parametrize("header", [
    "1.5.2", "1.5.2. Triển khai nhân rộng sáng kiến của năm trước",
    "1.5.2 Triển khai nhân rộng sáng kiến của năm trước",
    "Triển khai nhân rộng sáng kiến của năm trước", "1.5.2: TRIỂN KHAI NHÂN RỘNG SÁNG KIẾN CỦA NĂM TRƯỚC",
    "1.5.2 - triển khai  nhân rộng sáng kiến của năm trước",
])
def test_a_given_criterion_is_named_by_its_id_its_title_or_both(header: str) -> None:
    assert HEADERS.lookup(header).targets == {Target("value", "1.5.2")}


def test_an_input_is_named_by_its_title_after_a_criterion_id_and_with_its_unit() -> None:
    for header in ("Tỷ lệ hoàn thành kế hoạch CCHC năm", "1.1.2 Tỷ lệ hoàn thành kế hoạch CCHC năm",
                   "Tỷ lệ hoàn thành kế hoạch CCHC năm (%)", "tỷ lệ hoàn thành kế hoạch cchc năm"):
        assert HEADERS.lookup(header).targets == {Target("value", "plan_done")}, header


def test_nfd_headers_match_and_accents_never_do() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Tỷ lệ hoàn thành kế hoạch CCHC năm")
    assert HEADERS.lookup(decomposed).targets == {Target("value", "plan_done")}
    assert HEADERS.lookup("Ty le hoan thanh ke hoach CCHC nam").targets == frozenset()
    assert HEADERS.folded("ty le hoan thanh ke hoach cchc nam") == ["tỷ lệ hoàn thành kế hoạch cchc năm"]


def test_an_id_with_another_title_is_read_by_the_id_and_said() -> None:
    report = validate_mappings([{"unit": "Sở A", "1.5.2. Sáng kiến năm trước": "1"}], FULL.model)
    assert ("DAT135", 1, "1.5.2. Sáng kiến năm trước") in where(report.warnings)
    assert report.records[0].values["1.5.2"] == D(1)


def test_an_id_and_a_title_that_name_two_things_is_an_error() -> None:
    report = validate_mappings([{"unit": "Sở A", "1.5.2 Tỷ lệ hoàn thành kế hoạch CCHC năm": "1"}], FULL.model)
    assert where(report.errors) == [("DAT115", 1, "1.5.2 Tỷ lệ hoàn thành kế hoạch CCHC năm")]


def test_a_header_without_accents_is_an_error_naming_the_input() -> None:
    report = validate_mappings([{"unit": "Sở A", "Ty le hoan thanh ke hoach CCHC nam": "90"}], FULL.model)
    (problem,) = report.errors
    assert problem.code == "DAT138" and "Tỷ lệ hoàn thành kế hoạch CCHC năm" in problem.message
    # Once the input is given under its own name, the unaccented copy is only a stray column.
    again = validate_mappings([{"unit": "Sở A", "plan_done": "90", "Ty le hoan thanh ke hoach CCHC nam": "90"}],
                              FULL.model)
    assert where(again.errors) == [] and ("DAT106", 1, "Ty le hoan thanh ke hoach CCHC nam") in where(again.warnings)


# ---- the header row --------------------------------------------------------------------------------------


def test_the_header_is_the_row_that_names_most_and_titles_above_are_skipped() -> None:
    rows = [(1, ["UBND TỈNH", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]), (2, ["BẢNG TỔNG HỢP", "", ""]),
            (3, ["STT", "Tên đơn vị", "Tỷ lệ hoàn thành kế hoạch CCHC năm"]),
            (4, ["STT", "unit", "plan_done"]), (5, ["1", "Sở A", "90"])]
    found = find_header(rows, [], HEADERS)
    assert found is not None and (found.row, found.body_start, found.names) == (4, 5, ("STT", "unit", "plan_done"))


def test_two_levels_a_group_merged_across_and_cells_merged_down() -> None:
    rows = [(5, ["STT", "Tên đơn vị", "1. Công tác chỉ đạo", "", "1.5.2. Sáng kiến", "", "Ghi chú"]),
            (6, ["", "", "Tỷ lệ hoàn thành kế hoạch CCHC năm", "Số báo cáo CCHC định kỳ gửi chậm", "Tự chấm",
                 "Thẩm định", ""]),
            (7, ["1", "Sở A", "90", "0", "1", "0.5", ""])]
    merges = [Merge(5, 1, 6, 1), Merge(5, 2, 6, 2), Merge(5, 3, 5, 4), Merge(5, 5, 5, 6), Merge(5, 7, 6, 7)]
    found = find_header(rows, merges, HEADERS)
    assert found is not None and found.levels == 2 and found.body_start == 7
    assert found.names == ("STT", "Tên đơn vị", "Tỷ lệ hoàn thành kế hoạch CCHC năm",
                           "Số báo cáo CCHC định kỳ gửi chậm", "1.5.2. Sáng kiến@Tự chấm", "1.5.2. Sáng kiến@Thẩm định",
                           "Ghi chú")
    assert found.rows == (5, 5, 6, 6, 6, 6, 5)


def test_a_column_header_merged_across_in_the_header_row_is_still_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit", "plan_done", None, "reports_late"])
    sheet.merge_cells("B1:C1")
    sheet.append(["Sở A", 90, 80, 0])
    book.save(tmp_path / "merged.xlsx")
    report = validate_data(tmp_path / "merged.xlsx", FULL.model)
    assert [(d.code, d.column) for d in report.errors] == [("DAT118", "plan_done")]


def test_a_csv_saved_from_a_council_sheet_keeps_its_title_rows(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("UBND TỈNH LAI CHÂU,,CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM,\n"
                    ",,Độc lập - Tự do - Hạnh phúc,\n\n"
                    "BẢNG TỔNG HỢP KẾT QUẢ,,,\n"
                    "STT,Tên đơn vị,Điểm thẩm định,Điểm điều tra xã hội học (trừ DCCI)\n"
                    "1,Sở Nội vụ,\"62,30\",23.37\n"
                    ",Tổng cộng,\"62,30\",23.37\n", encoding="utf-8")
    ruleset = parrules.load(ROOT / "rulesets" / "lai-chau" / "2020" / "departments.par")
    results = ruleset.score_file(path)
    unit = results.unit("Sở Nội vụ")
    assert (unit.total, len(results.units)) == (D("85.67"), 1)
    assert [w.code for w in results.warnings] == ["DAT136", "DAT133"]


# ---- rows that are not units -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "skipped"), [
    ("Tổng cộng", True), ("TỔNG CỘNG", True), ("Cộng", True), ("Trung bình", True), ("Bình quân chung", True),
    ("Tổng", True), ("Tổng cục Thống kê", False), ("Trung tâm Phục vụ hành chính công", False),
    ("Cộng: nhóm I", True), ("Sở Tổng hợp", False),
])
def test_total_and_average_rows_are_skipped_and_said(name: str, skipped: bool) -> None:
    rows = [{"unit": "Sở A", "plan_done": "90"}, {"unit": name, "plan_done": "90"}]
    report = validate_mappings(rows, FULL.model)
    assert (("DAT133", 2, "unit") in where(report.warnings)) is skipped
    assert len(report.records) == (1 if skipped else 2)


def test_a_row_named_like_a_total_whose_figures_are_not_sums_is_an_error() -> None:
    rows = [{"unit": "Sở A", "plan_done": "90"}, {"unit": "Sở B", "plan_done": "70"},
            {"unit": "Trung bình", "plan_done": "80"}, {"unit": "Tổng cộng", "plan_done": "150"}]
    report = validate_mappings(rows, FULL.model)
    assert [(d.code, d.row) for d in report.diagnostics] == [("DAT133", 3), ("DAT139", 4)]
    assert [r.name for r in report.records] == ["Sở A", "Sở B"]


def test_a_section_heading_needs_a_roman_numeral_or_a_letter() -> None:
    rows = [{"STT": "I", "unit": "CÁC SỞ, BAN, NGÀNH"}, {"STT": "1", "unit": "Sở A", "plan_done": "90"},
            {"STT": "", "unit": "II. CÁC HUYỆN"}, {"STT": "2", "unit": "Sở B"}]
    report = validate_mappings(rows, FULL.model)
    assert [w[1] for w in where(report.warnings) if w[0] == "DAT133"] == [1, 3]
    assert [r.name for r in report.records] == ["Sở A", "Sở B"]  # Sở B, with no figures, is a unit


# ---- a missing column is one problem ----------------------------------------------------------------------


def test_a_missing_column_is_one_problem_naming_the_units_that_need_it() -> None:
    import csv

    with (ROOT / "examples" / "department-full" / "units.csv").open(encoding="utf-8") as stream:
        rows = [{k: v for k, v in row.items() if k != "plan_done"} for row in csv.DictReader(stream)]
    with pytest.raises(DataError) as caught:
        FULL.score(rows)
    problems = [d for d in caught.value.diagnostics if d.code == "DAT104"]
    assert len(problems) == 1
    (problem,) = problems
    assert problem.column == "plan_done" and problem.row == 1  # at the first unit that needs it
    assert f"which {len(rows)} units need" in problem.message and "Sở Nội vụ, Sở Tư pháp" in problem.message
    assert "used by 1.1.2" in problem.message
