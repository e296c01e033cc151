"""The static checker on small rulesets: what it accepts, what it reports, and that it never crashes.

The golden corpus (test_check_golden.py) shows each message in full; these tests pin the reasoning
behind them — bands on whole numbers, guards against a zero divisor, what counts as a clean ruleset —
and the promise that a ruleset that checks clean always compiles.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import parrules
from parrules import check as checker
from parrules import model as m
from parrules.api import check_file
from parrules.compile import compile_model
from parrules.diagnostics import Diagnostic
from strategies import Scenario, models, scenarios

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted([*(ROOT / "rulesets").rglob("*.par"), ROOT / "tests" / "fixtures" / "small.par"])

HEAD = 'ruleset "T" { year 2024 scale 10 }\n'
TAIL = '\nclasses { "Tốt" from 80%  "Khá" from 70% below 80%  "Trung bình" below 70% }\nrank overall by index desc\n'


def problems(body: str, head: str = HEAD, tail: str = TAIL) -> list[Diagnostic]:
    ruleset = parrules.load_text(head + body + tail)
    return list(ruleset.check().diagnostics)


def codes(body: str, **kw: str) -> list[str]:
    return [d.code for d in problems(body, **kw)]


def errors(body: str) -> list[str]:
    return [d.code for d in problems(body) if d.is_error]


def one_leaf(rule: str, inputs: str, top: str = "10", extra: str = "") -> str:
    return f"inputs {{ {inputs} }}\ncomponent a \"A\" max {top} {{ sub 1 \"X\" max {top}{extra} {{ {rule} }} }}\n"


# ---- clean rulesets ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_ruleset_checks_without_errors(path: Path) -> None:
    report = check_file(path)
    assert report.ok, report.render()


def test_the_summary_counts_node_kinds_components_and_the_scale() -> None:
    ruleset = parrules.load_text("""
