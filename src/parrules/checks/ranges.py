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
from parrules.i18n import _
from parrules.vocabulary import kind as kind_words

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
            self.threshold(rule)
            if rule.of_counts:
                self.counted(rule)
            elif rule.full_from is None:
                self.proportional(rule.input, rule.zero_below, {}, rule.span)
        elif isinstance(rule, m.Deduct):
            floor = rule.floor if rule.floor is not None else leaf.min
            if floor > leaf.max or (rule.floor is not None and floor < leaf.min):
                stop = _("the floor is where deductions stop: at most the maximum {max}").format(max=num(leaf.max))
                self.report(Range(floor, floor), rule.span, _("the floor"), _("the floor is {amount}"),
                            hint=stop if floor > leaf.max else None)
        elif isinstance(rule, m.Given):
            decl = self.ctx.declared.get(rule.input)
            if decl is not None and not decl.implicit and (decl.low is not None or decl.high is not None):
                low = decl.low if decl.low is not None else -INF
                high = decl.high if decl.high is not None else INF
                self.report(Range(low, high), rule.span, _("the range of `{name}`").format(name=rule.input),
                            _("`{name}` can be given {{amount}} (its range)").format(name=rule.input),
                            hint=_("make the range of `{name}` fit within {low} to {high}").format(
                                name=rule.input, low=num(leaf.min), high=num(leaf.max)))
        elif isinstance(rule, m.FullUnless):
            self.report(Range(ZERO, ZERO), rule.span, _("a violation"), _("a violation gives {amount}"))
        elif exact(self.ctx, rule.expr):
            found = range_of(self.ctx, rule.expr, {}, leaf.max)
            if found is not None:
                self.report(found, rule.span, _("this formula"), _("this formula gives {amount}"))

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
            if names & set(self.ctx.declared):
                self.report(found, outcome.span, _("this formula"), _("this formula gives {amount}"))
            else:
                self.report(found, outcome.span, _("this outcome"), _("this outcome gives {amount}"))

    def threshold(self, rule: m.Proportional) -> None:
        """`full from t%`: 0 < t ≤ 100, above any `zero below`; `if zero -> N` within the node's bounds."""
        t = rule.full_from
        if t is not None and not ZERO < t <= 100:
            self.ctx.error("PAR226", _("`full from {value}%`: the threshold must be above 0 % and at most "
                                       "100 %").format(value=num(t)),
                           _("write the rate from which the criterion earns its maximum, e.g. `full from 80%`"),
                           rule.span)
        if t is not None and rule.zero_below is not None and rule.zero_below >= t:
            self.ctx.error("PAR226", _("`zero below {low}%` is not below `full from {high}%`").format(
                               low=num(rule.zero_below), high=num(t)),
                           _("the rate earns nothing below the first and everything from the second"), rule.span)
        policy = rule.if_zero
        if policy is not None and policy.kind == "points":
            self.report(Range(policy.points, policy.points), policy.span, "`if zero`",
                        _("`if zero` gives {amount}"))

    def counted(self, rule: m.Proportional) -> None:
        """A rate of counts is at most 100 % only where the numerator is declared `at most` its denominator."""
        if rule.full_from is not None:
            return  # the threshold caps the points at the maximum
        decl = self.ctx.declared.get(rule.input)
        bounded = decl is not None and decl.at_most is not None and decl.at_most in (*rule.denominator,)
        if bounded:
            return
        denominator = rule.denominator[0] if len(rule.denominator) == 1 else "max(…)"
        self.ctx.error("PAR226", _("`{name}` can be more than `{of}`, so the rate can be above 100 % and the points "
                                   "above the maximum {max}").format(name=rule.input, of=denominator,
                                                                    max=num(self.leaf.max)),
                       _("declare `{name} count at most {of}` if it never exceeds it, or cap the points with "
                         "`full from 100%`").format(name=rule.input, of=rule.denominator[0]), rule.span)

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
        self.report(values, span, "`proportional`",
                    _("`proportional` gives {{amount}} ({name} can be up to {rate}%)").format(
                        name=name, rate=num(rate.hi)))

    def report(self, found: Range, span: m.Span, subject: str, saying: str, *, hint: str | None = None) -> None:
        """`subject` names what gives the points ("this formula"); `saying` says it gives `{amount}`."""
        leaf = self.leaf
        fixed = found.lo == found.hi
        node, top, bottom = leaf.label, num(leaf.max), num(leaf.min)
        if found.hi > leaf.max:
            amount = num(found.hi) if fixed else _("up to {value}").format(value=num(found.hi))
            said = saying.format(amount=amount)
            if leaf.extra is not None:
                message = (_("{subject} has no upper limit; the cap {cap} of {node} cuts it") if found.hi == INF
                           else _("{said}, above the cap {cap} of {node}; the cap cuts it"))
                self.ctx.warning("PAR251", message.format(subject=subject, said=said, cap=top, node=node),
                                 _("if the decision caps it on purpose, write `min(…, {cap})`; otherwise correct "
                                   "the cap (`up to …`)").format(cap=top), span)
            else:
                message = (_("{subject} has no upper limit, but the maximum of {node} is {max}") if found.hi == INF
                           else _("{said}, above the maximum {max} of {node}"))
                default = (_("correct the points: a node never gives more than its maximum") if fixed else
                           _("cap it with `min(…, max)` if the decision caps it, or correct the formula or the "
                             "ranges"))
                chosen = hint or default
                if leaf.span.file != span.file:
                    # An extension restated the maximum: the rule is the framework's, the cause is here.
                    chosen += " " + _("(the maximum {max} is restated in {file}, line {line})").format(
                        max=top, file=leaf.span.file, line=leaf.span.line)
                self.ctx.error("PAR210", message.format(subject=subject, said=said, max=top, node=node),
                               chosen, span)
        if found.lo < leaf.min:
            amount = num(found.lo) if fixed else _("as little as {value}").format(value=num(found.lo))
            said = saying.format(amount=amount)
            if leaf.extra is not None:
                kind = kind_words(leaf.extra.kind)
                message = (_("{subject} has no lower limit, below 0; a {kind} below 0 counts as 0")
                           if found.lo == -INF else _("{said}, below 0; a {kind} below 0 counts as 0"))
                self.ctx.error("PAR252", message.format(subject=subject, said=said, kind=kind),
                               _("write {kind} points as positive amounts: a penalty is subtracted from the total "
                                 "by itself").format(kind=kind), span)
                return
            if found.lo == -INF:
                message = _("{subject} has no lower limit, but the minimum of {node} is {min}")
                hint = hint or _("stop it at the minimum with `max(…, {min})`, or use `deduct … floor …`").format(
                    min=bottom)
            else:
                message = _("{said}, below the minimum {min} of {node}")
                hint = hint or _("if the decision takes points away here, write `min {low}` after `max {max}`; "
                                 "otherwise correct it").format(low=num(found.lo), max=top)
            self.ctx.error("PAR210", message.format(subject=subject, said=said, min=bottom, node=node), hint, span)


def _single(ctx: Context, cond: m.Expr) -> str | None:
    names = {e.name for e in subexpressions(cond) if isinstance(e, m.Ref) and e.name in ctx.declared}
    return next(iter(names)) if len(names) == 1 else None
