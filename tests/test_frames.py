"""DataFrames in (pandas, polars), tables out (`to_records`, `to_pandas`), and finding a unit by name.

Figures are checked against the hand-worked small fixture (tests/fixtures/README.md) and the figures
Lai Châu published (examples/lai-chau-2020/departments-published.csv), never against output of the
code under test; a frame must score exactly as the same data read from its CSV.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from decimal import Decimal as D
from pathlib import Path

import attrs
import pytest

import parrules
from parrules import cli
from parrules.data import frames, validate_mappings
from parrules.results import Results, UnitNotFoundError

ROOT = Path(__file__).resolve().parents[1]
SMALL = parrules.load(ROOT / "tests/fixtures/small.par")
DEPARTMENTS = ROOT / "rulesets/lai-chau/2020/departments.par", ROOT / "examples/lai-chau-2020/departments.csv"
FULL = ROOT / "rulesets/examples/department-full.par", ROOT / "examples/department-full/units.csv"
PUBLISHED = ROOT / "examples/lai-chau-2020/departments-published.csv"

# tests/fixtures/small.csv, as columns; worked out by hand in tests/fixtures/README.md.
SMALL_COLUMNS: dict[str, list[object]] = {
    "unit": ["Sở Nội vụ", "Sở Tư pháp", "Ban Dân tộc"],
    "one_stop": [True, True, False],
    "plan_issued": ["on_time", "late", "on_time"],
    "plan_done": [90.0, 75.0, 100.0],
    "reports_late": [0, 1, 2],
    "3": [D("2"), D("1.5"), None],
    "satisfaction": [85.0, 80.0, 70.0],
}
# unit: (appraisal, survey, total, max, index, class, rank), by hand.
SMALL_FIGURES = {
    "Sở Nội vụ": ("6.80", "2.55", "9.35", "10", "93.50", "Tốt", 1),
    "Ban Dân tộc": ("4.00", "2.10", "6.10", "8", "76.25", "Khá", 2),
    "Sở Tư pháp": ("3.50", "2.40", "5.90", "10", "59.00", "Trung bình", 3),
}


def pandas_module():  # type: ignore[no-untyped-def]
    return pytest.importorskip("pandas", reason="pandas is not installed: pip install 'parrules[pandas]'")


def polars_module():  # type: ignore[no-untyped-def]
    return pytest.importorskip("polars", reason="polars is not installed")


def figures(results: Results) -> dict[str, tuple[object, ...]]:
    return {u.unit: (str(u.components["appraisal"]), str(u.components["survey"]), str(u.total), str(u.max),
                     str(u.index), u.class_, u.rank) for u in results.units}


def without_rows(results: Results) -> list[object]:
    """Every unit's figures and tree; not the row, which a file counts from its header line."""
    return [(attrs.evolve(u, row=0), [(n.id, n.points, n.max, n.status, n.branch, n.stage_points)
                                      for root in u.nodes for n in root.walk()]) for u in results.units]


# ---- a DataFrame in ------------------------------------------------------------------------------


def test_a_pandas_frame_scores_like_the_hand_worked_figures() -> None:
    pd = pandas_module()
    frame = pd.DataFrame(SMALL_COLUMNS)
    assert str(frame["one_stop"].dtype) == "bool" and str(frame["reports_late"].dtype) == "int64"
    assert str(frame["3"].dtype) == "object"  # Decimals stay Decimals
    assert figures(SMALL.score(frame)) == SMALL_FIGURES


def test_a_polars_frame_scores_like_the_hand_worked_figures() -> None:
    pl = polars_module()
    frame = pl.DataFrame(SMALL_COLUMNS, strict=False)
    assert str(frame.schema["3"]).startswith("Decimal")
    assert figures(SMALL.score(frame)) == SMALL_FIGURES


def test_every_kind_of_missing_value_is_a_blank() -> None:
    pd = pandas_module()
    np = pytest.importorskip("numpy")
    blanks = [None, float("nan"), pd.NA, pd.NaT, np.nan, np.float64("nan"), np.datetime64("NaT"), D("NaN")]
    assert [frames.frame_value(b) for b in blanks] == [None] * len(blanks)
    # Ban Dân tộc's criterion 3 does not apply: a blank of any kind is fine there.
    for blank in blanks:
        frame = pd.DataFrame({**SMALL_COLUMNS, "3": [D("2"), D("1.5"), blank]})
        assert figures(SMALL.score(frame)) == SMALL_FIGURES, blank


