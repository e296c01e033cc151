"""A CSV file scored to a CSV file as it is read (stream.py): the same table, problems and warnings as
`score_file` and `render_csv`, to the byte, on every fixture; what reading as it goes must still see
(a total row after thousands of units, a bad byte far down the file); and the command line using it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parrules
from parrules import cli
from parrules.api import Ruleset
from parrules.data import readers
from parrules.data.rows import NotUnits
from parrules.diagnostics import DataError
from parrules.report import render_csv
from parrules.stream import score_csv
from strategies import records, scenarios

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
FIXTURES = ROOT / "tests" / "fixtures"

# Every CSV fixture with the ruleset it is read against.
CASES = [
    *[(DATA / "units.par", path) for path in sorted([*DATA.glob("*.csv"), *(DATA / "bad").glob("*.csv")])],
    *[(FIXTURES / "small.par", path) for path in sorted(FIXTURES.glob("small*.csv"))],
    (FIXTURES / "lai-chau-departments-2021-variant.par", FIXTURES / "lai-chau-departments-2021-variant.csv"),
    (ROOT / "rulesets/lai-chau/2020/departments.par", ROOT / "examples/lai-chau-2020/departments.csv"),
    (ROOT / "rulesets/lai-chau/2020/districts.par", ROOT / "examples/lai-chau-2020/districts.csv"),
    (ROOT / "rulesets/examples/department-full.par", ROOT / "examples/department-full/units.csv"),
]


def whole(ruleset: Ruleset, path: Path, **options: bool) -> tuple[object, ...]:
    """What `score_file` and `render_csv` give: the table and the warnings, or every problem."""
    try:
        results = ruleset.score_file(path, **options)
    except DataError as exc:
        return ("problems", [str(d) for d in exc.diagnostics])
    return ("table", render_csv(results), [str(d) for d in results.warnings])


def streamed(ruleset: Ruleset, path: Path, **options: bool) -> tuple[object, ...]:
    try:
        table = score_csv(ruleset, path, **options)
    except DataError as exc:
        return ("problems", [str(d) for d in exc.diagnostics])
    return ("table", table.text(), [str(d) for d in table.warnings])


@pytest.mark.parametrize(("par", "path"), CASES, ids=lambda p: str(p.relative_to(ROOT)) if isinstance(p, Path) else p)
def test_every_fixture_streams_to_the_same_table_problems_and_warnings(par: Path, path: Path) -> None:
    ruleset = parrules.load(par)
    for options in ({}, {"decimal_comma": True}):
        expected = whole(ruleset, path, **options)
        assert streamed(ruleset, path, **options) == expected
    assert expected[0] == "problems" or len(str(expected[1]).splitlines()) > 1


def test_the_fixtures_cover_both_outcomes() -> None:
    """So that the comparison above is a comparison of tables and of problems."""
    kinds = {whole(parrules.load(par), path)[0] for par, path in CASES}
    assert kinds == {"table", "problems"}


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=st.data())
def test_random_rulesets_and_units_stream_alike(data: st.DataObject, tmp_path_factory: pytest.TempPathFactory) -> None:
    scenario = data.draw(scenarios(bonus=True))
    rows = data.draw(records(scenario, max_size=8))
    path = tmp_path_factory.mktemp("units") / "units.csv"
    header = sorted({key for row in rows for key in row}, key=lambda k: (k != "unit", k))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(k) is None else _text(row[k]) for k in header])
    ruleset = Ruleset(scenario.model, "<generated>", {})
    assert streamed(ruleset, path) == whole(ruleset, path)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


# ---- what reading as it goes must still see ------------------------------------------------------

SMALL = FIXTURES / "small.par"
HEADER = "unit,one_stop,plan_issued,plan_done,reports_late,3,satisfaction\n"


def _units(count: int) -> str:
    return "".join(f"Đơn vị {i},yes,on_time,90,0,2,85\n" for i in range(1, count + 1))


@pytest.mark.parametrize("fold_every", [3, 4096])
def test_a_total_row_below_many_units_is_still_told_from_a_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                fold_every: int) -> None:
    """Read as it goes, the running sums are folded in batches; a grand total after them is
    recognised either way, as when the file is held whole (sums folded only when asked)."""
    monkeypatch.setattr(NotUnits, "FOLD_EVERY", fold_every)
    path = tmp_path / "units.csv"
    count = 10
    path.write_text(HEADER + _units(count) + f"Tổng cộng,,,{90 * count},0,{2 * count},{85 * count}\n"
                    + ",,,90,0,2,85\n", encoding="utf-8")  # a nameless row of averages
    ruleset = parrules.load(SMALL)
    kind, table, warnings = streamed(ruleset, path)
    assert kind == "table" and len(str(table).splitlines()) == 1 + count
    assert any("DAT" in w and "Tổng cộng" in w for w in warnings)  # skipped and said so
    assert (kind, table, warnings) == whole(ruleset, path)


def test_a_bad_byte_far_down_the_file_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes((HEADER + _units(5000)).encode() + b"S\xf4 X,yes,on_time,90,0,2,85\n")
    kind, problems = streamed(parrules.load(SMALL), path)
    assert kind == "problems" and problems == whole(parrules.load(SMALL), path)[1]
    assert "5002" in problems[0] and "0xF4" in problems[0]


def test_a_million_decimal_commas_are_counted_not_kept(tmp_path: Path) -> None:
    """A column's decimal commas are said once, with how many: the count is right past the cells kept."""
    path = tmp_path / "units.csv"
    path.write_text(HEADER + "".join(f"Đơn vị {i},yes,on_time,\"90,5\",0,2,85\n" for i in range(1, 2001)),
                    encoding="utf-8")
    kind, _table, warnings = streamed(parrules.load(SMALL), path)
    assert kind == "table"
    assert any("DAT136" in w and ("2000 of" in w or "2,000 of" in w) for w in warnings), warnings
    assert (kind, _table, warnings) == whole(parrules.load(SMALL), path)


# ---- the command line ------------------------------------------------------------------------------


def test_score_to_a_csv_file_reads_a_file_beyond_the_row_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """With the limit of a file held whole made 5 rows, a 12-unit file is refused as a table and
    scored to a CSV file; that file is what the table would have been."""
    path = tmp_path / "units.csv"
    path.write_text(HEADER + _units(12), encoding="utf-8")
    monkeypatch.setattr(readers, "MAX_ROWS", 5)
    assert cli.main(["score", str(SMALL), str(path)]) == 1
    assert "DAT116" in capsys.readouterr().err
    out = tmp_path / "results.csv"
    assert cli.main(["score", str(SMALL), str(path), "--format", "csv", "-o", str(out)]) == 0
    assert "12" in capsys.readouterr().err
    monkeypatch.setattr(readers, "MAX_ROWS", 100_000)
    expected = render_csv(parrules.load(SMALL).score_file(path))
    assert out.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")


def test_a_file_with_a_problem_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "units.csv"
    path.write_text(HEADER + _units(3) + "Đơn vị 9,yes,on_time,abc,0,2,85\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    assert cli.main(["score", str(SMALL), str(path), "--format", "csv", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "abc" in err and not out.exists()


def test_the_streamed_table_reads_back_as_a_table() -> None:
    table = score_csv(parrules.load(SMALL), FIXTURES / "small.csv")
    rows = list(csv.DictReader(io.StringIO(table.text())))
    assert len(rows) == table.units and all(row["unit"] for row in rows)
