"""Plan × applicability → generated straight-line Python for the evaluator's hot loop.

The closures of `compile.py` are the reference: every rule, checked and readable, one call per
expression node. Scoring ten thousand units through them spends most of its time calling closures,
not adding decimals. So for each combination of what applies to a unit (an `Applicability`), this
module writes one Python function that scores every applicable leaf and adds up the tree in a
straight line, with the same `Decimal` operations in the same order and in the same contexts as the
closures, so that it gives the same digits — `tests/test_codegen.py` compares the two on generated
rulesets and units, node by node, to the last digit and exponent.

Safety: nothing from a ruleset or a data file is ever written into the source. The source is made
only of identifiers this module makes (`v3`, `q`, `K`, …), integer indices it formats itself, and
Python keywords. Every number, option name and input name reaches the function as an index into a
constants tuple (`K[12]`, `N[4]`); `tests/test_codegen.py` parses every generated module with `ast`
and fails on any string literal or name outside that vocabulary.

Anything unusual — a missing value, a division by zero, a value outside a node's bounds, a step the
rule lacks — makes the generated function give up (`None`), and the evaluator scores that unit with
the reference closures, which say what is wrong. So the generated code only ever has to be right on
the units that score cleanly, and it may evaluate more than the closures do (an extra division that
raises only sends the unit to the reference), never less.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, getcontext, setcontext
from typing import Any, ClassVar

from parrules import model as m
from parrules.compile import HUNDRED, ZERO, Applicability, EvaluationProblem, Plan, PlanNode, single_input
from parrules.exact import ROUNDING, settle

Env = Mapping[str, m.Value]
# (points of every node, branch of every node), or None: score this unit with the reference closures.
Scorer = Callable[[Env], "tuple[list[Decimal], list[int]] | None"]
StageScorer = Callable[[Env, "list[Decimal]"], "tuple[list[Decimal], list[int]] | None"]

_OPERATORS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


class _GiveUp(Exception):  # noqa: N818 - not an error: the unit goes to the reference evaluator
    """Raised inside generated code where the reference evaluator would report a problem."""


# What makes a generated function hand the unit to the reference: all of them are problems the
# reference reports with its own message (DAT121, DAT122, DAT123, DAT104), never results.
_GIVE_UP = (_GiveUp, ArithmeticError, KeyError, EvaluationProblem)


def _chain(values: tuple[Any, ...], ops: tuple[Callable[[Any, Any], bool], ...]) -> bool:
    """A comparison of three or more operands, every operand evaluated first (as the closures do)."""
    return all(op(values[i], values[i + 1]) for i, op in enumerate(ops))


class _Source:
    """The text of one generated module and the constants it refers to by index."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: list[object] = []
        self._constant_at: dict[tuple[str, str], int] = {}
        self.names: list[str] = []
        self._name_at: dict[str, int] = {}
        self.calls: list[Callable[..., Any]] = []

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def constant(self, value: object) -> str:
        """`K[i]` for a value; equal values written differently (1.0 and 1) stay apart."""
        if value is True or value is False or value is None:
            return repr(value)
        key = (type(value).__name__, repr(value))
        at = self._constant_at.get(key)
        if at is None:
            at = self._constant_at[key] = len(self.constants)
            self.constants.append(value)
        return f"K[{at}]"

    def name(self, name: str) -> int:
        at = self._name_at.get(name)
        if at is None:
            at = self._name_at[name] = len(self.names)
            self.names.append(name)
        return at

    def call(self, function: Callable[..., Any]) -> str:
        self.calls.append(function)
        return f"L[{len(self.calls) - 1}]"

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