def test_a_blank_where_a_value_is_needed_is_the_missing_input_it_is_in_a_file() -> None:
    pd = pandas_module()
    frame = pd.DataFrame({**SMALL_COLUMNS, "plan_done": [90.0, float("nan"), pd.NA]})
    with pytest.raises(parrules.DataError) as raised:
        SMALL.score(frame)
    # Rows are numbered from 1, as `records_from_mappings` numbers them.
    assert [(d.code, d.row, d.column) for d in raised.value.diagnostics] == [
        ("DAT104", 2, "plan_done"), ("DAT104", 3, "plan_done")]


def test_nullable_integers_booleans_and_text_columns() -> None:
    pd = pandas_module()
    frame = pd.DataFrame({
        **SMALL_COLUMNS,
        "one_stop": pd.array([True, True, False], dtype="boolean"),
        "reports_late": pd.array([0, 1, 2], dtype="Int64"),
        "plan_done": pd.array([90, 75, 100], dtype="Int64"),
        "satisfaction": ["85", "80%", "70"],  # text is read as a CSV cell is
    })
    assert figures(SMALL.score(frame)) == SMALL_FIGURES


def test_a_float_is_read_from_its_shortest_text_never_its_binary_value() -> None:
    pd = pandas_module()
    np = pytest.importorskip("numpy")
    # 62.3 % of 3 points is 1.869 exactly; the binary 62.29999999999999715… would give 1.86899…
    # A float32 or float16 column is read at its own width: float16 holds 62.3 as 62.3125, whose
    # shortest text (numpy's repr) is 62.3 again, not the 62.3125 a widening to float64 would give.
    assert str(np.float16(62.3)) == "62.3" and float(np.float16(62.3)) == 62.3125
    for dtype in ("float64", "float32", "Float32", "Float64", "float16"):
        frame = pd.DataFrame({**SMALL_COLUMNS, "satisfaction": pd.Series([62.3, 80, 70], dtype=dtype)})
        unit = SMALL.score(frame).unit("Sở Nội vụ")
        assert str(unit.exact.components["survey"]) == "1.869", dtype
    assert frames.frame_value(np.float32(0.1)) == D("0.1")
    assert frames.frame_value(np.float64(62.3)) == 62.3 and type(frames.frame_value(np.float64(62.3))) is float
    assert frames.frame_value(np.int64(7)) == 7 and type(frames.frame_value(np.int64(7))) is int
    assert frames.frame_value(np.bool_(True)) is True


def test_a_polars_float32_column_is_read_at_its_own_width() -> None:
    pl = polars_module()
    frame = pl.DataFrame(SMALL_COLUMNS, strict=False).with_columns(
        pl.Series("satisfaction", [62.3, 80, None], dtype=pl.Float32))
    with pytest.raises(parrules.DataError) as raised:  # Ban Dân tộc's survey needs its satisfaction
        SMALL.score(frame)
    assert [(d.code, d.row, d.column) for d in raised.value.diagnostics] == [("DAT104", 3, "satisfaction")]
    frame = frame.with_columns(pl.Series("satisfaction", [62.3, 80, 70], dtype=pl.Float32))
    assert SMALL.score(frame).unit("Sở Nội vụ").exact.components["survey"] == D("1.869")


def test_an_index_named_like_the_unit_column_is_the_unit_column() -> None:
    pd = pandas_module()
    frame = pd.DataFrame(SMALL_COLUMNS)
    for named in (frame.set_index("unit"), frame.rename(columns={"unit": "Tên đơn vị"}).set_index("Tên đơn vị")):
        assert figures(SMALL.score(named)) == SMALL_FIGURES
    # Not a row count, then: a filtered frame keeps its old row labels, which name no unit.
    kept = frame[frame["unit"] != "Sở Tư pháp"]
    assert list(kept.index) == [0, 2]
    assert [u.unit for u in SMALL.score(kept).units] == ["Sở Nội vụ", "Ban Dân tộc"]
    # Nor an index named like nothing the ruleset knows.
    assert "stt" not in next(frames.rows_of(frame.set_index(pd.Index([1, 2, 3], name="stt"))))


