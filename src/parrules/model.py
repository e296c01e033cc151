"""The ruleset as immutable values: what a `.par` file means, independent of its syntax.

Every class is a frozen attrs class compared by value. Nodes keep a `Span` so the checker can point
at the source; spans are excluded from equality, so two rulesets that say the same thing are equal
wherever they were written (the formatter's round-trip relies on this).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, TypeAlias

import attrs
from attrs import frozen


@frozen
class Span:
    """Where something was written: 1-based line and column, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def unknown(file: str = "<unknown>") -> Span:
        return Span(file, 0, 0, 0, 0)


def _span_field() -> Span:
    return attrs.field(default=Span.unknown(), eq=False, repr=False)


# ---- value types -------------------------------------------------------------------------------


@frozen
class YesNo:
    """Có / không."""

    def describe(self) -> str:
        return "yes/no"


@frozen
class ChoiceOption:
    name: str
    title: str | None = None


@frozen
class Choice:
    """One of a fixed set of outcomes (e.g. on_time, late, none)."""

    options: tuple[ChoiceOption, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.options)

    def describe(self) -> str:
        return "one of (" + ", ".join(self.names()) + ")"


@frozen
class Percent:
    """A rate written in percent units: 85 means 85 %."""

    def describe(self) -> str:
        return "percent"


@frozen
class Count:
    """A whole number of events or documents, never negative."""

    def describe(self) -> str:
        return "count"


@frozen
class Number:
    def describe(self) -> str:
        return "number"


@frozen
class Points:
    """Points given directly (by the unit or the council)."""

    def describe(self) -> str:
        return "points"


ValueType: TypeAlias = YesNo | Choice | Percent | Count | Number | Points
NUMERIC_TYPES = (Percent, Count, Number, Points)

# A value read from unit data: yes/no → bool, choice → its name, numbers → Decimal.
Value: TypeAlias = bool | str | Decimal


@frozen
class Declaration:
    """A unit attribute (decides what applies) or an input (evidence a leaf scores).

    `implicit` marks the input a bare `given` leaf creates for itself, named after the node id.
    """

    name: str
    type: ValueType
    kind: Literal["attribute", "input"]
    title: str | None = None
    default: Value | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    at_most: str | None = None
    implicit: bool = False
    span: Span = _span_field()
    # Which of `low`, `high` and `default` were written as bare numbers (without `%`): for a percent
    # that is ambiguous (is 0.95 a fraction or 0.95 %?), so the checker asks for the `%`.
    bare: tuple[str, ...] = attrs.field(default=(), eq=False, repr=False)


# ---- expressions and conditions ----------------------------------------------------------------


@frozen
class Num:
    value: Decimal
    span: Span = _span_field()


@frozen
class Pct:
    """A percent literal; `value` is in percent units (80% → 80)."""

    value: Decimal
    span: Span = _span_field()


@frozen
class Bool:
    value: bool
    span: Span = _span_field()


@frozen
class Ref:
    """A name: an input, an attribute, a choice, or a builtin (`full`, `scale`)."""

    name: str
    span: Span = _span_field()


@frozen
class NodeMax:
    """`max`: the maximum of the node the rule belongs to (or, in a group rule, the unit's maximum)."""

    span: Span = _span_field()


@frozen
class Neg:
    operand: Expr
    span: Span = _span_field()


BinaryOp: TypeAlias = Literal["+", "-", "*", "/"]
CompareOp: TypeAlias = Literal["=", "!=", "<", "<=", ">", ">="]


@frozen
class Binary:
    op: BinaryOp
    left: Expr
    right: Expr
    span: Span = _span_field()


@frozen
class Call:
    function: Literal["min", "max"]
    args: tuple[Expr, ...]
    span: Span = _span_field()


@frozen
class Compare:
    """A comparison, possibly chained: `20% <= rate < 30%` has 3 operands and 2 operators."""

    operands: tuple[Expr, ...]
    ops: tuple[CompareOp, ...]
    span: Span = _span_field()


@frozen
class And:
    left: Expr
    right: Expr
    span: Span = _span_field()


@frozen
class Or:
    left: Expr
    right: Expr
    span: Span = _span_field()


@frozen
class Not:
    operand: Expr
    span: Span = _span_field()


Expr: TypeAlias = Num | Pct | Bool | Ref | NodeMax | Neg | Binary | Call | Compare | And | Or | Not


# ---- leaf rules --------------------------------------------------------------------------------


@frozen
class Outcome:
    """What a branch gives: an expression, or `proportional` (rate × max)."""

    expr: Expr | None = None
    proportional: str | None = None  # the rate input; None with expr None means "the branch's input"
    span: Span = _span_field()


@frozen
class Step:
    key: str | bool
    outcome: Outcome
    span: Span = _span_field()


@frozen
class Steps:
    """A step table on one outcome: `plan_issued: on_time -> 1, late -> 0.5, none -> -1`."""

    input: str
    steps: tuple[Step, ...]
    otherwise: Outcome | None = None
    span: Span = _span_field()


