"""Rounding as the decision states it: digits and mode (half-up, half-even, truncate)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from parrules.exact import ROUNDING
from parrules.model import Rounding

_MODES = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN, "truncate": ROUND_DOWN}


def rounder(rounding: Rounding | None) -> Callable[[Decimal], Decimal]:
    """A function that rounds as `rounding` says; the identity where the decision does not round."""
    if rounding is None:
        return lambda value: value
    quantum = Decimal(1).scaleb(-rounding.digits)
    mode = _MODES[rounding.mode]
    return lambda value: value.quantize(quantum, rounding=mode, context=ROUNDING)
