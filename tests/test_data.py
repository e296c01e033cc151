"""Reading unit data: every DAT code from a fixture with its exact location, formats and encodings,
exact numbers, and round-trip properties. The fixtures are in tests/data/ (see its README)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import unicodedata
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import parrules
from parrules import data
from parrules.data import (
    DATA_CODES,
    UnitRecord,
    read_data,
    readers,
    records_from_mappings,
    validate_data,
    validate_mappings,
)
from parrules.diagnostics import DataError
from parrules.model import Value

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
BAD = DATA / "bad"
MODEL = parrules.load(DATA / "units.par").model

Where = tuple[int | None, str | None, str]


def found(path: Path, *, decimal_comma: bool = False) -> list[Where]:
    report = validate_data(path, MODEL, decimal_comma=decimal_comma)
    return [(d.row, d.column, d.code) for d in report.diagnostics]


def facts(records: list[UnitRecord]) -> list[tuple[object, ...]]:
    """What a record says, without where it was read from (row numbers differ between formats)."""
    return [(r.name, _typed(r.values), {s: _typed(v) for s, v in r.stage_values.items()}, _exact(r.max), r.group)
            for r in records]


def _exact(value: object) -> object:
    # str keeps the digits: Decimal("62.30") and Decimal("62.3") are == but not the same reading.
    return (type(value).__name__, str(value)) if value is not None else None


def _typed(values: dict[str, Value]) -> dict[str, object]:
    return {k: _exact(v) for k, v in values.items()}


# ---- one fixture per problem, with the exact diagnostics it gives ------------------------------------

EXPECTED: dict[str, list[Where]] = {
    "not-a-number.csv": [(2, "plan_done", "DAT101"), (3, "budget", "DAT101"), (4, "budget", "DAT101"),
                         (5, "budget", "DAT101")],
    "out-of-range.csv": [(2, "plan_done", "DAT102"), (3, "reports_late", "DAT102"), (4, "budget", "DAT102"),
                         (5, "council", "DAT102"), (6, "4", "DAT102"), (7, "plan_done", "DAT102")],
    "unknown-choice.csv": [(2, "plan_issued", "DAT103"), (3, "Loại đơn vị", "DAT103")],
    "duplicate-unit.csv": [(4, "unit", "DAT105")],
    "unknown-columns.csv": [(1, "plan_don", "DAT106"), (1, "council@review", "DAT106"),
                            (1, "plan_done@self", "DAT106"), (1, "column 6", "DAT106"), (1, "Ghi chú", "DAT134")],
    "missing-unit.csv": [(3, "unit", "DAT107"), (4, "plan_done", "DAT101"), (4, "unit", "DAT107")],
    "yes-no.csv": [(2, "one_stop", "DAT108")],
    "max.csv": [(2, "max", "DAT109"), (3, "max", "DAT109"), (4, "max", "DAT109"), (5, "max", "DAT136")],
    # 62,30 and 1,5 cannot group thousands: read as decimals, said once per column.
    "decimal-comma.csv": [(2, "plan_done", "DAT136"), (2, "council", "DAT136")],
    "not-whole.csv": [(2, "reports_late", "DAT111")],
    "at-most.csv": [(2, "issues_closed", "DAT112")],
    "no-unit-column.csv": [(1, "đơn vi", "DAT106"), (1, None, "DAT113")],
    "empty.csv": [(None, None, "DAT113")],
    "header-only.csv": [(1, None, "DAT113")],
    "ambiguous-delimiter.csv": [(1, None, "DAT113")],
    "tabs.csv": [(1, None, "DAT113")],
    "ragged.csv": [(2, None, "DAT113")],
    "malformed.csv": [(2, None, "DAT113")],
    "not-a-table.json": [(None, None, "DAT113")],
    "rows.json": [(2, None, "DAT113"), (3, "plan_done", "DAT113"), (4, "plan_done", "DAT113")],
    "not-utf8.csv": [(None, None, "DAT114")],
    "utf16.csv": [(None, None, "DAT114")],
    "broken.json": [(None, None, "DAT114")],
    "nan.json": [(None, None, "DAT114")],
    "repeated-column.csv": [(1, "Tỷ lệ hoàn thành kế hoạch", "DAT115"), (1, "council@Thẩm định", "DAT115")],
    "fractions.csv": [(1, "plan_done", "DAT117")],
    "line-numbers.csv": [(4, "plan_done", "DAT101"), (6, "plan_done", "DAT101")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_gives_exactly_its_diagnostics(name: str) -> None:
    assert found(BAD / name) == EXPECTED[name]


def test_every_bad_fixture_is_checked() -> None:
    assert {p.name for p in BAD.iterdir()} - {"several.csv"} == set(EXPECTED)


def test_a_file_with_many_problems_reports_every_one_and_raises_with_all() -> None:
    expected = [
        (1, "notes", "DAT134"),
        (2, "plan_done", "DAT101"), (2, "plan_issued", "DAT103"), (2, "one_stop", "DAT108"),
        (2, "max", "DAT109"), (2, "reports_late", "DAT111"), (2, "issues_closed", "DAT112"),
        (4, "unit", "DAT107"), (4, "plan_done", "DAT136"),
        (5, "plan_done", "DAT102"), (5, "unit", "DAT105"),
    ]
    assert found(BAD / "several.csv") == expected
    with pytest.raises(DataError) as caught:
        read_data(BAD / "several.csv", MODEL)
    assert [(d.row, d.column, d.code) for d in caught.value.diagnostics] == expected
    assert "error DAT112" in caught.value.report()


def test_records_are_the_rows_without_problems_and_none_when_the_file_is_broken() -> None:
    assert [r.name for r in validate_data(BAD / "several.csv", MODEL).records] == ["Sở Tư pháp"]
    assert validate_data(BAD / "repeated-column.csv", MODEL).records == ()


def test_messages_name_the_value_and_what_was_expected() -> None:
    by_code = {d.code: d for d in validate_data(BAD / "several.csv", MODEL).diagnostics}
    assert by_code["DAT101"].message == (
        "Sở Nội vụ: `chín mươi` is not a number; expected a percentage from 0 to 100")
    assert by_code["DAT103"].message == (
        "Sở Nội vụ: `sometimes` is not one of the choices; "
        "expected one of on_time (Đúng hạn), late (Chậm), none (Không ban hành)")
    assert by_code["DAT105"].message == "`Sở Nội vụ` appears a second time (first at row 2)"
    assert by_code["DAT112"].message == "Sở Nội vụ: issues_closed is 2, above issues_found (1) in the same row"
    assert by_code["DAT136"].message == ("column `plan_done`: cells written with a decimal comma were read as "
                                         "decimals (`62,30` is 62.30; in 1 of the column's cells)")
    assert by_code["DAT134"].severity == "warning"
    unknown = validate_data(BAD / "unknown-columns.csv", MODEL).diagnostics
    assert unknown[0].hint == "did you mean `plan_done`?"
    assert "self, final" in (unknown[1].hint or "")
    duplicate = validate_data(BAD / "duplicate-unit.csv", MODEL).diagnostics[0]
    assert duplicate.message == "`SỞ  NỘI VỤ` appears a second time (first at row 2)"


def test_bad_json_says_where() -> None:
    problem = validate_data(BAD / "broken.json", MODEL).diagnostics[0]
    assert problem.message.startswith("not valid JSON at line 2, column 41:")


def test_not_utf8_says_which_line() -> None:
    problem = validate_data(BAD / "not-utf8.csv", MODEL).diagnostics[0]
    assert problem.message == "the file is not UTF-8 text (byte 0xF5 on line 2)"
    assert "CSV UTF-8" in (problem.hint or "")


def test_warnings_alone_do_not_raise_and_the_row_is_still_read() -> None:
    records = read_data(BAD / "unknown-columns.csv", MODEL)
    assert [(r.name, r.values["plan_done"]) for r in records] == [("Sở Nội vụ", D(90))]
    report = validate_data(BAD / "unknown-columns.csv", MODEL)
    assert report.ok and len(report.warnings) == 5 and not report.errors


def test_a_percent_column_of_fractions_is_an_error_naming_the_column_unless_the_file_says_so() -> None:
    (problem,) = validate_data(BAD / "fractions.csv", MODEL).diagnostics
    assert (problem.code, problem.severity, problem.row, problem.column) == ("DAT117", "error", 1, "plan_done")
    assert "`plan_done`" in problem.message and "--percent-fractions" in (problem.hint or "")
    rows = [{"unit": "A", "plan_done": "0.85", "satisfaction": D("0.9")},
            {"unit": "B", "plan_done": "1", "satisfaction": "75%"}]  # written with % it is a percentage
    records = records_from_mappings(rows, MODEL, percent_fractions=True)
    assert [(r.values["plan_done"], r.values["satisfaction"]) for r in records] == [(85, 90), (100, 75)]
    # A column of 1s is 100 % or 1 %: ambiguous too. Written with `%`, nothing is ambiguous.
    assert [d.code for d in validate_mappings([{"unit": "A", "plan_done": 1}], MODEL).diagnostics] == ["DAT117"]
    assert validate_mappings([{"unit": "A", "plan_done": "1%"}, {"unit": "B", "plan_done": 0}], MODEL).ok
    # With the option a bare value above 1 is no fraction: out of range, saying why.
    (above,) = validate_mappings([{"unit": "A", "plan_done": 85}], MODEL, percent_fractions=True).diagnostics
    assert above.code == "DAT102" and "--percent-fractions" in (above.hint or "")


# ---- what a good file gives --------------------------------------------------------------------------

GOOD = [
    ("Sở Nội vụ", {"one_stop": True, "unit_kind": "dept", "plan_issued": "on_time", "plan_done": D("90"),
                   "reports_late": D(0), "issues_found": D(2), "issues_closed": D(2), "budget": D(600),
                   "council": D("2.5"), "4": D(2), "satisfaction": D(85)},
     {"self": {"council": D(3)}}, D(20), "Nhóm I"),
    ("Sở Tư pháp", {"one_stop": False, "unit_kind": "dept", "plan_issued": "late", "plan_done": D("75.5"),
                    "reports_late": D(1), "issues_found": D(0), "issues_closed": D(0), "budget": D(100),
                    "council": D("1.75"), "satisfaction": D(80)},
     {"self": {"council": D(2)}}, D(18), "Nhóm II"),
    # one_stop is blank: its declared default (yes) applies; criterion 4 is blank: absent
    ("Ban Dân tộc", {"one_stop": True, "unit_kind": "dept", "plan_issued": "on_time", "plan_done": D(100),
                     "reports_late": D(3), "issues_found": D(4), "issues_closed": D(1), "budget": D(0),
                     "council": D(0), "4": D(1), "satisfaction": D("62.30")},
     {}, None, None),
]


def test_a_good_csv_gives_typed_values_defaults_stages_max_and_group() -> None:
    records = read_data(DATA / "good.csv", MODEL)
    assert facts(records) == [(n, _typed(v), {s: _typed(x) for s, x in st_.items()}, _exact(m), g)
                              for n, v, st_, m, g in GOOD]
    assert [r.row for r in records] == [2, 3, 4]  # CSV rows are file lines: the header is row 1
    assert all(r.file == str(DATA / "good.csv") for r in records)
    assert records[0].columns["unit"] == "Đơn vị" and records[0].columns["group"] == "nhóm"
    assert records[2].columns["4"] == "4"  # blank in this row, still named for the evaluator


def test_bom_and_no_bom_give_equal_records() -> None:
    assert (DATA / "good-bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert facts(read_data(DATA / "good-bom.csv", MODEL)) == facts(read_data(DATA / "good.csv", MODEL))


def test_excel_semicolons_with_decimal_commas_that_cannot_group_thousands_are_read_and_listed() -> None:
    path = DATA / "excel-semicolon.csv"
    assert facts(read_data(path, MODEL, decimal_comma=True)) == facts(read_data(DATA / "good.csv", MODEL))
    # 2,5 · 75,5% · 3,0 · 62,30: a comma before other than three digits is a decimal comma; one note a column.
    assert facts(read_data(path, MODEL)) == facts(read_data(DATA / "good.csv", MODEL))
    assert found(path) == [(2, "Điểm hội đồng", "DAT136"), (3, "Tỷ lệ hoàn thành kế hoạch", "DAT136"),
                           (4, "Số báo cáo chậm", "DAT136"), (4, "Tỷ lệ hài lòng", "DAT136")]


def test_a_comma_that_may_group_thousands_is_one_error_for_the_column() -> None:
    rows = [{"unit": f"u{i}", "plan_done": "1,234" if i % 2 else "12,5"} for i in range(1, 21)]
    report = validate_mappings(rows, MODEL)
    ambiguous = [d for d in report.errors if d.code == "DAT110"]
    assert [(d.row, d.column) for d in ambiguous] == [(1, "plan_done")]
    assert "rows 1, 3, 5, 7, 9, 11, 13, 15, …" in ambiguous[0].message
    assert "in 10 of the column's cells" in ambiguous[0].message
    assert {r.name for r in report.records} == {f"u{i}" for i in range(2, 21, 2)}  # the others stay out
    assert records_from_mappings(rows, MODEL, decimal_comma=True)[0].values["plan_done"] == D("1.234")


def test_titles_as_headers_work_in_nfd_text() -> None:
    raw = (DATA / "titles-nfd.csv").read_text(encoding="utf-8")
    assert raw == unicodedata.normalize("NFD", raw) != unicodedata.normalize("NFC", raw)
    records = read_data(DATA / "titles-nfd.csv", MODEL)
    assert facts(records) == facts(read_data(DATA / "good.csv", MODEL))
    assert records[0].name == unicodedata.normalize("NFC", "Sở Nội vụ")
    assert records[0].columns["plan_done"] == "Tỷ lệ hoàn thành kế hoạch"  # NFC, as the user wrote it


def test_json_gives_the_same_records_with_objects_numbered_from_1() -> None:
    records = read_data(DATA / "good.json", MODEL)
    assert facts(records) == facts(read_data(DATA / "good.csv", MODEL))
    assert [r.row for r in records] == [1, 2, 3]


def test_json_numbers_are_decimals_with_the_exact_digits() -> None:
    (record,) = read_data(DATA / "exact-digits.json", MODEL)
    for name in ("plan_done", "satisfaction"):  # 62.30 as a JSON number and as a string
        value = record.values[name]
        assert isinstance(value, D) and str(value) == "62.30"
    assert record.values["budget"] == D(100)
    every = [v for r in read_data(DATA / "good.json", MODEL) for v in r.values.values()]
    assert not any(isinstance(v, float) for v in every)


# ---- numbers ---------------------------------------------------------------------------------------------


def one(cells: dict[str, object], *, decimal_comma: bool = False) -> UnitRecord | list[Where]:
    report = validate_mappings([{"unit": "Sở Nội vụ", **cells}], MODEL, decimal_comma=decimal_comma)
    if report.ok:
        return report.records[0]
    return [(d.row, d.column, d.code) for d in report.errors]


@pytest.mark.parametrize(("text", "comma", "expected"), [
    ("85", False, "85"), ("85%", False, "85"), ("85.5 %", False, "85.5"), (" 0.85% ", False, "0.85"),
    (" 5.25 ", False, "5.25"),
    ("85,5 %", True, "85.5"), ("62,30", True, "62.30"), ("100", True, "100"), ("−0", False, "-0"),
])
def test_percent_forms(text: str, comma: bool, expected: str) -> None:
    record = one({"plan_done": text}, decimal_comma=comma)
    assert isinstance(record, UnitRecord)
    assert str(record.values["plan_done"]) == expected


@pytest.mark.parametrize(("cells", "comma", "code"), [
    ({"plan_done": "1.234,5"}, True, "DAT101"),   # thousands separators: never guessed
    ({"plan_done": "62.30"}, True, "DAT101"),     # a dot under --decimal-comma could group thousands
    ({"budget": "1,234"}, False, "DAT110"),       # a decimal comma or a thousands comma: not guessed
    ({"budget": "1 234"}, False, "DAT101"),
    ({"budget": "85%"}, False, "DAT101"),         # a percent sign only in a percent column
    ({"budget": "NaN"}, False, "DAT101"),
    ({"budget": D("NaN")}, False, "DAT101"),
    ({"budget": float("inf")}, False, "DAT101"),
    ({"budget": True}, False, "DAT101"),
    ({"reports_late": "-0.5"}, False, "DAT111"),
    ({"council": "-0.01"}, False, "DAT102"),
])
def test_numbers_that_are_refused(cells: dict[str, object], comma: bool, code: str) -> None:
    assert one(cells, decimal_comma=comma) == [(1, next(iter(cells)), code)]


@pytest.mark.parametrize("word", ["yes", "Có", "CO", "true", "1", "x", "X"])
def test_yes_words(word: str) -> None:
    record = one({"one_stop": word})
    assert isinstance(record, UnitRecord) and record.values["one_stop"] is True


@pytest.mark.parametrize("word", ["no", "KHÔNG", "khong", "False", "0", unicodedata.normalize("NFD", "không")])
def test_no_words(word: str) -> None:
    record = one({"one_stop": word})
    assert isinstance(record, UnitRecord) and record.values["one_stop"] is False


def test_choices_by_name_or_title_in_any_case() -> None:
    for text, option in [("on_time", "on_time"), ("ON_TIME", "on_time"), ("đúng  hạn", "on_time"),
                         ("KHÔNG BAN HÀNH", "none")]:
        record = one({"plan_issued": text})
        assert isinstance(record, UnitRecord) and record.values["plan_issued"] == option


# ---- headers -----------------------------------------------------------------------------------------------


def test_the_official_stage_column_is_the_plain_value() -> None:
    record = one({"council@Thẩm định": "2", "Điểm hội đồng @ tự chấm": "3"})
    assert isinstance(record, UnitRecord)
    assert record.values["council"] == D(2) and record.stage_values == {"self": {"council": D(3)}}
    assert record.columns["council"] == "council@Thẩm định"


def test_a_header_matching_two_declarations_is_an_error() -> None:
    model = parrules.load_text('ruleset "T" { scale 1 }\n'
                               'inputs { a count "Số lượng"  b count "số  LƯỢNG" }\n'
                               'component x "X" max 1 { sub 1 "s" max 1 { 1 } }\n').model
    report = validate_mappings([{"unit": "u", "Số lượng": "1", "a": "1"}], model)
    assert [(d.row, d.column, d.code) for d in report.diagnostics] == [(1, "Số lượng", "DAT115")]
    assert "`a`, `b`" in report.diagnostics[0].message
    assert report.records == ()


def test_ignored_and_reserved_columns() -> None:
    report = validate_mappings([{"STT": "1", "No.": "1", "Tên đơn vị": "u", "Điểm tối đa": "98", "Nhóm": "I"}],
                               MODEL)
    assert report.diagnostics == ()
    (record,) = report.records
    assert (record.name, record.max, record.group) == ("u", D(98), "I")


# ---- library rows, limits, files ------------------------------------------------------------------------


def test_records_from_mappings_numbers_rows_from_1_and_reads_python_values() -> None:
    records = records_from_mappings(
        [{"unit": "  Sở Nội vụ ", "plan_done": 62.3, "reports_late": 2, "council": D("1.50"), "one_stop": False},
         UnitRecord("Sở Tư pháp", 99, values={"plan_done": D(80)})],
        MODEL)
    assert [(r.name, r.row, r.file) for r in records] == [("Sở Nội vụ", 1, "<records>"),
                                                          ("Sở Tư pháp", 2, "<records>")]
    values = records[0].values
    assert (str(values["plan_done"]), values["reports_late"], str(values["council"]), values["one_stop"]) == (
        "62.3", D(2), "1.50", False)
    with pytest.raises(DataError) as caught:
        records_from_mappings([{"unit": "a", "plan_done": "x"}, "b", {"unit": "A"}], MODEL)
    assert [(d.row, d.column, d.code) for d in caught.value.diagnostics] == [
        (1, "plan_done", "DAT101"), (2, None, "DAT113"), (3, "unit", "DAT105")]
    with pytest.raises(DataError):
        records_from_mappings([], MODEL)


def test_unknown_extension_and_unreadable_files(tmp_path: Path) -> None:
    old_excel = tmp_path / "units.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0")  # the start of an Excel 97–2003 file, cut short
    assert found(old_excel) == [(None, None, "DAT114")]
    assert "not an Excel workbook" in validate_data(old_excel, MODEL).diagnostics[0].message
    assert "not `.xlsm`" in validate_data(tmp_path / "units.xlsm", MODEL).diagnostics[0].message
    sheet = tmp_path / "units.xlsx"
    sheet.write_bytes(b"PK\x03\x04")  # a zip header and nothing else
    assert found(sheet) == [(None, None, "DAT114")]
    assert "not an Excel workbook" in validate_data(sheet, MODEL).diagnostics[0].message
    assert found(tmp_path / "missing.csv") == [(None, None, "DAT114")]
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert found(folder) == [(None, None, "DAT143")]  # a folder is read as one workbook per unit: none here


def test_a_file_above_50_mb_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(data.MAX_FILE_BYTES + 1)  # sparse: the size is what is checked, before reading
    assert found(big) == [(None, None, "DAT116")]


def test_more_than_the_row_limit_stops_with_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_ROWS", 3)  # where the readers look it up
    path = tmp_path / "units.csv"
    path.write_text("unit\n" + "".join(f"u{i}\n" for i in range(5)), encoding="utf-8")
    assert found(path) == [(5, None, "DAT116")]
    assert validate_data(path, MODEL).records == ()
    assert [(d.row, d.code) for d in validate_mappings([{"unit": f"u{i}"} for i in range(5)], MODEL).diagnostics] \
        == [(4, "DAT116")]


def test_long_cells_are_problems_not_crashes(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    long = "9" * (data.MAX_CELL_CHARS + 1)
    path.write_text(f"unit,plan_done\nSở Nội vụ,{long}\n{long},50\nSở Y tế,50\n", encoding="utf-8")
    assert found(path) == [(2, "plan_done", "DAT116"), (3, "unit", "DAT116")]
    assert [r.name for r in validate_data(path, MODEL).records] == ["Sở Y tế"]
    huge = tmp_path / "huge.csv"  # beyond what the csv module itself accepts in one field
    huge.write_text('unit,plan_done\nSở Nội vụ,"' + "9" * 200_000 + '"\n', encoding="utf-8")
    assert [d.code for d in validate_data(huge, MODEL).diagnostics] == ["DAT116"]
    header = tmp_path / "header.csv"
    header.write_text(f"unit,{long}\nSở Nội vụ,1\n", encoding="utf-8")
    assert found(header) == [(1, None, "DAT116")]


def test_the_real_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("unit,plan_done\n" + "".join(f"u{i},50\n" for i in range(data.MAX_ROWS + 1)),
                    encoding="utf-8")
    assert found(path) == [(data.MAX_ROWS + 2, None, "DAT116")]


def test_docs_list_every_code() -> None:
    text = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert not {code for code in DATA_CODES if code not in text}
    assert {"DAT101", "DAT102", "DAT103", "DAT105", "DAT106", "DAT107", "DAT108", "DAT109", "DAT110", "DAT111",
            "DAT112", "DAT113", "DAT114", "DAT115", "DAT116", "DAT117", "DAT118", "DAT119", "DAT120",
            "DAT130", "DAT131", "DAT133", "DAT134", "DAT135", "DAT136", "DAT137", "DAT138"} <= DATA_CODES


# ---- properties ----------------------------------------------------------------------------------------------

LETTERS = ("aăâbcdđeêghiklmnoôơpqrstuưvxy ÁÀẢÃẠĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợ"
           "úùủũụứừửữựýỳỷỹỵ,;\"'\n0123456789")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _same_unit(text: str) -> str:
    return " ".join(_nfc(text).casefold().split())


def _not_a_total(name: str) -> bool:  # "Tổng", "Cộng …" name total rows, which are not units
    from parrules.data.rows import _is_total
    from parrules.data.text import text_key

    return bool(_nfc(name)) and not _is_total(text_key(_nfc(name)))


names = st.text(alphabet=LETTERS, min_size=1, max_size=16).filter(_not_a_total)
decimals2 = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def cell(draw: st.DrawFn, kind: str, comma: bool) -> tuple[str, Value | None]:
    """A cell's text as someone might type it, and the value it must read as (None: blank)."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(["", " "])), None
    if kind == "yes/no":
        return draw(st.sampled_from([("có", True), ("Có", True), ("x", True), ("TRUE", True), ("1", True),
                                     ("không", False), ("khong", False), ("No", False), ("0", False)]))
    if kind == "plan_issued":
        return draw(st.sampled_from([("on_time", "on_time"), ("Đúng hạn", "on_time"), ("LATE", "late"),
                                     ("chậm", "late"), ("Không ban hành", "none")]))
    if kind == "count":
        n = draw(st.integers(0, 40))
        return draw(st.sampled_from([str(n), f"{n}.0" if not comma else f"{n},0"])), D(n)
    low, high = {"percent": (0, 100), "budget": (0, 1000), "council": (0, 3), "4": (0, 2)}[kind]
    value = draw(st.decimals(min_value=low, max_value=high, places=2))
    text = f"{value:f}".replace(".", ",") if comma else f"{value:f}"
    if kind == "percent":
        # A bare value from 0 to 1 could be a fraction: those are written with `%` (DAT117 otherwise).
        text = draw(st.sampled_from([text + "%", text + " %"] + ([text] if value > 1 else [])))
    return text, value


