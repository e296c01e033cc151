"""Sets of values a condition admits, for bands, coverage, class bounds and zero divisors.

A numeric set is a union of intervals with inclusive or exclusive ends (`20% <= rate < 30%`); a
yes/no or choice set is a plain set of values. `Domain` is what a subject (an input, an attribute,
the unit's maximum) can be: a percent is 0–100, a count a whole number from 0, a number or points
what their `range` says. Everything here is exact Decimal arithmetic on bounds; nothing is sampled.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from attrs import frozen

from parrules import model as m
from parrules.checks.common import INF, num
from parrules.i18n import _

Const = Decimal | str | bool


@frozen
class Interval:
    lo: Decimal
    lo_in: bool
    hi: Decimal
    hi_in: bool

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_in and self.hi_in))


@frozen
class NumSet:
    """A union of disjoint intervals, sorted."""

    parts: tuple[Interval, ...] = ()

    @staticmethod
    def of(*parts: Interval) -> NumSet:
        return NumSet(_merge(parts))

    @staticmethod
    def between(lo: Decimal, hi: Decimal, lo_in: bool = True, hi_in: bool = True) -> NumSet:
        return NumSet.of(Interval(lo, lo_in and lo != -INF, hi, hi_in and hi != INF))

    @property
    def empty(self) -> bool:
        return not self.parts

    def union(self, other: NumSet) -> NumSet:
        return NumSet.of(*self.parts, *other.parts)

    def intersect(self, other: NumSet) -> NumSet:
        out: list[Interval] = []
        for a in self.parts:
            for b in other.parts:
                lo, lo_in = (a.lo, a.lo_in) if a.lo > b.lo else (b.lo, b.lo_in) if b.lo > a.lo else (
                    a.lo, a.lo_in and b.lo_in)
                hi, hi_in = (a.hi, a.hi_in) if a.hi < b.hi else (b.hi, b.hi_in) if b.hi < a.hi else (
                    a.hi, a.hi_in and b.hi_in)
                out.append(Interval(lo, lo_in, hi, hi_in))
        return NumSet.of(*out)

    def complement(self) -> NumSet:
        out: list[Interval] = []
        lo, lo_in = -INF, False
        for part in self.parts:
            out.append(Interval(lo, lo_in, part.lo, not part.lo_in))
            lo, lo_in = part.hi, not part.hi_in
        out.append(Interval(lo, lo_in, INF, False))
        return NumSet.of(*out)

    def minus(self, other: NumSet) -> NumSet:
        return self.intersect(other.complement())

    def contains(self, value: Decimal) -> bool:
        return any(p.lo <= value <= p.hi and (value != p.lo or p.lo_in) and (value != p.hi or p.hi_in)
                   for p in self.parts)

    def integers(self) -> NumSet:
        """The whole numbers in the set, as closed intervals (a count can only take these)."""
        out: list[Interval] = []
        for p in self.parts:
            lo = p.lo if p.lo.is_infinite() else _ceil(p.lo, p.lo_in)
            hi = p.hi if p.hi.is_infinite() else _floor(p.hi, p.hi_in)
            if lo <= hi:
                out.append(Interval(lo, not lo.is_infinite(), hi, not hi.is_infinite()))
        merged: list[Interval] = []
        for part in out:  # 0–2 and 3–5 are one run of whole numbers
            if merged and not merged[-1].hi.is_infinite() and merged[-1].hi + 1 >= part.lo:
                last = merged[-1]
                merged[-1] = Interval(last.lo, last.lo_in, max(last.hi, part.hi), part.hi_in or last.hi > part.hi)
            else:
                merged.append(part)
        return NumSet(tuple(merged))


def _meet(a: Interval, b: Interval) -> bool:
    """Whether two intervals share a value."""
    if a.hi < b.lo or b.hi < a.lo:
        return False
    if a.hi == b.lo:
        return a.hi_in and b.lo_in
    if b.hi == a.lo:
        return b.hi_in and a.lo_in
    return True


def _inside(a: Interval, b: Interval) -> bool:
    """Whether every value of `a` is in `b`."""
    low_ok = b.lo < a.lo or (b.lo == a.lo and (b.lo_in or not a.lo_in))
    high_ok = a.hi < b.hi or (a.hi == b.hi and (b.hi_in or not a.hi_in))
    return low_ok and high_ok


class Cover:
    """A growing union of intervals, sorted, disjoint and merged: the lines seen so far of a long table.

    Asking whether a new line meets (or lies within) the earlier ones costs a binary search, so
    checking a table of thousands of bands is O(n log n), not a union recomputed for every line.
    On whole numbers (a count), 0–2 and 3–5 leave nothing between them and are merged too.
    """

    def __init__(self, integer: bool = False) -> None:
        self.integer = integer
        self.parts: list[Interval] = []
        self.los: list[tuple[Decimal, bool]] = []  # sort keys of `parts`, for bisect

    @staticmethod
    def _key(part: Interval) -> tuple[Decimal, bool]:
        return (part.lo, not part.lo_in)

    def _near(self, part: Interval) -> range:
        """Indices of the parts that may meet or touch `part`: from the one before its start to its end."""
        start = max(bisect.bisect_left(self.los, self._key(part)) - 1, 0)
        end = part.hi + 1 if self.integer and part.hi.is_finite() else part.hi
        return range(start, bisect.bisect_right(self.los, (end, True)))

    def _touch(self, a: Interval, b: Interval) -> bool:
        """Whether two intervals are next to each other, with no value between them."""
        if (a.hi == b.lo and (a.hi_in or b.lo_in)) or (b.hi == a.lo and (b.hi_in or a.lo_in)):
            return True
        return self.integer and ((a.hi.is_finite() and a.hi + 1 == b.lo) or (b.hi.is_finite() and b.hi + 1 == a.lo))

    def meets(self, s: NumSet) -> bool:
        return any(_meet(p, self.parts[i]) for p in s.parts for i in self._near(p))

    def contains(self, s: NumSet) -> bool:
        return all(any(_inside(p, self.parts[i]) for i in self._near(p)) for p in s.parts)

    def add(self, s: NumSet) -> None:
        for given in s.parts:
            near = self._near(given)
            joined = [i for i in near if _meet(given, self.parts[i]) or self._touch(given, self.parts[i])]
            part = _hull([given, *(self.parts[i] for i in joined)]) if joined else given
            if joined:
                del self.parts[joined[0]:joined[-1] + 1]
                del self.los[joined[0]:joined[-1] + 1]
            at = bisect.bisect_left(self.los, self._key(part))
            self.parts.insert(at, part)
            self.los.insert(at, self._key(part))

    def union(self) -> NumSet:
        return NumSet(tuple(self.parts))


def _hull(parts: list[Interval]) -> Interval:
    """The smallest interval holding all of `parts`."""
    lo = min(p.lo for p in parts)
    hi = max(p.hi for p in parts)
    return Interval(lo, any(p.lo == lo and p.lo_in for p in parts), hi, any(p.hi == hi and p.hi_in for p in parts))


def _ceil(value: Decimal, inclusive: bool) -> Decimal:
    whole = value.to_integral_value(rounding="ROUND_CEILING")
    return whole + 1 if whole == value and not inclusive else whole


def _floor(value: Decimal, inclusive: bool) -> Decimal:
    whole = value.to_integral_value(rounding="ROUND_FLOOR")
    return whole - 1 if whole == value and not inclusive else whole


def _merge(parts: Iterable[Interval]) -> tuple[Interval, ...]:
    ordered = sorted((p for p in parts if not p.empty), key=lambda p: (p.lo, not p.lo_in))
    merged: list[Interval] = []
    for part in ordered:
        if merged and (merged[-1].hi > part.lo or (merged[-1].hi == part.lo and (merged[-1].hi_in or part.lo_in))):
            last = merged[-1]
            if part.hi > last.hi:
                merged[-1] = Interval(last.lo, last.lo_in, part.hi, part.hi_in)
            elif part.hi == last.hi:
                merged[-1] = Interval(last.lo, last.lo_in, last.hi, last.hi_in or part.hi_in)
        else:
            merged.append(part)
    return tuple(merged)


# ---- domains -----------------------------------------------------------------------------------

ValueSet = NumSet | frozenset[Const]


@frozen
class Domain:
    """Every value a subject can take; sets derived for it never leave it."""

    universe: ValueSet
    integer: bool = False
    percent: bool = False
    order: tuple[Const, ...] = ()  # a choice's options as declared, so messages list them in that order

    def all(self) -> ValueSet:
        return self.universe

    def inter(self, a: ValueSet, b: ValueSet) -> ValueSet:
        if isinstance(a, NumSet) and isinstance(b, NumSet):
            return self._tidy(a.intersect(b))
        assert isinstance(a, frozenset) and isinstance(b, frozenset)
        return a & b

    def union(self, a: ValueSet, b: ValueSet) -> ValueSet:
        if isinstance(a, NumSet) and isinstance(b, NumSet):
            return self._tidy(a.union(b))
        assert isinstance(a, frozenset) and isinstance(b, frozenset)
        return a | b

    def minus(self, a: ValueSet, b: ValueSet) -> ValueSet:
        if isinstance(a, NumSet) and isinstance(b, NumSet):
            return self._tidy(a.minus(b))
        assert isinstance(a, frozenset) and isinstance(b, frozenset)
        return a - b

    def empty(self, a: ValueSet) -> bool:
        return a.empty if isinstance(a, NumSet) else not a

    def _tidy(self, s: NumSet) -> NumSet:
        assert isinstance(self.universe, NumSet)
        inside = s.intersect(self.universe)
        return inside.integers() if self.integer else inside

    def value(self, v: Decimal) -> str:
        return num(v) + ("%" if self.percent else "")

    def describe(self, s: ValueSet, limit: int = 3) -> str:
        """The set in words, as `is …` would continue: "below 20%", "from 20% to below 30%", "none"."""
        if isinstance(s, frozenset):
            return or_words([_const_words(v) for v in self._ordered(s)])
        words = [self.words(p) for p in s.parts[:limit]]
        if len(s.parts) > limit:
            words.append(_("other values"))
        return or_words(words)

    def extent(self) -> str:
        """Every value the subject can take, in words: "from 0% to 100%", "0 or more", "one of a, b"."""
        u = self.universe
        if isinstance(u, frozenset):
            return _("one of {values}").format(values=", ".join(_const_words(v) for v in self._ordered(u)))
        if u.empty:
            return _("never anything")
        lo, hi = u.parts[0].lo, u.parts[-1].hi
        if lo == -INF:
            return _("any number") if hi == INF else _("at most {high}").format(high=self.value(hi))
        if hi == INF:
            return _("{low} or more").format(low=self.value(lo))
        return _("from {low} to {high}").format(low=self.value(lo), high=self.value(hi))

    def _ordered(self, values: frozenset[Const]) -> list[Const]:
        rank = {v: i for i, v in enumerate(self.order)}
        return sorted(values, key=lambda v: (rank.get(v, len(rank)), str(v)))

    def words(self, p: Interval) -> str:
        # Bounds the subject has anyway (0% for a percent) go unsaid: "below 20%", not "from 0% to below 20%".
        low = self.universe.parts[0] if isinstance(self.universe, NumSet) and self.universe.parts else None
        high = self.universe.parts[-1] if isinstance(self.universe, NumSet) and self.universe.parts else None
        if p.lo == p.hi:
            return self.value(p.lo)
        open_below = p.lo == -INF or (low is not None and p.lo == low.lo and p.lo_in == low.lo_in)
        open_above = p.hi == INF or (high is not None and p.hi == high.hi and p.hi_in == high.hi_in)
        if open_below and not open_above:
            return (_("up to {high}") if p.hi_in else _("below {high}")).format(high=self.value(p.hi))
        if open_above and not open_below:
            return (_("{low} or more") if p.lo_in else _("above {low}")).format(low=self.value(p.lo))
        if open_below and open_above:
            return _("any value")
        if p.lo_in:
            between = _("from {low} to {high}") if p.hi_in else _("from {low} to below {high}")
        else:
            between = _("above {low} up to {high}") if p.hi_in else _("above {low} and below {high}")
        return between.format(low=self.value(p.lo), high=self.value(p.hi))


class Seen:
    """The values earlier lines already take, for one subject: a `Cover` for numbers, a set otherwise."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.cover = Cover(domain.integer) if isinstance(domain.universe, NumSet) else None
        self.values: set[Const] = set()

    def meets(self, s: ValueSet) -> bool:
        if isinstance(s, NumSet):
            return self.cover is not None and self.cover.meets(s)
        return not self.values.isdisjoint(s)

    def contains(self, s: ValueSet) -> bool:
        if isinstance(s, NumSet):
            return self.cover is not None and self.cover.contains(s)
        return self.values.issuperset(s)

    def add(self, s: ValueSet) -> None:
        if isinstance(s, NumSet):
            assert self.cover is not None
            self.cover.add(s)
        else:
            self.values |= s

    def union(self) -> ValueSet:
        if self.cover is not None:
            return self.cover.union()
        return frozenset(self.values)


