"""Scored results as values: per node, per unit, per group.

Figures come in two forms. The plain fields (`total`, `components`, `index`, …) are what the decision
publishes: rounded exactly as the ruleset's `rounding` block says (unrounded where it says nothing).
`exact` keeps the unrounded figures, from which the index is computed and explanations add up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypeAlias, get_args

from attrs import field, frozen

from parrules.data.text import fold
from parrules.diagnostics import Diagnostic
from parrules.i18n import _
from parrules.model import ClassTable, Model, NodeKind, Rounding, Value
from parrules.rounding import rounder

if TYPE_CHECKING:
    import pandas

NodeStatus = Literal["scored", "not_applicable", "excluded"]
# The national index publishes sub-indices per field and per criterion (chỉ số thành phần).
INDEX_KINDS = ("component", "field", "criterion")
NODE_KINDS: tuple[str, ...] = get_args(NodeKind)

# How `to_records` writes figures: exact (the default), as floats for a chart, as the published text.
Decimals: TypeAlias = Literal["decimal", "float", "text"]
RecordValue: TypeAlias = Decimal | float | int | str | None


class UnitNotFoundError(KeyError):
    """No unit has the name asked for. `near`: the names meant most likely, nearest first.

    A `KeyError`, as `Results.unit` raises, whose text is a sentence (a `KeyError` shows its repr).
    """

    def __init__(self, name: str, near: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        self.name = name
        self.near = near
        names = ", ".join(f"`{n}`" for n in near)
        self.message = (_("no unit named `{unit}`; did you mean {names}?").format(unit=name, names=names) if near
                        else _("no unit named `{unit}`").format(unit=name))

    def __str__(self) -> str:
        return self.message


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
        """Unrounded index (points ÷ maximum × 100) of each applicable node of these kinds, tree order.

        With the unit's maximum from the data (`unit max from data`), a ruleset of one component
        gives that component the unit's maximum, so its index is the unit's; below it the rules do
        not say where the difference lies, and fields and criteria keep the rules' maxima
        (`unitemised` says by how much).
        """
        found = {n.id: index for root in self.nodes for n in root.walk()
                 if n.kind in kinds and (index := n.index) is not None}
        if self.unitemised and len(self.nodes) == 1 and self.nodes[0].id in found:
            root = self.nodes[0]
            own = root.max - self.unitemised
            if own > 0:
                found[root.id] = root.points / own * 100
        return found

    @property
    def unitemised(self) -> Decimal:
        """How far the unit's maximum from the data is below what its applicable criteria add up to."""
        if not self.max_from_data or self.model is None:
            return Decimal(0)
        bonus = sum((x.cap for x in self.model.extras if x.kind == "bonus" and x.in_scale), Decimal(0))
        return sum((r.max for r in self.nodes), Decimal(0)) + bonus - self.max


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
    # The checked ruleset, for documents that print its method (scale, exclusions, rounding, header).
    model: Model | None = field(default=None, eq=False, repr=False)

    def round_points(self, value: Decimal) -> Decimal:
        """Round a point figure as this ruleset publishes points (a node's, a component's)."""
        return rounder(self.points_rounding)(value)

    def unit(self, name: str) -> UnitResult:
        for unit in self.units:
            if unit.unit == name:
                return unit
        raise KeyError(name)

    def find(self, name: str) -> UnitResult:
        """The unit a person means by `name`, as `parrules explain --unit` finds it.

        Case, runs of spaces and composed or decomposed accents (NFC / NFD) do not matter; accents
        themselves do: `So Noi vu` is not `Sở Nội vụ` (another unit may differ only by its accents), so
        it raises `UnitNotFoundError` (a `KeyError`) saying "did you mean `Sở Nội vụ`?" — as does any
        name that is near none, listing the nearest.
        """
        import difflib

        from parrules.data.text import text_key

        wanted = text_key(name)
        for unit in self.units:
            if unit.unit == name or text_key(unit.unit) == wanted:
                return unit  # names are unique by their key: scoring refuses a unit written twice (DAT105)
        keys = {text_key(u.unit): u.unit for u in self.units}
        folded = fold(wanted)
        near = [shown for key, shown in keys.items() if fold(key) == folded]
        if not near:
            near = [keys[key] for key in difflib.get_close_matches(wanted, list(keys), n=3, cutoff=0.5)]
        raise UnitNotFoundError(name, tuple(near))

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

    # ---- as a table ----

    def to_records(self, *, nodes: bool | Collection[str] = False,
                   decimals: Decimals = "decimal") -> list[dict[str, RecordValue]]:
        """One dict per unit, in the results' order: the published table as data.

        Keys: `unit`, `group`, each component's name, each bonus and penalty id (where a unit has
        one), `total`, `max`, `index`, `class`, `rank`, and `total@STAGE` for the earlier stages the
        data gives; a unit without one of these has None. Figures are rounded as the ruleset publishes
        them. `nodes=True` adds, for every node of the tree, its points (key: its id, `1.2.3`; rounded
        as points are; None where the node does not apply or is excluded) and its applicable maximum
        (key `1.2.3 max`; 0 where it does not apply); `nodes` may instead name node kinds (`field`,
        `criterion`, …) and node ids. A component's points are its own column already.

        `decimals`: `"decimal"` keeps every figure an exact `Decimal`; `"float"` gives floats, for a
        chart only; `"text"` gives the text the results table prints (`62.30`, a maximum as `98`).
        """
        write = _writer(decimals)
        wanted = self._node_filter(nodes)
        extras = _keys_in_order(u.extras for u in self.units)
        stages = _keys_in_order(u.stage_totals for u in self.units)
        records: list[dict[str, RecordValue]] = []
        for unit in self.units:
            record: dict[str, RecordValue] = {"unit": unit.unit, "group": unit.group}
            record.update((name, write(unit.components.get(name))) for name, _title in self.components)
            record.update((key, write(unit.extras.get(key))) for key in extras)
            record.update(total=write(unit.total), max=write(unit.max, whole=True), index=write(unit.index))
            record.update({"class": unit.class_, "rank": unit.rank})
            record.update((f"total@{stage}", write(unit.stage_totals.get(stage))) for stage in stages)
            if wanted is not None:
                for root in unit.nodes:
                    for node in root.walk():
                        if not wanted(node):
                            continue
                        if node.kind != "component":
                            scored = node.status == "scored"
                            record[node.id] = write(self.round_points(node.points)) if scored else None
                        record[f"{node.id} max"] = write(node.max, whole=True)
            records.append(record)
        return records

    def to_pandas(self, *, nodes: bool | Collection[str] = False,
                  decimals: Decimals = "decimal") -> pandas.DataFrame:
        """`to_records` as a pandas DataFrame, one row per unit (needs pandas: `parrules[pandas]`).

        Decimals stay `Decimal`s (an `object` column) unless `decimals="float"`; `rank` is a
        nullable integer column (`Int64`).
        """
        try:
            pandas_module = importlib.import_module("pandas")  # only here: parrules does not need pandas
        except ImportError:
            raise ImportError(_("Results.to_pandas needs pandas: pip install 'parrules[pandas]'")) from None
        records = self.to_records(nodes=nodes, decimals=decimals)
        columns = list(records[0]) if records else ["unit", "group", *(n for n, _t in self.components),
                                                    "total", "max", "index", "class", "rank"]
        frame = pandas_module.DataFrame.from_records(records, columns=columns)
        # A unit without a rank (a ruleset with no `rank` line) would turn the whole column into floats.
        frame["rank"] = frame["rank"].astype("Int64")
        return frame

    def _node_filter(self, nodes: bool | Collection[str]) -> Callable[[NodeResult], bool] | None:
        """Which nodes `to_records` gives columns to; raises `ValueError` for an id the tree lacks."""
        if nodes is False:
            return None
        if nodes is True:
            return lambda node: True
        if isinstance(nodes, str):  # `nodes="criterion"` means one kind, not nine letters
            nodes = (nodes,)
        kinds = {n for n in nodes if n in NODE_KINDS}
        ids = set(nodes) - kinds
        if ids and self.units:
            known = {n.id for root in self.units[0].nodes for n in root.walk()}
            unknown = sorted(ids - known)
            if unknown:
                raise ValueError(_("no node {ids} in the ruleset; give node ids or the kinds {kinds}").format(
                    ids=", ".join(f"`{i}`" for i in unknown), kinds=", ".join(NODE_KINDS)))
        return lambda node: node.kind in kinds or node.id in ids


def _writer(decimals: Decimals) -> Callable[..., RecordValue]:
    """How `to_records` writes a figure (None stays None); `whole`: a maximum, written 98 as text."""
    if decimals not in get_args(Decimals):
        raise ValueError(_("`decimals` must be one of {choices}, not `{given}`").format(
            choices=", ".join(get_args(Decimals)), given=decimals))

    def write(value: Decimal | None, *, whole: bool = False) -> RecordValue:
        if value is None or decimals == "decimal":
            return value
        if decimals == "float":
            return float(value)  # asked for: a chart's axis, never a figure to publish or add up
        return format(value.normalize() if whole else value, "f")

    return write


def _keys_in_order(mappings: Iterable[Mapping[str, Decimal]]) -> list[str]:
    """Every key of some unit's mapping (bonus ids, stages), in the order they first appear."""
    return list(dict.fromkeys(key for mapping in mappings for key in mapping))
