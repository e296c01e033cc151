"""What a rule can give, against the node's minimum and maximum (PAR210) or a bonus's cap (PAR251, PAR252).

Ranges are computed by interval arithmetic over the inputs' declared ranges, narrowed by the table
line's condition. Interval arithmetic is exact only when every input appears once (and no two are
tied by `at most`); otherwise it can overstate, so such formulas are not judged — a false alarm
would teach rule authors to ignore the checker. One tie is understood: `a / b` with `a … at most b`
(issues handled of issues found) is a share in [0, 1] once `b` cannot be 0.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

from attrs import frozen

from parrules import model as m
from parrules.checks.common import INF, Context, Leaf, num, subexpressions
from parrules.checks.sets import Knowledge, NumSet, domain_of
from parrules.checks.tables import analyser

ZERO = Decimal(0)


@frozen
class Range:
    lo: Decimal
    hi: Decimal

    def contains_zero(self) -> bool:
        return self.lo <= 0 <= self.hi


def _mul(a: Decimal, b: Decimal) -> Decimal:
    return ZERO if a == 0 or b == 0 else a * b


def declared_range(decl: m.Declaration) -> Range | None:
    universe = domain_of(decl).universe
    if not isinstance(universe, NumSet) or universe.empty:
        return None
    return Range(universe.parts[0].lo, universe.parts[-1].hi)


def range_of(ctx: Context, expr: m.Expr, env: dict[str, Range], node_max: Decimal | None) -> Range | None:
    """The values `expr` can take, or None where that is not simple to know."""
    try:
        return _range(ctx, expr, env, node_max)
    except (InvalidOperation, ArithmeticError):
        return None


def _range(ctx: Context, expr: m.Expr, env: dict[str, Range], node_max: Decimal | None) -> Range | None:
    if isinstance(expr, m.Num | m.Pct):
        return Range(expr.value, expr.value)
    if isinstance(expr, m.NodeMax):
        return Range(node_max, node_max) if node_max is not None else None
    if isinstance(expr, m.Ref):
        if expr.name in env:
            return env[expr.name]
        decl = ctx.numeric(expr.name)
        return declared_range(decl) if decl is not None else None
    if isinstance(expr, m.Neg):
        inner = _range(ctx, expr.operand, env, node_max)
        return Range(-inner.hi, -inner.lo) if inner else None
    if isinstance(expr, m.Call):
        args = [_range(ctx, a, env, node_max) for a in expr.args]
        if any(a is None for a in args):
            return None
        known = [a for a in args if a is not None]
        pick = min if expr.function == "min" else max
        return Range(pick(a.lo for a in known), pick(a.hi for a in known))
    if isinstance(expr, m.Binary):
        share = _share(ctx, expr, env, node_max)
        if share is not None:
            return share
        a = _range(ctx, expr.left, env, node_max)
        b = _range(ctx, expr.right, env, node_max)
        if a is None or b is None:
            return None
        if expr.op == "+":
            return Range(a.lo + b.lo, a.hi + b.hi)
        if expr.op == "-":
            return Range(a.lo - b.hi, a.hi - b.lo)
        if expr.op == "*":
            products = [_mul(x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
            return Range(min(products), max(products))
        if b.contains_zero():
            return None
        quotients = [ZERO if x == 0 else x / y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
        return Range(min(quotients), max(quotients))
    return None


def _tied_pair(ctx: Context, expr: m.Expr) -> tuple[str, str] | None:
    """`a / b` where the ruleset declares `a … at most b`: a share of b (handled of found, …)."""
    if (isinstance(expr, m.Binary) and expr.op == "/" and isinstance(expr.left, m.Ref)
            and isinstance(expr.right, m.Ref)):
        decl = ctx.declared.get(expr.left.name)
        if decl is not None and decl.at_most == expr.right.name:
            return expr.left.name, expr.right.name
    return None


def _share(ctx: Context, expr: m.Binary, env: dict[str, Range], node_max: Decimal | None) -> Range | None:
    """Such a share lies in [0, 1] when neither can be negative and the divisor cannot be 0."""
    pair = _tied_pair(ctx, expr)
    if pair is None:
        return None
    part = _range(ctx, expr.left, env, node_max)
    whole = _range(ctx, expr.right, env, node_max)
    if part is None or whole is None or part.lo < 0 or whole.lo <= 0:
        return None
    return Range(ZERO, min(Decimal(1), part.hi / whole.lo) if part.hi < INF else Decimal(1))


def exact(ctx: Context, expr: m.Expr) -> bool:
    """Whether interval arithmetic gives the true range: each input once, none tied to another.

    A share `a / b` of two tied inputs (`a … at most b`) counts as one term: its range, [0, 1], is exact.
    """
    shares = [e for e in subexpressions(expr) if _tied_pair(ctx, e) is not None]
    inside = {id(r) for e in shares for r in subexpressions(e)}
    names = [e.name for e in subexpressions(expr)
             if isinstance(e, m.Ref) and e.name in ctx.declared and id(e) not in inside]
    for share in shares:
        pair = _tied_pair(ctx, share)
        assert pair is not None
        # Two shares of one divisor (closed of found, partial of found) are not independent: counting
        # the divisor keeps such formulas unjudged rather than alarming on closed + partial > found.
        names += ["/".join(pair), pair[0], pair[1]]
    counts = Counter(names)
    if any(c > 1 for c in counts.values()):
        return False
    plain = [n for n in counts if n in ctx.declared]
    return not any(ctx.declared[n].at_most in counts and "/".join((n, ctx.declared[n].at_most or "")) not in counts
                   for n in plain)


def check_ranges(ctx: Context) -> None:
    for leaf in ctx.leaves:
        if ctx.sound(leaf.rule) and leaf.min <= leaf.max:  # else PAR304 says what is wrong
            _Leaf(ctx, leaf).run()


class _Leaf:
    def __init__(self, ctx: Context, leaf: Leaf) -> None:
        self.ctx = ctx
        self.leaf = leaf

    def run(self) -> None:
        rule, leaf = self.leaf.rule, self.leaf
        if isinstance(rule, m.Steps):
            for outcome in (*(s.outcome for s in rule.steps), *([rule.otherwise] if rule.otherwise else [])):
                self.outcome(outcome, [], Knowledge(), rule.input)
        elif isinstance(rule, m.Table):
            earlier = Knowledge()
            for branch in rule.branches:
                self.outcome(branch.outcome, [branch.condition], earlier, _single(self.ctx, branch.condition))
                earlier.held_not(branch.condition)
            if rule.otherwise is not None:
                rate = _single(self.ctx, rule.branches[0].condition) if rule.branches else None
                self.outcome(rule.otherwise, [], earlier, rate)
        elif isinstance(rule, m.Proportional):
            self.proportional(rule.input, rule.zero_below, {}, rule.span)
        elif isinstance(rule, m.Deduct):
            floor = rule.floor if rule.floor is not None else leaf.min
            if floor > leaf.max or (rule.floor is not None and floor < leaf.min):
                stop = f"the floor is where deductions stop: at most the maximum {num(leaf.max)}"
                self.report(Range(floor, floor), rule.span, "the floor", verb="is",
                            hint=stop if floor > leaf.max else None)
        elif isinstance(rule, m.Given):
            decl = self.ctx.declared.get(rule.input)
            if decl is not None and not decl.implicit and (decl.low is not None or decl.high is not None):
                low = decl.low if decl.low is not None else -INF
                high = decl.high if decl.high is not None else INF
                self.report(Range(low, high), rule.span, f"`{rule.input}`", verb="can be given", note=" (its range)",
                            hint=f"make the range of `{rule.input}` fit within {num(leaf.min)} to {num(leaf.max)}")
        elif isinstance(rule, m.FullUnless):
            self.report(Range(ZERO, ZERO), rule.span, "a violation", verb="gives")
        elif exact(self.ctx, rule.expr):
            found = range_of(self.ctx, rule.expr, {}, leaf.max)
            if found is not None:
                self.report(found, rule.span, "this formula")

    def outcome(self, outcome: m.Outcome, true: list[m.Expr], earlier: Knowledge, rate: str | None) -> None:
        expr = outcome.expr
        names = ({e.name for e in subexpressions(expr) if isinstance(e, m.Ref)} if expr is not None
                 else {outcome.proportional or rate or ""})
        env: dict[str, Range] = {}
        for name in names:
            if self.ctx.numeric(name) is None:
                continue
            an = analyser(self.ctx, name, self.leaf)
            d = an.domain
            allowed = earlier.allowed(an)
            for cond in true:
                allowed = d.inter(allowed, an.when_true(cond))
            if not isinstance(allowed, NumSet) or allowed.empty:
                return  # the line can never be used: PAR213 says so
            env[name] = Range(allowed.parts[0].lo, allowed.parts[-1].hi)
        if expr is None:
            self.proportional(outcome.proportional or rate or "", None, env, outcome.span)
            return
        if not exact(self.ctx, expr):
            return
        found = range_of(self.ctx, expr, env, self.leaf.max)
        if found is not None:
            what = "this outcome" if not names & set(self.ctx.declared) else "this formula"
            self.report(found, outcome.span, what)

    def proportional(self, name: str, zero_below: Decimal | None, env: dict[str, Range], span: m.Span) -> None:
        decl = self.ctx.numeric(name)
        rate = env.get(name) or (declared_range(decl) if decl is not None else None)
        if rate is None:
            return
        top = self.leaf.max
        low = rate.lo if zero_below is None else max(rate.lo, zero_below)
        values = Range(_mul(low, top) / 100, _mul(rate.hi, top) / 100)
        if zero_below is not None and rate.lo < zero_below:
            values = Range(min(ZERO, values.lo), values.hi)
        self.report(values, span, "`proportional`", note=f" ({name} can be up to {num(rate.hi)}%)")

    def report(self, found: Range, span: m.Span, subject: str, *, verb: str = "gives", note: str = "",
               hint: str | None = None) -> None:
        leaf = self.leaf
        fixed = found.lo == found.hi
        if found.hi > leaf.max:
            amount = num(found.hi) if fixed else f"up to {num(found.hi)}"
            if leaf.extra is not None:
                said = (f"{subject} has no upper limit{note}; the cap {num(leaf.max)} of {leaf.label} cuts it"
                        if found.hi == INF else
                        f"{subject} {verb} {amount}{note}, above the cap {num(leaf.max)} of {leaf.label}; "
                        "the cap cuts it")
                self.ctx.warning("PAR251", said, f"if the decision caps it on purpose, write "
                                 f"`min(…, {num(leaf.max)})`; otherwise correct the cap (`up to …`)", span)
            else:
                said = (f"{subject} has no upper limit{note}, but the maximum of {leaf.label} is {num(leaf.max)}"
                        if found.hi == INF else
                        f"{subject} {verb} {amount}{note}, above the maximum {num(leaf.max)} of {leaf.label}")
                default = ("correct the points: a node never gives more than its maximum" if fixed else
                           "cap it with `min(…, max)` if the decision caps it, or correct the formula or the ranges")
                self.ctx.error("PAR210", said, hint or default, span)
        if found.lo < leaf.min:
            amount = num(found.lo) if fixed else f"as little as {num(found.lo)}"
            if leaf.extra is not None:
                said = (f"{subject} has no lower limit{note}" if found.lo == -INF else
                        f"{subject} {verb} {amount}{note}")
                self.ctx.error("PAR252", f"{said}, below 0; a {leaf.extra.kind} below 0 counts as 0",
                               f"write {leaf.extra.kind} points as positive amounts: a penalty is subtracted "
                               "from the total by itself", span)
                return
            if found.lo == -INF:
                said = f"{subject} has no lower limit{note}, but the minimum of {leaf.label} is {num(leaf.min)}"
                hint = hint or f"stop it at the minimum with `max(…, {num(leaf.min)})`, or use `deduct … floor …`"
            else:
                said = f"{subject} {verb} {amount}{note}, below the minimum {num(leaf.min)} of {leaf.label}"
                default = (f"if the decision takes points away here, write `min {num(found.lo)}` after "
                           f"`max {num(leaf.max)}`; otherwise correct it")
                hint = hint or default
            self.ctx.error("PAR210", said, hint, span)


def _single(ctx: Context, cond: m.Expr) -> str | None:
    names = {e.name for e in subexpressions(cond) if isinstance(e, m.Ref) and e.name in ctx.declared}
    return next(iter(names)) if len(names) == 1 else None
