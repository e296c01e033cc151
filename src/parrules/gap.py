"""How far a unit is from the next class up, and where it could find the points.

"What would this unit need to reach Tốt?" The answer is exact arithmetic on the unit's own tree:

- the target is the lowest unrounded index that the ruleset's rounding publishes inside the next
  class: from 80 with 2 decimals half-up is reached at 79.995 (published 80.00); above 80 needs
  80.01 published, so 80.005 (`target_index`);
- the points needed are target × maximum ÷ 100 − the unit's unrounded total;
- a leaf's gain is what the *total* would rise by if that leaf reached its maximum — less than the
  leaf's own shortfall when a parent is capped or held at its minimum;
- the suggestion takes the largest gains first (the fewest criteria to work on), recomputing the
  tree after each, until the target is reached; the last one may need only part of its gain.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from attrs import frozen

from parrules import model as m
from parrules.exact import CONTEXT
from parrules.results import NodeResult, Results, UnitResult
from parrules.rounding import rounder

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@frozen
class Gain:
    node_id: str
    title: str
    points: Decimal  # now, unrounded
    max: Decimal
    gain: Decimal  # what the total rises by if this leaf reaches its maximum
    used: Decimal  # of that gain, what the suggestion needs (the last suggestion may need less)


@frozen
class ClassGap:
    current: str | None
    next_class: str
    bound: Decimal  # the class's lower bound as the ruleset states it (from 80)
    target_index: Decimal  # the lowest unrounded index published inside the class (79.995)
    needed: Decimal  # points, unrounded
    gains: tuple[Gain, ...]  # every leaf that can still gain, largest first
    suggestion: tuple[Gain, ...]  # largest first, until the target is reached
    reachable: bool
    by_points: bool = False  # the bound and the target are total points (`classes by points`), not an index


class TreeSimulation:
    """The unit's tree as numbers, to ask "what if this leaf had these points" exactly as scoring adds."""

    def __init__(self, unit: UnitResult) -> None:
        if unit.model is None:
            raise ValueError("this result was not scored from a ruleset")
        self.model = unit.model
        self.unit = unit
        declared = {n.id: n for c in self.model.components for n in c.walk()}
        self.nodes: dict[str, m.Node] = {}
        self.results: dict[str, NodeResult] = {}
        self.parent: dict[str, str | None] = {}
        self.points: dict[str, Decimal] = {}
        for root in unit.nodes:
            self._index(root, None, declared)
        self.roots = [r.id for r in unit.nodes if r.status == "scored"]

    def _index(self, result: NodeResult, parent: str | None, declared: dict[str, m.Node]) -> None:
        if result.status != "scored":
            return
        self.nodes[result.id] = declared[result.id]
        self.results[result.id] = result
        self.parent[result.id] = parent
        self.points[result.id] = result.points
        for child in result.children:
            self._index(child, result.id, declared)

    def leaves(self) -> list[str]:
        return [i for i, r in self.results.items() if not r.children]

    def total(self, points: dict[str, Decimal] | None = None) -> Decimal:
        points = points if points is not None else self.points
        tree = sum((points[r] for r in self.roots), ZERO)
        for extra in self.model.extras:
            value = self.unit.exact.extras.get(extra.id, ZERO)
            tree += value if extra.kind == "bonus" else -value
        return max(ZERO, tree)

    def with_leaf(self, points: dict[str, Decimal], leaf: str, value: Decimal) -> dict[str, Decimal]:
        """A copy of `points` with one leaf changed and its ancestors added up again."""
        changed = dict(points)
        changed[leaf] = value
        node = self.parent[leaf]
        while node is not None:
            below = sum((changed[c.id] for c in self.results[node].children if c.id in changed), ZERO)
            declared = self.nodes[node]
            changed[node] = max(declared.min, min(declared.max, below))
            node = self.parent[node]
        return changed

    def apply(self, new_points: dict[str, Decimal]) -> Decimal:
        """The unrounded total with these leaves' points instead."""
        with localcontext(CONTEXT):
            points = dict(self.points)
            for leaf, value in new_points.items():
                points = self.with_leaf(points, leaf, value)
            return self.total(points)


