"""Each unit's result sheet (phiếu kết quả): the page the head of a unit receives.

`parrules explain RULESET DATA --unit NAME --format html|pdf` prints one; `parrules report RULESET
DATA --per-unit -o DIR/` one per unit. A4 portrait, in the reader's language (Vietnamese by
default): the issuing authority and the national motto, the unit's name, group and year; its total
against the applicable maximum, index, class and rank; a table of its fields, criteria and
sub-criteria, each one's points against its maximum and the points it lost, what did not apply
greyed with the reason; bonus, penalty and the total; where points were lost, largest first; what
the next class needs.

Every figure is one the unit's `Explanation` (explainer.py, gap.py) already holds: nothing is scored
again here, this module only chooses what to show and writes it. The figures add up as printed:

- points are shown unrounded, as scored (0,8594; 14,2992), padded to the decimals the ruleset
  publishes points with (1,00); a figure of more than 4 decimals (a quotient such as 2/3) is
  shown rounded to 4 and marked ≈, and every figure carries all its digits in `data-value`;
- an inner row's points are its rows' points added up (held at its maximum or minimum where the
  ruleset caps it, and then said so); its maximum is theirs added up, what does not apply left out;
- the components, bonus and penalty add up to the total before rounding, which the ruleset's
  rounding turns into the published total; the maximum is the components' (less what the data's
  `max` column takes off);
- the points lost add up to the maximum less the total before rounding.

A province may lay the sheet out otherwise with its own `unit.html.j2` (`--template DIR`). It gets
`lang`, `css` (document.css then unit.css, already safe for a `<style>` element) and `sheets`:
one `Sheet` per unit (attributes below), so that one document can hold every unit's sheet, a page
break between them. Text from the ruleset and the data is escaped by the template engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from attrs import frozen
from markupsafe import Markup

from parrules import model as m
from parrules.exact import CONTEXT
from parrules.explainer import explain
from parrules.explanation import ADJUSTMENTS, SHOWN_PLACES, ExplainedNode, Explanation
from parrules.figures import places, plain_max, shown, shown_max
from parrules.i18n import N_, _, current, n_, number
from parrules.report.document import Issuer
from parrules.report.layout import roman
from parrules.report.method import rounded as rounded_in_words
from parrules.report.templating import TEMPLATES, render, stylesheet
from parrules.results import Results, UnitResult

ZERO = Decimal(0)
HUNDRED = Decimal(100)
LOSSES_SHOWN = 10  # the largest losses listed one by one; the others in one line
GAINS_SHOWN = 6  # the criteria suggested to reach the next class

STATUS = {"not_applicable": N_("does not apply"), "excluded": N_("not scored this year")}


@frozen
class Figure:
    """A figure as the sheet prints it (`text`: 0,8594 or ≈0,6667) and with every digit (`exact`)."""

    value: Decimal
    text: str
    approx: bool

    @property
    def exact(self) -> str:
        """Every digit, with a decimal point: what the printed figure stands for (`data-value`)."""
        return plain_max(self.value)


@frozen
class Row:
    """A node of the unit's tree: a component, field, criterion, sub-criterion or part."""

    id: str
    label: str  # what the No. column prints: the id, or I, II, … for a component
    kind: str
    depth: int
    title: str
    status: str  # scored, not_applicable, excluded
    max: Decimal  # applicable (0 where the node does not apply)
    declared_max: Decimal
    points: Figure | None  # None where it does not apply
    lost: Figure | None
    parent: str | None
    leaf: bool
    status_text: str | None = None  # "does not apply", "not scored this year"
    reason: str | None = None  # why it does not apply
    held: str | None = None  # cap, floor: points held at the maximum or minimum; max: the maximum is capped
    note: str | None = None  # what `held` means, in words

    @property
    def scored(self) -> bool:
        return self.status == "scored"

    @property
    def max_exact(self) -> str:
        return plain_max(self.max)