@frozen
class Branch:
    condition: Expr
    outcome: Outcome
    span: Span = _span_field()


@frozen
class Table:
    """Bands or cases: `when cond -> outcome` lines and an optional `otherwise`."""

    branches: tuple[Branch, ...]
    otherwise: Outcome | None = None
    span: Span = _span_field()


ZeroPolicy: TypeAlias = Literal["full", "points", "not_applicable"]


@frozen
class IfZero:
    """What a rate from counts gives when its denominator is 0: full points, `points`, or not applicable."""

    kind: ZeroPolicy
    points: Decimal = Decimal(0)
    span: Span = _span_field()


@frozen
class Proportional:
    """rate × max; zero when the rate is below `zero_below` (in percent units).

    The rate is a percent input, or, with `denominator`, the count `input` ÷ a count × 100 (the larger
    of several counts; `fallback` when they are blank or 0). With `full_from` (percent units) the
    rate earns the maximum from that threshold up and `rate × max ÷ full_from` below it.
    """

    input: str
    zero_below: Decimal | None = None
    full_from: Decimal | None = None
    denominator: tuple[str, ...] = ()
    fallback: str | None = None
    if_zero: IfZero | None = None
    span: Span = _span_field()

    @property
    def of_counts(self) -> bool:
        return bool(self.denominator)

    @property
    def branches(self) -> bool:
        """Whether the rule has ways besides rate × max: `zero below`, `full from` or `if zero`."""
        return (self.zero_below, self.full_from, self.if_zero) != (None, None, None)


@frozen
class DeductPer:
    amount: Decimal
    input: str
    span: Span = _span_field()


@frozen
class DeductIf:
    amount: Decimal
    condition: Expr
    span: Span = _span_field()


@frozen
class Deduct:
    """Start from the maximum, take points off per event, never below `floor` (default: the node's min)."""

    deductions: tuple[DeductPer | DeductIf, ...]
    floor: Decimal | None = None
    span: Span = _span_field()


@frozen
class Given:
    """Points given directly, read from `input` (a `points` input)."""

    input: str
    span: Span = _span_field()


@frozen
class FullUnless:
    """Any violation is zero: full marks unless one of the conditions holds."""

    conditions: tuple[Expr, ...]
    span: Span = _span_field()


@frozen
class Formula:
    expr: Expr
    span: Span = _span_field()


Rule: TypeAlias = Steps | Table | Proportional | Deduct | Given | FullUnless | Formula


# ---- the tree ----------------------------------------------------------------------------------

NodeKind: TypeAlias = Literal["component", "field", "criterion", "sub", "part"]


@frozen
class Provenance:
    """Where a node's rule comes from, and how the ruleset reads the source.

    `follows` says which reading the rule follows where the official text and observed practice
    differ ("text" or "practice"); `other` is the reading it does not follow, kept in words.
    """

    source: str | None = None
    note: str | None = None
    follows: Literal["text", "practice"] | None = None
    other: str | None = None
    span: Span = _span_field()


@frozen
class Node:
    """A component, field (lĩnh vực), criterion (tiêu chí), sub-criterion (tiêu chí thành phần) or part.

    A leaf has a `rule`; an inner node has `children` whose points add up to its own, never above its
    `max` (`capped` says the children's maxima add up to more on purpose) nor below its `min`.
    """

    id: str
    kind: NodeKind
    title: str
    max: Decimal
    min: Decimal = Decimal(0)
    applies: Expr | None = None
    capped: bool = False
    children: tuple[Node, ...] = ()
    rule: Rule | None = None
    provenance: Provenance | None = None
    span: Span = _span_field()

    @property
    def is_leaf(self) -> bool:
        return self.rule is not None

    def walk(self) -> list[Node]:
        """This node and every descendant, parents before children."""
        out: list[Node] = []
        stack = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out


# ---- ruleset-level settings --------------------------------------------------------------------


@frozen
class ExpectedCount:
    kind: Literal["fields", "criteria", "subcriteria", "parts"]
    count: int
    span: Span = _span_field()


@frozen
class Meta:
    title: str = ""
    authority: str | None = None
    year: int | None = None
    level: str | None = None
    scale: Decimal | None = None
    expect: tuple[ExpectedCount, ...] = ()
    unit_max_from_data: bool = False
    # The decision that issues the results, as its annex prints them: "Số: 1234/QĐ-UBND", the date
    # and place ("Lai Châu, ngày 15 tháng 7 năm 2021"), the signature block's lines and the signer.
    decision: str | None = None
    dated: date | None = None
    place: str | None = None
    signature: tuple[str, ...] = ()
    signer: str | None = None
    span: Span = _span_field()


@frozen
class Stage:
    """A scoring stage of given points: self-assessment (tự chấm), appraisal rounds (thẩm định lần 1, 2)."""

    name: str
    title: str | None = None
    official: bool = False
    span: Span = _span_field()