class _Writer:
    """Writes the statements for one plan's leaves and sums."""

    def __init__(self, plan: Plan, source: _Source) -> None:
        self.plan = plan
        self.source = source
        self.reads: dict[str, None] = {}  # the inputs the written code reads, in first-use order

    def var(self, name: str) -> str:
        self.reads[name] = None
        return f"v{self.source.name(name)}"

    # ---- expressions: the same operations, in the same order, as compile.compile_expr -----------

    def expr(self, e: m.Expr, node_max: Decimal) -> str:
        k = self.source.constant
        if isinstance(e, m.Num | m.Pct | m.Bool):
            return k(e.value)
        if isinstance(e, m.NodeMax):
            return k(node_max)
        if isinstance(e, m.Ref):
            if e.name in self.plan.declared:
                return self.var(e.name)
            return k(e.name)  # a choice option, resolved by the checker
        if isinstance(e, m.Neg):
            return f"(-{self.expr(e.operand, node_max)})"
        if isinstance(e, m.Not):
            return f"(not {self.expr(e.operand, node_max)})"
        if isinstance(e, m.And):
            return f"(bool({self.expr(e.left, node_max)}) and bool({self.expr(e.right, node_max)}))"
        if isinstance(e, m.Or):
            return f"(bool({self.expr(e.left, node_max)}) or bool({self.expr(e.right, node_max)}))"
        if isinstance(e, m.Binary):
            left, right = self.expr(e.left, node_max), self.expr(e.right, node_max)
            if e.op == "/":
                return f"R.divide({left}, {right})"  # a zero divisor raises: the reference reports it
            return f"({left} {e.op} {right})"
        if isinstance(e, m.Call):
            args = [self.expr(a, node_max) for a in e.args]
            if len(args) == 1:
                return args[0]
            return f"{e.function}({', '.join(args)})"
        if isinstance(e, m.Compare):
            operands = [self.expr(o, node_max) for o in e.operands]
            if len(e.ops) <= 2:  # Python's chain evaluates what the closures evaluate, in their order
                parts = [operands[0]]
                for op, operand in zip(e.ops, operands[1:], strict=True):
                    parts += [_OPERATORS[op], operand]
                return f"({' '.join(parts)})"
            ops = tuple(_COMPARE[op] for op in e.ops)
            return f"CH(({', '.join(operands)},), {k(ops)})"
        raise AssertionError(f"cannot generate {e!r}")  # pragma: no cover

    def outcome(self, o: m.Outcome, rate_input: str | None, node_max: Decimal) -> str:
        if o.expr is not None:
            return self.expr(o.expr, node_max)
        rate = o.proportional or rate_input
        assert rate, "proportional without a rate input"  # the checker rejects this
        return f"({self.var(rate)} / {self.source.constant(HUNDRED)} * {self.source.constant(node_max)})"

    # ---- leaves: each sets `v` (points) and `b` (which line of the rule gave them) ---------------

    def leaf(self, p: PlanNode, depth: int) -> None:
        rule, node = p.node.rule, p.node
        assert rule is not None
        k, line = self.source.constant, self.source.line
        top = k(node.max)
        if isinstance(rule, m.Steps):
            # The closures look the value up in a dict: equal keys, first written key's place.
            cases: dict[object, tuple[int, m.Outcome]] = {s.key: (i, s.outcome) for i, s in enumerate(rule.steps)}
            value = self.var(rule.input)
            self.arms(depth, [(f"{value} == {k(key)}", f"v = {self.outcome(o, rule.input, node.max)}; b = {i}")
                              for key, (i, o) in cases.items()],
                      None if rule.otherwise is None else
                      f"v = {self.outcome(rule.otherwise, rule.input, node.max)}; b = {len(rule.steps)}")
        elif isinstance(rule, m.Table):
            declared = self.plan.declared
            rate_default = single_input(rule.branches[0].condition, declared) if rule.branches else None
            self.arms(depth, [(self.expr(b.condition, node.max),
                               f"v = {self.outcome(b.outcome, single_input(b.condition, declared), node.max)}; b = {i}")
                              for i, b in enumerate(rule.branches)],
                      None if rule.otherwise is None else
                      f"v = {self.outcome(rule.otherwise, rate_default, node.max)}; b = {len(rule.branches)}")
        elif isinstance(rule, m.Proportional) and not rule.of_counts:
            self.proportional(rule, node.max, depth)
        elif isinstance(rule, m.Deduct):
            line(depth, f"t = {k(ZERO)}")
            for d in rule.deductions:
                if isinstance(d, m.DeductPer):
                    line(depth, f"t += {k(d.amount)} * {self.var(d.input)}")
            for d in rule.deductions:
                if isinstance(d, m.DeductIf):
                    line(depth, f"if {self.expr(d.condition, node.max)}:")
                    line(depth + 1, f"t += {k(d.amount)}")
            lowest = rule.floor if rule.floor is not None else node.min
            line(depth, f"v = max({k(lowest)}, {top} - t); b = 0 if t == 0 else 1")
        elif isinstance(rule, m.Given):
            line(depth, f"v = {self.var(rule.input)}; b = 0")
        elif isinstance(rule, m.FullUnless):
            self.arms(depth, [(self.expr(c, node.max), f"v = {k(ZERO)}; b = {i + 1}")
                              for i, c in enumerate(rule.conditions)], f"v = {top}; b = 0")
        elif isinstance(rule, m.Formula):
            line(depth, f"v = {self.expr(rule.expr, node.max)}; b = 0")
        else:  # a rate of counts (its denominator's fallbacks): the reference closure, called once
            assert p.leaf is not None
            line(depth, f"v, b = {self.source.call(p.leaf)}(env)")

    def arms(self, depth: int, arms: Sequence[tuple[str, str]], otherwise: str | None) -> None:
        """`if … elif … else`: the first condition that holds gives the points; with no `otherwise`
        line and none holding, the unit goes to the reference (which reports DAT123)."""
        line = self.source.line
        for n, (condition, statement) in enumerate(arms):
            line(depth, f"{'if' if n == 0 else 'elif'} {condition}:")
            line(depth + 1, statement)
        line(depth, "else:")
        line(depth + 1, otherwise if otherwise is not None else "raise GU")

    def proportional(self, rule: m.Proportional, node_max: Decimal, depth: int) -> None:
        k, line = self.source.constant, self.source.line
        value, top = self.var(rule.input), k(node_max)
        if rule.zero_below is not None:
            line(depth, f"if {value} < {k(rule.zero_below)}:")
            line(depth + 1, f"v = {k(ZERO)}; b = 1")
            line(depth, "else:")
            depth += 1
        if rule.full_from is not None:
            line(depth, f"if {value} >= {k(rule.full_from)}:")
            line(depth + 1, f"v = {top}; b = 2")
            line(depth, "else:")
            line(depth + 1, f"v = R.divide({value} * {top}, {k(rule.full_from)}); b = 0")
        else:
            line(depth, f"v = {value} / {k(HUNDRED)} * {top}; b = 0")

    def score_leaf(self, p: PlanNode, depth: int) -> None:
        """One leaf into `q[i]`, `r[i]`: its rule, settled and rounded, within its bounds or give up."""
        line, k = self.source.line, self.source.constant
        if p.quotients:  # as compile's `_in_rounding`: where a quotient's digits may be given up
            line(depth, "setcontext(R)")
        self.leaf(p, depth)
        if p.quotients:
            line(depth, "setcontext(C)")
        if p.divides:
            line(depth, "v = S(v)")
        if self.plan.rounds_leaves:
            line(depth, "v = RL(v)")
        if not (not self.plan.rounds_leaves and _within_bounds(p.node)):
            line(depth, f"if v > {k(p.node.max)} or v < {k(p.node.min)}:")
            line(depth + 1, "raise GU")
        line(depth, f"q[{p.index}] = v; r[{p.index}] = b")

    def sums(self, app: Applicability, depth: int, *, keep: bool) -> None:
        """The applicable inner nodes, children first: `sum([...], ZERO)` clamped to [min, max].

        With `keep` (an earlier stage over the official points), an unchanged sum keeps the official
        object, as the reference does, so that equal figures are the same objects in both."""
        line, k = self.source.line, self.source.constant
        for i, children, low, high in app.inner:
            added = " + ".join(f"q[{c}]" for c in children)
            line(depth, f"t = {k(ZERO)} + {added}" if children else f"t = {k(ZERO)}")
            line(depth, f"if t < {k(low)}:")
            line(depth + 1, f"t = {k(low)}")
            line(depth, f"elif t > {k(high)}:")
            line(depth + 1, f"t = {k(high)}")
            if keep:
                line(depth, f"if t != q[{i}]:")
                line(depth + 1, f"q[{i}] = t")
            else:
                line(depth, f"q[{i}] = t")