ruleset "Chỉ số CCHC các sở năm 2020" { year 2020 level department scale 100 }
inputs { p points }
component appraisal "Thẩm định" max 70 {
  field 1 "L" max 70 { criterion 1.1 "C" max 70 { sub 1.1.1 "S" max 70 { given p } } }
}
component survey "Điều tra" max 30 {
  part S1 "XHH" max 28 { given }
  part DCCI "DCCI" max 2 { given }
}
exclude DCCI because "không công bố"
""" + TAIL)
    assert checker.summary(ruleset.model) == (
        "Chỉ số CCHC các sở năm 2020 (department): 1 field, 1 criterion, 1 sub-criterion, 2 parts; "
        "appraisal 70, survey 30; scale 100 (98 after exclusions)")


def test_check_returns_its_problems_sorted_and_never_raises_on_a_bare_model() -> None:
    bare = m.Model(meta=m.Meta(), components=(m.Node("a", "component", "A", m.Decimal(1), rule=m.Given("a")),))
    found = checker.check(bare)
    assert [d.code for d in found] == sorted(d.code for d in found)  # all at the unknown line 0
    assert "PAR243" in {d.code for d in found}  # no `rank`; no `classes` is fine (classes are optional)
    assert checker.summary(bare) == "(untitled); a 1; full scale 1"


# ---- the tree ----------------------------------------------------------------------------------


def test_a_capped_parent_may_have_more_below_it_but_never_less() -> None:
    tree = ('component a "A" max 10 {{ criterion 1 "C" max 10 {cap} {{ '
            'sub 1.1 "S" max {x} {{ 1 }} sub 1.2 "T" max 6 {{ 1 }} }} }}')
    assert "PAR301" not in codes(tree.format(cap="capped", x="5"))
    assert "PAR301" in codes(tree.format(cap="", x="5"))
    assert "PAR301" in codes(tree.format(cap="capped", x="3"))


def test_a_bonus_in_scale_may_be_stated_in_the_scale_or_not() -> None:
    body = 'inputs { p points }\ncomponent a "A" max 10 { given p }\nbonus B "B" up to 2 counts in scale { given }\n'
    assert "PAR302" not in codes(body)
    assert "PAR302" not in codes(body, head='ruleset "T" { scale 12 }\n')
    assert "PAR302" in codes(body, head='ruleset "T" { scale 11 }\n')


# ---- tables ------------------------------------------------------------------------------------


def test_bands_on_a_count_need_no_value_between_two_whole_numbers() -> None:
    assert codes(one_leaf("when late <= 2 -> 10  when late >= 3 -> 0", "late count")) == []
    # the same bands on a number leave every value between 2 and 3 without a line
    found = problems(one_leaf("when late <= 2 -> 10  when late >= 3 -> 0", "late number range 0 to 10"))
    assert [d.code for d in found] == ["PAR211"]
    assert "is above 2 and below 3" in found[0].message


def test_bands_may_come_in_any_order_and_use_and_or_not() -> None:
    rule = "when rate < 20% -> 0  when rate >= 30% -> 10  when rate >= 20% and not rate >= 30% -> 5"
    assert codes(one_leaf(rule, "rate percent")) == []


def test_a_band_beyond_the_inputs_range_can_never_hold() -> None:
    found = problems(one_leaf("when rate > 100% -> 10  otherwise -> 0", "rate percent"))
    assert [d.code for d in found] == ["PAR213"]
    assert found[0].message == "`rate > 100%` can never hold: rate is from 0% to 100%"


def test_choice_lines_are_bands_on_the_choice() -> None:
    inputs = "plan one of (on_time, late, none)"
    assert codes(one_leaf("when plan = on_time -> 10  when plan != on_time -> 0", inputs)) == []
    found = problems(one_leaf("when plan = on_time -> 10  when plan = late -> 5", inputs))
    assert [(d.code, d.message) for d in found] == [("PAR211", "no line gives points when plan is none")]


def test_a_table_over_two_inputs_is_tried_in_order_and_needs_otherwise() -> None:
    inputs = "rate percent  ok yes/no"
    assert codes(one_leaf("when rate >= 80% and ok -> 10  when rate >= 50% -> 5  otherwise -> 0", inputs)) == []
    assert codes(one_leaf("when rate >= 80% and ok -> 10  when rate >= 50% -> 5", inputs)) == ["PAR214"]
    repeated = "when rate >= 80% and ok -> 10  when rate >= 80% and ok -> 5  otherwise -> 0"
    assert codes(one_leaf(repeated, inputs)) == ["PAR213"]
    # on one input the lines are bands, so the same repeat is an overlap
    assert codes(one_leaf("when ok -> 10  when ok -> 5  otherwise -> 0", "ok yes/no")) == ["PAR212"]


# ---- outcomes ----------------------------------------------------------------------------------


def test_what_a_formula_can_give_is_judged_only_when_it_is_exact() -> None:
    # each input once: the range is exact, and 0.5 × 30 can exceed 10
    assert codes(one_leaf("min(late * 0.5, 12)", "late count range 0 to 30")) == ["PAR210"]
    assert codes(one_leaf("min(late * 0.5, max)", "late count range 0 to 30")) == []
    # closed and partial are each at most found, but not together: not judged, no false alarm
    rule = "when found = 0 -> max  otherwise -> (closed / found) * 10 + (partial / found) * 5"
    inputs = "found count  closed count at most found  partial count at most found"
    assert codes(one_leaf(rule, inputs)) == []


def test_a_band_narrows_what_its_outcome_can_give() -> None:
    rule = "when late <= 4 -> 10 - late * 2.5  otherwise -> 0"
    assert codes(one_leaf(rule, "late count")) == []
    assert codes(one_leaf("when late <= 5 -> 10 - late * 2.5  otherwise -> 0", "late count")) == ["PAR210"]


def test_a_negative_outcome_needs_a_minimum() -> None:
    rule = "plan: on_time -> 10, late -> 5, none -> -1"
    assert codes(one_leaf(rule, "plan one of (on_time, late, none)")) == ["PAR210"]
    assert codes(one_leaf(rule, "plan one of (on_time, late, none)", extra=" min -1")) == []


# ---- division ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "expected"), [
    ("b / a", ["PAR230"]),
    ("when a = 0 -> max  otherwise -> min(b / a, max)", []),
    ("when a > 0 -> min(b / a, max)  otherwise -> 0", []),
    ("when a > 0 and b / a > 1 -> max  otherwise -> 0", []),
    ("when b / a > 1 and a > 0 -> max  otherwise -> 0", ["PAR230"]),
    ("when a >= 1 -> min(b / (a + 1), max)  otherwise -> 0", []),
    ("min(b / (c + 1), max)", []),
    ("min(b / c, max)", []),  # c is declared from 1 to 5: never 0
])
def test_a_divisor_that_can_be_zero_needs_a_line_for_zero(rule: str, expected: list[str]) -> None:
    assert errors(one_leaf(rule, "a count  b count at most a  c number range 1 to 5")) == expected


# ---- names and types ---------------------------------------------------------------------------


def test_an_unknown_name_suggests_the_closest_and_is_not_reported_twice() -> None:
    found = problems(one_leaf("when rate_done >= 80% -> proportional  otherwise -> 0", "rate percent"))
    assert [(d.code, d.hint) for d in found] == [("PAR220", "did you mean `rate`?")]


def test_full_and_scale_belong_to_group_rules() -> None:
    body = 'inputs { p points }\ncomponent a "A" max 10 { given p }\ngroups { "I" when max = full  "II" otherwise }\n'
    assert codes(body) == []
    assert codes(one_leaf("when rate >= 80% -> full  otherwise -> 0", "rate percent")) == ["PAR223"]


def test_groups_that_cover_every_maximum_need_no_otherwise() -> None:
    body = ('inputs { p points }\ncomponent a "A" max 10 { given p }\n'
            'groups { "I" when max = full  "II" when max < full }\nrank within group by index desc\n')
    assert codes(body, tail='\nclasses { "Tốt" from 80%  "Khá" below 80% }\n') == []


# ---- never a crash -----------------------------------------------------------------------------


def test_a_file_over_a_megabyte_is_refused_with_par103(tmp_path: Path) -> None:
    big = tmp_path / "big.par"
    big.write_text(HEAD + "# " + "x" * 1_000_001 + "\n", encoding="utf-8")
    report = check_file(big)
    assert [d.code for d in report.diagnostics] == ["PAR103"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_check_never_raises_and_a_clean_model_always_compiles(model: m.Model) -> None:
    found = checker.check(model)
    checker.summary(model)
    if not any(d.is_error for d in found):
        compile_model(model)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(bonus=True))
def test_the_scoring_scenarios_have_no_errors_but_the_missing_publication_lines(scenario: Scenario) -> None:
    found = [d for d in checker.check(scenario.model) if d.is_error and d.code not in ("PAR242", "PAR243")]
    assert found == [], "\n".join(f"{d.code} {d.message}" for d in found)


def test_a_share_of_two_tied_counts_is_judged_between_0_and_1() -> None:
    # closed … at most found: closed / found lies in [0, 1] once found cannot be 0.
    text = """
ruleset "T" { scale 2 }
inputs { found count  closed count at most found }
component a "A" max 2 { sub 1 "x" max 2 { when found = 0 -> max  otherwise -> closed / found * TIMES } }
classes { "Đạt" from 50%  "Chưa đạt" below 50% }
rank overall by index desc
"""
    over = parrules.load_text(text.replace("TIMES", "2.5")).check()
    assert [d.code for d in over.errors] == ["PAR210"] and "up to 2.5" in over.errors[0].message
    assert parrules.load_text(text.replace("TIMES", "2")).check().ok
    # Without the zero case the divisor can be 0: that is PAR230, and no range is claimed.
    unguarded = parrules.load_text(text.replace("when found = 0 -> max  otherwise -> ", "").replace("TIMES", "2"))
    assert [d.code for d in unguarded.check().errors] == ["PAR230"]