@frozen
class Exclusion:
    """A node dropped for the whole ruleset (e.g. DCCI not published in 2020)."""

    node_id: str
    reason: str
    span: Span = _span_field()


@frozen
class Extra:
    """Bonus (điểm thưởng) or penalty (điểm trừ) outside the tree, capped."""

    id: str
    kind: Literal["bonus", "penalty"]
    title: str
    cap: Decimal
    rule: Rule
    in_scale: bool = False
    span: Span = _span_field()


RoundingMode: TypeAlias = Literal["half-up", "half-even", "truncate"]


@frozen
class Rounding:
    digits: int
    mode: RoundingMode
    span: Span = _span_field()


@frozen
class RoundingSettings:
    """Where the decision rounds. None means exact at that stage.

    leaves:  each leaf's points, before anything is added (changes every later figure);
    points:  published node, component and total points;
    index:   the index, from unrounded points unless `index_from_rounded_points`;
    average: group averages, of the rounded indices unless `average_of_unrounded`.
    """

    leaves: Rounding | None = None
    points: Rounding | None = None
    index: Rounding | None = None
    average: Rounding | None = None
    index_from_rounded_points: bool = False
    average_of_unrounded: bool = False


@frozen
class ClassBand:
    """A class label (xếp loại) and its bounds on the index; None is open."""

    label: str
    lower: Decimal | None = None
    lower_inclusive: bool = True
    upper: Decimal | None = None
    upper_inclusive: bool = False
    span: Span = _span_field()
    # Bounds written as bare numbers (without `%`): the index is a percentage, so the checker asks
    # for the `%` (is 0.8 a fraction of 1 or 0.8 %?).
    bare: tuple[Decimal, ...] = attrs.field(default=(), eq=False, repr=False)

    def contains(self, value: Decimal) -> bool:
        if self.lower is not None and (value < self.lower or (value == self.lower and not self.lower_inclusive)):
            return False
        return not (
            self.upper is not None and (value > self.upper or (value == self.upper and not self.upper_inclusive))
        )


ClassBasis: TypeAlias = Literal["index", "points"]


@frozen
class ClassTable:
    """Bands for every group (`group` None) or for one group, on the index or on the total points.

    `said` records whether the file wrote `by index` / `by points` (the checker asks for it where the
    scale is not 100, and the formatter keeps it).
    """

    bands: tuple[ClassBand, ...]
    group: str | None = None
    basis: ClassBasis = "index"
    said: bool = attrs.field(default=False, eq=False)
    span: Span = _span_field()


@frozen
class GroupRule:
    name: str
    condition: Expr | None = None  # None: `otherwise`
    span: Span = _span_field()


@frozen
class Grouping:
    from_data: bool = False
    rules: tuple[GroupRule, ...] = ()
    span: Span = _span_field()


@frozen
class RankKey:
    field: str  # "index", "total" or a component name
    descending: bool = True
    span: Span = _span_field()


@frozen
class Ranking:
    within_group: bool = True
    keys: tuple[RankKey, ...] = (RankKey("index"),)
    ties: Literal["share", "dense"] = "share"
    span: Span = _span_field()


@frozen
class Model:
    """A whole ruleset, built and name-resolved, but not yet checked."""

    meta: Meta
    attributes: tuple[Declaration, ...] = ()
    inputs: tuple[Declaration, ...] = ()
    stages: tuple[Stage, ...] = ()
    components: tuple[Node, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    extras: tuple[Extra, ...] = ()
    rounding: RoundingSettings = RoundingSettings()
    classes: tuple[ClassTable, ...] = ()
    grouping: Grouping | None = None
    ranking: Ranking | None = None

    def nodes(self) -> list[Node]:
        out: list[Node] = []
        for component in self.components:
            out.extend(component.walk())
        return out

    def leaves(self) -> list[Node]:
        return [n for n in self.nodes() if n.is_leaf]

    def declaration(self, name: str) -> Declaration | None:
        for decl in (*self.attributes, *self.inputs):
            if decl.name == name:
                return decl
        return None

    def official_stage(self) -> Stage | None:
        for stage in self.stages:
            if stage.official:
                return stage
        return self.stages[-1] if self.stages else None

    @property
    def full_scale(self) -> Decimal:
        """The scale after ruleset-wide exclusions: what a unit to which everything applies can reach."""
        excluded = {e.node_id for e in self.exclusions}
        total = Decimal(0)
        for component in self.components:
            total += _applicable_max(component, excluded)
        total += sum((x.cap for x in self.extras if x.kind == "bonus" and x.in_scale), Decimal(0))
        return total


def _applicable_max(node: Node, excluded: set[str]) -> Decimal:
    if node.id in excluded:
        return Decimal(0)
    if node.is_leaf or not node.children:
        return node.max
    below = sum((_applicable_max(c, excluded) for c in node.children), Decimal(0))
    return min(node.max, below) if node.capped else below
