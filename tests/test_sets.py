"""The sweep structure of the band checks agrees with plain set arithmetic on intervals."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from parrules.checks.sets import Cover, Interval, NumSet

D = Decimal


@st.composite
def intervals(draw: st.DrawFn, integer: bool) -> NumSet:
    lo = D(draw(st.integers(-5, 5)))
    hi = lo + D(draw(st.integers(0, 6)))
    if integer:
        return NumSet.between(lo, hi).integers()
    return NumSet.of(Interval(lo, draw(st.booleans()), hi, draw(st.booleans())))


def _points(integer: bool) -> list[Decimal]:
    """Enough sample values to tell any two of the drawn sets apart."""
    step = D(1) if integer else D("0.5")
    return [D(-12) + step * i for i in range(int(D(24) / step) + 1)]


@given(st.booleans().flatmap(lambda integer: st.tuples(
    st.just(integer), st.lists(intervals(integer), max_size=12), intervals(integer))))
def test_a_cover_answers_as_the_union_of_what_it_was_given(case: tuple[bool, list[NumSet], NumSet]) -> None:
    integer, added, probe = case
    cover = Cover(integer)
    union = NumSet()
    for s in added:
        cover.add(s)
        union = union.union(s)
    if integer:
        union = union.integers()
    points = _points(integer)  # endpoints are whole numbers: sets differ at a whole or half number
    assert [cover.union().contains(v) for v in points] == [union.contains(v) for v in points]
    assert cover.meets(probe) == any(union.contains(v) and probe.contains(v) for v in points)
    assert cover.contains(probe) == all(union.contains(v) for v in points if probe.contains(v))
    # The parts stay sorted and disjoint, nothing touching: the invariant the binary search needs.
    for a, b in zip(cover.parts, cover.parts[1:], strict=False):
        assert a.hi < b.lo or (a.hi == b.lo and not (a.hi_in or b.lo_in))
        if integer:
            assert a.hi + 1 < b.lo
