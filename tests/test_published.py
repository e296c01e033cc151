"""`parrules score --published`: every difference from a published table traced to its cause.

Expected figures are worked out by hand in the comments, from the published rows alone: a figure
rounded half-up to 2 decimals stands for [x − 0.005, x + 0.005), truncated for [x, x + 0.01); the
components' intervals add up to the total's, and the index's is the total's ÷ max × 100. Tables are
the shipped Lai Châu 2020 ones (examples/lai-chau-2020/) and small ones under fixtures/published/.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules.model import Rounding
from parrules.published import compare_published, read_published
from parrules.published.intervals import IndexRule, Interval, rounded_ends, stands_for, total

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TABLES = FIXTURES / "published"
SMALL, SMALL_CSV = FIXTURES / "small.par", FIXTURES / "small.csv"
NATIONAL, NATIONAL_CSV = TABLES / "national.par", TABLES / "national.csv"
NATIONAL_TABLE = "tests/fixtures/published/national-published.csv"  # as a user types it (run in ROOT)
LAI_CHAU = ROOT / "rulesets" / "lai-chau" / "2020"
SEED = ROOT / "examples" / "lai-chau-2020"
HALF_UP = Rounding(2, "half-up")
D = Decimal


def run(*args: str | Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    """`parrules ARGS` in a subprocess, as a user runs it (the parrules this test imports)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
           "PARRULES_LANG": lang}
    env.pop("PARRULES_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "parrules.cli", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, env=env, check=False, timeout=120)


def comparison_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The comparison printed after the table: its summary line and one line per difference."""
    assert done.returncode == 0, done.stderr
    text = done.stdout if "Compared with" in done.stdout or "So với bảng" in done.stdout else done.stderr
    start = max(text.find("Compared with the published table"), text.find("So với bảng kết quả công bố"))
    return text[start:].rstrip("\n").split("\n")


def published_json(*args: str | Path) -> dict[str, object]:
    done = run("score", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert isinstance(payload, dict)
    found = payload["published"]
    assert isinstance(found, dict)
    return found


def causes(found: dict[str, object]) -> list[tuple[str, str, str]]:
    differences = found["differences"]
    assert isinstance(differences, list)
    return [(d["unit"], d["field"], d["cause"]) for d in differences]


@pytest.fixture
def vietnamese() -> None:
    """The Vietnamese texts are checked once the catalogue has them (test_messages insists that it does)."""
    from parrules import i18n

    if i18n.translations("vi").gettext("check this line of the source") == "check this line of the source":
        pytest.skip("the Vietnamese of the --published messages is not in parrules.po yet")


def edited(tmp_path: Path, source: Path, change: str, into: str, name: str = "published.csv") -> Path:
    text = source.read_text(encoding="utf-8")
    assert text.count(change) == 1, change
    target = tmp_path / name
    target.write_text(text.replace(change, into), encoding="utf-8")
    return target


# ---- what a rounded figure stands for ------------------------------------------------------------


def test_a_figure_stands_for_the_exact_values_its_rounding_publishes_as_it() -> None:
    assert stands_for(D("66.46"), HALF_UP) == Interval(D("66.455"), D("66.465"), True, False)
    assert stands_for(D("66.46"), Rounding(2, "truncate")) == Interval(D("66.46"), D("66.47"), True, False)
    # Half-even: an even last digit takes both halves (66.455 and 66.465 round to 66.46), an odd one neither.
    assert stands_for(D("66.46"), Rounding(2, "half-even")) == Interval(D("66.455"), D("66.465"), True, True)
    assert stands_for(D("66.45"), Rounding(2, "half-even")) == Interval(D("66.445"), D("66.455"), False, False)
    # Printed with a third decimal: that digit is the one rounded.
    assert stands_for(D("66.463"), HALF_UP) == Interval(D("66.4625"), D("66.4635"), True, False)
    # Zeros a spreadsheet pads the figure with say nothing more.
    assert stands_for(D("66.4600"), HALF_UP) == stands_for(D("66.46"), HALF_UP)
    assert stands_for(D("66.46"), None) == Interval.point(D("66.46"))


def test_the_components_intervals_add_up_to_the_totals() -> None:
    # Sìn Hồ: 46.19 is [46.185, 46.195), 20.27 is [20.265, 20.275): together [66.45, 66.47).
    parts = total([stands_for(D("46.19"), HALF_UP), stands_for(D("20.27"), HALF_UP)])
    assert parts == Interval(D("66.45"), D("66.47"), True, False)
    both = parts & stands_for(D("66.46"), HALF_UP)
    assert both == Interval(D("66.455"), D("66.465"), True, False)
    # The open end 66.465 would round to 66.47, but it is not in the interval.
    assert rounded_ends(both, HALF_UP) == (D("66.46"), D("66.46"))
    assert rounded_ends(parts, HALF_UP) == (D("66.45"), D("66.47"))


def test_the_index_a_total_interval_gives() -> None:
    # [66.455, 66.465) ÷ 98 × 100 = [67.8112…, 67.8214…): rounded, 67.81 to 67.82.
    totals = Interval(D("66.455"), D("66.465"), True, False)
    rule = IndexRule(HALF_UP, HALF_UP)
    assert rule.ends(totals, D(98)) == (D("67.81"), D("67.82"))
    assert rule.allows(totals, D(98), D("67.81")) and rule.allows(totals, D(98), D("67.82"))
    assert not rule.allows(totals, D(98), D("67.70")) and not rule.allows(totals, D(98), D("67.83"))
    # From the rounded total (`index … from rounded points`): only 66.46 counts, 66.46 / 98 = 67.816… → 67.82.
    rounded = IndexRule(HALF_UP, HALF_UP, from_rounded_points=True)
    assert rounded.ends(totals, D(98)) == (D("67.82"), D("67.82"))
    assert not rounded.allows(totals, D(98), D("67.81"))


# ---- the shipped Lai Châu tables ------------------------------------------------------------------


def test_lai_chau_departments_differences_are_explained_by_the_published_components() -> None:
    done = run("score", LAI_CHAU / "departments.par", SEED / "departments.csv",
               "--published", SEED / "departments-published.csv")
    # Sở Ngoại vụ: 52.36 + 15.57 is [67.92, 67.94), met with 67.93's [67.925, 67.935); ÷ 78.5 × 100 is
    # [86.5287…, 86.5414…), so 86.53 to 86.54. BQL: [55.22, 55.24) met with [55.225, 55.235) ÷ 76.5 × 100
    # is [72.1895…, 72.2026…), so 72.19 to 72.20. The computed and the published index are both inside.
    assert comparison_lines(done) == [
        "Compared with the published table " + str(SEED / "departments-published.csv") + ": 20 units, 1 average; "
        "2 differences (2 explained by rounding)",
        "  Sở Ngoại vụ: index 86.54 computed, 86.53 published (+0.01) — explained by the rounding of the published "
        "components: 52.36 + 15.57 and the total 67.93, each of them rounded, stand for a total of 67.925–67.935, "
        "so for an index of 86.53–86.54 on a maximum of 78.5",
        "  BQL Khu KTCK Ma Lù Thàng: index 72.20 computed, 72.19 published (+0.01) — explained by the rounding of "
        "the published components: 42.42 + 12.81 and the total 55.23, each of them rounded, stand for a total of "
        "55.225–55.235, so for an index of 72.19–72.20 on a maximum of 76.5",
    ]


def test_lai_chau_districts_sin_ho() -> None:
    done = run("score", LAI_CHAU / "districts.par", SEED / "districts.csv",
               "--published", SEED / "districts-published.csv")
    assert comparison_lines(done)[1:] == [
        "  Huyện Sìn Hồ: index 67.82 computed, 67.81 published (+0.01) — explained by the rounding of the published "
        "components: 46.19 + 20.27 and the total 66.46, each of them rounded, stand for a total of 66.455–66.465, "
        "so for an index of 67.81–67.82 on a maximum of 98",
    ]


def test_a_lost_digit_in_the_total_is_a_source_inconsistency(tmp_path: Path) -> None:
    # Sở Nội vụ's total printed 58.67 for 85.67: 62.30 + 23.37 = 85.67 is [85.66, 85.68), 58.67 is
    # [58.665, 58.675): they do not meet. The printed index 87.42 (85.67 / 98) is not a difference.
    table = edited(tmp_path, SEED / "departments-published.csv", "23.37,85.67", "23.37,58.67")
    args = (LAI_CHAU / "departments.par", SEED / "departments.csv", "--published", table)
    lines = comparison_lines(run("score", *args))
    assert lines[0].endswith("3 differences (2 explained by rounding, 1 inconsistent within the published table)")
    assert lines[1] == ("  Sở Nội vụ: total 85.67 computed, 58.67 published (+27.00) — the published components add "
                        "up to 85.67, the published total is 58.67 — a digit lost or swapped in the source?")
    assert causes(published_json(*args)) == [("Sở Nội vụ", "total", "source_inconsistency"),
                                              ("Sở Ngoại vụ", "index", "rounding"),
                                              ("BQL Khu KTCK Ma Lù Thàng", "index", "rounding")]


def test_a_printed_rank_column_that_breaks_a_tie(tmp_path: Path) -> None:
    # The source numbers its lines 1..15: read as ranks, the two units at 85.66 % are 4th and 5th, where
    # the ruleset (`ties share`) has both 4th. The others' numbers are their ranks.
    table = edited(tmp_path, SEED / "departments-published.csv", "line,group,stt,", "line,group,rank,")
    args = (LAI_CHAU / "departments.par", SEED / "departments.csv", "--published", table)
    lines = comparison_lines(run("score", *args))
    assert lines[0].endswith("3 differences (2 explained by rounding, 1 tie broken by the source)")
    assert lines[1] == ("  Sở Khoa học và Công nghệ: rank 4 computed, 5 published — the source breaks a tie that the "
                        "ruleset's tie rule shares: Sở Giáo dục và Đào tạo, Sở Khoa học và Công nghệ share rank 4")
    assert ("Sở Khoa học và Công nghệ", "rank", "tie_broken_by_source") in causes(published_json(*args))


def _with_max(text: str) -> str:
    """The departments' table with a printed `max` column: 98 for the first group, the special units' own."""
    special = {"Sở Ngoại vụ": "78.5", "Thanh tra tỉnh": "80", "Văn phòng UBND tỉnh": "70.5", "Ban Dân tộc": "80",
               "BQL Khu KTCK Ma Lù Thàng": "76.5"}
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, [*rows[0], "max"], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "max": "" if row["line"] == "average" else special.get(row["unit"], "98")})
    return out.getvalue()


def test_a_printed_max_column_is_read_and_compared(tmp_path: Path) -> None:
    table = tmp_path / "published.csv"
    table.write_text(_with_max((SEED / "departments-published.csv").read_text(encoding="utf-8")), encoding="utf-8")
    args = (LAI_CHAU / "departments.par", SEED / "departments.csv", "--published", table)
    assert causes(published_json(*args)) == [("Sở Ngoại vụ", "index", "rounding"),
                                              ("BQL Khu KTCK Ma Lù Thàng", "index", "rounding")]
    # BQL's maximum printed 67.5 for 76.5: on 67.5 points, [55.225, 55.235) is an index of
    # [81.8148…, 81.8296…), 81.81 to 81.83, not the printed 72.19. The row contradicts itself.
    broken = edited(tmp_path, table, ",72.19,Khá,76.5", ",72.19,Khá,67.5", "broken.csv")
    done = run("score", *args[:3], broken)
    assert comparison_lines(done)[1:] == [
        "  Sở Ngoại vụ: index 86.54 computed, 86.53 published (+0.01) — explained by the rounding of the published "
        "components: 52.36 + 15.57 and the total 67.93, each of them rounded, stand for a total of 67.925–67.935, "
        "so for an index of 86.53–86.54 on a maximum of 78.5",
        "  BQL Khu KTCK Ma Lù Thàng: max 76.5 computed, 67.5 published — the published total 55.23 gives an index of "
        "81.81–81.83 on a maximum of 67.5, the published index is 72.19 — a digit lost or swapped in the source?",
        "  BQL Khu KTCK Ma Lù Thàng: index 72.20 computed, 72.19 published (+0.01) — the published total 55.23 gives "
        "an index of 81.81–81.83 on a maximum of 67.5, the published index is 72.19 — check this line of the source",
    ]


def test_an_index_from_rounded_points_that_the_source_rounds_otherwise(tmp_path: Path) -> None:
    # With `from rounded points` the index is 66.46 / 98 = 67.816… → 67.82, the one figure the published
    # total allows: the source's 67.81 (from the unrounded total) contradicts the ruleset's rounding.
    ruleset = edited(tmp_path, LAI_CHAU / "districts.par", "index   2 decimals half-up",
                     "index   2 decimals half-up from rounded points", "districts.par")
    done = run("score", ruleset, SEED / "districts.csv", "--published", SEED / "districts-published.csv")
    assert comparison_lines(done)[1:] == [
        "  Huyện Sìn Hồ: index 67.82 computed, 67.81 published (+0.01) — the published total 66.46 gives an index of "
        "67.82 on a maximum of 98, the published index is 67.81 — does the source round otherwise than the "
        "ruleset's `rounding` block says?",
    ]


# ---- a national-style table: four components rounded separately, no total ---------------------------


NATIONAL_LINES = [
    "Compared with the published table tests/fixtures/published/national-published.csv: 8 units, 1 average; "
    "12 differences (9 explained by rounding, 2 inconsistent within the published table, 1 tie broken by the source)",
    # 35.12 + 25.34 + 17.56 + 8.98 = 87.00; each ±0.005 (the upper end open): [86.98, 87.02), on 100 points the
    # same index, rounded 86.98 to 87.02 (87.02 is [87.015, 87.025), which meets it).
    "  Tỉnh A: index 87.00 computed, 87.02 published (-0.02) — explained by the rounding of the published components: "
    "35.12 + 25.34 + 17.56 + 8.98, each of them rounded, stand for a total of 86.98–87.02, so for an index of "
    "86.98–87.02 on a maximum of 100",
    "  Tỉnh E: index 79.99 computed, 80.01 published (-0.02) — explained by the rounding of the published components: "
    "32.00 + 24.00 + 16.00 + 7.99, each of them rounded, stand for a total of 79.97–80.01, so for an index of "
    "79.97–80.01 on a maximum of 100",
    # 80.01 is Tốt (from 80 %), 79.99 Khá: the class follows from the index.
    "  Tỉnh E: class Khá computed, Tốt published — explained by rounding: the published index 80.01 gives the "
    "class Tốt",
    "  Tỉnh B: index 78.00 computed, 78.01 published (-0.01) — explained by the rounding of the published components: "
    "30.00 + 24.00 + 16.00 + 8.00, each of them rounded, stand for a total of 77.98–78.02, so for an index of "
    "77.98–78.02 on a maximum of 100",
    # B and C both 78.00 computed, 3rd together; the source prints B (78.01) above C: 3rd and 4th.
    "  Tỉnh C: rank 3 computed, 4 published — the source breaks a tie that the ruleset's tie rule shares: "
    "Tỉnh B, Tỉnh C share rank 3",
    "  Tỉnh F: class Khá computed, Tốt published — the published index 70.00 gives the class Khá, the published "
    "class is Tốt",
    # 2.50 + 20.00 + 12.00 + 8.00 = 42.50 is [42.48, 42.52), nowhere near the printed 65.00; 25.00 → 2.50 moved
    # the decimal point.
    "  Tỉnh D: appraisal 25.00 computed, 2.50 published (+22.50) — the published components add up to 42.50, which "
    "gives an index of 42.48–42.52 on a maximum of 100; the published index is 65.00 — a decimal point misplaced in "
    "the source?",
    "  Tỉnh G: index 60.00 computed, 60.02 published (-0.02) — explained by the rounding of the published components: "
    "24.00 + 20.00 + 10.00 + 6.00, each of them rounded, stand for a total of 59.98–60.02, so for an index of "
    "59.98–60.02 on a maximum of 100",
    # H (60.01) is above G (60.00) computed, below it (60.00 against 60.02) as printed: both index differences are
    # rounding, so is the swap of places 7 and 8.
    "  Tỉnh G: rank 8 computed, 7 published — explained by rounding: the published figures place it 7, and their "
    "differences from the computed ones are explained by rounding",
    "  Tỉnh H: index 60.01 computed, 60.00 published (+0.01) — explained by the rounding of the published components: "
    "24.00 + 20.00 + 10.00 + 6.01, each of them rounded, stand for a total of 59.99–60.03, so for an index of "
    "59.99–60.03 on a maximum of 100",
    "  Tỉnh H: rank 7 computed, 8 published — explained by rounding: the published figures place it 8, and their "
    "differences from the computed ones are explained by rounding",
    # Computed: 578.00 / 8 = 72.25. Printed indices: 578.06 / 8 = 72.2575 → 72.26, the printed average.
    "  Chỉ số trung bình: average 72.25 computed, 72.26 published (-0.01) — explained by rounding: the published "
    "indices give an average of 72.26, and their differences from the computed ones are explained by rounding",
]


def test_a_national_table_of_four_components_rounded_separately_and_no_total() -> None:
    done = run("score", NATIONAL, NATIONAL_CSV, "--published", NATIONAL_TABLE)
    assert comparison_lines(done) == NATIONAL_LINES


@pytest.mark.usefixtures("vietnamese")
def test_the_national_table_in_vietnamese() -> None:
    done = run("score", NATIONAL, NATIONAL_CSV, "--published", NATIONAL_TABLE, lang="vi")
    lines = comparison_lines(done)
    assert lines[0] == (
        "So với bảng kết quả công bố tests/fixtures/published/national-published.csv: 8 đơn vị, 1 dòng trung bình; "
        "12 chênh lệch (9 chênh lệch do làm tròn, 2 chênh lệch do bảng công bố tự mâu thuẫn, 1 trường hợp đồng hạng "
        "nhưng bảng công bố xếp khác hạng)")
    assert lines[1] == (
        "  Tỉnh A: chỉ số theo kết quả tính là 87,00, theo bảng công bố là 87,02 (-0,02) — do làm tròn các phần điểm "
        "công bố: 35,12 + 25,34 + 17,56 + 8,98 (mỗi phần điểm đều đã được làm tròn) ứng với tổng điểm chưa làm tròn "
        "trong khoảng 86,98–87,02, tức là chỉ số trong khoảng 86,98–87,02 với điểm tối đa 100")
    assert lines[5] == (
        "  Tỉnh C: xếp hạng theo kết quả tính là 3, theo bảng công bố là 4 — bảng công bố xếp khác hạng các đơn vị mà "
        "quy tắc xếp hạng của bộ chỉ số cho đồng hạng: Tỉnh B, Tỉnh C cùng đứng hạng 3")
    assert lines[7] == (
        "  Tỉnh D: appraisal theo kết quả tính là 25,00, theo bảng công bố là 2,50 (+22,50) — các phần điểm công bố "
        "cộng lại được 42,50, với điểm tối đa 100 cho chỉ số 42,48–42,52; còn chỉ số công bố là 65,00 — bảng công bố "
        "đặt nhầm vị trí dấu thập phân?")


def test_every_national_difference_has_its_cause_code() -> None:
    assert causes(published_json(NATIONAL, NATIONAL_CSV, "--published", TABLES / "national-published.csv")) == [
        ("Tỉnh A", "index", "rounding"), ("Tỉnh E", "index", "rounding"), ("Tỉnh E", "class", "rounding"),
        ("Tỉnh B", "index", "rounding"), ("Tỉnh C", "rank", "tie_broken_by_source"),
        ("Tỉnh F", "class", "source_inconsistency"), ("Tỉnh D", "appraisal", "source_inconsistency"),
        ("Tỉnh G", "index", "rounding"), ("Tỉnh G", "rank", "rounding"), ("Tỉnh H", "index", "rounding"),
        ("Tỉnh H", "rank", "rounding"), ("Chỉ số trung bình", "average", "rounding"),
    ]


# ---- small tables: max, rank, truncation, missing units ----------------------------------------------


def test_a_max_column_a_lost_digit_and_a_wrong_maximum(tmp_path: Path) -> None:
    table = tmp_path / "published.csv"
    # Ban Dân tộc's maximum is 8 (no one-stop desk): 80 lost nothing but gained a digit; on 80 points 6.10
    # ([6.095, 6.105)) is an index of [7.61875, 7.63125), 7.62 to 7.63, not the printed 76.25.
    # Sở Tư pháp printed on 8 points: 5.90 / 8 = 73.75, a consistent row, but parrules has 10 points: the
    # maximum, the index and the class (73.75 is Khá) differ and the table cannot say why.
    table.write_text("unit,total,max,index,class\nSở Nội vụ,9.35,10,93.50,Tốt\nBan Dân tộc,6.10,80,76.25,Khá\n"
                     "Sở Tư pháp,5.90,8,73.75,Khá\n", encoding="utf-8")
    lines = comparison_lines(run("score", SMALL, SMALL_CSV, "--published", table))
    assert lines[1:] == [
        "  Ban Dân tộc: max 8 computed, 80 published — the published total 6.10 gives an index of 7.62–7.63 on a "
        "maximum of 80, the published index is 76.25 — a digit lost or swapped in the source?",
        "  Sở Tư pháp: max 10 computed, 8 published",
        "  Sở Tư pháp: index 59.00 computed, 73.75 published (-14.75)",
        "  Sở Tư pháp: class Trung bình computed, Khá published",
    ]
    assert lines[0].endswith("4 differences (1 inconsistent within the published table, 3 unexplained)")


def test_a_rank_column_its_own_figures_contradict(tmp_path: Path) -> None:
    # The rank column, not the order of the lines, is the published rank; by the printed indices Ban Dân tộc
    # (76.25) is 2nd and Sở Tư pháp (59.00) 3rd.
    table = tmp_path / "published.csv"
    table.write_text("unit,total,index,rank\nSở Nội vụ,9.35,93.50,1\nSở Tư pháp,5.90,59.00,2\n"
                     "Ban Dân tộc,6.10,76.25,3\n", encoding="utf-8")
    assert comparison_lines(run("score", SMALL, SMALL_CSV, "--published", table))[1:] == [
        "  Sở Tư pháp: rank 3 computed, 2 published — the published figures place it 3, the source ranks it 2",
        "  Ban Dân tộc: rank 2 computed, 3 published — the published figures place it 2, the source ranks it 3",
    ]


def test_truncated_figures_stand_for_the_next_step_up(tmp_path: Path) -> None:
    # Truncated, 5.90 is [5.90, 5.91): an index of [59.00, 59.10) on 10 points, printed 59.00 to 59.09.
    ruleset = tmp_path / "small.par"
    ruleset.write_text(SMALL.read_text(encoding="utf-8").replace("half-up", "truncate"), encoding="utf-8")
    table = tmp_path / "published.csv"
    table.write_text("unit,total,index\nSở Nội vụ,9.35,93.45\nBan Dân tộc,6.10,76.25\nSở Tư pháp,5.90,59.09\n",
                     encoding="utf-8")
    lines = comparison_lines(run("score", ruleset, SMALL_CSV, "--published", table))
    # Sở Nội vụ: 9.35 is [9.35, 9.36), 93.50 to 93.59: 93.45 is not among them (93.54 with two digits swapped
    # is). 59.09 is.
    assert lines[1:] == [
        "  Sở Nội vụ: index 93.50 computed, 93.45 published (+0.05) — the published total 9.35 gives an index of "
        "93.50–93.59 on a maximum of 10, the published index is 93.45 — a digit lost or swapped in the source?",
        "  Sở Tư pháp: index 59.00 computed, 59.09 published (-0.09) — explained by rounding: the published total "
        "5.90 is itself rounded; it stands for a total of 5.90–5.91, so for an index of 59.00–59.09 on a maximum "
        "of 10",
    ]


def test_units_in_only_one_table_are_missing_or_extra(tmp_path: Path) -> None:
    table = tmp_path / "published.csv"
    table.write_text("unit,total,index\nSở Nội vụ,9.35,93.50\nSở Y tế,5.00,50.00\n", encoding="utf-8")
    assert causes(published_json(SMALL, SMALL_CSV, "--published", table)) == [
        ("Sở Y tế", "missing", "missing"), ("Ban Dân tộc", "extra", "extra"), ("Sở Tư pháp", "extra", "extra")]
    assert comparison_lines(run("score", SMALL, SMALL_CSV, "--published", table))[0].endswith(
        "3 differences (1 unit not scored, 2 units not in the published table)")


# ---- JSON -----------------------------------------------------------------------------------------------


SMALL_PUBLISHED = {
    "file": "tests/fixtures/published/small-published.csv",
    "units": 3,
    "averages": 1,
    "differences": [
        # 6.80 + 2.55 = 9.35, printed 9.53: two digits swapped.
        {"unit": "Sở Nội vụ", "field": "total", "computed": "9.35", "published": "9.53",
         "cause": "source_inconsistency",
         "note": "the published components add up to 9.35, the published total is 9.53 — a digit lost or swapped in "
                 "the source?"},
        # [3.495 + 2.395, 3.505 + 2.405) = [5.89, 5.91) met with [5.895, 5.905); on 10 points 58.95 to 59.05.
        {"unit": "Sở Tư pháp", "field": "index", "computed": "59.00", "published": "59.01", "cause": "rounding",
         "note": "explained by the rounding of the published components: 3.50 + 2.40 and the total 5.90, each of "
                 "them rounded, stand for a total of 5.895–5.905, so for an index of 58.95–59.05 on a maximum of 10"},
        # (93.50 + 76.25 + 59.01) / 3 = 76.2533… → 76.25, not the printed 76.26.
        {"unit": "Chỉ số trung bình", "field": "average", "computed": "76.25", "published": "76.26",
         "cause": "source_inconsistency",
         "note": "the published indices give an average of 76.25, the published average is 76.26 — does the source "
                 "round otherwise than the ruleset's `rounding` block says?"},
    ],
}


def test_json_puts_the_comparison_under_its_own_key_and_keeps_the_rest(tmp_path: Path) -> None:
    table = "tests/fixtures/published/small-published.csv"
    done = run("score", SMALL, SMALL_CSV, "--format", "json", "--published", table)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["published"] == SMALL_PUBLISHED
    alone = json.loads(run("score", SMALL, SMALL_CSV, "--format", "json").stdout)
    assert {k: v for k, v in payload.items() if k != "published"} == alone
    assert "Compared with the published table" in done.stderr  # the text, for people, on the error stream
    target = tmp_path / "results.json"
    assert run("score", SMALL, SMALL_CSV, "--format", "json", "-o", target, "--published", table).returncode == 0
    assert json.loads(target.read_text(encoding="utf-8")) == payload


def test_missing_units_have_no_figures_in_json(tmp_path: Path) -> None:
    table = tmp_path / "published.csv"
    table.write_text("unit,index\nSở Y tế,50.00\n", encoding="utf-8")
    first = published_json(SMALL, SMALL_CSV, "--published", table)["differences"]
    assert isinstance(first, list)
    assert first[0] == {"unit": "Sở Y tế", "field": "missing", "computed": None, "published": None,
                        "cause": "missing", "note": None}


def test_the_json_shown_in_the_docs_is_what_the_command_writes() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text[text.index("### `--published FILE`"):text.index("## `parrules explain`")]
    [shown] = re.findall(r"```json\n(.*?)```", section, re.S)
    assert json.loads(shown) == SMALL_PUBLISHED


# ---- --strict -------------------------------------------------------------------------------------------


def test_strict_accepts_what_rounding_and_the_source_explain() -> None:
    done = run("score", SMALL, SMALL_CSV, "--published", TABLES / "small-published.csv", "--strict")
    assert done.returncode == 0, done.stderr
    national = run("score", NATIONAL, NATIONAL_CSV, "--published", NATIONAL_TABLE, "--strict")
    assert national.returncode == 0, national.stderr


def test_strict_refuses_an_unexplained_difference_or_a_unit_in_one_table_only(tmp_path: Path) -> None:
    table = tmp_path / "published.csv"
    # Ban Dân tộc printed with 5.60 points, 70.00 % of its 8: a row consistent with itself, but not with the data.
    table.write_text("unit,total,index\nSở Nội vụ,9.35,93.50\nBan Dân tộc,5.60,70.00\nSở Tư pháp,5.90,59.00\n",
                     encoding="utf-8")
    plain = run("score", SMALL, SMALL_CSV, "--published", table)
    assert plain.returncode == 0  # without --strict differences never change the exit code
    assert comparison_lines(plain)[1:] == ["  Ban Dân tộc: total 6.10 computed, 5.60 published (+0.50)",
                                           "  Ban Dân tộc: index 76.25 computed, 70.00 published (+6.25)"]
    done = run("score", SMALL, SMALL_CSV, "--published", table, "--strict")
    assert done.returncode == 1
    assert done.stderr == "parrules: --strict: 2 differences are not explained\n"
    short = tmp_path / "short.csv"
    short.write_text("unit,total,index\nSở Nội vụ,9.35,93.50\n", encoding="utf-8")
    missing = run("score", SMALL, SMALL_CSV, "--published", short, "--strict")
    assert (missing.returncode, missing.stderr) == (1, "parrules: --strict: 2 differences are not explained\n")


@pytest.mark.usefixtures("vietnamese")
def test_strict_in_vietnamese(tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    short.write_text("unit,total,index\nSở Nội vụ,9.35,93.50\n", encoding="utf-8")
    missing = run("score", SMALL, SMALL_CSV, "--published", short, "--strict", lang="vi")
    assert (missing.returncode, missing.stderr) == (1, "parrules: --strict: 2 chênh lệch chưa rõ nguyên nhân\n")
    assert "; 2 chênh lệch (2 đơn vị không có trong bảng kết quả công bố)\n" in missing.stdout


def test_strict_without_a_published_table_is_a_usage_error() -> None:
    done = run("score", SMALL, SMALL_CSV, "--strict")
    assert done.returncode == 2
    assert "--strict is for the comparison with a published table" in done.stderr


# ---- reading ---------------------------------------------------------------------------------------------


def test_unreadable_rank_max_and_component_cells_are_all_listed(tmp_path: Path) -> None:
    table = tmp_path / "published.csv"
    table.write_text("unit,Điểm thẩm định,rank,max\nSở Nội vụ,sáu,4.5,10\nSở Tư pháp,3.50,2,0\n", encoding="utf-8")
    done = run("score", SMALL, SMALL_CSV, "--published", table)
    assert done.returncode == 1 and done.stdout == ""
    assert [line.removeprefix(str(table)) for line in done.stderr.splitlines()] == [
        ":row 2:Điểm thẩm định: error DAT101: `sáu` is not a number",
        "  hint: write the figure as printed, e.g. 85.67 (a point for decimals)",
        ":row 2:rank: error DAT101: `4.5` is not a rank",
        "  hint: write the rank as printed: a whole number from 1",
        ":row 3:max: error DAT109: the maximum must be above 0",
        "  hint: write the unit's maximum as printed (e.g. 98), or leave the cell empty",
        ": 3 errors, 0 warnings",
    ]


def test_components_are_read_by_name_or_title_and_only_with_the_ruleset() -> None:
    results = parrules.load(NATIONAL).score_file(NATIONAL_CSV)
    table = read_published(TABLES / "national-published.csv", results)
    assert table.components == ("appraisal", "survey", "sipas", "papi")  # the columns are the titles
    assert table.units[0].components == {"appraisal": D("35.12"), "survey": D("25.34"), "sipas": D("17.56"),
                                         "papi": D("8.98")}
    assert read_published(TABLES / "national-published.csv").units[0].components == {}
    # Without the components, the rows say nothing about their totals: no cause but the tie can be found.
    found = {(d.unit, d.field): d.cause for d in compare_published(results, read_published(
        TABLES / "national-published.csv"))}
    assert found[("Tỉnh A", "index")] == "unexplained" and found[("Tỉnh C", "rank")] == "tie_broken_by_source"


# ---- a table the ruleset itself publishes -------------------------------------------------------------


@pytest.mark.parametrize("mode", ["half-up", "half-even", "truncate"])
def test_a_table_published_from_unrounded_points_differs_from_its_transcription_by_rounding_only(
        mode: str, tmp_path: Path) -> None:
    """The official table is scored from unrounded points; a transcription has only the rounded components.

    Whatever the points, every difference between the two is what rounding the components does (or a tie
    the official figures break): never a contradiction in the table, never unexplained.
    """
    import random

    from parrules.figures import plain

    ruleset = parrules.load(NATIONAL.read_text(encoding="utf-8").replace("half-up", mode))
    names = ("appraisal", "survey", "sipas", "papi")
    tops = (40, 30, 20, 10)
    generator = random.Random(f"published-{mode}")
    found: set[str] = set()
    for trial in range(30):
        def points(top: int) -> str:
            return str(D(generator.randint(top * 4000, top * 10000)) / 10000)  # 40 % to 100 %, 4 decimals

        official = ruleset.score([{"unit": f"Tỉnh {i}", **{f"p{n + 1}": points(top) for n, top in enumerate(tops)}}
                                  for i in range(generator.randint(2, 10))])
        with_total = trial % 2 == 0
        lines = [",".join(["unit", *names, *(["total"] if with_total else []), "index", "class", "line"])]
        lines += [",".join([u.unit, *(plain(u.components[n]) for n in names), *([plain(u.total)] if with_total else []),
                            plain(u.index), u.class_ or "", "unit"]) for u in official.units]
        blank = [""] * (len(names) + with_total)
        lines.append(",".join(["Trung bình", *blank, plain(official.average), "", "average"]))
        table = tmp_path / f"{trial}.csv"
        table.write_text("\n".join(lines) + "\n", encoding="utf-8")
        transcribed = ruleset.score([{"unit": u.unit, **{f"p{n + 1}": plain(u.components[name])
                                                        for n, name in enumerate(names)}} for u in official.units])
        for difference in compare_published(transcribed, read_published(table, transcribed)):
            assert difference.cause in ("rounding", "tie_broken_by_source"), difference
            found.add(difference.cause)
    assert "rounding" in found  # the tables did differ
