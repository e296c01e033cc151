"""Rounding that could publish a figure outside its bounds (PAR245).

Rounding is monotone, so a leaf rounded on its own stays within [min, max] exactly when its max
does not round up and its min does not round down: a leaf worth its full 0.25, rounded to 1 decimal,
gives 0.3, above its maximum. Published points are sums (a criterion, a component, the total, of
whichever nodes apply to a unit), so there the rule is the simple sufficient one: every maximum and
minimum has at most as many decimals as points are rounded to — then every sum of them does too,
and rounds to itself. Otherwise a unit with every point of a 78.5-point scale publishes 79 points
and, with `index … from rounded points`, an index above 100 %. Truncation never rounds away from
zero, so it never leaves the bounds.
"""

from __future__ import annotations

from decimal import Decimal

from parrules import model as m
from parrules import vocabulary as words
from parrules.checks.common import Context, num
from parrules.i18n import _, n_, number
from parrules.limits import digits, within_number_limits
from parrules.rounding import rounder


def check_rounding(ctx: Context) -> None:
    rounding = ctx.model.rounding
    if rounding.leaves is not None and rounding.leaves.mode != "truncate":
        _leaves(ctx, rounding.leaves)
    if rounding.points is not None and rounding.points.mode != "truncate":
        _points(ctx, rounding.points)


def _decimals(count: int) -> str:
    """`count` decimal places in words: "1 decimal", "2 decimals"."""
    return n_("{count} decimal", "{count} decimals", count).format(count=number(count))


def _leaves(ctx: Context, rounding: m.Rounding) -> None:
    round_leaf = rounder(rounding)
    for node in ctx.nodes:
        if node.rule is None:
            continue
        for bound, outside in ((node.max, round_leaf(node.max) > node.max),
                               (node.min, round_leaf(node.min) < node.min)):
            if outside and within_number_limits(bound):
                if bound == node.max:
                    message = _("each leaf's points are rounded to {decimals}, but the maximum {value} of {node} has "
                                "{places}: a unit with exactly {value} would get {rounded}, outside its bounds")
                else:
                    message = _("each leaf's points are rounded to {decimals}, but the minimum {value} of {node} has "
                                "{places}: a unit with exactly {value} would get {rounded}, outside its bounds")
                places = digits(bound)[1]
                ctx.error("PAR245", message.format(decimals=_decimals(rounding.digits), value=num(bound),
                                                   node=words.node(node.kind, node.id), places=places,
                                                   rounded=num(round_leaf(bound))),
                          _("round leaves to at least {places} decimals (`leaves {places} decimals {mode}`), "
                            "or truncate").format(places=places, mode=rounding.mode), rounding.span)
                return  # one line of the ruleset, one message


def _points(ctx: Context, rounding: m.Rounding) -> None:
    bounds: list[tuple[Decimal, str, str]] = [(b, n.kind, n.id) for n in ctx.nodes for b in (n.max, n.min)]
    bounds += [(x.cap, x.kind, x.id) for x in ctx.model.extras]
    worst: tuple[int, Decimal, str, str] | None = None
    for value, kind, node_id in bounds:
        if not within_number_limits(value):
            continue  # PAR111 already says so
        places = digits(value)[1]
        if places > rounding.digits and (worst is None or places > worst[0]):
            worst = (places, value, kind, node_id)
    if worst is None:
        return
    places, value, kind, node_id = worst
    label = words.node(kind, node_id)
    shown = rounder(rounding)(value)
    if shown != value and (shown > value) == (value > 0):
        message = (_("published points are rounded to {decimals}, but the minimum {value} of {node} has {places}: "
                     "a unit with exactly {value} would publish {shown}") if value < 0 else
                   _("published points are rounded to {decimals}, but the maximum {value} of {node} has {places}: "
                     "a unit with exactly {value} would publish {shown}"))
    else:
        message = (_("published points are rounded to {decimals}, but the minimum {value} of {node} has {places}: "
                     "figures that add such maxima up (a component, a total) can be published above their maximum")
                   if value < 0 else
                   _("published points are rounded to {decimals}, but the maximum {value} of {node} has {places}: "
                     "figures that add such maxima up (a component, a total) can be published above their maximum"))
    ctx.error("PAR245", message.format(decimals=_decimals(rounding.digits), value=num(value), node=label,
                                       places=places, shown=num(shown)),
              _("round points to at least {places} decimals (`points {places} decimals {mode}`), or "
                "truncate").format(places=places, mode=rounding.mode),
              rounding.span)