@frozen
class Line:
    """A line of the table's foot: a bonus, a penalty, the data's maximum, the total's floor, a total."""

    id: str
    kind: str  # bonus, penalty, max_from_data, total_floor, exact_total, total
    title: str
    points: Figure | None  # what it adds to the total (a penalty: negative)
    max: Decimal | None  # what it adds to the maximum (an in-scale bonus; the data's lower maximum: negative)
    note: str | None = None

    @property
    def max_exact(self) -> str:
        return plain_max(self.max) if self.max is not None else ""


@frozen
class LossLine:
    id: str
    label: str
    title: str
    amount: Figure  # points lost (an out-of-scale bonus: negative, it gives points)
    kind: str  # leaf, others, cap, floor, bonus, penalty, max_from_data, total_floor
    note: str | None = None


@frozen
class GainLine:
    id: str
    label: str
    title: str
    gain: Figure
    used: Figure | None  # the last criterion suggested may need only part of its gain


@frozen
class Sheet:
    unit: str
    group: str | None
    year: int | None
    ruleset: str
    issuer: Issuer
    title: str
    total: Decimal  # as published (rounded)
    exact_total: Figure
    rounded: bool  # the published total differs from the total before rounding
    max: Decimal
    index: Decimal
    class_: str | None
    rank: str | None  # "9/17"
    rank_scope: str | None  # "in Nhóm I: …" where the ranks are within the group
    stages: str | None  # "Tự chấm: 73,05; Thẩm định (official): 71,00"
    rows: tuple[Row, ...]
    lines: tuple[Line, ...]
    losses: tuple[LossLine, ...]
    lost_total: str  # "98 − 27,0018 = 70,9982"
    gap: str | None  # what the next class needs, in words
    gains: tuple[GainLine, ...]
    gains_heading: str | None
    notes: tuple[str, ...]


def render_unit_sheet(results: Results, unit: UnitResult | str, *, issuer: Issuer | None = None,
                      template_dir: Path | None = None) -> str:
    """One unit's result sheet: a self-contained HTML page (no link, no script) to read or to print."""
    return render_unit_sheets(results, [unit], issuer=issuer, template_dir=template_dir)


def render_unit_sheets(results: Results, units: Iterable[UnitResult | str], *, issuer: Issuer | None = None,
                       template_dir: Path | None = None) -> str:
    """Several units' sheets in one HTML document, each from a new page (to print them as one PDF)."""
    chosen = issuer if issuer is not None else Issuer.of_results(results)
    sheets = [unit_sheet(results, u, chosen) for u in units]
    title = (f"{sheets[0].title} — {sheets[0].unit}" if len(sheets) == 1 else sheets[0].title) if sheets else ""
    return render("unit.html.j2", template_dir, lang=current(), css=_css(template_dir), sheets=sheets,
                  document_title=title)


def unit_sheet(results: Results, unit: UnitResult | str, issuer: Issuer) -> Sheet:
    """What one unit's sheet shows, its figures ready to print in the reader's language."""
    found = results.find(unit) if isinstance(unit, str) else unit
    explanation = explain(results, found)
    with localcontext(CONTEXT):
        return _sheet(results, found, explanation, issuer)


def file_stem(position: int, count: int, name: str) -> str:
    """`03-Sở-Tư-pháp`: the unit's place in the results and its name as a file name.

    The name in NFC with its letters and digits kept, Vietnamese ones too (ở stays ở), every other
    run of characters one `-`; at most 80 characters. The number first keeps the files in the
    results' order and two units whose names differ only by punctuation apart.
    """
    import unicodedata

    width = max(2, len(str(count)))
    parts: list[str] = []
    word: list[str] = []
    for char in unicodedata.normalize("NFC", name):
        if unicodedata.category(char)[0] in "LNM":
            word.append(char)
        elif word:
            parts.append("".join(word))
            word = []
    if word:
        parts.append("".join(word))
    safe = "-".join(parts)[:80].strip("-") or "unit"
    return f"{position:0{width}d}-{safe}"


# ---- building a sheet ------------------------------------------------------------------------------


