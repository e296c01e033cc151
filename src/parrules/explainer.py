"""Why a unit got its points: the tree, the rule branch each leaf took, where points were lost.

For the appraisal council and the unit's head (người đứng đầu) who must explain a result. Built from
a scored `UnitResult` and its ruleset; nothing is scored again, except in what-if arithmetic on the
tree for the gap to the next class (`gap.py`).

Losses are itemised so that they add up exactly: every applicable leaf loses `max − points`; an inner
node whose points were held at its maximum (`capped`) or its minimum adds the difference as its own
item; bonus, penalty, a lower maximum from the data and the total's floor at 0 are items too. So the
items always sum to the unit's maximum − its unrounded total.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any, cast

import attrs

from parrules import model as m
from parrules.compile import PROPORTIONAL_BELOW, PROPORTIONAL_FULL, PROPORTIONAL_ZERO, denominator_of, references
from parrules.exact import CONTEXT
from parrules.explanation import ExplainedNode, Explanation, Loss, StageLine
from parrules.figures import plain_max
from parrules.format import expr as expr_text
from parrules.gap import class_gap
from parrules.i18n import _
from parrules.results import NodeResult, Results, UnitResult

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def explain(results: Results, unit: UnitResult | str) -> Explanation:
    """Why a unit (a `UnitResult`, or a unit's name) got its points: its tree, the branch each leaf
    took, where points were lost, and what it lacks for the next class.

    A name is found as `parrules explain --unit` finds it (`Results.find`: case, spaces and NFC/NFD
    aside; a name right but for its accents raises `UnitNotFoundError` with a did-you-mean)."""
    found = results.find(unit) if isinstance(unit, str) else unit
    with localcontext(CONTEXT):
        return _explain(results, found)


def _explain(results: Results, unit: UnitResult) -> Explanation:
    if unit.model is None:
        raise ValueError("this result was not scored from a ruleset, so it cannot be explained")
    model = unit.model
    nodes = {n.id: n for c in model.components for n in c.walk()}
    tree = tuple(_node(r, nodes, unit) for r in unit.nodes)
    if unit.unitemised and len(tree) == 1:
        # One component is the whole tree: its maximum is the unit's (the data's); below it the rules'.
        tree = (attrs.evolve(tree[0], max=tree[0].max - unit.unitemised),)
    official = model.official_stage()
    return Explanation(
        unit=unit.unit, group=unit.group, total=unit.total, exact_total=unit.exact.total, max=unit.max,
        index=unit.index, class_=unit.class_, rank=unit.rank, tree=tree,
        losses=tuple(_losses(unit, nodes, model)),
        stages=tuple(_stage_lines(unit, model)),
        stage_totals=tuple(unit.stage_totals.items()),
        official_stage=official.name if official is not None else None,
        extras=tuple((x.kind, x.id, unit.extras[x.id]) for x in model.extras if x.id in unit.extras),
        gap=class_gap(results, unit),
        unitemised=unit.unitemised,
    )


def _node(result: NodeResult, nodes: dict[str, m.Node], unit: UnitResult) -> ExplainedNode:
    node = nodes[result.id]
    why: str | None = None
    inputs: tuple[tuple[str, str], ...] = ()
    if node.rule is not None and result.status == "scored":
        why, shown = _why(node, result, unit.inputs, unit.model)
        inputs = tuple(shown)
    reason = result.reason
    if result.cause == "condition" and node.applies is not None:
        names = sorted(references(node.applies))
        values = ", ".join(f"{n} = {show_value(unit.model, n, unit.inputs[n])}" for n in names if n in unit.inputs)
        if values:
            reason = _("{values}; applies if {condition}").format(values=values, condition=expr_text(node.applies))
    return ExplainedNode(
        result.id, result.kind, result.title, result.points, result.max, result.status, why, reason,
        inputs, tuple(result.stage_points.items()),
        tuple(_node(c, nodes, unit) for c in result.children), node.provenance)


# ---- why a leaf got its points ----------------------------------------------------------------------


def show_value(model: m.Model | None, name: str, value: object) -> str:
    """An input's value as a rule author reads it: 85 %, late (Chậm), yes, 1.5."""
    declaration = model.declaration(name) if model is not None else None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        text = plain_max(value)
        return f"{text} %" if declaration is not None and isinstance(declaration.type, m.Percent) else text
    if declaration is not None and isinstance(declaration.type, m.Choice):
        option = next((o for o in declaration.type.options if o.name == value), None)
        if option is not None and option.title:
            return f"{value} ({option.title})"
    return str(value)


def _outcome_text(outcome: m.Outcome) -> str:
    if outcome.expr is not None:
        return expr_text(outcome.expr)
    return "proportional" + (f" {outcome.proportional}" if outcome.proportional else "")


def _why_proportional(rule: m.Proportional, node: m.Node, branch: int, got: str, env: dict[str, object], *,
                      read: Callable[[list[str]], list[tuple[str, str]]],
                      said: Callable[[list[tuple[str, str]]], str]) -> tuple[str, list[tuple[str, str]]]:
    """rate × max, the rate from counts where it is one, the threshold and the zero denominator said."""
    # The numerator first, then the denominator and its fallback, as the rate is read: a ÷ b.
    names = [rule.input, *rule.denominator, *([rule.fallback] if rule.fallback else [])]
    shown = [pair for name in dict.fromkeys(names) for pair in read([name])]
    top = plain_max(node.max)
    present = [cast(Decimal, env[n]) for n in rule.denominator if n in env]
    fallback_used = rule.fallback is not None and (not present or max(present) == 0)
    if branch == PROPORTIONAL_ZERO:
        policy = rule.if_zero
        if rule.of_counts and denominator_of(rule)(cast(Any, env)) is None:
            gives = "full → " + got if policy is not None and policy.kind == "full" else got
            text = _("{inputs} → no denominator (blank) → if zero -> {points}").format(inputs=said(shown),
                                                                                      points=gives)
            return text, shown
        gives = "full → " + got if policy is not None and policy.kind == "full" else got
        text = _("{inputs} → the denominator is 0 → if zero -> {points}").format(inputs=said(shown), points=gives)
        return text, shown
    if rule.of_counts:
        below = denominator_of(rule)(cast(Any, env))
        assert below is not None
        with localcontext(CONTEXT):
            rate = cast(Decimal, env[rule.input]) * HUNDRED / below
        of = plain_max(below)
        if fallback_used:
            of = _("{value} ({name}, the fallback)").format(value=of, name=rule.fallback)
        rate_text = f"{plain_max(cast(Decimal, env[rule.input]))} ÷ {of} = {_percent(rate)}"
    else:
        rate = cast(Decimal, env[rule.input])
        rate_text = _percent(rate)
    if branch == PROPORTIONAL_BELOW and rule.zero_below is not None:
        return f"{said(shown)} → {rate_text} < {plain_max(rule.zero_below)} % → 0", shown
    if branch == PROPORTIONAL_FULL and rule.full_from is not None:
        return _("{inputs} → {rate} ≥ {threshold} % → full {points}").format(
            inputs=said(shown), rate=rate_text, threshold=plain_max(rule.full_from), points=got), shown
    if rule.full_from is not None:
        threshold = plain_max(rule.full_from)
        return (f"{said(shown)} → {rate_text} < {threshold} % → {_percent(rate)} × {top} ÷ {threshold} % = {got}",
                shown)
    return f"{said(shown)} → proportional → {rate_text} × {top} = {got}", shown


def _percent(rate: Decimal) -> str:
    """A rate as explanations show it: to 2 decimals at most (the points keep every digit)."""
    shown = rate.quantize(Decimal("0.01")) if rate.as_tuple().exponent < -2 else rate  # type: ignore[operator]
    return f"{'≈ ' if shown != rate else ''}{plain_max(shown)} %"


def _why(node: m.Node, result: NodeResult, env: object, model: m.Model | None) -> tuple[str, list[tuple[str, str]]]:
    assert isinstance(env, dict)
    rule = node.rule
    branch = result.branch or 0
    got = plain_max(result.points)

    def then(outcome: m.Outcome) -> str:
        """The outcome, and what it came to when that is not already plain (`-> 0.5`, not `-> 0.5 → 0.5`)."""
        text = _outcome_text(outcome)
        return text if text == got else f"{text} → {got}"

    def read(names: set[str] | list[str]) -> list[tuple[str, str]]:
        return [(n, show_value(model, n, env[n])) for n in sorted(names) if n in env]

    def said(pairs: list[tuple[str, str]]) -> str:
        return ", ".join(f"{n} = {v}" for n, v in pairs)

    if isinstance(rule, m.Steps):
        shown = read([rule.input])
        if branch < len(rule.steps):
            step = rule.steps[branch]
            key = step.key if isinstance(step.key, str) else ("yes" if step.key else "no")
            return f"{said(shown)} → {key} -> {then(step.outcome)}", shown
        assert rule.otherwise is not None
        return f"{said(shown)} → otherwise -> {then(rule.otherwise)}", shown
    if isinstance(rule, m.Table):
        if branch < len(rule.branches):
            chosen = rule.branches[branch]
            shown = read(references(chosen.condition) | _outcome_reads(chosen.outcome))
            return f"{said(shown)} → {expr_text(chosen.condition)} -> {then(chosen.outcome)}", shown
        every: set[str] = set()
        for line in rule.branches:
            every |= references(line.condition)
        assert rule.otherwise is not None
        shown = read(every | _outcome_reads(rule.otherwise))
        return _("{inputs} → no line holds → otherwise -> {outcome}").format(
            inputs=said(shown), outcome=then(rule.otherwise)), shown
    if isinstance(rule, m.Proportional):
        return _why_proportional(rule, node, branch, got, env, read=read, said=said)
    if isinstance(rule, m.Deduct):
        parts: list[str] = []
        names: list[str] = []
        for d in rule.deductions:
            if isinstance(d, m.DeductPer):
                names.append(d.input)
                count = env.get(d.input, ZERO)
                if count:
                    parts.append(f"{plain_max(d.amount)} × {plain_max(count)} ({d.input})")
            else:
                names += sorted(references(d.condition))
        shown = read(names)
        held = [f"{plain_max(d.amount)} ({expr_text(d.condition)})" for d in rule.deductions
                if isinstance(d, m.DeductIf) and _held(d.condition, env, model, node.max)]
        taken = parts + held
        if not taken:
            if not shown:
                return _("nothing deducted → {points}").format(points=got), shown
            return _("{inputs} → nothing deducted → {points}").format(inputs=said(shown), points=got), shown
        return f"{said(shown)} → {plain_max(node.max)} − {' − '.join(taken)} → {got}", shown
    if isinstance(rule, m.Given):
        shown = read([rule.input])
        return f"given {said(shown)}", shown
    if isinstance(rule, m.FullUnless):
        every = set()
        for condition in rule.conditions:
            every |= references(condition)
        shown = read(every)
        if branch == 0:
            return _("{inputs} → none of the conditions holds → full {points}").format(
                inputs=said(shown), points=got), shown
        return f"{said(shown)} → {expr_text(rule.conditions[branch - 1])} → 0", shown
    assert isinstance(rule, m.Formula)
    shown = read(references(rule.expr))
    return f"{said(shown)} → {expr_text(rule.expr)} = {got}", shown


def _outcome_reads(outcome: m.Outcome) -> set[str]:
    if outcome.expr is not None:
        return references(outcome.expr)
    return {outcome.proportional} if outcome.proportional else set()


def _held(condition: m.Expr, env: dict[str, object], model: m.Model | None, node_max: Decimal) -> bool:
    """Whether a deduction's condition held: evaluated with the compiler's own code, never re-parsed."""
    from parrules.compile import compile_condition

    assert model is not None
    return bool(compile_condition(condition, model, node_max)(env))  # type: ignore[arg-type]


# ---- losses ------------------------------------------------------------------------------------------


def _losses(unit: UnitResult, nodes: dict[str, m.Node], model: m.Model) -> list[Loss]:
    out: list[Loss] = []

    def visit(result: NodeResult) -> None:
        if result.status != "scored":
            return
        if not result.children:
            out.append(Loss(result.id, result.title, result.max - result.points, "leaf"))
            return
        for child in result.children:
            visit(child)
        below = sum((c.points for c in result.children if c.status == "scored"), ZERO)
        below_max = sum((c.max for c in result.children if c.status == "scored"), ZERO)
        # What the children lost, the node lost too, except what its cap or floor changed.
        adjustment = (result.max - result.points) - (below_max - below)
        if adjustment:
            node = nodes[result.id]
            kind = "floor" if result.points == node.min and below < node.min else "cap"
            out.append(Loss(result.id, result.title, adjustment, kind))

    for root in unit.nodes:
        visit(root)
    tree_max = sum((r.max for r in unit.nodes), ZERO)
    tree_points = sum((r.points for r in unit.nodes if r.status == "scored"), ZERO)
    for extra in model.extras:
        value = unit.exact.extras.get(extra.id, ZERO)
        if extra.kind == "bonus":
            amount = (extra.cap - value) if extra.in_scale else -value
            if extra.in_scale:
                tree_max += extra.cap
            out.append(Loss(extra.id, extra.title, amount, "bonus"))
            tree_points += value
        else:
            out.append(Loss(extra.id, extra.title, value, "penalty"))
            tree_points -= value
    if unit.max != tree_max:
        out.append(Loss("max", _("The unit's maximum (column max)"), unit.max - tree_max, "max_from_data"))
    if unit.exact.total != tree_points:  # the total is never below 0
        out.append(Loss("total", _("Total points"), tree_points - unit.exact.total, "total_floor"))
    return [loss for loss in out if loss.amount or loss.kind == "leaf"]


def _stage_lines(unit: UnitResult, model: m.Model) -> list[StageLine]:
    official = model.official_stage()
    if official is None:
        return []
    order = [s.name for s in model.stages if s is not official]
    lines = []
    for root in unit.nodes:
        for node in root.walk():
            if node.children or not node.stage_points:
                continue
            points = tuple((s, node.stage_points[s]) for s in order if s in node.stage_points)
            lines.append(StageLine(node.id, node.title, points, node.points))
    return lines
