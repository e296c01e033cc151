"""Scored results as values: per node, per unit, per group.

Figures come in two forms. The plain fields (`total`, `components`, `index`, …) are what the decision
publishes: rounded exactly as the ruleset's `rounding` block says (unrounded where it says nothing).
`exact` keeps the unrounded figures, from which the index is computed and explanations add up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Literal

from attrs import field, frozen

from parrules.diagnostics import Diagnostic
from parrules.model import ClassTable, Model, Rounding, Value
from parrules.rounding import rounder

NodeStatus = Literal["scored", "not_applicable", "excluded"]
# The national index publishes sub-indices per field and per criterion (chỉ số thành phần).
INDEX_KINDS = ("component", "field", "criterion")


@frozen
class NodeResult:
    """One node for one unit. `max` is the applicable maximum (0 when the node does not apply)."""

    id: str
    kind: str
    title: str
    points: Decimal
    max: Decimal
    declared_max: Decimal
    status: NodeStatus
    branch: int | None = None  # which case of the leaf's rule fired (see explain)
    reason: str | None = None  # why a node does not apply / is excluded, in words
    # ... and as a code: parent, excluded, condition (its own `applies if`), children (none of them applies)
    cause: str | None = None
    children: tuple[NodeResult, ...] = ()
    stage_points: dict[str, Decimal] = field(factory=dict)  # unrounded points at earlier stages

    @property
    def index(self) -> Decimal | None:
        """Points ÷ applicable maximum × 100, unrounded; None where the node does not apply."""
        if self.status != "scored" or self.max <= 0:
            return None
        return self.points / self.max * 100

    def walk(self) -> Iterator[NodeResult]:
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> Iterator[NodeResult]:
        return (n for n in self.walk() if not n.children)


@frozen
class Exact:
    """Unrounded figures."""

    components: dict[str, Decimal]
    total: Decimal
    index: Decimal
    bonus: Decimal = Decimal(0)
    penalty: Decimal = Decimal(0)
    extras: dict[str, Decimal] = field(factory=dict)  # each bonus and penalty, capped, unrounded


@frozen
class UnitResult:
    unit: str
    row: int
    group: str | None
    components: dict[str, Decimal]
    total: Decimal
    max: Decimal
    index: Decimal
    class_: str | None
    rank: int | None
    exact: Exact
    extras: dict[str, Decimal] = field(factory=dict)
    stage_totals: dict[str, Decimal] = field(factory=dict)
    max_from_data: bool = False
    # What the unit's rules read (official stage), and the ruleset, for explanations.
    inputs: Mapping[str, Value] = field(factory=dict, eq=False, repr=False)
    model: Model | None = field(default=None, eq=False, repr=False)
    # Per-node results are built on first use: most callers only need the unit's figures.
    node_builder: Callable[[], tuple[NodeResult, ...]] = field(default=lambda: (), eq=False, repr=False)

    @property
    def nodes(self) -> tuple[NodeResult, ...]:
        """The unit's tree: one root per component."""
        return self.node_builder()

    def node(self, node_id: str) -> NodeResult | None:
        for root in self.nodes:
            for node in root.walk():
                if node.id == node_id:
                    return node
        return None

    def leaves(self) -> list[NodeResult]:
        return [leaf for root in self.nodes for leaf in root.leaves()]

    def node_indices(self, kinds: tuple[str, ...] = INDEX_KINDS) -> dict[str, Decimal]:
        """Unrounded index (points ÷ maximum × 100) of each applicable node of these kinds, tree order."""
        return {n.id: index for root in self.nodes for n in root.walk()
                if n.kind in kinds and (index := n.index) is not None}


@frozen
class GroupResult:
    name: str | None
    average: Decimal | None
    units: tuple[str, ...]


@frozen
class Results:
    """Every unit scored, in publication order: by group, then rank, then name."""

    title: str
    year: int | None
    level: str | None
    components: tuple[tuple[str, str], ...]  # (name, title) in ruleset order
    units: tuple[UnitResult, ...]
    groups: tuple[GroupResult, ...]
    average: Decimal | None
    points_rounding: Rounding | None
    index_rounding: Rounding | None
    average_rounding: Rounding | None = None
    classes: tuple[ClassTable, ...] = ()  # the ruleset's class bands, for charts and gap-to-next-class
    # What reading the data said that did not stop scoring (an unknown column, …); never a change of figures.
    warnings: tuple[Diagnostic, ...] = ()

    def round_points(self, value: Decimal) -> Decimal:
        """Round a point figure as this ruleset publishes points (a node's, a component's)."""
        return rounder(self.points_rounding)(value)

    def unit(self, name: str) -> UnitResult:
        for unit in self.units:
            if unit.unit == name:
                return unit
        raise KeyError(name)

    def class_table(self, group: str | None) -> ClassTable | None:
        """The bands that class this group's units: its own table, else the one for every group."""
        for wanted in (group, None):
            for table in self.classes:
                if table.group == wanted:
                    return table
        return None

    def in_group(self, group: str | None) -> list[UnitResult]:
        return [u for u in self.units if u.group == group]

    def round_index(self, value: Decimal) -> Decimal:
        return rounder(self.index_rounding)(value)

    def node_indices(self, unit: UnitResult, kinds: tuple[str, ...] = INDEX_KINDS) -> dict[str, Decimal]:
        """A unit's per-field and per-criterion indices, rounded as the ruleset rounds the index."""
        return {k: self.round_index(v) for k, v in unit.node_indices(kinds).items()}

    def group_node_indices(self, group: str | None,
                           kinds: tuple[str, ...] = INDEX_KINDS) -> dict[str, Decimal]:
        """Per node, the mean of the published (rounded) indices of the group's units where it applies.

        Rounded as the ruleset rounds averages; a node that applies to no unit of the group has none.
        """
        sums: dict[str, list[Decimal]] = {}
        for unit in self.in_group(group):
            for node_id, value in self.node_indices(unit, kinds).items():
                sums.setdefault(node_id, []).append(value)
        average = rounder(self.average_rounding)
        return {k: average(sum(v, Decimal(0)) / len(v)) for k, v in sums.items()}