def _sheet(results: Results, unit: UnitResult, e: Explanation, issuer: Issuer) -> Sheet:
    least = results.points_rounding.digits if results.points_rounding is not None else 0
    model = results.model
    declared = {n.id: n for n in model.nodes()} if model is not None else {}
    labels = {root.id: roman(number) if root.kind == "component" else root.id
              for number, root in enumerate(e.tree, 1)}
    rows: list[Row] = []
    for root in e.tree:
        _rows(root, None, 0, rows, declared=declared, labels=labels, least=least)
    losses = _losses(e, least, labels)
    year = results.year
    title = _("PAR INDEX RESULT SHEET, {year}").format(year=year) if year else _("PAR INDEX RESULT SHEET")
    rounded = e.total != e.exact_total
    exact_total = _figure(e.exact_total, least)
    figures = {"max": shown_max(e.max), "lost": _figure(sum((x.amount for x in e.losses), ZERO), least).text,
               "total": exact_total.text}
    lost_total = (_("{max} (maximum) − {lost} (points lost) = {total} (total before rounding)") if rounded else
                  _("{max} (maximum) − {lost} (points lost) = {total} (total)")).format(**figures)
    approx = (exact_total.approx or any(r.points is not None and r.points.approx for r in rows)
              or any(x.amount.approx for x in losses))
    return Sheet(
        unit=e.unit, group=e.group, year=year, ruleset=results.title, issuer=issuer, title=title,
        total=e.total, exact_total=exact_total, rounded=rounded, max=e.max, index=e.index,
        class_=e.class_, rank=_rank(results, unit, e), rank_scope=_rank_scope(results, unit, e),
        stages=_stages(e, model, least),
        rows=tuple(rows), lines=tuple(_lines(results, unit, e, least)), losses=tuple(losses), lost_total=lost_total,
        gap=_gap(results, unit, e, least), gains=tuple(_gains(e, least, labels)),
        gains_heading=_("Where the points can be gained (most points first):") if e.gap and e.gap.suggestion else None,
        notes=tuple(_notes(e, approx=approx)),
    )


def _rows(node: ExplainedNode, parent: str | None, depth: int, out: list[Row], *, declared: dict[str, m.Node],
          labels: dict[str, str], least: int) -> None:
    source = declared.get(node.id)
    declared_max = source.max if source is not None else node.max
    label = labels.get(node.id, node.id)
    if node.status != "scored":
        # What does not apply is one greyed row with its reason; what lies below it does not apply either.
        out.append(Row(node.id, label, node.kind, depth, node.title, node.status, node.max, declared_max, None, None,
                       parent, not node.children,
                       _(STATUS[node.status]) if node.status in STATUS else node.status, node.reason))
        return
    held, note = _held(node, source, least)
    out.append(Row(node.id, label, node.kind, depth, node.title, node.status, node.max, declared_max,
                   _figure(node.points, least), _figure(node.max - node.points, least), parent, not node.children,
                   held=held, note=note))
    for child in node.children:
        _rows(child, node.id, depth + 1, out, declared=declared, labels=labels, least=least)


def _held(node: ExplainedNode, source: m.Node | None, least: int) -> tuple[str | None, str | None]:
    """Where an inner row is not simply its rows added up, and why: the ruleset's maximum or minimum."""
    scored = [c for c in node.children if c.status == "scored"]
    if not scored:
        return None, None
    below = sum((c.points for c in scored), ZERO)
    below_max = sum((c.max for c in scored), ZERO)
    if node.points < below:
        return "cap", _("held at its maximum {max} (capped): its rows add up to {points}").format(
            max=shown_max(node.max), points=_figure(below, least).text)
    if node.points > below:
        return "floor", _("held at its minimum {min}: its rows add up to {points}").format(
            min=shown_max(source.min if source is not None else node.points), points=_figure(below, least).text)
    if node.max < below_max:
        return "max", _("at most {max} points (capped): the maxima of its rows add up to {total}").format(
            max=shown_max(node.max), total=shown_max(below_max))
    return None, None


