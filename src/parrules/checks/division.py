"""Division by a value that can be 0 with nothing saying what to give then (PAR230).

A divisor is safe when its declared range excludes 0, or when what is known at that point excludes
it: an earlier table line `when a = 0 -> …` (that line did not hold), the line's own condition
(`when a > 0 -> b / a`), or the left side of an `and` (`a > 0 and b / a >= 0.5`). The evaluator
reports a zero divisor it meets (DAT122), but the decision must say what a unit with a = 0 gets.
"""

from __future__ import annotations

from decimal import Decimal

from parrules import model as m
from parrules.checks.common import INF, Context, show
from parrules.checks.ranges import range_of
from parrules.checks.sets import Analyser, Domain, Knowledge, NumSet, constant_resolver, domain_of
from parrules.i18n import _


def check_division(ctx: Context) -> None:
    for leaf in ctx.leaves:
        if ctx.sound(leaf.rule):
            _Walker(ctx, leaf.max).rule(leaf.rule)
            if isinstance(leaf.rule, m.Proportional):
                _rate_of_counts(ctx, leaf.rule)
    for node in ctx.nodes:
        if node.applies is not None and ctx.sound_expr(node.applies):
            _Walker(ctx, None).expr(node.applies, [], [])
    grouping = ctx.model.grouping
    earlier: list[m.Expr] = []
    for rule in grouping.rules if grouping is not None else ():
        if rule.condition is not None:
            if ctx.sound_expr(rule.condition):
                _Walker(ctx, None).expr(rule.condition, [], list(earlier))
            earlier.append(rule.condition)


def _rate_of_counts(ctx: Context, rule: m.Proportional) -> None:
    """`proportional a of b` divides by b: a b that can be 0 needs `if zero -> …` (as a division needs a case)."""
    if not rule.of_counts or rule.if_zero is not None:
        return
    names = [*rule.denominator, *([rule.fallback] if rule.fallback else [])]
    lows = [domain_of(decl).universe for n in names if (decl := ctx.numeric(n)) is not None]
    if rule.fallback is None and lows and all(isinstance(u, NumSet) and not u.contains(Decimal(0)) for u in lows):
        return  # every denominator is declared above 0
    shown = rule.denominator[0] if len(rule.denominator) == 1 else f"max({', '.join(rule.denominator)})"
    ctx.error("PAR230", _("`proportional {name} of {of}` divides by {of}, which can be 0, and nothing says what "
                          "to give then").format(name=rule.input, of=shown),
              _("add `if zero -> full`, `if zero -> 0` or `if zero -> not applicable`, as the decision says"),
              rule.span)


class _Walker:
    def __init__(self, ctx: Context, node_max: Decimal | None) -> None:
        self.ctx = ctx
        self.node_max = node_max
        self.reported: set[str] = set()
        self.where = "condition"  # what the hint suggests: a table line, a table around a formula, a guard
        self.earlier = Knowledge()  # the lines of a table above the one being looked at, which did not hold

    def rule(self, rule: m.Rule) -> None:
        if isinstance(rule, m.Steps):
            for step in rule.steps:
                self.outcome(step.outcome, [], [])
            if rule.otherwise is not None:
                self.outcome(rule.otherwise, [], [])
        elif isinstance(rule, m.Table):
            self.where = "table"
            for branch in rule.branches:
                self.expr(branch.condition, [], [])
                self.outcome(branch.outcome, [branch.condition], [])
                self.earlier.held_not(branch.condition)
            if rule.otherwise is not None:
                self.outcome(rule.otherwise, [], [])
        elif isinstance(rule, m.Deduct):
            for deduction in rule.deductions:
                if isinstance(deduction, m.DeductIf):
                    self.expr(deduction.condition, [], [])
        elif isinstance(rule, m.FullUnless):
            for condition in rule.conditions:
                self.expr(condition, [], [])
                self.earlier.held_not(condition)  # any of them holding gives 0: the later ones see it did not
        elif isinstance(rule, m.Formula):
            self.where = "formula"
            self.expr(rule.expr, [], [])

    def outcome(self, outcome: m.Outcome, true: list[m.Expr], false: list[m.Expr]) -> None:
        if outcome.expr is not None:
            self.expr(outcome.expr, true, false)

    def expr(self, expr: m.Expr, true: list[m.Expr], false: list[m.Expr]) -> None:
        if isinstance(expr, m.And):
            self.expr(expr.left, true, false)
            self.expr(expr.right, [*true, expr.left], false)  # `and` stops at a false left side
        elif isinstance(expr, m.Or):
            self.expr(expr.left, true, false)
            self.expr(expr.right, true, [*false, expr.left])
        elif isinstance(expr, m.Neg | m.Not):
            self.expr(expr.operand, true, false)
        elif isinstance(expr, m.Call):
            for arg in expr.args:
                self.expr(arg, true, false)
        elif isinstance(expr, m.Compare):
            for operand in expr.operands:
                self.expr(operand, true, false)
        elif isinstance(expr, m.Binary):
            self.expr(expr.left, true, false)
            self.expr(expr.right, true, false)
            if expr.op == "/":
                self.divisor(expr, true, false)

    def divisor(self, division: m.Binary, true: list[m.Expr], false: list[m.Expr]) -> None:
        d = division.right
        found = range_of(self.ctx, d, {}, self.node_max)
        if found is not None and not found.contains_zero():
            return
        decl = self.ctx.numeric(d.name) if isinstance(d, m.Ref) else None
        domain = domain_of(decl) if decl is not None else Domain(NumSet.between(-INF, INF))
        resolve = constant_resolver(node_max=self.node_max, declared=self.ctx.declared)
        an = Analyser(d, domain, resolve)
        allowed = self.earlier.allowed(an)
        for cond in true:
            allowed = domain.inter(allowed, an.when_true(cond))
        for cond in false:
            allowed = domain.inter(allowed, an.when_false(cond))
        if isinstance(allowed, NumSet) and not allowed.contains(Decimal(0)):
            return
        shown = show(d)
        if shown in self.reported:
            return
        self.reported.add(shown)
        if found is not None and found.lo == found.hi == 0:
            self.ctx.error("PAR230", _("`{division}` divides by 0").format(division=show(division)),
                           _("correct the divisor"), division.span)
            return
        simple = shown if isinstance(d, m.Ref) else f"({shown})"
        if self.where == "table":
            hint = _("add `when {divisor} = 0 -> …` on a line before this one (e.g. `-> max` when there is "
                     "nothing to count)")
        elif self.where == "formula":
            hint = _("make the rule a table: `when {divisor} = 0 -> …` (e.g. `-> max` when there is nothing to "
                     "count), then `otherwise -> …` with this formula")
        else:
            hint = _("test it first: `{divisor} > 0 and …`")
        self.ctx.error("PAR230", _("`{division}` divides by {divisor}, which can be 0, and nothing says what to "
                                   "give then").format(division=show(division), divisor=shown),
                       hint.format(divisor=simple), division.span)