COLUMNS = [  # declared name, the headers it may be given under, the kind of cell
    ("one_stop", ["one_stop", "Thực hiện cơ chế một cửa"], "yes/no"),
    ("plan_issued", ["plan_issued", "BAN HÀNH KẾ HOẠCH CCHC"], "plan_issued"),
    ("plan_done", ["plan_done", "Tỷ lệ hoàn thành kế hoạch"], "percent"),
    ("reports_late", ["reports_late", "số báo cáo chậm"], "count"),
    ("budget", ["budget", "Kinh phí"], "budget"),
    ("council", ["council", "council@final"], "council"),
    ("council@self", ["council@self", "Điểm hội đồng@Tự chấm"], "council"),
    ("4", ["4"], "4"),
]


@st.composite
def tables(draw: st.DrawFn) -> tuple[bool, str, list[str], list[list[str]], list[tuple[object, ...]]]:
    """A random valid data table: (decimal comma?, delimiter, header, rows of text, expected facts)."""
    comma = draw(st.booleans())
    delimiter = ";" if comma else draw(st.sampled_from([",", ";"]))
    header = [draw(st.sampled_from(["unit", "Đơn vị", "TÊN ĐƠN VỊ", "name"]))]
    header += [draw(st.sampled_from(headers)) for _, headers, _ in COLUMNS]
    header += ["max", "nhóm"]
    units = draw(st.lists(names, min_size=1, max_size=8, unique_by=_same_unit))
    rows: list[list[str]] = []
    expected: list[tuple[object, ...]] = []
    for unit in units:
        texts, values, stages = [unit], {}, {}
        for name, _, kind in COLUMNS:
            text, value = draw(cell(kind, comma))
            texts.append(text)
            if value is not None and name.endswith("@self"):
                stages["council"] = value
            elif value is not None:
                values[name] = value
        values.setdefault("one_stop", True)  # the declared default
        top = draw(st.none() | st.decimals(min_value=D("0.5"), max_value=200, places=1))
        texts.append("" if top is None else (f"{top:f}".replace(".", ",") if comma else f"{top:f}"))
        group = draw(st.none() | names)
        texts.append(group or "")
        rows.append(texts)
        expected.append((_one_line(_nfc(unit)), _typed(values), {"self": _typed(stages)} if stages else {}, _exact(top),
                         _one_line(_nfc(group)) if group else None))
    return comma, delimiter, header, rows, expected