def test_an_index_of_group_and_unit_gives_both_columns() -> None:
    pd = pandas_module()
    frame = pd.DataFrame({**SMALL_COLUMNS, "group": ["A", "A", "B"]}).set_index(["group", "unit"])
    first = next(frames.rows_of(frame))
    assert (first["group"], first["unit"]) == ("A", "Sở Nội vụ")


def test_a_column_written_twice_is_one_error() -> None:
    pd = pandas_module()
    frame = pd.DataFrame(SMALL_COLUMNS)
    frame.insert(1, "plan_done", [1, 2, 3], allow_duplicates=True)
    report = validate_mappings(frame, SMALL.model)
    assert [(d.code, d.row, d.column) for d in report.errors] == [("DAT113", 1, "plan_done")]


def test_a_value_that_is_not_a_cell_is_named() -> None:
    pd = pandas_module()
    frame = pd.DataFrame({**SMALL_COLUMNS, "plan_done": pd.to_datetime(["2020-01-01", None, "2020-02-01"])})
    report = validate_mappings(frame, SMALL.model)
    assert [(d.code, d.row, d.column) for d in report.errors][:2] == [("DAT113", 1, "plan_done"),
                                                                     ("DAT113", 3, "plan_done")]
    assert "Timestamp" in report.errors[0].message


def test_a_frame_longer_than_the_limit_is_read_only_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    pd, pl = pandas_module(), polars_module()
    from parrules.data import readers

    monkeypatch.setattr(readers, "MAX_ROWS", 2)  # where the rows are counted
    monkeypatch.setattr(frames, "_READ_ROWS", 3)  # how many rows of a frame are read, one past the limit
    long = (pd.concat([pd.DataFrame(SMALL_COLUMNS)] * 1000),
            pl.concat([pl.DataFrame(SMALL_COLUMNS, strict=False)] * 1000))
    for frame in long:
        assert len(list(frames.rows_of(frame))) == 3
        assert [(d.code, d.row) for d in validate_mappings(frame, SMALL.model).errors] == [("DAT116", 3)]


def test_a_frame_is_recognised_by_its_attributes_and_iterables_are_not_frames() -> None:
    pd, pl = pandas_module(), polars_module()
    assert frames.is_frame(pd.DataFrame(SMALL_COLUMNS)) and frames.is_frame(pl.DataFrame({"unit": ["x"]}))
    assert not any(frames.is_frame(v) for v in ([], {}, "unit", pd.Series([1]), pl.Series([1]), (x for x in [])))


@pytest.mark.parametrize(("ruleset", "data"), [DEPARTMENTS, FULL], ids=["lai-chau-departments", "department-full"])
def test_a_frame_read_from_a_csv_scores_like_the_csv(ruleset: Path, data: Path) -> None:
    pd, pl = pandas_module(), polars_module()
    loaded = parrules.load(ruleset)
    from_file = loaded.score_file(data)
    as_read = pd.read_csv(data)
    for frame in (as_read, pl.read_csv(data), pd.read_csv(data, dtype=str), as_read.set_index("unit")):
        scored = loaded.score(frame)
        assert without_rows(scored) == without_rows(from_file)
        assert scored.warnings == () and [u.row for u in scored.units] != [u.row for u in from_file.units]
        assert sorted(u.row for u in scored.units) == list(range(1, len(scored.units) + 1))


def test_scoring_a_frame_needs_no_pandas_import_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    pl = polars_module()
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now fails
    assert figures(SMALL.score(pl.DataFrame(SMALL_COLUMNS, strict=False))) == SMALL_FIGURES


# ---- a table out ---------------------------------------------------------------------------------


# Two published indices are 0.01 below their own points ÷ maximum (see tests/test_seed_lai_chau.py):
# 67.93 / 78.5 = 86.535… and 55.23 / 76.5 = 72.196…, which round half up to 86.54 and 72.20.
HAND_ROUNDED = {"Sở Ngoại vụ": "86.54", "BQL Khu KTCK Ma Lù Thàng": "72.20"}


