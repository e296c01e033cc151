"""Invariants of scoring and of the formatter, on random rulesets and units (Hypothesis).

Each property is one a council relies on without checking: the index stays in [0, 100], excluding a
criterion touches nothing else, the order of the rows changes nothing, full marks give exactly 100,
every node stays within its bounds, published figures are the exact ones rounded as the ruleset says,
and a ruleset written back as text means the same ruleset.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parrules import model as m
from parrules.api import Ruleset
from parrules.build import build_source
from parrules.format import to_par
from parrules.results import NodeResult, Results, UnitResult
from strategies import (
    Scenario,
    full_marks_record,
    models,
    records,
    scenarios,
    unit_names,
    unit_values,
)

D = Decimal
ROOT = Path(__file__).resolve().parents[1]
# The evaluator's documented precision (40 significant digits); exact figures are compared at it.
PRECISION = Context(prec=40)

# Sized so the file runs in well under a minute on 2 cores; PARRULES_EXAMPLES=1000 for a deep search.
SCALE = int(os.environ.get("PARRULES_EXAMPLES", "0")) or None
SCORING = settings(max_examples=SCALE or 50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMATTING = settings(max_examples=(SCALE or 40) * 3, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build_model(text: str) -> m.Model:
    built = build_source(text, "<text>", None)
    assert built.model is not None
    return built.model


def score(model: m.Model, rows: list[dict[str, object]]) -> Results:
    return Ruleset(model, "<generated>", {}).score(rows)


def walk(unit: UnitResult) -> Iterator[NodeResult]:
    for root in unit.nodes:
        yield from root.walk()


def round_as(value: Decimal, rounding: m.Rounding | None) -> Decimal:
    """Rounding written out here, independent of parrules.rounding."""
    if rounding is None:
        return value
    mode = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN, "truncate": ROUND_DOWN}[rounding.mode]
    return value.quantize(D(1).scaleb(-rounding.digits), rounding=mode)


# ---- the index -------------------------------------------------------------------------------------


@SCORING
@given(st.data())
def test_index_stays_within_0_and_100_without_a_bonus(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(bonus=False))
    results = score(scenario.model, data.draw(records(scenario)))
    for unit in results.units:
        assert D(0) <= unit.index <= D(100), unit
        assert D(0) <= unit.exact.index <= D(100), unit
        assert D(0) <= unit.total <= unit.max


@SCORING
@given(st.data())
def test_full_marks_everywhere_give_exactly_100(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(bonus=False))
    names = data.draw(unit_names(min_size=1, max_size=4))
    attributes = {a: data.draw(st.booleans(), label=a) for a in scenario.attributes}
    rows = [full_marks_record(scenario, names[0], attributes)]
    rows += [{"unit": name, **data.draw(unit_values(scenario))} for name in names[1:]]
    unit = score(scenario.model, rows).unit(names[0])
    assert unit.exact.index == D(100)
    assert unit.index == D(100)
    assert unit.total == unit.max
    for node in walk(unit):
        assert node.points == node.max, node


# ---- exclusions ------------------------------------------------------------------------------------


def _subtree(scenario: Scenario, node_id: str) -> set[str]:
    return {n.id for n in scenario.node(node_id).walk()}


@SCORING
@given(st.data())
def test_excluding_a_node_changes_no_other_node_and_lowers_the_maximum_by_its_own(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    already = {e.node_id for e in scenario.model.exclusions}
    eligible = [n.id for n in scenario.model.nodes() if n.id not in scenario.protected and n.id not in already]
    if not eligible:
        return
    target = data.draw(st.sampled_from(eligible), label="excluded")
    rows = data.draw(records(scenario))
    before = score(scenario.model, rows)
    excluded = attrs.evolve(scenario.model,
                            exclusions=(*scenario.model.exclusions, m.Exclusion(target, "không đánh giá năm nay")))
    after = score(excluded, rows)
    touched = _subtree(scenario, target) | set(scenario.ancestors(target))
    for unit in before.units:
        other = after.unit(unit.unit)
        removed = unit.node(target)
        assert removed is not None
        assert other.max == unit.max - removed.max
        gone = other.node(target)
        assert gone is not None and gone.status == "excluded" and gone.points == 0 and gone.max == 0
        for node in walk(unit):
            if node.id in touched:
                continue
            same = other.node(node.id)
            assert same is not None
            assert (same.points, same.max, same.status) == (node.points, node.max, node.status), node.id


# ---- order of the units ----------------------------------------------------------------------------


def _published(results: Results) -> tuple[object, ...]:
    units = tuple((u.unit, u.group, u.components, u.total, u.max, u.index, u.class_, u.rank, u.exact, u.extras)
                  for u in results.units)
    return units, results.groups


@SCORING
@given(st.data())
def test_the_order_of_the_units_changes_no_result(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(bonus=True))
    rows = data.draw(records(scenario, min_size=2, max_size=7))
    shuffled = data.draw(st.permutations(rows), label="shuffled")
    first, second = score(scenario.model, rows), score(scenario.model, shuffled)
    assert _published(second) == _published(first)
    assert first.average == second.average


ORDER_SENSITIVE_AVERAGE = """
ruleset "T" { scale 7 }
inputs { p points range 0 to 7 }
component a "A" max 7 { given p }
classes { "Tốt" from 80%  "Khá" below 80% }
rank overall by index desc
"""


def test_the_overall_average_does_not_depend_on_the_order_of_the_rows() -> None:
    # found by test_the_order_of_the_units_changes_no_result: the sum of 40-digit quotients depended
    # on the order of the rows until the evaluator added them in one order
    ruleset = Ruleset(build_model(ORDER_SENSITIVE_AVERAGE), "<text>", {})
    rows: list[dict[str, object]] = [{"unit": "u1", "p": "1"}, {"unit": "u2", "p": "0.1"}, {"unit": "u3", "p": "0.3"}]
    forward, backward = ruleset.score(rows).average, ruleset.score(rows[::-1]).average
    assert forward == backward  # 6.66666666666666666666666666666666666667 vs 6.666666666666666666666666666666666666667


# ---- bounds of every node --------------------------------------------------------------------------


@SCORING
@given(st.data())
def test_every_node_stays_within_its_bounds_and_parents_add_their_children(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(bonus=True))
    model = scenario.model
    results = score(model, data.draw(records(scenario)))
    declared = {n.id: n for n in model.nodes()}
    in_scale = sum((x.cap for x in model.extras if x.kind == "bonus" and x.in_scale), D(0))
    for unit in results.units:
        for node in walk(unit):
            spec = declared[node.id]
            assert node.declared_max == spec.max
            if node.status != "scored":
                assert node.points == 0 and node.max == 0, node.id
                continue
            assert spec.min <= node.points <= spec.max, node.id
            assert D(0) <= node.max <= spec.max, node.id  # 0 when none of its children applies
            if node.children:
                below = sum((c.points for c in node.children), D(0))
                assert node.points == max(spec.min, min(spec.max, below)), node.id
                assert node.max == sum((c.max for c in node.children), D(0)), node.id
        assert unit.max == sum((root.max for root in unit.nodes), D(0)) + in_scale
        assert unit.exact.components == {root.id: root.points for root in unit.nodes}


NOTHING_BELOW_APPLIES = """
ruleset "T" { scale 3 }
attributes { one_stop yes/no }
inputs { p points range 0 to 1  q points range 0 to 2 }
component a "A" max 3 {
  criterion 1 "Một cửa" max 1 { sub 1.1 "Đúng hạn" max 1 applies if one_stop { given p } }
  criterion 2 "Khác" max 2 { given q }
}
classes { "Tốt" from 80%  "Khá" below 80% }
rank overall by index desc
"""


def test_a_parent_none_of_whose_children_applies_does_not_apply_either() -> None:
    # found by the bounds property: such a parent was "scored" with points 0 of maximum 0
    # (an index of 0 ÷ 0); it now does not apply, and says why
    ruleset = Ruleset(build_model(NOTHING_BELOW_APPLIES), "<text>", {})
    unit = ruleset.score([{"unit": "u", "one_stop": False, "q": "1.5"}]).unit("u")
    parent, child = unit.node("1"), unit.node("1.1")
    assert parent is not None and child is not None
    assert (parent.status, parent.points, parent.max) == ("not_applicable", D(0), D(0))
    assert parent.reason == "none of its criteria applies to this unit" and parent.index is None
    assert (child.status, child.points, child.max) == ("not_applicable", D(0), D(0))
    assert unit.max == 2 and unit.index == 75


# ---- rounding --------------------------------------------------------------------------------------


@SCORING
@given(st.data())
def test_published_figures_are_the_exact_ones_rounded_as_the_ruleset_says(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(bonus=True))
    rounding = scenario.model.rounding
    results = score(scenario.model, data.draw(records(scenario)))
    with localcontext(PRECISION):
        for unit in results.units:
            assert unit.total == round_as(unit.exact.total, rounding.points)
            assert unit.components == {k: round_as(v, rounding.points) for k, v in unit.exact.components.items()}
            base = round_as(unit.exact.total, rounding.points) if rounding.index_from_rounded_points \
                else unit.exact.total
            assert unit.exact.index == base / unit.max * 100
            assert unit.index == round_as(unit.exact.index, rounding.index)
            bands = [b for t in scenario.model.classes for b in t.bands if b.contains(unit.index)]
            assert unit.class_ == (bands[0].label if bands else None)
        for group in results.groups:
            members = [results.unit(name) for name in group.units]
            values = [u.exact.index if rounding.average_of_unrounded else u.index for u in members]
            # Added smallest first, whatever the order of the rows (docs/architecture.md).
            assert group.average == round_as(sum(sorted(values), D(0)) / len(values), rounding.average)


@SCORING
@given(st.data())
def test_classes_cover_every_index_without_a_bonus(data: st.DataObject) -> None:
    scenario = data.draw(scenarios(bonus=False))
    results = score(scenario.model, data.draw(records(scenario)))
    for unit in results.units:
        if scenario.model.classes:
            assert unit.class_ is not None, unit.index


@SCORING
@given(st.data())
def test_ranks_follow_the_index(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    ranking = scenario.model.ranking
    if ranking is None:
        return
    results = score(scenario.model, data.draw(records(scenario, min_size=2)))
    scopes = ([results.in_group(g.name) for g in results.groups] if ranking.within_group
              else [list(results.units)])
    for units in scopes:
        for a in units:
            for b in units:
                assert a.rank is not None and b.rank is not None
                if a.index > b.index:
                    assert a.rank < b.rank, (a.unit, b.unit)
        assert min(u.rank or 0 for u in units) == 1


# ---- the formatter's round-trip --------------------------------------------------------------------


def _round_trip(model: m.Model) -> str:
    text = to_par(model)
    built = build_source(text, "<formatted>", None)
    assert built.model is not None, [d.message for d in built.diagnostics]
    assert built.model == model, text
    assert to_par(built.model) == text
    return text


@FORMATTING
@given(models())
def test_any_model_the_builder_can_produce_survives_formatting(model: m.Model) -> None:
    _round_trip(model)


@SCORING
@given(scenarios(bonus=True))
def test_a_scoring_ruleset_survives_formatting(scenario: Scenario) -> None:
    # the scenarios are made as models: this also checks they are what the builder would make
    _round_trip(scenario.model)


def _shipped() -> list[Path]:
    found: set[Path] = set()
    for folder in ("rulesets", "tests/fixtures", "tests/data", "examples"):
        found.update((ROOT / folder).rglob("*.par"))
    return sorted(found)


@pytest.mark.parametrize("path", _shipped(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_ruleset_survives_formatting(path: Path) -> None:
    built = build_source(path.read_text(encoding="utf-8"), str(path), path.parent)
    if built.model is None:
        pytest.skip("does not parse (a deliberately broken file)")
    _round_trip(built.model)
