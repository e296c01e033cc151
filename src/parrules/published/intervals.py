"""What a rounded figure stands for: the exact values that round to it, as an interval.

A published 66.46 (2 decimals, half-up) is any exact figure in [66.455, 66.465); truncated, it is
[66.46, 66.47). Sums of published figures add their intervals; a figure and the interval of the
figures behind it agree when the two intervals meet. Every bound is an exact `Decimal`: a bound is
only ever added to another, or multiplied (never divided), so no digit is lost. Where a division
is unavoidable (an index from a total) the comparison is made the other way round, the index's
interval multiplied back into points (`index_as_total`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_CEILING, Decimal

from attrs import frozen

from parrules.exact import ROUNDING
from parrules.model import Rounding
from parrules.rounding import rounder

HUNDRED = Decimal(100)


@frozen
class Interval:
    """The exact values from `low` to `high`; each end included when `*_closed` says so."""

    low: Decimal
    high: Decimal
    low_closed: bool = True
    high_closed: bool = False

    @classmethod
    def point(cls, value: Decimal) -> Interval:
        return cls(value, value, True, True)

    @property
    def empty(self) -> bool:
        return self.low > self.high or (self.low == self.high and not (self.low_closed and self.high_closed))

    def __add__(self, other: Interval) -> Interval:
        return Interval(ROUNDING.add(self.low, other.low), ROUNDING.add(self.high, other.high),
                        self.low_closed and other.low_closed, self.high_closed and other.high_closed)

    def __neg__(self) -> Interval:
        return Interval(-self.high, -self.low, self.high_closed, self.low_closed)

    def __sub__(self, other: Interval) -> Interval:
        return self + -other

    def __and__(self, other: Interval) -> Interval:
        """Both at once: the values in this interval and in `other` (perhaps none)."""
        if self.low > other.low:
            low, low_closed = self.low, self.low_closed
        elif other.low > self.low:
            low, low_closed = other.low, other.low_closed
        else:
            low, low_closed = self.low, self.low_closed and other.low_closed
        if self.high < other.high:
            high, high_closed = self.high, self.high_closed
        elif other.high < self.high:
            high, high_closed = other.high, other.high_closed
        else:
            high, high_closed = self.high, self.high_closed and other.high_closed
        return Interval(low, high, low_closed, high_closed)

    def meets(self, other: Interval) -> bool:
        return not (self & other).empty

    def contains(self, value: Decimal) -> bool:
        return self.meets(Interval.point(value))

    def times(self, factor: Decimal) -> Interval:
        """Every value multiplied by `factor` (> 0): exact, a product of decimals is a decimal."""
        return Interval(ROUNDING.multiply(self.low, factor), ROUNDING.multiply(self.high, factor),
                        self.low_closed, self.high_closed)

    def at_least(self, floor: Decimal) -> Interval:
        """Values below `floor` raised to it, as the engine raises a negative total to 0."""
        if self.high < floor or (self.high == floor and not self.high_closed):
            return Interval.point(floor)
        if self.low < floor:
            return Interval(floor, self.high, True, self.high_closed)
        return self

    def has_multiple(self, quantum: Decimal) -> bool:
        """Whether some whole multiple of `quantum` (a power of ten) lies in the interval."""
        steps = ROUNDING.divide(self.low, quantum).to_integral_value(rounding=ROUND_CEILING)
        first = ROUNDING.multiply(steps, quantum)
        if first == self.low and not self.low_closed:
            first = ROUNDING.add(first, quantum)
        return self.contains(first)


def total(intervals: Iterable[Interval]) -> Interval:
    out = Interval.point(Decimal(0))
    for interval in intervals:
        out = out + interval
    return out


def quantum(rounding: Rounding) -> Decimal:
    return Decimal(1).scaleb(-rounding.digits)


def digits_of(value: Decimal) -> int:
    """The decimals a figure needs: trailing zeros (66.4600 as a spreadsheet pads it) say nothing more."""
    exponent = value.normalize(context=ROUNDING).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def stands_for(value: Decimal, rounding: Rounding | None) -> Interval:
    """The exact figures that `rounding` publishes as `value`.

    A figure printed with more decimals than the ruleset rounds to (66.463 where points have 2) was
    not rounded to 2 decimals: it stands for what its own last (non-zero) digit allows, rounded the
    same way.
    Python's half-up rounds halves away from zero and truncation drops digits towards zero, so for a
    negative figure the closed end is the other one. Without a rounding the figure is exact.
    """
    if rounding is None:
        return Interval.point(value)
    step = Decimal(1).scaleb(-max(rounding.digits, digits_of(value)))
    half = ROUNDING.divide(step, Decimal(2))
    below, above = ROUNDING.subtract(value, half), ROUNDING.add(value, half)
    if rounding.mode == "half-even":
        closed = int(ROUNDING.divide(value, step).to_integral_value()) % 2 == 0
        return Interval(below, above, closed, closed)
    if rounding.mode == "half-up":
        if value == 0:
            return Interval(below, above, False, False)
        return Interval(below, above, value > 0, value < 0)
    if value > 0:  # truncate
        return Interval(value, ROUNDING.add(value, step), True, False)
    if value < 0:
        return Interval(ROUNDING.subtract(value, step), value, False, True)
    return Interval(-step, step, False, False)


_STEPS = 4  # a step below the nearest figure, the figure, a step above: one more to spare


def rounded_range(allows: Callable[[Decimal], bool], near_low: Decimal, near_high: Decimal,
                  rounding: Rounding) -> tuple[Decimal, Decimal] | None:
    """The lowest and highest figures `rounding` can publish, where `allows(figure)` is the exact test.

    `near_low` and `near_high` are the ends rounded by ordinary (40-digit) arithmetic, within a step of
    the true ones: an open end that falls exactly on a rounding boundary belongs to the neighbour, and
    only the exact test can tell.
    """
    step = quantum(rounding)
    to_figure = rounder(rounding)
    low = to_figure(near_low) - step
    for _attempt in range(_STEPS):
        if allows(low):
            break
        low += step
    else:
        return None
    high = to_figure(near_high) + step
    for _attempt in range(_STEPS):
        if allows(high):
            break
        high -= step
    else:
        return None
    return (low, high) if low <= high else None


def rounded_ends(interval: Interval, rounding: Rounding) -> tuple[Decimal, Decimal] | None:
    """The figures `rounding` publishes for the values of `interval`: the lowest and the highest."""
    return rounded_range(lambda figure: interval.meets(stands_for(figure, rounding)),
                         interval.low, interval.high, rounding)


def index_as_total(index: Interval, unit_max: Decimal) -> Interval:
    """An interval of indices as the totals that give them: index × max ÷ 100 (exact: ÷ 100 is a shift)."""
    return index.times(unit_max).times(Decimal("0.01"))


@frozen
class IndexRule:
    """How the ruleset turns a total into an index: rounding of points and of the index, and from which total."""

    points: Rounding | None
    index: Rounding | None
    from_rounded_points: bool = False

    def allows(self, totals: Interval, unit_max: Decimal, index: Decimal) -> bool:
        """Whether some total of `totals` gives the published `index` on the maximum `unit_max`."""
        wanted = index_as_total(stands_for(index, self.index), unit_max)
        if not self.from_rounded_points or self.points is None:
            return totals.meets(wanted)
        # The index of a rounded total: the totals that count are the figures points are published as.
        ends = rounded_ends(totals, self.points)
        if ends is None:
            return False
        return (Interval(ends[0], ends[1], True, True) & wanted).has_multiple(quantum(self.points))

    def ends(self, totals: Interval, unit_max: Decimal) -> tuple[Decimal, Decimal] | None:
        """The lowest and highest index the totals give, rounded as the ruleset rounds the index."""
        near = (totals.low, totals.high)
        if self.from_rounded_points and self.points is not None:
            published = rounded_ends(totals, self.points)  # the index is that of a published total
            if published is None:
                return None
            near = published
        low, high = (ROUNDING.divide(ROUNDING.multiply(end, HUNDRED), unit_max) for end in near)
        if self.index is None:
            return low, high
        return rounded_range(lambda figure: self.allows(totals, unit_max, figure), low, high, self.index)