def _lines(results: Results, unit: UnitResult, e: Explanation, least: int) -> list[Line]:
    """The table's foot: bonus and penalty, the data's lower maximum, the total's floor, the totals."""
    out: list[Line] = []
    extras = {x.id: x for x in results.model.extras} if results.model is not None else {}
    for kind, extra_id, _points in e.extras:
        extra = extras.get(extra_id)
        value = unit.exact.extras.get(extra_id, ZERO)  # unrounded: the total is their sum
        title = extra.title if extra is not None else extra_id
        cap = extra.cap if extra is not None else None
        in_scale = extra is not None and extra.in_scale
        if kind == "bonus":
            note = (_("in the scale: up to {cap} points") if in_scale else
                    _("outside the scale: up to {cap} points, added to the total")).format(
                cap=shown_max(cap) if cap is not None else "")
            out.append(Line(extra_id, "bonus", title, _figure(value, least), cap if in_scale else None, note))
        else:
            note = _("up to {cap} points, taken off the total").format(cap=shown_max(cap) if cap is not None else "")
            out.append(Line(extra_id, "penalty", title, _figure(-value, least), None, note))
    for loss in e.losses:
        if loss.kind == "max_from_data" and not (e.unitemised and len(e.tree) == 1):
            out.append(Line("max", "max_from_data", _("The unit's maximum from the data (column max)"), None,
                            -e.unitemised, _("not itemised by criterion")))
        elif loss.kind == "total_floor":
            out.append(Line("total", "total_floor", _(ADJUSTMENTS["total_floor"]), _figure(loss.amount, least), None))
    if e.total != e.exact_total:
        out.append(Line("exact_total", "exact_total", _("Total before rounding"), _figure(e.exact_total, least), e.max))
        out.append(Line("total", "total", _("Total ({how})").format(how=_rounding_words(results)),
                        Figure(e.total, shown(e.total), False), e.max))
    else:
        out.append(Line("total", "total", _("Total"), Figure(e.total, shown(e.total), False), e.max))
    return out


def _losses(e: Explanation, least: int, labels: dict[str, str]) -> list[LossLine]:
    leaves = sorted((x for x in e.losses if x.kind == "leaf" and x.amount > 0), key=lambda x: (-x.amount, x.node_id))
    out = [LossLine(x.node_id, labels.get(x.node_id, x.node_id), x.title, _figure(x.amount, least), "leaf")
           for x in leaves[:LOSSES_SHOWN]]
    rest = leaves[LOSSES_SHOWN:]
    if rest:
        count = len(rest)
        out.append(LossLine("", "", n_("{count} other criterion", "{count} other criteria", count).format(
            count=number(count)), _figure(sum((x.amount for x in rest), ZERO), least), "others"))
    for x in e.losses:
        if x.kind != "leaf" and x.amount:
            note = _(ADJUSTMENTS[x.kind]) if x.kind in ADJUSTMENTS else None
            label = labels.get(x.node_id, x.node_id) if x.kind in ("cap", "floor", "bonus", "penalty") else ""
            out.append(LossLine(x.node_id, label, x.title, _figure(x.amount, least), x.kind, note))
    return out


def _gap(results: Results, unit: UnitResult, e: Explanation, least: int) -> str | None:
    gap = e.gap
    if gap is None:
        if results.class_table(unit.group) is None or unit.class_ is None:
            return None
        return _("{class_name} is the highest class: there is none above it.").format(class_name=unit.class_)
    points = _figure(gap.needed, least)
    count = 1 if gap.needed == 1 else 2
    if gap.by_points:
        return n_("To reach {class_name} (a total from {bound} points), {points} more point is needed.",
                  "To reach {class_name} (a total from {bound} points), {points} more points are needed.",
                  count).format(class_name=gap.next_class, bound=shown_max(gap.bound), points=points.text)
    # The index rises by the points needed over the maximum: what gap.py's target gives.
    rise = _figure(gap.needed * HUNDRED / e.max, least) if e.max else points
    figures = {"class_name": gap.next_class, "bound": shown_max(gap.bound), "points": points.text,
               "rise": rise.text, "target": shown_max(gap.target_index), "index": shown(e.index)}
    if gap.target_index != gap.bound:
        return n_("To reach {class_name} (an index from {bound} %), {points} more point is needed: the index must "
                  "rise by {rise} percentage points, to {target} % before rounding (now {index} %).",
                  "To reach {class_name} (an index from {bound} %), {points} more points are needed: the index must "
                  "rise by {rise} percentage points, to {target} % before rounding (now {index} %).",
                  count).format(**figures)
    return n_("To reach {class_name} (an index from {bound} %), {points} more point is needed: the index must "
              "rise by {rise} percentage points (now {index} %).",
              "To reach {class_name} (an index from {bound} %), {points} more points are needed: the index must "
              "rise by {rise} percentage points (now {index} %).", count).format(**figures)