def by_points(results: Results, unit: UnitResult) -> bool:
    """Whether the unit's classes are on its total points (`classes by points`) rather than its index."""
    table = results.class_table(unit.group)
    return table is not None and table.basis == "points"


def next_band(results: Results, unit: UnitResult) -> m.ClassBand | None:
    """The class just above the unit's: the band with the lowest lower bound above its index (or total)."""
    table = results.class_table(unit.group)
    if table is None:
        return None
    value = unit.total if table.basis == "points" else unit.index
    above = [b for b in table.bands if b.lower is not None and (b.lower > value or
                                                                 (b.lower == value and not b.lower_inclusive))]
    return min(above, key=lambda b: b.lower or ZERO, default=None)


def target_index(results: Results, band: m.ClassBand, *, points: bool = False) -> Decimal:
    """The lowest unrounded index (or total, for classes by points) whose published figure falls in the band.

    With 2 decimals half-up, from 80 is reached at 79.995 (it is published as 80.00); above 80 needs
    80.01 published, so 80.005. Truncation needs the bound itself. Where half-even would round the
    halfway value away from the band, the bound itself is asked for (at most half a step too much).
    """
    assert band.lower is not None
    rounding = results.points_rounding if points else results.index_rounding
    if rounding is None:
        return band.lower
    step = Decimal(1).scaleb(-rounding.digits)
    bound = band.lower if band.lower_inclusive else band.lower + step
    if rounding.mode == "truncate":
        return bound
    halfway = bound - step / 2
    return halfway if band.contains(rounder(rounding)(halfway)) else bound


def points_to_next_class(results: Results, unit: UnitResult) -> tuple[str, Decimal] | None:
    """The next class up and the points the unit lacks for it, without the search for where (cheap)."""
    band = next_band(results, unit)
    if band is None or band.lower is None or unit.max <= 0:
        return None
    with localcontext(CONTEXT):
        return band.label, max(ZERO, _target_total(results, unit, band) - unit.exact.total)


def _target_total(results: Results, unit: UnitResult, band: m.ClassBand) -> Decimal:
    """The unrounded total that reaches the band: the target itself by points, else target × maximum ÷ 100."""
    if by_points(results, unit):
        return target_index(results, band, points=True)
    return target_index(results, band) * unit.max / HUNDRED


def class_gap(results: Results, unit: UnitResult) -> ClassGap | None:
    with localcontext(CONTEXT):
        return _class_gap(results, unit)


def _class_gap(results: Results, unit: UnitResult) -> ClassGap | None:
    band = next_band(results, unit)
    if band is None or band.lower is None or unit.model is None or unit.max <= 0:
        return None
    on_points = by_points(results, unit)
    target = target_index(results, band, points=on_points)
    target_total = _target_total(results, unit, band)
    simulation = TreeSimulation(unit)
    start = simulation.total()
    gains = sorted(_gains(simulation, simulation.points, start), key=lambda g: (-g.gain, g.node_id))
    suggestion: list[Gain] = []
    points, total = dict(simulation.points), start
    remaining = {g.node_id for g in gains}
    options = gains  # the first round is the unit as it is: no need to work the gains out again
    while total < target_total and options:
        best = options[0]
        remaining.discard(best.node_id)
        used = min(best.gain, target_total - total)
        suggestion.append(Gain(best.node_id, best.title, best.points, best.max, best.gain, used))
        points = simulation.with_leaf(points, best.node_id, simulation.results[best.node_id].max)
        total = simulation.total(points)
        options = sorted((g for g in _gains(simulation, points, total) if g.node_id in remaining),
                         key=lambda g: (-g.gain, g.node_id))
    return ClassGap(unit.class_, band.label, band.lower, target, max(ZERO, target_total - start), tuple(gains),
                    tuple(suggestion), total >= target_total, on_points)


def _gains(simulation: TreeSimulation, points: dict[str, Decimal], total: Decimal) -> list[Gain]:
    out = []
    for leaf in simulation.leaves():
        result = simulation.results[leaf]
        if points[leaf] >= result.max:
            continue
        gain = simulation.total(simulation.with_leaf(points, leaf, result.max)) - total
        if gain > 0:
            out.append(Gain(leaf, result.title, points[leaf], result.max, gain, gain))
    return out