def _one_line(name: str) -> str:
    """A line break typed inside a unit's name is a space (docs/data-format.md, Values)."""
    return name.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").strip()


def write_csv(path: Path, delimiter: str, header: list[str], rows: list[list[str]], *, bom: bool) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))


def _as_set(found_facts: list[tuple[object, ...]]) -> set[str]:
    return {json.dumps(f, sort_keys=True, ensure_ascii=False) for f in found_facts}


@settings(max_examples=60, deadline=None)
@given(tables(), st.booleans(), st.data())
def test_csv_round_trip_and_row_order_does_not_matter(
        table: tuple[bool, str, list[str], list[list[str]], list[tuple[object, ...]]], bom: bool,
        draw: st.DataObject) -> None:
    comma, delimiter, header, rows, expected = table
    shuffled = draw.draw(st.permutations(rows))
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "a.csv", Path(folder) / "b.csv"
        write_csv(first, delimiter, header, rows, bom=bom)
        write_csv(second, delimiter, header, shuffled, bom=not bom)
        read = facts(read_data(first, MODEL, decimal_comma=comma))
        again = facts(read_data(second, MODEL, decimal_comma=comma))
    assert read == expected
    assert _as_set(again) == _as_set(read)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.fixed_dictionaries({
    "unit": st.text(max_size=6), "plan_done": st.text(max_size=6), "one_stop": st.text(max_size=4),
    "reports_late": st.text(alphabet="0123456789.,-", max_size=4), "max": st.text(max_size=4)}),
    min_size=1, max_size=12))
