"""Model → Plan: closures over exact decimals, built once per ruleset.

Scoring a unit never walks syntax or the model's expression trees: every rule becomes a Python
closure here. No text from a ruleset or a data file is ever turned into code — names only select
which closure to build and which dictionary key to read.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from attrs import frozen

from parrules import model as m
from parrules.exact import ROUNDING
from parrules.i18n import _
from parrules.rounding import rounder

Env = Mapping[str, m.Value]
ExprFn = Callable[[Env], Any]
LeafFn = Callable[[Env], tuple[Decimal, int]]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
UNIT_MAX = "\0max"  # the unit's applicable maximum inside group conditions; no data column can be named so

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


class EvaluationProblem(Exception):  # noqa: N818 - a problem in the data, reported, not an error of ours
    """A unit's data makes a rule impossible to apply (e.g. a zero divisor the ruleset did not expect)."""

    def __init__(self, code: str, message: str, hint: str, column: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.column = column


def references(expr: m.Expr) -> set[str]:
    """Every bare name an expression mentions."""
    if isinstance(expr, m.Ref):
        return {expr.name}
    out: set[str] = set()
    if isinstance(expr, m.Neg | m.Not):
        out |= references(expr.operand)
    elif isinstance(expr, m.Binary | m.And | m.Or):
        out |= references(expr.left) | references(expr.right)
    elif isinstance(expr, m.Call):
        for arg in expr.args:
            out |= references(arg)
    elif isinstance(expr, m.Compare):
        for operand in expr.operands:
            out |= references(operand)
    return out


def optional_reads(rule: m.Rule) -> frozenset[str]:
    """What a rule reads but can do without: a denominator that has a fallback, and the fallback itself."""
    if isinstance(rule, m.Proportional) and rule.fallback:
        return frozenset((*rule.denominator, rule.fallback))
    return frozenset()


def rule_reads(rule: m.Rule, declared: Mapping[str, m.Declaration]) -> tuple[str, ...]:
    """The declared names (inputs and attributes) a rule reads, in a stable order."""
    names: set[str] = set()

    def outcome(o: m.Outcome | None) -> None:
        if o is None:
            return
        if o.expr is not None:
            names.update(references(o.expr))
        if o.proportional:
            names.add(o.proportional)

    if isinstance(rule, m.Steps):
        names.add(rule.input)
        for step in rule.steps:
            outcome(step.outcome)
        outcome(rule.otherwise)
    elif isinstance(rule, m.Table):
        for branch in rule.branches:
            names.update(references(branch.condition))
            outcome(branch.outcome)
        outcome(rule.otherwise)
    elif isinstance(rule, m.Proportional):
        names.add(rule.input)
        names.update(rule.denominator)
        if rule.fallback:
            names.add(rule.fallback)
    elif isinstance(rule, m.Given):
        names.add(rule.input)
    elif isinstance(rule, m.Deduct):
        for d in rule.deductions:
            if isinstance(d, m.DeductPer):
                names.add(d.input)
            else:
                names.update(references(d.condition))
    elif isinstance(rule, m.FullUnless):
        for c in rule.conditions:
            names.update(references(c))
    else:
        names.update(references(rule.expr))
    return tuple(sorted(n for n in names if n in declared))


# ---- expressions -------------------------------------------------------------------------------


@frozen
class _Context:
    declared: Mapping[str, m.Declaration]
    node_max: Decimal | None = None
    builtins: Mapping[str, Decimal] = {}
    group_rule: bool = False


def _const(value: object) -> ExprFn:
    return lambda env: value


def compile_condition(expr: m.Expr, model: m.Model, node_max: Decimal | None = None) -> ExprFn:
    """One condition of a checked model on its own (explanations re-test which deductions held)."""
    declared = {d.name: d for d in (*model.attributes, *model.inputs)}
    return compile_expr(expr, _Context(declared, node_max))


def compile_expr(expr: m.Expr, ctx: _Context) -> ExprFn:
    if isinstance(expr, m.Num | m.Pct):
        return _const(expr.value)
    if isinstance(expr, m.Bool):
        return _const(expr.value)
    if isinstance(expr, m.NodeMax):
        if ctx.group_rule:
            return lambda env: env[UNIT_MAX]
        return _const(ctx.node_max if ctx.node_max is not None else ZERO)
    if isinstance(expr, m.Ref):
        name = expr.name
        if name in ctx.declared:
            return lambda env: env[name]
        if name in ctx.builtins:
            return _const(ctx.builtins[name])
        return _const(name)  # a choice option, resolved by the checker
    if isinstance(expr, m.Neg):
        inner = compile_expr(expr.operand, ctx)
        return lambda env: -inner(env)
    if isinstance(expr, m.Not):
        inner = compile_expr(expr.operand, ctx)
        return lambda env: not inner(env)
    if isinstance(expr, m.And):
        a, b = compile_expr(expr.left, ctx), compile_expr(expr.right, ctx)
        return lambda env: bool(a(env)) and bool(b(env))
    if isinstance(expr, m.Or):
        a, b = compile_expr(expr.left, ctx), compile_expr(expr.right, ctx)
        return lambda env: bool(a(env)) or bool(b(env))
    if isinstance(expr, m.Binary):
        return _binary(expr, ctx)
    if isinstance(expr, m.Call):
        args = [compile_expr(a, ctx) for a in expr.args]
        pick = min if expr.function == "min" else max
        return lambda env: pick(f(env) for f in args)
    if isinstance(expr, m.Compare):
        operands = [compile_expr(o, ctx) for o in expr.operands]
        ops = [_COMPARE[o] for o in expr.ops]
        if len(ops) == 1:
            (op,), (left, right) = ops, operands

            return lambda env: op(left(env), right(env))

        if len(ops) == 2:  # a band such as 20% <= rate < 30%: the common case, kept short
            (op1, op2), (low, middle, high) = ops, operands

            def between(env: Env) -> bool:
                value = middle(env)
                return bool(op1(low(env), value)) and bool(op2(value, high(env)))

            return between

        def chained(env: Env) -> bool:
            values = [f(env) for f in operands]
            return all(op(values[i], values[i + 1]) for i, op in enumerate(ops))

        return chained
    raise AssertionError(f"cannot compile {expr!r}")  # pragma: no cover


def _binary(expr: m.Binary, ctx: _Context) -> ExprFn:
    a, b = compile_expr(expr.left, ctx), compile_expr(expr.right, ctx)
    if expr.op == "+":
        return lambda env: a(env) + b(env)
    if expr.op == "-":
        return lambda env: a(env) - b(env)
    if expr.op == "*":
        return lambda env: a(env) * b(env)
    divisor_names = sorted(references(expr.right))

    def divide(env: Env) -> Decimal:
        divisor = b(env)
        if divisor == 0:
            shown = ", ".join(f"{n} = {env.get(n)}" for n in divisor_names)
            raise EvaluationProblem(
                "DAT122", (_("division by zero ({values})").format(values=shown) if shown else
                           _("division by zero (the divisor)")),
                _("the ruleset has no case for this value: add a `when … = 0 ->` line, or check the data"),
                divisor_names[0] if divisor_names else None,
            )
        return ROUNDING.divide(a(env), divisor)  # a quotient may need endless digits: settled later

    return divide


# ---- leaves ------------------------------------------------------------------------------------


def single_input(expr: m.Expr, declared: Mapping[str, m.Declaration]) -> str | None:
    names = [n for n in references(expr) if n in declared]
    return names[0] if len(set(names)) == 1 else None


def _outcome(outcome: m.Outcome, ctx: _Context, rate_input: str | None, node_max: Decimal) -> ExprFn:
    if outcome.expr is not None:
        return compile_expr(outcome.expr, ctx)
    rate = outcome.proportional or rate_input
    if not rate:
        raise AssertionError("proportional without a rate input")  # the checker rejects this
    return lambda env: env[rate] / HUNDRED * node_max  # type: ignore[operator]


def compile_rule(rule: m.Rule, node_max: Decimal, node_min: Decimal,
                 declared: Mapping[str, m.Declaration]) -> LeafFn:
    ctx = _Context(declared, node_max)
    if isinstance(rule, m.Steps):
        cases = {step.key: (i, _outcome(step.outcome, ctx, rule.input, node_max))
                 for i, step in enumerate(rule.steps)}
        fallback = (len(rule.steps), _outcome(rule.otherwise, ctx, rule.input, node_max)) if rule.otherwise else None
        name = rule.input

        def steps(env: Env) -> tuple[Decimal, int]:
            found = cases.get(env[name], fallback)  # type: ignore[arg-type]
            if found is None:
                raise EvaluationProblem("DAT123", _("no step for {name} = {value}").format(name=name, value=env[name]),
                                        _("add the missing step or an `otherwise` line"), name)
            return found[1](env), found[0]

        return steps
    if isinstance(rule, m.Table):
        branches = [(compile_expr(b.condition, ctx),
                     _outcome(b.outcome, ctx, single_input(b.condition, declared), node_max))
                    for b in rule.branches]
        rate_default = single_input(rule.branches[0].condition, declared) if rule.branches else None
        otherwise = _outcome(rule.otherwise, ctx, rate_default, node_max) if rule.otherwise else None
        count = len(branches)

        def table(env: Env) -> tuple[Decimal, int]:
            for i, (condition, result) in enumerate(branches):
                if condition(env):
                    return result(env), i
            if otherwise is None:
                raise EvaluationProblem("DAT123", _("no line of the rule applies to this unit's values"),
                                        _("add an `otherwise` line to the rule"))
            return otherwise(env), count

        return table
    if isinstance(rule, m.Proportional):
        return _proportional(rule, node_max)
    if isinstance(rule, m.Deduct):
        per = [(d.amount, d.input) for d in rule.deductions if isinstance(d, m.DeductPer)]
        conditional = [(d.amount, compile_expr(d.condition, ctx)) for d in rule.deductions
                       if isinstance(d, m.DeductIf)]
        lowest = rule.floor if rule.floor is not None else node_min

        def deduct(env: Env) -> tuple[Decimal, int]:
            taken = ZERO
            for amount, name in per:
                taken += amount * env[name]  # type: ignore[operator]
            for amount, condition in conditional:
                if condition(env):
                    taken += amount
            return max(lowest, node_max - taken), 0 if taken == 0 else 1

        return deduct
    if isinstance(rule, m.Given):
        source = rule.input
        return lambda env: (env[source], 0)  # type: ignore[return-value]
    if isinstance(rule, m.FullUnless):
        conditions = [compile_expr(c, ctx) for c in rule.conditions]

        def full_unless(env: Env) -> tuple[Decimal, int]:
            for i, condition in enumerate(conditions):
                if condition(env):
                    return ZERO, i + 1
            return node_max, 0

        return full_unless
    formula = compile_expr(rule.expr, ctx)
    return lambda env: (formula(env), 0)


def denominator_of(rule: m.Proportional) -> Callable[[Env], Decimal | None]:
    """A rate's denominator for a unit: the larger of its counts, else the fallback; None when all are blank.

    Blank and 0 both send a rate to its fallback (the source's "if both are 0 or empty"); the rule's
    `if zero` then says what a denominator that is still 0 (or blank) gives.
    """
    names, fallback = rule.denominator, rule.fallback

    def denominator(env: Env) -> Decimal | None:
        present = [env[n] for n in names if n in env]
        value: Decimal | None = max(present) if present else None  # type: ignore[assignment]
        if (value is None or value == 0) and fallback is not None and env.get(fallback) is not None:
            value = env[fallback]  # type: ignore[assignment]
        return value

    return denominator


# Which line of a proportional rule gave the points (explain shows it): the rate itself, `zero below`,
# `full from` reached, the denominator 0 (`if zero`).
PROPORTIONAL_RATE, PROPORTIONAL_BELOW, PROPORTIONAL_FULL, PROPORTIONAL_ZERO = 0, 1, 2, 3


def zero_denominator(rule: m.Rule) -> Callable[[Env], bool] | None:
    """For `if zero -> not applicable`: whether a unit's denominator is 0 (the criterion then does not apply)."""
    if not (isinstance(rule, m.Proportional) and rule.of_counts and rule.if_zero is not None
            and rule.if_zero.kind == "not_applicable"):
        return None
    denominator, fallback = denominator_of(rule), rule.fallback

    def is_zero(env: Env) -> bool:
        value = denominator(env)
        return value == 0 or (value is None and fallback is not None)

    return is_zero


def _proportional(rule: m.Proportional, node_max: Decimal) -> LeafFn:
    rate_input, floor, full = rule.input, rule.zero_below, rule.full_from
    denominator = denominator_of(rule) if rule.of_counts else None
    policy = rule.if_zero

    def proportional(env: Env) -> tuple[Decimal, int]:
        if denominator is None:
            value: Decimal = env[rate_input]  # type: ignore[assignment]
        else:
            below = denominator(env)
            if below is None or below == 0:
                if policy is None:
                    shown = ", ".join(f"{n} = {env.get(n, '')}" for n in (*rule.denominator, *(
                        [rule.fallback] if rule.fallback else [])))
                    raise EvaluationProblem(
                        "DAT122", _("the rate's denominator is 0 ({values})").format(values=shown),
                        _("say what a zero denominator gives: `if zero -> full`, `if zero -> 0` or "
                          "`if zero -> not applicable`; or check the data"), rule.denominator[0])
                if policy.kind == "full":
                    return node_max, PROPORTIONAL_ZERO
                if policy.kind == "points":
                    return policy.points, PROPORTIONAL_ZERO
                # `if zero -> not applicable`: the plan's applicability has already taken the node out.
                return ZERO, PROPORTIONAL_ZERO
            value = ROUNDING.divide(env[rate_input] * HUNDRED, below)  # type: ignore[operator]
        if floor is not None and value < floor:
            return ZERO, PROPORTIONAL_BELOW
        if full is not None:
            if value >= full:
                return node_max, PROPORTIONAL_FULL
            return ROUNDING.divide(value * node_max, full), PROPORTIONAL_RATE
        return value / HUNDRED * node_max, PROPORTIONAL_RATE

    return proportional


# ---- the plan ----------------------------------------------------------------------------------


@frozen
class PlanNode:
    node: m.Node
    index: int
    parent: int | None
    children: tuple[int, ...]
    component: int
    leaf: LeafFn | None
    reads: tuple[str, ...]
    applies: ExprFn | None
    excluded_because: str | None
    divides: bool = False  # the rule's points may be a quotient, so they may need settling (exact.settle)
    quotients: bool = False  # a division anywhere in the rule, conditions included: it computes inexactly
    required: tuple[str, ...] = ()  # of `reads`, those a unit must have (a denominator with a fallback may be blank)


@frozen
class Applicability:
    """For one combination of attribute values: what applies, and each node's applicable maximum."""

    applies: tuple[bool, ...]
    max: tuple[Decimal, ...]
    unit_max: Decimal
    leaves: tuple[int, ...]  # applicable leaves, in tree order
    # Applicable inner nodes, children before parents: (index, applicable children, min, max).
    inner: tuple[tuple[int, tuple[int, ...], Decimal, Decimal], ...] = ()
    reads: tuple[str, ...] = ()  # every input the applicable leaves and the bonus/penalty rules read
    why: tuple[str | None, ...] = ()  # why a node does not apply: parent, excluded, condition, children


@frozen
class CompiledExtra:
    extra: m.Extra
    leaf: LeafFn
    reads: tuple[str, ...]
    quotients: bool = False  # a division anywhere in the rule (see PlanNode)


class Plan:
    """Everything needed to score units, computed once from a checked model."""

    def __init__(self, model: m.Model) -> None:
        self.model = model
        self.declared: dict[str, m.Declaration] = {d.name: d for d in (*model.attributes, *model.inputs)}
        self.attribute_names = tuple(d.name for d in model.attributes)
        excluded = {e.node_id: e.reason for e in model.exclusions}
        self.nodes: list[PlanNode] = []
        self.components: list[int] = []
        for component in model.components:
            self.components.append(self._add(component, None, len(self.components), excluded))
        self.postorder = [p.index for p in reversed(self.nodes)]  # children before parents
        self.extras = [CompiledExtra(x, compile_rule(x.rule, x.cap, ZERO, self.declared),
                                     rule_reads(x.rule, self.declared), _quotients(x.rule)) for x in model.extras]
        self.extra_reads = tuple(dict.fromkeys(name for x in self.extras for name in x.reads))
        self.scale_bonus = sum((x.cap for x in model.extras if x.kind == "bonus" and x.in_scale), ZERO)
        self.full_scale = model.full_scale
        self.round_leaf = rounder(model.rounding.leaves)
        self.rounds_leaves = model.rounding.leaves is not None
        self.round_points = rounder(model.rounding.points)
        self.round_index = rounder(model.rounding.index)
        self.round_average = rounder(model.rounding.average)
        attribute_refs: set[str] = set()
        for p in self.nodes:
            if p.node.applies is not None:
                attribute_refs |= references(p.node.applies) & set(self.declared)
        self.applicability_inputs = tuple(sorted(attribute_refs))
        # Criteria that do not apply to a unit whose denominator is 0 (`if zero -> not applicable`).
        self.zero_tests = [(p.index, test) for p in self.nodes if p.node.rule is not None
                           for test in [zero_denominator(p.node.rule)] if test is not None]
        self._applicability: dict[tuple[m.Value | None, ...], Applicability] = {}
        self._stage_leaves: dict[tuple[int, frozenset[str]], tuple[int, ...]] = {}
        group_ctx = _Context(self.declared, None,
                             {"full": self.full_scale, "scale": model.meta.scale or self.full_scale}, True)
        self.group_rules = [(g.name, compile_expr(g.condition, group_ctx) if g.condition is not None else None)
                            for g in (model.grouping.rules if model.grouping else ())]
        self.group_reads = sorted({n for g in (model.grouping.rules if model.grouping else ())
                                   if g.condition is not None for n in references(g.condition)
                                   if n in self.declared})

    def _add(self, node: m.Node, parent: int | None, component: int, excluded: Mapping[str, str]) -> int:
        index = len(self.nodes)
        placeholder: list[int] = []
        self.nodes.append(PlanNode(node, index, parent, (), component, None, (), None, None))
        for child in node.children:
            placeholder.append(self._add(child, index, component, excluded))
        leaf = compile_rule(node.rule, node.max, node.min, self.declared) if node.rule is not None else None
        reads = rule_reads(node.rule, self.declared) if node.rule is not None else ()
        applies = compile_expr(node.applies, _Context(self.declared)) if node.applies is not None else None
        optional = optional_reads(node.rule) if node.rule is not None else frozenset()
        self.nodes[index] = PlanNode(node, index, parent, tuple(placeholder), component, leaf, reads, applies,
                                     excluded.get(node.id), node.rule is not None and _divides(node.rule),
                                     node.rule is not None and _quotients(node.rule),
                                     tuple(n for n in reads if n not in optional))
        return index

    def leaves_reading(self, app: Applicability, names: frozenset[str]) -> tuple[int, ...]:
        """The applicable leaves that read any of these inputs (a stage's given points)."""
        key = (id(app), names)  # applicabilities are cached for the plan's life, so their ids are stable
        found = self._stage_leaves.get(key)
        if found is None:
            found = self._stage_leaves[key] = tuple(
                i for i in app.leaves if any(name in names for name in self.nodes[i].reads))
        return found

    def applicability(self, values: Env) -> Applicability:
        key: tuple[m.Value | None, ...] = tuple(values.get(name) for name in self.applicability_inputs)
        zero: frozenset[int] = frozenset()
        if self.zero_tests:
            zero = frozenset(i for i, test in self.zero_tests if test(values))
            key = (*key, *(i in zero for i, _test in self.zero_tests))
        found = self._applicability.get(key)
        if found is None:
            found = self._applicability[key] = self._compute_applicability(values, zero)
        return found

    def _compute_applicability(self, values: Env, zero: frozenset[int] = frozenset()) -> Applicability:
        applies = [False] * len(self.nodes)
        why: list[str | None] = [None] * len(self.nodes)
        for p in self.nodes:  # parents come before children
            if p.parent is not None and not applies[p.parent]:
                why[p.index] = "parent"
            elif p.excluded_because is not None:
                why[p.index] = "excluded"
            elif p.applies is not None and not p.applies(values):
                why[p.index] = "condition"
            elif p.index in zero:
                why[p.index] = "zero"
            else:
                applies[p.index] = True
        maxima = [ZERO] * len(self.nodes)
        for i in self.postorder:
            p = self.nodes[i]
            if applies[i] and p.children and not any(applies[c] for c in p.children):
                applies[i], why[i] = False, "children"  # none of its criteria applies, so neither does it
            if not applies[i]:
                continue
            if p.leaf is not None or not p.children:
                maxima[i] = p.node.max
            else:
                below = sum((maxima[c] for c in p.children), ZERO)
                maxima[i] = min(p.node.max, below) if p.node.capped else below
        unit_max = sum((maxima[c] for c in self.components), ZERO) + self.scale_bonus
        leaves = tuple(p.index for p in self.nodes if p.leaf is not None and applies[p.index])
        inner = tuple((i, tuple(c for c in self.nodes[i].children if applies[c]),
                       self.nodes[i].node.min, self.nodes[i].node.max)
                      for i in self.postorder if applies[i] and self.nodes[i].leaf is None)
        reads = tuple(dict.fromkeys([*(name for i in leaves for name in self.nodes[i].required),
                                     *(name for x in self.extras for name in x.reads)]))
        return Applicability(tuple(applies), tuple(maxima), unit_max, leaves, inner, reads, tuple(why))


def _divides(rule: m.Rule) -> bool:
    """Whether a rule can give a quotient with endless digits (a division in what it gives).

    Everything else — steps, proportional (a rate in percent × a maximum), deductions, given points —
    multiplies and adds short decimals, and is exact as it is.
    """
    if isinstance(rule, m.Proportional) and (rule.of_counts or rule.full_from is not None):
        return True  # a rate of counts, or rate × max ÷ threshold
    return any(_has_division(e) for e in rule_expressions(rule, conditions=False))


def _quotients(rule: m.Rule) -> bool:
    """Whether any expression of the rule divides, its conditions included."""
    if _divides(rule):
        return True
    return any(_has_division(e) for e in rule_expressions(rule))


def rule_expressions(rule: m.Rule, *, conditions: bool = True) -> list[m.Expr]:
    """Every expression of a rule: what its lines give, and (unless told not to) their conditions."""
    found: list[m.Expr] = []

    def outcome(o: m.Outcome | None) -> None:
        if o is not None and o.expr is not None:
            found.append(o.expr)

    if isinstance(rule, m.Steps):
        for step in rule.steps:
            outcome(step.outcome)
        outcome(rule.otherwise)
    elif isinstance(rule, m.Table):
        for branch in rule.branches:
            if conditions:
                found.append(branch.condition)
            outcome(branch.outcome)
        outcome(rule.otherwise)
    elif isinstance(rule, m.Deduct) and conditions:
        found += [d.condition for d in rule.deductions if isinstance(d, m.DeductIf)]
    elif isinstance(rule, m.FullUnless) and conditions:
        found += list(rule.conditions)
    elif isinstance(rule, m.Formula):
        found.append(rule.expr)
    return found


def _has_division(expr: m.Expr) -> bool:
    if isinstance(expr, m.Binary):
        return expr.op == "/" or _has_division(expr.left) or _has_division(expr.right)
    if isinstance(expr, m.Neg | m.Not):
        return _has_division(expr.operand)
    if isinstance(expr, m.And | m.Or):
        return _has_division(expr.left) or _has_division(expr.right)
    if isinstance(expr, m.Call):
        return any(_has_division(a) for a in expr.args)
    if isinstance(expr, m.Compare):
        return any(_has_division(o) for o in expr.operands)
    return False


def compile_model(model: m.Model) -> Plan:
    return Plan(model)
