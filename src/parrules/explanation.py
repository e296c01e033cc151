"""An explanation of a unit's points, as values, and how it reads: text for people, a dict for tools.

`explainer.py` builds an `Explanation` from a scored unit; this module holds what it is and how it is
shown, so that showing it needs nothing above the results.
"""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen

from parrules.figures import plain, plain_max, shown, shown_max
from parrules.gap import ClassGap
from parrules.i18n import N_, _, n_, number
from parrules.model import Provenance

ZERO = Decimal(0)


@frozen
class ExplainedNode:
    id: str
    kind: str
    title: str
    points: Decimal  # unrounded
    max: Decimal  # applicable
    status: str
    why: str | None = None  # leaves: the inputs read, the branch taken and the arithmetic
    reason: str | None = None  # not applicable / excluded: why
    inputs: tuple[tuple[str, str], ...] = ()
    stages: tuple[tuple[str, Decimal], ...] = ()
    children: tuple[ExplainedNode, ...] = ()
    provenance: Provenance | None = None  # the rule's source, note, and which reading it follows

    def walk(self) -> list[ExplainedNode]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@frozen
class Loss:
    """Points not obtained, and where: a leaf, or an adjustment that keeps the sum exact."""

    node_id: str
    title: str
    amount: Decimal
    kind: str  # leaf, cap, floor, bonus, penalty, max_from_data, total_floor


@frozen
class StageLine:
    node_id: str
    title: str
    points: tuple[tuple[str, Decimal], ...]  # stage → points, earlier stages first
    official: Decimal

    @property
    def taken_away(self) -> Decimal:
        """What the council took away from the first stage's points (negative: it added)."""
        return self.points[0][1] - self.official if self.points else ZERO


@frozen
class Explanation:
    unit: str
    group: str | None
    total: Decimal
    exact_total: Decimal
    max: Decimal
    index: Decimal
    class_: str | None
    rank: int | None
    tree: tuple[ExplainedNode, ...]
    losses: tuple[Loss, ...]
    stages: tuple[StageLine, ...]
    stage_totals: tuple[tuple[str, Decimal], ...]
    official_stage: str | None
    extras: tuple[tuple[str, str, Decimal], ...]  # (kind, id, points)
    gap: ClassGap | None
    unitemised: Decimal = ZERO  # the unit's maximum from the data is this much below the rules'

    def leaves(self) -> list[ExplainedNode]:
        return [n for root in self.tree for n in root.walk() if not n.children]

    def render(self) -> str:
        """The explanation as text for people, in their language (see `i18n`)."""
        return render_explanation(self)

    def to_dict(self) -> dict[str, object]:
        """The explanation as data for tools: decimals as strings, every digit kept."""
        return explanation_to_dict(self)


# ---- as text and as data ------------------------------------------------------------------------

STATUS = {"not_applicable": N_("does not apply"), "excluded": N_("excluded")}
SHOWN_PLACES = 4
ADJUSTMENTS = {
    "cap": N_("held at the criterion's maximum (capped)"),
    "floor": N_("held at the criterion's minimum"),
    "bonus": N_("bonus points"),
    "penalty": N_("penalty points"),
    "max_from_data": N_("the maximum in the data is lower than the ruleset's"),
    "total_floor": N_("the total is never below 0"),
}


def _num(value: Decimal) -> str:
    """Points as they are, in the reader's language (1,7, 0,85, 66,4554 in Vietnamese); a quotient's
    endless digits shown as ≈0,6667, never hidden."""
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -SHOWN_PLACES:
        return "≈" + shown_max(value.quantize(Decimal(1).scaleb(-SHOWN_PLACES)))
    return shown_max(value)


def _status(status: str) -> str:
    return _(STATUS[status]) if status in STATUS else status


def _adjustment(kind: str) -> str:
    return _(ADJUSTMENTS[kind]) if kind in ADJUSTMENTS else kind


def _points_count(value: Decimal) -> int:
    """The count the English plural is chosen by for a number of points: 1 point, 0.5 points, 2 points."""
    return 1 if value == 1 else 2


def _figure(node: ExplainedNode) -> str:
    return f"{_num(node.points)} / {_num(node.max)}" if node.status == "scored" else _status(node.status)


def _tree_lines(node: ExplainedNode, depth: int, width: int, figures: int = 14) -> list[str]:
    label = f"{'  ' * depth}{node.id}  {node.title}"
    line = f"{label:<{width}} {_figure(node):>{figures}}"
    if node.why:
        line += f"   {node.why}"
    elif node.reason:
        line += f"   ({node.reason})"
    lines = [line]
    for child in node.children:
        lines += _tree_lines(child, depth + 1, width, figures)
    return lines