def _fixed(o: m.Outcome | None, node_max: Decimal) -> Decimal | None:
    """What an outcome gives when it is a number written in the ruleset (`1`, `-0.5`, `max`), else None."""
    e = o.expr if o is not None else None
    if isinstance(e, m.Num):
        return e.value
    if isinstance(e, m.NodeMax):
        return node_max
    if isinstance(e, m.Neg) and isinstance(e.operand, m.Num):
        return -e.operand.value
    return None


def _within_bounds(node: m.Node) -> bool:
    """Whether every value the leaf's rule can give is a number known now to lie within its bounds.

    Then the unit's data cannot take it out of them, and the generated code need not look again.
    """
    rule = node.rule
    if isinstance(rule, m.Steps):
        outcomes = [s.outcome for s in rule.steps] + ([rule.otherwise] if rule.otherwise else [])
    elif isinstance(rule, m.Table):
        outcomes = [b.outcome for b in rule.branches] + ([rule.otherwise] if rule.otherwise else [])
    elif isinstance(rule, m.FullUnless):
        return node.min <= ZERO <= node.max
    else:
        return False
    values = [_fixed(o, node.max) for o in outcomes]
    return all(v is not None and node.min <= v <= node.max for v in values)


def _module(plan: Plan, app: Applicability, leaves: Sequence[int], *, stage: bool) -> tuple[str, _Source]:
    source = _Source()
    writer = _Writer(plan, source)
    for i in leaves:  # the leaves first, to learn what they read; the reads go above them
        writer.score_leaf(plan.nodes[i], 2)
    writer.sums(app, 2, keep=stage)
    body, source.lines = source.lines, []
    n = len(plan.nodes)
    source.line(0, "def unit(env, start):" if stage else "def unit(env):")
    source.line(1, "C = getcontext()")
    source.line(1, "try:")
    for name in writer.reads:
        source.line(2, f"v{source.name(name)} = env[N[{source.name(name)}]]")
    source.line(2, "q = list(start)" if stage else f"q = [{source.constant(ZERO)}] * {n}")
    source.line(2, f"r = [-1] * {n}")
    source.lines += body
    source.line(2, "return q, r")
    source.line(1, "except GIVE_UP:")
    source.line(2, "setcontext(C)")
    source.line(2, "return None")
    return source.text(), source