def published() -> list[dict[str, str]]:
    """The published table's unit lines, with the two indices above as the ruleset rounds them."""
    with PUBLISHED.open(encoding="utf-8", newline="") as stream:
        rows = [row for row in csv.DictReader(stream) if row["line"] == "unit"]
    return [{**row, "index": HAND_ROUNDED.get(row["unit"], row["index"])} for row in rows]


@pytest.fixture(scope="module")
def departments() -> Results:
    ruleset, data = DEPARTMENTS
    return parrules.load(ruleset).score_file(data)


def test_to_records_is_the_published_table(departments: Results) -> None:
    records = departments.to_records(decimals="text")
    shown = [{k: r[k] for k in ("group", "unit", "appraisal", "survey", "total", "index", "class")}
             for r in records]
    assert shown == [{k: row[k] for k in shown[0]} for row in published()]
    assert [r["rank"] for r in records[:3]] == [1, 2, 3]
    assert {r["unit"]: r["max"] for r in records}["Sở Ngoại vụ"] == "78.5"


def test_to_records_keeps_exact_decimals(departments: Results) -> None:
    records = departments.to_records()
    assert list(records[0]) == ["unit", "group", "appraisal", "survey", "total", "max", "index", "class", "rank"]
    by_unit = {r["unit"]: r for r in records}
    # 52.36 + 15.57 = 67.93 points of 78.5: 86.5350… % → 86.54; kept as the Decimal, digits and all.
    ngoai_vu = by_unit["Sở Ngoại vụ"]
    assert (repr(ngoai_vu["total"]), repr(ngoai_vu["max"]), repr(ngoai_vu["index"])) == (
        "Decimal('67.93')", "Decimal('78.5')", "Decimal('86.54')")
    for row in published():
        assert str(by_unit[row["unit"]]["index"]) == row["index"]


def test_decimals_as_floats_are_for_charts(departments: Results) -> None:
    records = departments.to_records(decimals="float")
    first = records[0]
    assert (first["total"], first["max"], first["index"]) == (85.67, 98.0, 87.42)
    assert all(type(r["index"]) is float for r in records) and type(first["rank"]) is int
    with pytest.raises(ValueError, match="`decimals` must be one of decimal, float, text"):
        departments.to_records(decimals="binary")  # type: ignore[arg-type]


def test_per_node_columns_on_request() -> None:
    results = SMALL.score_file(ROOT / "tests/fixtures/small.csv")
    ban = {r["unit"]: r for r in results.to_records(nodes=True)}["Ban Dân tộc"]
    # Worked by hand: 1.1 on time → 1; 1.2 100 % of 2; 2 loses 0.5 for each of 2 late reports;
    # 3 does not apply (no one-stop desk); S1 70 % of 3.
    assert {k: v for k, v in ban.items() if k[0].isdigit() or k.startswith("S1")} == {
        "1": D("3.00"), "1 max": D("3"), "1.1": D("1.00"), "1.1 max": D("1"), "1.2": D("2.00"), "1.2 max": D("2"),
        "2": D("1.00"), "2 max": D("2"), "3": None, "3 max": D("0"), "S1": D("2.10"), "S1 max": D("3")}
    assert (ban["appraisal max"], ban["survey max"]) == (D("5"), D("3"))  # the component columns stay
    picked = results.to_records(nodes=("criterion", "S1"), decimals="text")[0]
    assert [k for k in picked if k[0].isdigit() or k[0] == "S"] == ["1", "1 max", "2", "2 max", "3", "3 max",
                                                                     "S1", "S1 max"]
    assert picked["1"] == "2.80"  # Sở Nội vụ: 1 + 90 % of 2
    with pytest.raises(ValueError, match=r"no node `9\.9` in the ruleset"):
        results.to_records(nodes=("criterion", "9.9"))


def test_stage_totals_and_extras_are_columns() -> None:
    ruleset, data = FULL
    results = parrules.load(ruleset).score_file(data)
    first = results.to_records()[0]
    assert list(first) == ["unit", "group", "appraisal", "survey", "B1", "P1", "total", "max", "index", "class",
                           "rank", "total@self"]
    unit = results.units[0]
    # The bonus is added, the penalty taken away, and the total is what the published columns say.
    assert first["total"] == unit.total == first["appraisal"] + first["survey"] + first["B1"] - first["P1"]  # type: ignore[operator]