def or_words(words: list[str]) -> str:
    if len(words) < 2:
        return "".join(words)
    return _("{items} or {last}").format(items=", ".join(words[:-1]), last=words[-1])


def _const_words(value: Const) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def domain_of(decl: m.Declaration) -> Domain:
    kind = decl.type
    if isinstance(kind, m.YesNo):
        return Domain(frozenset({True, False}), order=(True, False))
    if isinstance(kind, m.Choice):
        return Domain(frozenset(kind.names()), order=kind.names())
    if isinstance(kind, m.Percent):
        low = decl.low if decl.low is not None else Decimal(0)
        high = decl.high if decl.high is not None else Decimal(100)
        return Domain(NumSet.between(low, high), percent=True)
    if isinstance(kind, m.Count):
        low = max(decl.low, Decimal(0)) if decl.low is not None else Decimal(0)
        high = decl.high if decl.high is not None else INF
        return Domain(NumSet.between(low, high).integers(), integer=True)
    low = decl.low if decl.low is not None else -INF
    high = decl.high if decl.high is not None else INF
    return Domain(NumSet.between(low, high))


# ---- conditions → sets -------------------------------------------------------------------------

Resolve = Callable[[m.Expr], Const | None]


def constant_resolver(builtins: Mapping[str, Decimal] | None = None, node_max: Decimal | None = None,
                      declared: Iterable[str] = ()) -> Resolve:
    """How constants read: numbers, percents, yes/no, a choice's name, `max`/`full`/`scale` where known."""
    names = set(declared)
    table = dict(builtins or {})

    def resolve(expr: m.Expr) -> Const | None:
        if isinstance(expr, m.Num | m.Pct):
            return expr.value
        if isinstance(expr, m.Bool):
            return expr.value
        if isinstance(expr, m.Neg):
            inner = resolve(expr.operand)
            return -inner if isinstance(inner, Decimal) else None
        if isinstance(expr, m.NodeMax):
            return node_max
        if isinstance(expr, m.Ref) and expr.name not in names:
            return table.get(expr.name, expr.name)
        return None

    return resolve