def generate(plan: Plan, app: Applicability, leaves: Sequence[int] | None = None) -> str:
    """The source of the scorer for one applicability (or, with `leaves`, of an earlier stage)."""
    return _module(plan, app, app.leaves if leaves is None else leaves, stage=leaves is not None)[0]


def build(plan: Plan, app: Applicability, leaves: Sequence[int] | None = None) -> Any:
    """The generated scorer, compiled: `unit(env)`, or `unit(env, official_points)` for a stage."""
    text, source = _module(plan, app, app.leaves if leaves is None else leaves, stage=leaves is not None)
    namespace: dict[str, Any] = {
        "__builtins__": {"min": min, "max": max, "bool": bool, "list": list},
        "K": tuple(source.constants), "N": tuple(source.names), "L": tuple(source.calls),
        "R": ROUNDING, "S": settle, "RL": plan.round_leaf, "CH": _chain, "GU": _GiveUp, "GIVE_UP": _GIVE_UP,
        "getcontext": getcontext, "setcontext": setcontext,
    }
    # The module's safety note says why running this is safe: no text of a file is in `text`.
    exec(compile(text, "<parrules generated scorer>", "exec"), namespace)
    return namespace["unit"]


# Every name generated source may use: what `build` binds, the builtins it allows, and the locals
# the writer makes (`v<n>` for inputs). `tests/test_codegen.py` holds the source to this list.
VOCABULARY = frozenset({"unit", "env", "start", "C", "q", "r", "v", "b", "t", "K", "N", "L", "R", "S", "RL", "CH",
                        "GU", "GIVE_UP", "getcontext", "setcontext", "min", "max", "bool", "list"})


class Generated:
    """The generated scorers of one plan, made on first use for each applicability and stage."""

    _of: ClassVar[weakref.WeakKeyDictionary[Plan, Generated]] = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, plan: Plan) -> Generated:
        """The plan's scorers, kept as long as the plan is."""
        found = cls._of.get(plan)
        if found is None:
            found = cls._of[plan] = cls(plan)
        return found

    def __init__(self, plan: Plan) -> None:
        # Weakly: `_of` keeps this as long as the plan lives, so a strong reference back would keep
        # every plan (and its ruleset) of a long-running process alive for good.
        self._plan = weakref.ref(plan)
        self._official: dict[int, Scorer] = {}
        self._stages: dict[tuple[int, tuple[int, ...]], StageScorer] = {}

    def plan(self) -> Plan:
        plan = self._plan()
        assert plan is not None, "a plan's scorers are asked for only while the plan is used"
        return plan

    def official(self, app: Applicability) -> Scorer:
        found = self._official.get(id(app))  # applicabilities live as long as the plan: ids are stable
        if found is None:
            found = self._official[id(app)] = build(self.plan(), app)
        return found

    def stage(self, app: Applicability, leaves: tuple[int, ...]) -> StageScorer:
        key = (id(app), leaves)
        found = self._stages.get(key)
        if found is None:
            found = self._stages[key] = build(self.plan(), app, leaves)
        return found


__all__ = ["VOCABULARY", "Generated", "build", "generate"]