def test_to_pandas_one_row_per_unit_with_exact_decimals(departments: Results) -> None:
    pandas_module()
    frame = departments.to_pandas()
    assert frame.shape == (20, 9)
    assert list(frame.columns) == ["unit", "group", "appraisal", "survey", "total", "max", "index", "class", "rank"]
    assert str(frame["rank"].dtype) == "Int64" and str(frame["index"].dtype) == "object"
    for position, row in enumerate(published()):
        assert frame.at[position, "unit"] == row["unit"]
        assert str(frame.at[position, "total"]) == row["total"] and str(frame.at[position, "index"]) == row["index"]
    # A group's mean, as floats for a chart: Lai Châu's five special units, by hand from the table.
    charts = departments.to_pandas(decimals="float")
    means = charts.groupby("group", sort=False)["index"].mean()
    assert round(means.iloc[1], 3) == round((86.54 + 82.90 + 82.88 + 77.04 + 72.20) / 5, 3) == 80.312


def test_to_pandas_with_nodes_and_no_units() -> None:
    pandas_module()
    results = SMALL.score_file(ROOT / "tests/fixtures/small.csv")
    assert results.to_pandas(nodes=True).shape == (3, 9 + 2 * 7)  # 7 nodes below the components, + 2 maxima
    empty = attrs.evolve(results, units=())
    assert list(empty.to_pandas().columns) == ["unit", "group", "appraisal", "survey", "total", "max", "index",
                                               "class", "rank"]


def test_to_pandas_without_pandas_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    results = SMALL.score_file(ROOT / "tests/fixtures/small.csv")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'parrules\[pandas\]'"):
        results.to_pandas()
    assert len(results.to_records()) == 3  # records need nothing


# ---- finding a unit by name ----------------------------------------------------------------------


def test_explain_finds_a_unit_as_the_command_does(departments: Results) -> None:
    for written in ("sở nội vụ", "SỞ NỘI VỤ", "  Sở   Nội vụ ", unicodedata.normalize("NFD", "Sở Nội vụ")):
        assert parrules.explain(departments, written).unit == "Sở Nội vụ", written
        assert departments.find(written).unit == "Sở Nội vụ"


def test_a_name_right_but_for_its_accents_is_a_did_you_mean(departments: Results) -> None:
    with pytest.raises(UnitNotFoundError) as raised:
        parrules.explain(departments, "So Noi vu")
    assert str(raised.value) == "no unit named `So Noi vu`; did you mean `Sở Nội vụ`?"
    assert raised.value.near == ("Sở Nội vụ",) and isinstance(raised.value, KeyError)
    with pytest.raises(KeyError, match="did you mean `Sở Tư pháp`"):
        departments.find("Sở Tư phap")
    with pytest.raises(UnitNotFoundError) as raised:
        departments.find("Ủy ban Olympic")
    assert str(raised.value) == "no unit named `Ủy ban Olympic`" and raised.value.near == ()


def test_a_unit_whose_name_has_no_accents_is_found_exactly() -> None:
    rows = [{**{k: v[0] for k, v in SMALL_COLUMNS.items()}, "unit": name} for name in ("Sở Nội vụ", "So Noi vu")]
    results = SMALL.score(rows)
    assert results.find("so noi vu").unit == "So Noi vu" and results.find("sở nội vụ").unit == "Sở Nội vụ"


def test_the_command_finds_units_with_the_same_function(capsys: pytest.CaptureFixture[str]) -> None:
    ruleset, data = ROOT / "tests/fixtures/small.par", ROOT / "tests/fixtures/small.csv"
    assert cli.main(["explain", str(ruleset), str(data), "--unit", "ban dân TỘC", "--format", "json"]) == 0
    assert '"unit": "Ban Dân tộc"' in capsys.readouterr().out
    assert cli.main(["explain", str(ruleset), str(data), "--unit", "Ban Dan toc"]) == 2
    assert "did you mean `Ban Dân tộc`?" in capsys.readouterr().err


def test_the_package_says_it_is_typed() -> None:
    # PEP 561: a type checker reads parrules' own annotations (DataFrameLike, Results.to_records, …).
    from importlib import resources

    assert resources.files("parrules").joinpath("py.typed").is_file()
