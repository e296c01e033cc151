"""`parrules test`: rule authors' test cases for a ruleset, and the branch coverage they reach.

Every expected figure in these tests is worked out by hand from the rules (the small ruleset's units
in tests/fixtures/README.md; the others in the comments next to them), never taken from parrules.
The shipped rulesets' own test files are held to 100 % coverage; their figures are worked out in
rulesets/examples/department-full.tests.md and taken from the published Lai Châu tables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parrules
from parrules.api import Ruleset
from parrules.cases import cases_from_rows, run_cases, run_file
from parrules.figures import plain, plain_max
from strategies import records, scenarios

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "small.par"
SHIPPED = [ROOT / "rulesets" / "examples" / "department-full.par",
           ROOT / "rulesets" / "lai-chau" / "2020" / "departments.par",
           ROOT / "rulesets" / "lai-chau" / "2020" / "districts.par",
           ROOT / "rulesets" / "national" / "qd766" / "province.par"]

HEADER = "unit,one_stop,plan_issued,plan_done,reports_late,3,satisfaction"
# tests/fixtures/README.md: the three units of small.csv, worked out by hand.
NOI_VU = "Sở Nội vụ,yes,on_time,90,0,2,85"
TU_PHAP = "Sở Tư pháp,yes,late,75,1,1.5,80"
DAN_TOC = "Ban Dân tộc,no,on_time,100,2,,70"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The same parrules this test imports (installed, or src/ in a development run).
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run([sys.executable, "-m", "parrules.cli", "--lang", "en", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, check=False)


def small_here(folder: Path) -> Path:
    (folder / "small.par").write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    return folder / "small.par"


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---- the command, end to end -------------------------------------------------------------------------


def test_cases_that_match_the_hand_worked_results_pass(tmp_path: Path) -> None:
    small_here(tmp_path)
    write(tmp_path / "small.tests.csv",
          f"{HEADER},expect 1.1,expect 1.2,expect 2,expect 3,expect S1,expect total,expect max,expect index,"
          "expect class",
          f"{NOI_VU},1,1.8,2,2,2.55,9.35,10,93.50,Tốt",
          f"{TU_PHAP},0.5,0,1.5,1.5,2.4,5.9,10,59,Trung bình",
          f"{DAN_TOC},1,2,1,n/a,2.1,6.10,8,76.25%,Khá")
    done = run("test", "small.par", cwd=tmp_path)  # the test file beside the ruleset, found by its name
    assert (done.returncode, done.stdout, done.stderr) == (0, "3 cases: 3 passed, 0 failed\n", "")


def test_a_failing_case_names_each_wrong_expectation_and_why(tmp_path: Path) -> None:
    small_here(tmp_path)
    # Sở Tư pháp had one late report: criterion 2 is 2 − 0.5 × 1 = 1.5, not 2; and its index 59.00 is
    # Trung bình, not Khá. The other two cases are right.
    write(tmp_path / "cases.csv",
          f"{HEADER},expect 2,expect total,expect class",
          f"{NOI_VU},2,9.35,Tốt",
          f"{TU_PHAP},2,5.90,Khá",
          f"{DAN_TOC},1,6.1,Khá")
    done = run("test", "small.par", "cases.csv", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == (
        "cases.csv:row 3: Sở Tư pháp: 2 of 3 expectations not met\n"
        "  2: expected 2, got 1.50\n"
        "      reports_late = 1 → 2 − 0.5 × 1 (reports_late) → 1.5\n"
        "  class: expected Khá, got Trung bình\n"
        "      Total 5.90 / 10 → index 59.00 % → Trung bình\n"
        "\n"
        "3 cases: 2 passed, 1 failed\n")


def test_not_applying_is_an_expectation_too(tmp_path: Path) -> None:
    small_here(tmp_path)
    # Criterion 3 applies only with a one-stop desk: Ban Dân tộc has none, Sở Nội vụ has one (2 points).
    write(tmp_path / "cases.csv", f"{HEADER},expect 3", f"{NOI_VU},n/a", f"{DAN_TOC},2")
    done = run("test", "small.par", "cases.csv", cwd=tmp_path)
    assert done.returncode == 1
    assert "  3: expected not to apply, got 2.00\n      given 3 = 2\n" in done.stdout
    assert ("  3: expected 2, but it does not apply to this case\n"
            "      does not apply — one_stop = no; applies if one_stop\n") in done.stdout
    assert done.stdout.endswith("2 cases: 0 passed, 2 failed\n")


def test_figures_compare_as_numbers_and_names_after_normalisation(tmp_path: Path) -> None:
    small_here(tmp_path)
    decomposed = unicodedata.normalize("NFD", "Tốt")
    write(tmp_path / "cases.csv", f"{HEADER},expect 1.2,expect total,expect index,expect class",
          f"{NOI_VU},1.800,9.350,93.5,{decomposed}")
    assert run("test", "small.par", "cases.csv", cwd=tmp_path).returncode == 0


def test_a_case_whose_data_has_a_problem_fails_and_is_located(tmp_path: Path) -> None:
    small_here(tmp_path)
    write(tmp_path / "cases.csv", f"{HEADER},expect total",
          f"{NOI_VU},9.35",
          "Sở Y tế,yes,on_time,chín mươi,0,2,85,9.35",
          ",yes,late,75,1,1.5,80,")
    done = run("test", "small.par", "cases.csv", cwd=tmp_path)
    assert done.returncode == 1
    assert ("cases.csv:row 3: Sở Y tế: the case could not be scored\n"
            "  cases.csv:row 3:plan_done: error DAT101: Sở Y tế: `chín mươi` is not a number; "
            "expected a percentage from 0 to 100\n") in done.stdout
    assert ("cases.csv:row 4: (no name): the case could not be scored\n"
            "  cases.csv:row 4:unit: error DAT107: the unit's name is empty\n") in done.stdout
    assert done.stdout.endswith("3 cases: 1 passed, 2 failed\n")


def test_a_row_that_cannot_be_taken_apart_is_a_failed_case_too(tmp_path: Path) -> None:
    small_here(tmp_path)
    # `1,5` unquoted in a file separated by commas: row 3 has one cell more than the header.
    write(tmp_path / "cases.csv", f"{HEADER},expect total", f"{NOI_VU},9.35", "Sở Tư pháp,yes,late,75,1,1,5,80,5.90")
    done = run("test", "small.par", "cases.csv", cwd=tmp_path)
    assert "cases.csv:row 3: (no name): the case could not be scored\n  cases.csv:row 3: error DAT113:" in done.stdout
    assert done.stdout.endswith("2 cases: 1 passed, 1 failed\n") and done.returncode == 1


def test_a_missing_input_found_by_scoring_fails_that_case_only(tmp_path: Path) -> None:
    small_here(tmp_path)
    # Sở Tư pháp has a one-stop desk, so criterion 3 applies and its column `3` must be filled in.
    write(tmp_path / "cases.csv", f"{HEADER},expect total", f"{NOI_VU},9.35", "Sở Tư pháp,yes,late,75,1,,80,5.90")
    done = run("test", "small.par", "cases.csv", cwd=tmp_path)
    assert "cases.csv:row 3:3: error DAT104: Sở Tư pháp: missing required input `3` (used by 3)" in done.stdout
    assert done.stdout.endswith("2 cases: 1 passed, 1 failed\n") and done.returncode == 1


def test_errors_in_the_test_file_are_located_by_row_and_column(tmp_path: Path) -> None:
    small_here(tmp_path)
    write(tmp_path / "cases.csv",
          f"{HEADER},expect 1.3,expect totl,expct 1.1,expect total,Expect Total,expect index",
          f"{NOI_VU},1,9,1,9.35,9.35,abc",
          f"{TU_PHAP},,,,\"5,90\",,")
    done = run("test", "small.par", "cases.csv", cwd=tmp_path)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if ": error " in line]
    assert [line.split(": error ")[0] for line in errors] == [
        "cases.csv:row 1:expect 1.3", "cases.csv:row 1:expect totl", "cases.csv:row 1:expct 1.1",
        "cases.csv:row 1:Expect Total"]
    assert errors[0].endswith("DAT132: column `expect 1.3`: `1.3` is not a node of the ruleset, nor a bonus or "
                              "penalty, nor total, index, class, max or group")
    assert "  hint: did you mean `expect 1.2`?" in done.stderr
    assert "  hint: did you mean `expect total`?" in done.stderr
    assert "DAT132: column `expct 1.1` looks like an expectation, but its first word is not `expect`" in done.stderr
    assert "DAT115: columns `expect total`, `Expect Total` all give `total`" in done.stderr
    # The cells: one row each, under the column as written.
    assert ("cases.csv:row 2: Sở Nội vụ: an expectation cell could not be read\n"
            "  cases.csv:row 2:expect index: error DAT101: Sở Nội vụ: `abc` is not a number; expected a number\n"
            in done.stdout)
    assert ("cases.csv:row 3:expect total: error DAT110: Sở Tư pháp: `5,90` has a comma; parrules does not guess "
            "whether it is a decimal comma") in done.stdout
    assert done.stdout.endswith("2 cases: 0 passed, 2 failed\n")


def test_an_expect_header_may_take_a_colon_and_a_glued_one_is_caught(tmp_path: Path) -> None:
    small_here(tmp_path)
    write(tmp_path / "cases.csv", f"{HEADER},Expect: total,expect1.1", f"{NOI_VU},9.35,1")
    done = run("test", "small.par", "cases.csv", cwd=tmp_path)
    assert done.stdout == "1 case: 1 passed, 0 failed\n" and done.returncode == 1
    assert "cases.csv:row 1:expect1.1: error DAT132" in done.stderr
    assert "hint: did you mean `expect 1.1`?" in done.stderr


def test_a_decimal_comma_file_reads_its_expectations_with_commas_too(tmp_path: Path) -> None:
    small_here(tmp_path)
    write(tmp_path / "cases.csv", "unit;one_stop;plan_issued;plan_done;reports_late;3;satisfaction;expect 1.2;"
          "expect total", "Sở Nội vụ;yes;on_time;90;0;2;85;1,8;9,35")
    assert run("test", "small.par", "cases.csv", "--decimal-comma", cwd=tmp_path).returncode == 0


def test_no_test_file_is_a_usage_error(tmp_path: Path) -> None:
    small_here(tmp_path)
    done = run("test", "small.par", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("parrules: no test file given, and there is no small.tests.csv or small.tests.xlsx "
                           "beside the ruleset\n")
    missing = run("test", "small.par", "nowhere.csv", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (2, "parrules: no such file: nowhere.csv\n")
    assert run("test", "small.par", "--fail-under", "120", cwd=tmp_path).returncode == 2


def test_a_workbook_beside_the_ruleset_is_found_and_read_as_excel_keeps_it(tmp_path: Path) -> None:
    small_here(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["CÁC TRƯỜNG HỢP KIỂM THỬ"])  # a title row above the header
    sheet.append(["unit", "one_stop", "plan_issued", "plan_done", "reports_late", "3", "satisfaction",
                  "expect 1.2", "expect total", "expect index", "expect class", "ghi chú"])
    sheet.append(["Sở Nội vụ", "có", "Đúng hạn", 90, 0, 2, 85, 1.8, 9.35, 0.935, "Tốt", "90 % × 2 = 1,8"])
    sheet.cell(row=3, column=10).number_format = "0.00%"  # the index as Excel shows a percentage: 93.50%
    book.save(tmp_path / "small.tests.xlsx")
    done = run("test", "small.par", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "1 case: 1 passed, 0 failed\n", "")


def test_json_for_tools(tmp_path: Path) -> None:
    small_here(tmp_path)
    write(tmp_path / "cases.csv", f"{HEADER},expect 2", f"{NOI_VU},2", f"{TU_PHAP},2")
    done = run("test", "small.par", "cases.csv", "--format", "json", "--coverage", cwd=tmp_path)
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert payload["ruleset"] == "small.par" and payload["tests"] == "cases.csv"
    assert payload["summary"] == {"cases": 2, "passed": 1, "failed": 1}
    assert payload["cases"][1]["failures"] == [{
        "target": "2", "expected": "2", "got": "1.50",
        "why": ["reports_late = 1 → 2 − 0.5 × 1 (reports_late) → 1.5"]}]
    assert payload["cases"][0] == {"case": "Sở Nội vụ", "row": 2, "passed": True, "scored": True, "checked": 1,
                                   "failures": [], "problems": []}
    assert payload["coverage"]["branches"] == 15
    assert {(u["owner"], u["kind"]) for u in payload["coverage"]["uncovered"]} >= {("3", "not_applies")}


# ---- coverage ---------------------------------------------------------------------------------------------


def test_coverage_of_the_small_ruleset_by_its_three_units(tmp_path: Path) -> None:
    small = small_here(tmp_path)
    write(tmp_path / "small.tests.csv", f"{HEADER},expect total", f"{NOI_VU},9.35", f"{TU_PHAP},5.90",
          f"{DAN_TOC},6.10")
    # By hand: 1.1 has 3 steps (on_time, late used; none never), 1.2 a line and `otherwise` (90 % and 100 %,
    # 75 %), criterion 2 a deduction with `floor 0`: nothing deducted (0 late), deducted above the floor (1 and
    # 2 late reports), the floor (4 or more) never; criterion 3 applies (Nội vụ, Tư pháp) and does not
    # (Ban Dân tộc), and its `given` is used; S1's `proportional` is used; the classes Tốt (93.50), Khá (76.25)
    # and Trung bình (59.00) are all reached. 13 of 15 branches: 86.66… %, shown as 86.6 %.
    text = small.read_text(encoding="utf-8").split("\n")
    step_line = next(i for i, line in enumerate(text) if "none -> 0" in line)
    deduct_line = next(i for i, line in enumerate(text) if "deduct 0.5" in line)
    step = f"small.par:{step_line + 1}:{text[step_line].index('none -> 0') + 1}"
    deduct = f"small.par:{deduct_line + 1}:{text[deduct_line].index('deduct') + 1}"
    done = run("test", "small.par", "--coverage", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == (
        "3 cases: 3 passed, 0 failed\n"
        "\n"
        "Branch coverage: 86.6 % (13 of 15 branches)\n"
        f"{step}: the step `none -> 0` of sub-criterion 1.1 is never used by a case\n"
        f"{deduct}: `deduct 0.5 per reports_late floor 0` of criterion 2: no case reaches the floor 0\n")
    assert run("test", "small.par", "--fail-under", "86.6", cwd=tmp_path).returncode == 0
    below = run("test", "small.par", "--fail-under", "87", cwd=tmp_path)
    assert below.returncode == 1
    assert below.stdout.endswith("coverage 86.6 % is below the required 87 %\n")


COVER = """\
ruleset "Phủ nhánh" { year 2025 scale 4 }
attributes { one_stop yes/no "Một cửa" default yes }
inputs {
  rate         percent "Tỷ lệ"
  late         count   "Số báo cáo chậm"
  violation    yes/no  "Vi phạm"
  missing      yes/no  "Thiếu hồ sơ"
  extra_points points  "Điểm thưởng" range 0 to 1 default 0
}
component appraisal "Thẩm định" max 4 {
  criterion 1 "Tỷ lệ" max 1 { proportional rate zero below 50% }
  criterion 2 "Báo cáo" max 1 { deduct 0.5 per late floor 0 }
  criterion 3 "Kỷ luật" max 1 applies if one_stop { full unless any of (violation, missing) }
  criterion 4 "Dải" max 1 {
    when rate >= 80% -> 1
    when 60% <= rate < 80% -> 0.5
    otherwise -> 0
  }
}
bonus B1 "Thưởng" up to 1 { given extra_points }
classes {
  "Đạt"      from 50%
  "Chưa đạt" below 50%
}
groups {
  "Đủ"      when max = full
  "Rút gọn" otherwise
}
rank overall by index desc
"""


def test_coverage_counts_every_kind_of_branch_as_worked_out_by_hand(tmp_path: Path) -> None:
    path = write(tmp_path / "cover.par", COVER)
    ruleset = parrules.load(path)
    assert ruleset.check().ok, ruleset.check().render()
    head = "unit,one_stop,rate,late,violation,missing,extra_points"
    # u1: rate 90 → 1: 0.9 (not below 50 %), 4: first line; nothing late; no violation → full; total 3.9 / 4
    #     = 97.5 % → Đạt, max 4 = full → Đủ; no bonus.
    # u2: rate 40 → 1: below 50 % → 0, 4: `otherwise`; 1 late → 0.5 (above the floor); a violation → 0 by the
    #     first condition; bonus 1: total 1.5 / 4 = 37.5 % → Chưa đạt, Đủ.
    first = write(tmp_path / "two.csv", head, "u1,yes,90,0,no,no,0", "u2,yes,40,1,yes,no,1")
    coverage = run_file(ruleset, first, coverage=True).coverage
    assert coverage is not None
    # 1: 2 branches, 2: 3, 3: applies / not + full + 2 conditions = 5, 4: 3, B1: 2, classes 2, groups 2 = 19.
    assert (coverage.count, coverage.hits, coverage.percent) == (19, 14, Decimal("73.6"))
    lines = COVER.split("\n")

    def at(line_text: str, word: str) -> tuple[int, int]:
        number = next(i for i, line in enumerate(lines) if line_text in line)
        return number + 1, lines[number].index(word) + 1

    assert sorted((b.span.line, b.span.column, b.kind) for b in coverage.uncovered) == sorted([
        (*at("deduct 0.5", "deduct"), "floor"),
        (*at("applies if one_stop", "one_stop {"), "not_applies"),
        (*at("applies if one_stop", "missing)"), "condition"),
        (*at("60% <= rate", "when"), "line"),
        (*at('"Rút gọn" otherwise', '"Rút gọn"'), "group"),
    ])
    messages = {b.kind: b.message() for b in coverage.uncovered}
    assert messages["not_applies"] == "criterion 3 applies to every case: no case has `applies if one_stop` false"
    assert messages["condition"] == "the condition `missing` of criterion 3 never gives 0 in a case"
    assert messages["line"] == "the line `when 60% <= rate < 80% -> 0.5` of criterion 4 is never used by a case"
    assert messages["group"] == 'no case falls in the group Rút gọn (the line `"Rút gọn" otherwise`)'
    # u3: no one-stop desk (max 3, not full → Rút gọn); rate 70 → 0.7 and the middle band; 3 late → 1 − 1.5,
    #     held at the floor 0. Only `missing` is still never the condition that gives 0.
    more = write(tmp_path / "three.csv", head, "u1,yes,90,0,no,no,0", "u2,yes,40,1,yes,no,1", "u3,no,70,3,no,no,0")
    coverage = run_file(ruleset, more, coverage=True).coverage
    assert coverage is not None
    assert (coverage.hits, [b.kind for b in coverage.uncovered]) == (18, ["condition"])


def test_excluded_nodes_have_no_branches() -> None:
    ruleset = parrules.load(ROOT / "rulesets" / "lai-chau" / "2020" / "districts.par")
    report = run_file(ruleset, ROOT / "rulesets" / "lai-chau" / "2020" / "districts.tests.csv", coverage=True)
    assert report.coverage is not None
    # appraisal's `given`, XHH's `given` and the three classes: DCCI is excluded for every unit.
    assert [b.key[0] for b in report.coverage.branches] == ["appraisal", "XHH", "classes", "classes", "classes"]


@pytest.mark.parametrize("ruleset", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_ruleset_has_test_cases_covering_every_branch(ruleset: Path) -> None:
    done = run("test", str(ruleset.relative_to(ROOT)), "--coverage", "--fail-under", "100", cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert "Branch coverage: 100 % (" in done.stdout


# ---- properties ------------------------------------------------------------------------------------------

# PARRULES_EXAMPLES=1000 for a deeper search, as in test_properties.py.
SCORING = settings(max_examples=int(os.environ.get("PARRULES_EXAMPLES", "0")) or 40, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])


def expectations(results: parrules.Results, unit: parrules.results.UnitResult) -> dict[str, object]:
    """A unit's own published figures as `expect` cells: what a test file built from them must find."""
    cells: dict[str, object] = {"expect total": plain(unit.total), "expect index": plain(unit.index),
                                "expect max": plain_max(unit.max)}
    if unit.class_ is not None:
        cells["expect class"] = unit.class_
    if unit.group is not None:
        cells["expect group"] = unit.group
    for root in unit.nodes:
        for node in root.walk():
            cells[f"expect {node.id}"] = (plain(results.round_points(node.points)) if node.status == "scored"
                                          else "n/a")
    cells.update({f"expect {k}": plain(v) for k, v in unit.extras.items()})
    return cells


