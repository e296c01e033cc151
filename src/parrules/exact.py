"""The one decimal context of every point computation.

40 significant digits: quotients such as 66.4554 / 98 are not finite decimals, and every module that
adds them up again (the evaluator, explanations, what-if arithmetic) must do so with the same
precision to get the same digits. Invalid operations and division by zero raise instead of giving
NaN or Infinity: a ruleset's division by zero is reported, never scored.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

CONTEXT = Context(prec=40, traps=[InvalidOperation, DivisionByZero, Overflow])

# Where a digit may be given up on purpose: quotients, settling a leaf to 20 places, the ruleset's
# rounding. Everything else (sums, differences, products) is computed in CONTEXT, whose `Inexact`
# flag then says whether any of it lost a digit — which the evaluator reports instead of publishing.
ROUNDING = Context(prec=40, traps=[InvalidOperation, DivisionByZero, Overflow])

# A leaf's points are kept to 20 decimal places (a third of a point is 0.33333333333333333333).
# Quotients are the only inexact step; settling each leaf once means every later sum and
# difference of points is exact within the 40 digits above, whatever the order of adding: the
# total, an explanation's losses and the what-if arithmetic of the gap all agree to the last digit.
LEAF_QUANTUM = Decimal(1).scaleb(-20)


def settle(value: Decimal) -> Decimal:
    """The value to 20 places at most; a shorter value is kept as written (6.1 stays 6.1)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -20:
        return value
    return value.quantize(LEAF_QUANTUM, rounding=ROUND_HALF_EVEN, context=ROUNDING)