def _headline(e: Explanation) -> str:
    """Total, index, class and rank: one sentence per combination of what the unit has."""
    figures = {"total": shown(e.total), "max": _num(e.max), "index": shown(e.index)}
    if e.class_ and e.rank is not None:
        return _("Total {total} / {max} → index {index} % → {class_name}, rank {rank}").format(
            **figures, class_name=e.class_, rank=e.rank)
    if e.class_:
        return _("Total {total} / {max} → index {index} % → {class_name}").format(**figures, class_name=e.class_)
    if e.rank is not None:
        return _("Total {total} / {max} → index {index} %, rank {rank}").format(**figures, rank=e.rank)
    return _("Total {total} / {max} → index {index} %").format(**figures)


def render_explanation(e: Explanation) -> str:
    head = f"{e.unit}" + (f" — {e.group}" if e.group else "")
    out = [head, "=" * len(head), _headline(e),
           _("(unrounded total: {total})").format(total=_num(e.exact_total))]
    if e.unitemised:
        out.append(_("The unit's maximum {max} is from the data (column `max`), {less} below what the rules give "
                     "({rules}); the rules do not itemise the difference, so the fields and criteria below keep "
                     "the rules' maxima.").format(max=_num(e.max), less=_num(e.unitemised),
                                                   rules=_num(e.max + e.unitemised)))
    out.append("")
    nodes = [n for root in e.tree for n in root.walk()]
    depth = {n.id: 0 for n in nodes}
    for root in e.tree:
        _depths(root, 0, depth)
    width = min(70, max(len(f"{'  ' * depth[n.id]}{n.id}  {n.title}") for n in nodes))
    out.append(_("Points by criterion (points / maximum, and why):"))
    # The figures' column as wide as its widest entry ("không chấm năm nay" is wider than "62.3 / 70").
    figure_width = max(14, *(len(_figure(n)) for n in nodes))
    for root in e.tree:
        out += _tree_lines(root, 0, width, figure_width)
    for kind, extra_id, points in e.extras:
        template = _("Bonus {id}: {points}") if kind == "bonus" else _("Penalty {id}: {points}")
        out.append(template.format(id=extra_id, points=_num(points)))
    sourced = [n for n in nodes if n.provenance is not None]
    if sourced:
        out += ["", _("Where the rules come from:")]
        for n in sourced:
            out += [f"  {n.id:<10} {line}" for line in provenance_lines(n.provenance)]
    skipped = [n for n in nodes if n.status != "scored" and n.reason]
    if skipped:
        out += ["", _("Not applicable or excluded:")]
        out += [f"  {n.id}  {n.title}: {_status(n.status)} — {n.reason}" for n in skipped]
    lost = sorted((x for x in e.losses if x.kind == "leaf" and x.amount > 0), key=lambda x: (-x.amount, x.node_id))
    if lost:
        out += ["", _("Points lost (largest first):")]
        out += [f"  {x.node_id:<10} {x.title:<50} {_signed(-x.amount)}" for x in lost]
    adjustments = [x for x in e.losses if x.kind != "leaf"]
    if adjustments:
        out += ["", _("Adjustments (so that the items add up to the maximum − the total):")]
        out += [f"  {x.node_id:<10} {x.title:<50} {_signed(x.amount)} ({_adjustment(x.kind)})"
                for x in adjustments]
    changed = [line for line in e.stages if any(p != line.official for _stage, p in line.points)]
    if e.stages:
        stage_names = [name for name, _points in e.stage_totals] or [s for s, _points in e.stages[0].points]
        official = e.official_stage or _("official")
        out += ["", _("Stages ({stages}), the criteria whose points differ ({changed} of {count}):").format(
            stages=" | ".join([*stage_names, official]), changed=number(len(changed)), count=number(len(e.stages)))]
        for line in changed:
            figures = " | ".join(_num(p) for _stage, p in line.points)
            taken = line.taken_away
            note = ("   " + _("the council took away {points}").format(points=_num(taken)) if taken > 0 else
                    "   " + _("the council added {points}").format(points=_num(-taken)) if taken < 0 else "")
            out.append(f"  {line.node_id:<10} {figures} | {_num(line.official)}{note}")
        totals = " | ".join(_num(t) for _stage, t in e.stage_totals)
        total = _("total")
        out.append(f"  {total:<10} {totals} | {_num(e.exact_total)}")
    if e.gap is not None:
        out += ["", *_gap_lines(e.gap)]
    return "\n".join(out) + "\n"