def test_no_row_is_ever_lost(rows: list[dict[str, object]]) -> None:
    report = validate_mappings(rows, MODEL)
    skipped = {d.row for d in report.warnings if d.code == "DAT133"}  # a total or heading row, said so
    accounted = {r.row for r in report.records} | {d.row for d in report.errors} | skipped
    assert set(range(1, len(rows) + 1)) <= accounted


def test_rows_with_the_same_keys_are_read_as_any_other_rows() -> None:
    """Rows whose keys are the header's, in its order, are read in one go: the same cells and the
    same problems as a row read cell by cell (another order, a new key, a bad cell)."""
    from parrules.data.messages import Sink
    from parrules.data.readers import table_from_mappings

    rows = [{"unit": "A", "x": "1"}, {"unit": "B", "x": 2}, {"x": "3", "unit": "C"},
            {"unit": "D", "x": float("nan")}, {"unit": "E", "x": "5", "y": True}, {"unit": "F", "x": None}]
    sink = Sink("<records>")
    table = table_from_mappings(rows, sink)
    assert table.header == ("unit", "x", "y")
    assert [(r.number, r.cells) for r in table.rows] == [
        (1, ("A", "1", None)), (2, ("B", D(2), None)), (3, ("C", "3", None)), (4, ("D", None, None)),
        (5, ("E", "5", True)), (6, ("F", None, None))]
    assert [(d.code, d.row, d.column) for d in sink.found] == [("DAT101", 4, "x")]  # not a number
    # The first row names the header: read in one go too, unless a key is not text or a cell is bad.
    other = Sink("<records>")
    table = table_from_mappings([{"unit": "A", 1: "x"}, {"unit": "B", "1": "y"}], other)
    assert table.header == ("unit", "1") and [r.cells for r in table.rows] == [("A", "x"), ("B", "y")]
    table = table_from_mappings([{"unit": "A", "x": float("inf")}, {"unit": "B", "x": "2"}], other)
    assert table.header == ("unit", "x") and [r.cells for r in table.rows] == [("A", None), ("B", "2")]
    assert [(d.code, d.row, d.column) for d in other.found] == [("DAT101", 1, "x")]