class Knowledge:
    """What the earlier lines of a table, by not holding, say about a subject — kept line by line.

    Each later line asks again; the answer for a subject is extended by the lines added since it last
    asked, instead of being intersected anew from the first line, so a table of thousands of lines
    stays linear.
    """

    def __init__(self) -> None:
        self.false: list[m.Expr] = []
        self._known: dict[m.Expr, tuple[int, ValueSet]] = {}

    def held_not(self, condition: m.Expr) -> None:
        """One more line was passed over: its condition did not hold."""
        self.false.append(condition)

    def allowed(self, an: Analyser) -> ValueSet:
        """The subject's values that no earlier line took."""
        done, found = self._known.get(an.subject, (0, an.domain.all()))
        for condition in self.false[done:]:
            found = an.domain.inter(found, an.when_false(condition))
        self._known[an.subject] = (len(self.false), found)
        return found


class Analyser:
    """What a condition says about one subject (an input, or an expression such as a divisor)."""

    def __init__(self, subject: m.Expr, domain: Domain, resolve: Resolve) -> None:
        self.subject = subject
        self.domain = domain
        self.resolve = resolve

    def exact(self, cond: m.Expr) -> ValueSet | None:
        """The subject's values for which `cond` holds, if it depends on nothing else; else None."""
        d = self.domain
        if isinstance(cond, m.And | m.Or):
            left, right = self.exact(cond.left), self.exact(cond.right)
            if left is None or right is None:
                return None
            return d.inter(left, right) if isinstance(cond, m.And) else d.union(left, right)
        if isinstance(cond, m.Not):
            inner = self.exact(cond.operand)
            return None if inner is None else d.minus(d.all(), inner)
        if isinstance(cond, m.Bool):
            return d.all() if cond.value else d.minus(d.all(), d.all())
        if cond == self.subject and isinstance(d.universe, frozenset) and True in d.universe:
            return frozenset({True})
        if isinstance(cond, m.Compare):
            pairs = [self._pair(cond.operands[i], op, cond.operands[i + 1]) for i, op in enumerate(cond.ops)]
            if any(p is None for p in pairs):
                return None
            out = d.all()
            for p in pairs:
                assert p is not None
                out = d.inter(out, p)
            return out
        return None

    def when_true(self, cond: m.Expr) -> ValueSet:
        """A superset of the subject's values when `cond` holds (the whole domain if it cannot tell)."""
        d = self.domain
        found = self.exact(cond)
        if found is not None:
            return found
        if isinstance(cond, m.And):
            return d.inter(self.when_true(cond.left), self.when_true(cond.right))
        if isinstance(cond, m.Or):
            return d.union(self.when_true(cond.left), self.when_true(cond.right))
        if isinstance(cond, m.Not):
            return self.when_false(cond.operand)
        if isinstance(cond, m.Compare):
            out = d.all()
            for i, op in enumerate(cond.ops):
                pair = self._pair(cond.operands[i], op, cond.operands[i + 1])
                if pair is not None:
                    out = d.inter(out, pair)
            return out
        return d.all()

    def when_false(self, cond: m.Expr) -> ValueSet:
        """A superset of the subject's values when `cond` does not hold."""
        d = self.domain
        found = self.exact(cond)
        if found is not None:
            return d.minus(d.all(), found)
        if isinstance(cond, m.And):
            return d.union(self.when_false(cond.left), self.when_false(cond.right))
        if isinstance(cond, m.Or):
            return d.inter(self.when_false(cond.left), self.when_false(cond.right))
        if isinstance(cond, m.Not):
            return self.when_true(cond.operand)
        return d.all()

    def _pair(self, left: m.Expr, op: str, right: m.Expr) -> ValueSet | None:
        d = self.domain
        if left == self.subject and right != self.subject:
            value, flipped = self.resolve(right), op
        elif right == self.subject and left != self.subject:
            value, flipped = self.resolve(left), _FLIP[op]
        else:
            a, b = self.resolve(left), self.resolve(right)
            if left == self.subject or a is None or b is None or type(a) is not type(b):
                return None
            holds = _compare(a, op, b)
            return None if holds is None else (d.all() if holds else d.minus(d.all(), d.all()))
        if value is None:
            return None
        if isinstance(d.universe, frozenset):
            if op not in ("=", "!=") or isinstance(value, Decimal):
                return None
            single: frozenset[Const] = frozenset({value})
            return d.inter(d.all(), single) if flipped == "=" else d.minus(d.all(), single)
        if not isinstance(value, Decimal):
            return None
        return d.inter(d.all(), _ray(flipped, value))


_FLIP = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _ray(op: str, c: Decimal) -> NumSet:
    if op == "=":
        return NumSet.between(c, c)
    if op == "!=":
        return NumSet.between(c, c).complement()
    if op == "<":
        return NumSet.between(-INF, c, hi_in=False)
    if op == "<=":
        return NumSet.between(-INF, c)
    if op == ">":
        return NumSet.between(c, INF, lo_in=False)
    return NumSet.between(c, INF)


def _compare(a: Const, op: str, b: Const) -> bool | None:
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if not isinstance(a, Decimal) or not isinstance(b, Decimal):
        return None
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