def _gap_lines(gap: ClassGap) -> list[str]:
    figures = {"class_name": gap.next_class, "bound": _num(gap.bound), "points": _num(gap.needed)}
    count = _points_count(gap.needed)
    if gap.by_points and gap.target_index != gap.bound:
        line = n_("To reach {class_name} (a total from {bound} points, that is from {target} before rounding): "
                  "{points} point short.",
                  "To reach {class_name} (a total from {bound} points, that is from {target} before rounding): "
                  "{points} points short.", count).format(**figures, target=_num(gap.target_index))
    elif gap.by_points:
        line = n_("To reach {class_name} (a total from {bound} points): {points} point short.",
                  "To reach {class_name} (a total from {bound} points): {points} points short.",
                  count).format(**figures)
    elif gap.target_index != gap.bound:
        line = n_("To reach {class_name} (an index from {bound} %, that is from {target} % before rounding): "
                  "{points} point short.",
                  "To reach {class_name} (an index from {bound} %, that is from {target} % before rounding): "
                  "{points} points short.", count).format(**figures, target=_num(gap.target_index))
    else:
        line = n_("To reach {class_name} (an index from {bound} %): {points} point short.",
                  "To reach {class_name} (an index from {bound} %): {points} points short.", count).format(**figures)
    out = [line]
    if gap.suggestion:
        out.append(_("Where the points can be gained (most points first):"))
        for g in gap.suggestion:
            part = ""
            if g.used < g.gain:
                part = " " + _("(needs {used} of {gain})").format(used=_num(g.used), gain=_num(g.gain))
            out.append(f"  {g.node_id:<10} {g.title:<50} {_signed(g.gain)}{part}")
    if not gap.reachable:
        out.append("  " + _("It cannot be reached with the remaining criteria alone."))
    return out


def _depths(node: ExplainedNode, depth: int, into: dict[str, int]) -> None:
    into[node.id] = depth
    for child in node.children:
        _depths(child, depth + 1, into)


def _signed(value: Decimal) -> str:
    text = _num(abs(value))
    sign = "+" if value > 0 else "−"
    return f"≈{sign}{text[1:]}" if text.startswith("≈") else f"{sign}{text}"


FOLLOWS = {
    "practice": N_("follows observed practice; the official text: {other}"),
    "text": N_("follows the official text; observed practice: {other}"),
}


def provenance_lines(provenance: Provenance | None) -> list[str]:
    """A rule's source, note and the reading it follows, one line each, in the reader's language."""
    if provenance is None:
        return []
    lines = []
    if provenance.source:
        lines.append(_("source: {text}").format(text=provenance.source))
    if provenance.note:
        lines.append(_("note: {text}").format(text=provenance.note))
    if provenance.follows is not None:
        lines.append(_(FOLLOWS[provenance.follows]).format(other=provenance.other or ""))
    return lines


def provenance_dict(provenance: Provenance) -> dict[str, str]:
    found = {"source": provenance.source, "note": provenance.note, "follows": provenance.follows,
             "other": provenance.other}
    return {k: v for k, v in found.items() if v is not None}


def _node_dict(node: ExplainedNode) -> dict[str, object]:
    out: dict[str, object] = {"id": node.id, "kind": node.kind, "title": node.title, "status": node.status,
                              "points": plain_max(node.points), "max": plain_max(node.max)}
    if node.why:
        out["why"] = node.why
        out["inputs"] = dict(node.inputs)
    if node.reason:
        out["reason"] = node.reason
    if node.stages:
        out["stages"] = {k: plain_max(v) for k, v in node.stages}
    if node.provenance is not None:
        out["provenance"] = provenance_dict(node.provenance)
    if node.children:
        out["children"] = [_node_dict(c) for c in node.children]
    return out


def explanation_to_dict(e: Explanation) -> dict[str, object]:
    gap = e.gap
    return {
        "unit": e.unit, "group": e.group, "total": plain(e.total), "exact_total": plain_max(e.exact_total),
        "max": plain_max(e.max), "index": plain(e.index), "class": e.class_, "rank": e.rank,
        **({"max_not_itemised": plain_max(e.unitemised)} if e.unitemised else {}),
        "tree": [_node_dict(n) for n in e.tree],
        "losses": [{"id": x.node_id, "title": x.title, "points": plain_max(x.amount), "kind": x.kind}
                   for x in sorted(e.losses, key=lambda x: (-x.amount, x.node_id)) if x.amount],
        "stages": [{"id": s.node_id, "points": {k: plain_max(v) for k, v in s.points},
                    "official": plain_max(s.official)} for s in e.stages],
        "stage_totals": {k: plain_max(v) for k, v in e.stage_totals},
        "extras": [{"kind": k, "id": i, "points": plain_max(p)} for k, i, p in e.extras],
        "gap": None if gap is None else {
            "next_class": gap.next_class, "bound": plain_max(gap.bound), "target_index": plain_max(gap.target_index),
            "needed": plain_max(gap.needed), "basis": "points" if gap.by_points else "index",
            "reachable": gap.reachable,
            "suggestion": [{"id": g.node_id, "title": g.title, "gain": plain_max(g.gain), "used": plain_max(g.used)}
                           for g in gap.suggestion],
            "gains": [{"id": g.node_id, "title": g.title, "gain": plain_max(g.gain)} for g in gap.gains],
        },
    }