@SCORING
@given(st.data())
def test_a_test_file_made_of_the_units_own_results_passes(data: st.DataObject) -> None:
    # A consistency check of the comparison against scoring, not a golden test: the figures come from
    # scoring the same units, and every one of them must be found equal.
    scenario = data.draw(scenarios(bonus=True))
    ruleset = Ruleset(scenario.model, "<generated>", {})
    rows = data.draw(records(scenario))
    results = ruleset.score(rows)
    cases = [{**row, **expectations(results, results.unit(str(row["unit"])))} for row in rows]
    report = run_cases(ruleset, cases_from_rows(cases, ruleset), coverage=True)
    assert report.ok and report.failed == 0 and report.passed == len(rows), report.render()
    assert all(r.checked == len(expectations(results, results.unit(r.name))) for r in report.results)
    coverage = report.coverage
    assert coverage is not None
    assert coverage.covered <= {b.key for b in coverage.branches}
    # More cases never cover less.
    fewer = run_cases(ruleset, cases_from_rows(cases[:1], ruleset), coverage=True).coverage
    assert fewer is not None and fewer.covered <= coverage.covered


def test_a_folder_runs_every_ruleset_in_it_that_has_tests() -> None:
    done = run("test", str(ROOT / "rulesets"), "--format", "json", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    reports = json.loads(done.stdout)
    shipped = sorted(ROOT.glob("rulesets/**/*.tests.csv"))
    assert len(reports) == len(shipped) == 4
