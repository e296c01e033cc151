"""Year over year: the changes the seed states, antisymmetry, last year's files, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import parrules
from parrules.history import Snapshot, UnitFigures, compare_years, read_previous

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = ROOT / "rulesets/lai-chau/2020/districts.par"
DISTRICTS_DATA = ROOT / "examples/lai-chau-2020/districts.csv"
PREVIOUS = ROOT / "tests/fixtures/lai-chau-districts-2019-reconstructed.json"


def parrules_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "parrules.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=False)


def test_the_changes_the_seed_states_for_the_districts() -> None:
    results = parrules.load(DISTRICTS).score_file(DISTRICTS_DATA)
    change = compare_years(Snapshot.of(results), read_previous(PREVIOUS))
    by_unit = change.by_unit()
    # "Có 2/8 đơn vị có chỉ số tăng là thành phố Lai Châu (tăng 2.55%), huyện Nậm Nhùn (tăng 1.86%);
    # 6/8 huyện có chỉ số giảm, … Sìn Hồ (giảm 8.81%), tiếp theo là huyện Than Uyên (giảm 7.57%)."
    assert (change.count("rose"), change.count("fell"), change.compared) == (2, 6, 8)
    assert by_unit["Thành phố Lai Châu"].index_change == Decimal("2.55")
    assert by_unit["Huyện Nậm Nhùn"].index_change == Decimal("1.86")
    assert by_unit["Huyện Than Uyên"].index_change == Decimal("-7.57")
    # Computed from the published points Sìn Hồ is 67.82, not 67.81 (the known rounding difference):
    assert by_unit["Huyện Sìn Hồ"].index_change == Decimal("-8.80")
    rise, fall = change.largest_rise, change.largest_fall
    assert rise is not None and (rise.unit, rise.index_change) == ("Thành phố Lai Châu", Decimal("2.55"))
    assert fall is not None and fall.unit == "Huyện Sìn Hồ"
    # "Chỉ số trung bình chung của cấp huyện giảm 3.51%"
    assert change.average.change == Decimal("-3.51")
    assert change.summary() == "2/8 units have a higher index; 6/8 lower"


def test_score_and_report_show_the_changes(tmp_path: Path) -> None:
    table = parrules_cli("score", str(DISTRICTS), str(DISTRICTS_DATA), "--previous", str(PREVIOUS))
    assert table.returncode == 0, table.stderr
    assert "Index change" in table.stdout and "+2.55" in table.stdout
    assert "Compared with 2019: 2/8 units have a higher index; 6/8 lower." in table.stdout
    assert "Largest rise: Thành phố Lai Châu (+2.55)." in table.stdout
    assert table.stdout.count("Average index: 72.65 (-3.51 compared with 76.16).") == 1
    done = parrules_cli("score", str(DISTRICTS), str(DISTRICTS_DATA), "--previous", str(PREVIOUS),
                       "--format", "json")
    payload = json.loads(done.stdout)
    assert payload["change"]["rose"] == 2 and payload["change"]["average"]["change"] == "-3.51"
    lai_chau = next(u for u in payload["units"] if u["unit"] == "Thành phố Lai Châu")
    assert lai_chau["change"] == {"status": "rose", "previous_index": "75.22", "index_change": "+2.55",
                                  "previous_rank": 6, "rank_change": 5}  # 6th in 2019, 1st in 2020
    report = tmp_path / "report.md"
    assert parrules_cli("report", str(DISTRICTS), str(DISTRICTS_DATA), "--previous", str(PREVIOUS),
                        "-o", str(report)).returncode == 0
    assert "- Compared with 2019: 2/8 units have a higher index; 6/8 lower." in report.read_text(encoding="utf-8")


def test_last_years_csv_and_json_read_back_what_score_wrote(tmp_path: Path) -> None:
    for fmt in ("csv", "json"):
        out = tmp_path / f"2020.{fmt}"
        assert parrules_cli("score", str(DISTRICTS), str(DISTRICTS_DATA), "--format", fmt,
                            "-o", str(out)).returncode == 0
        snapshot = read_previous(out)
        results = parrules.load(DISTRICTS).score_file(DISTRICTS_DATA)
        assert [(u.unit, u.index, u.rank) for u in snapshot.units] == [(u.unit, u.index, u.rank)
                                                                        for u in results.units]
        change = compare_years(Snapshot.of(results), snapshot)
        assert change.count("same") == 8 and change.largest_rise is None and change.largest_fall is None


def test_a_bad_previous_file_is_reported_not_crashed(tmp_path: Path) -> None:
    bad = tmp_path / "2019.csv"
    bad.write_text("unit,index\nHuyện Sìn Hồ,bảy mươi\n", encoding="utf-8")
    done = parrules_cli("score", str(DISTRICTS), str(DISTRICTS_DATA), "--previous", str(bad))
    assert done.returncode == 1 and "row 2:index: error DAT101" in done.stderr and "Traceback" not in done.stderr


# ---- swapping the years negates every change ---------------------------------------------------------

NAMES = ["Sở Nội vụ", "Sở Tư pháp", "Sở Y tế", "Ban Dân tộc", "Thanh tra tỉnh", "Sở Tài chính", "Sở Xây dựng"]
index = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))
    groups = draw(st.lists(st.sampled_from(["Nhóm I", "Nhóm II"]), min_size=len(names), max_size=len(names)))
    units = tuple(UnitFigures(n, draw(index), draw(st.one_of(st.none(), st.integers(1, 7))), g)
                  for n, g in zip(names, groups, strict=True))
    averages = tuple((g, draw(index)) for g in sorted(set(groups)))
    return Snapshot(units, averages, draw(st.one_of(st.none(), index)))


@given(snapshots(), snapshots())
@settings(max_examples=200, deadline=None)
def test_year_over_year_changes_are_antisymmetric(a: Snapshot, b: Snapshot) -> None:
    forward, backward = compare_years(a, b), compare_years(b, a)
    back = backward.by_unit()
    for change in forward.units:
        other = back[change.unit]
        assert change.index_change == (None if other.index_change is None else -other.index_change)
        assert change.rank_change == (None if other.rank_change is None else -other.rank_change)
    swapped = {"rose": "fell", "fell": "rose", "same": "same", "new": "gone", "gone": "new"}
    for status, opposite in swapped.items():
        assert forward.count(status) == backward.count(opposite)
    back_groups = {g.group: g for g in backward.groups}
    for group in forward.groups:
        other_change = back_groups[group.group].change
        assert group.change == (None if other_change is None else -other_change)
    assert forward.average.change == (None if backward.average.change is None else -backward.average.change)
    if forward.largest_rise is not None:
        fall = backward.largest_fall
        assert fall is not None and fall.index_change == -forward.largest_rise.index_change  # type: ignore[operator]