def _gains(e: Explanation, least: int, labels: dict[str, str]) -> list[GainLine]:
    if e.gap is None:
        return []
    return [GainLine(g.node_id, labels.get(g.node_id, g.node_id), g.title, _figure(g.gain, least),
                     _figure(g.used, least) if g.used < g.gain else None)
            for g in e.gap.suggestion[:GAINS_SHOWN]]


def _ranked_within_group(results: Results, unit: UnitResult) -> bool:
    ranking = results.model.ranking if results.model is not None else None
    return (ranking is None or ranking.within_group) and unit.group is not None


def _rank(results: Results, unit: UnitResult, e: Explanation) -> str | None:
    if e.rank is None:
        return None
    count = len(results.in_group(unit.group)) if _ranked_within_group(results, unit) else len(results.units)
    return _("{rank} of {count}").format(rank=number(e.rank), count=number(count))


def _rank_scope(results: Results, unit: UnitResult, e: Explanation) -> str | None:
    if e.rank is None or not _ranked_within_group(results, unit):
        return None
    return _("in {group}").format(group=unit.group)


def _stages(e: Explanation, model: m.Model | None, least: int) -> str | None:
    if not e.stage_totals or model is None:
        return None
    titles = {s.name: s.title or s.name for s in model.stages}
    parts = [_("{stage}: {points}").format(stage=titles.get(name, name), points=_figure(points, least).text)
             for name, points in e.stage_totals]
    official = e.official_stage
    parts.append(_("{stage} (official): {points}").format(stage=titles.get(official, official) if official else
                                                          _("official"), points=shown(e.total)))
    return "; ".join(parts)


def _rounding_words(results: Results) -> str:
    rounding = results.points_rounding
    if rounding is None:
        return _("as published")
    return rounded_in_words(rounding)


def _notes(e: Explanation, *, approx: bool) -> list[str]:
    notes = [_("The applicable maximum ({max} points) leaves out the criteria that do not apply to the unit or are "
               "not scored this year (in grey); the index is the total divided by it, × 100.").format(
        max=shown_max(e.max))]
    if e.unitemised:
        notes.append(_("The unit's maximum {max} is from the data (column `max`), {less} below what the rules give "
                       "({rules}); the rules do not itemise the difference, so the fields and criteria below keep "
                       "the rules' maxima.").format(max=shown_max(e.max), less=shown_max(e.unitemised),
                                                     rules=shown_max(e.max + e.unitemised)))
    if approx:
        notes.append(_("≈: a figure of more than {places} decimals, rounded here to {places}; the sums use every "
                       "digit.").format(places=SHOWN_PLACES))
    return notes


def _figure(value: Decimal, least: int) -> Figure:
    """Points as scored, at least `least` decimals (1,00), at most 4 before it is rounded and marked ≈."""
    with localcontext(CONTEXT):
        own = places(value.normalize())
        if own > SHOWN_PLACES:
            rounded = value.quantize(Decimal(1).scaleb(-SHOWN_PLACES), rounding=ROUND_HALF_UP)
            return Figure(value, "≈" + shown(rounded), True)
        padded = value.quantize(Decimal(1).scaleb(-max(own, least)))
        return Figure(value, shown(padded), False)


def _css(template_dir: Path | None) -> Markup:
    """document.css then unit.css (a province's own where its folder has them), for a `<style>` element.

    The style sheets are the package's or the province's files, never data; `</` is written `<\\/` so
    that no text in them can close the element.
    """
    unit_css = ""
    for base in (template_dir, TEMPLATES):
        if base is not None and (base / "unit.css").is_file():
            unit_css = (base / "unit.css").read_text(encoding="utf-8")
            break
    text = stylesheet(template_dir) + "\n" + unit_css
    return Markup(text.replace("</", "<\\/"))
