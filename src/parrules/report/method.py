"""The footnote on method that an annex prints under its tables, in the reader's language.

What a reader needs to check every figure of the table by hand: how the index is made, on what
scale and what was left out of it and why, which units were scored on a lower maximum, how points,
the index and averages are rounded, where each class begins and how ranks are given. Every sentence
is made from the checked ruleset and the results; nothing is said that the ruleset does not say.
"""

from __future__ import annotations

from decimal import Decimal

from parrules import model as m
from parrules.figures import shown, shown_max
from parrules.i18n import N_, _, n_, number
from parrules.results import Results

_MODES = {"half-up": N_("rounded half up"), "half-even": N_("rounded half to even"),
          "truncate": N_("cut off (not rounded)")}


def method_notes(results: Results) -> list[str]:
    model = results.model
    if model is None:
        return []
    notes = [_("Index = points obtained ÷ applicable maximum points × 100; a criterion that does not apply to a "
               "unit is left out of both.")]
    notes += _scale(model)
    notes += _lower_maxima(results, model)
    notes += _extras(model)
    rounding = _rounding(model.rounding)
    if rounding:
        notes.append(rounding)
    notes += _unbalanced(results, model)
    notes += _classes(model)
    ranking = _ranking(model)
    if ranking:
        notes.append(ranking)
    return notes


def _scale(model: m.Model) -> list[str]:
    declared = model.meta.scale if model.meta.scale is not None else sum((c.max for c in model.components),
                                                                         Decimal(0))
    full = model.full_scale
    if not model.exclusions:
        return [_("Scale: {scale} points.").format(scale=shown_max(declared))]
    nodes = {n.id: n for n in model.nodes()}
    dropped = []
    for exclusion in model.exclusions:
        node = nodes.get(exclusion.node_id)
        title = f"{exclusion.node_id} {node.title}" if node is not None and node.title else exclusion.node_id
        points = shown_max(node.max) if node is not None else "?"
        dropped.append(_("{node} ({points} points): {reason}").format(node=title, points=points,
                                                                      reason=exclusion.reason))
    return [_("Scale: {scale} points; scored on {full} points, without {dropped}.").format(
        scale=shown_max(declared), full=shown_max(full), dropped="; ".join(dropped))]


def _lower_maxima(results: Results, model: m.Model) -> list[str]:
    full = model.full_scale
    lower = [u for u in results.units if u.max < full]
    if not lower:
        return []
    why = (_("their maxima are given in the data, from the criteria that do not apply to them")
           if model.meta.unit_max_from_data else _("criteria that do not apply to them are left out"))
    return [n_("{count} unit is scored on a maximum below {full} points ({why}): {units}.",
               "{count} units are scored on maxima below {full} points ({why}): {units}.", len(lower)).format(
        count=number(len(lower)), full=shown_max(full), why=why,
        units="; ".join(f"{u.unit} ({shown_max(u.max)})" for u in lower))]


def _extras(model: m.Model) -> list[str]:
    out = []
    for extra in model.extras:
        line = (_("Bonus {id} ({title}): up to {cap} points, added to the total.") if extra.kind == "bonus"
                else _("Penalty {id} ({title}): up to {cap} points, taken off the total (printed with a minus sign)."))
        out.append(line.format(id=extra.id, title=extra.title, cap=shown_max(extra.cap)))
    return out


def _unbalanced(results: Results, model: m.Model) -> list[str]:
    """Units whose printed columns do not add up to their printed total, because each is rounded on its own."""
    kinds = {x.id: x.kind for x in model.extras}
    odd = []
    for unit in results.units:
        parts = sum(unit.components.values(), Decimal(0))
        parts += sum((v if kinds.get(k) == "bonus" else -v for k, v in unit.extras.items()), Decimal(0))
        if parts != unit.total and parts > 0:
            odd.append(f"{unit.unit} ({shown(parts)} / {shown(unit.total)})")
    if not odd:
        return []
    return [n_("Each figure is rounded from the unrounded points, so the printed columns of {count} unit add up "
               "to a little more or less than its printed total (columns / total): {units}.",
               "Each figure is rounded from the unrounded points, so the printed columns of {count} units add up "
               "to a little more or less than their printed totals (columns / total): {units}.", len(odd)).format(
        count=number(len(odd)), units="; ".join(odd))]


def rounded(rounding: m.Rounding) -> str:
    """How a figure is rounded, in words: "2 chữ số thập phân, làm tròn lên từ 5"."""
    return n_("{digits} decimal, {mode}", "{digits} decimals, {mode}", rounding.digits).format(
        digits=rounding.digits, mode=_(_MODES[rounding.mode]))


def _rounding(settings: m.RoundingSettings) -> str | None:
    parts = []
    if settings.leaves is not None:
        parts.append(_("each sub-criterion's points to {how}").format(how=rounded(settings.leaves)))
    if settings.points is not None:
        parts.append(_("points to {how}").format(how=rounded(settings.points)))
    if settings.index is not None:
        source = (_("from the rounded points") if settings.index_from_rounded_points
                  else _("from the unrounded points"))
        parts.append(_("the index to {how}, {source}").format(how=rounded(settings.index), source=source))
    if settings.average is not None:
        source = (_("of the unrounded indices") if settings.average_of_unrounded
                  else _("of the published indices"))
        parts.append(_("averages to {how}, {source}").format(how=rounded(settings.average), source=source))
    if not parts:
        return None
    return _("Rounding: {parts}.").format(parts="; ".join(parts))


def band_words(band: m.ClassBand | None) -> str:
    """A class band on the index as the legend of a chart says it: "Tốt: từ 80 %"."""
    return _band(band, " %") if band is not None else ""


def _band(band: m.ClassBand, unit: str) -> str:
    low = f"{shown_max(band.lower)}{unit}" if band.lower is not None else None
    high = f"{shown_max(band.upper)}{unit}" if band.upper is not None else None
    if low and high:
        return _("{label}: from {low} to below {high}").format(label=band.label, low=low, high=high)
    if low:
        return _("{label}: from {low}").format(label=band.label, low=low)
    if high:
        return _("{label}: below {high}").format(label=band.label, high=high)
    return band.label


def _classes(model: m.Model) -> list[str]:
    out = []
    for table in model.classes:
        unit = " %" if table.basis == "index" else " " + _("points")
        bands = "; ".join(_band(b, unit) for b in table.bands)
        if table.group is None:
            out.append(_("Classes: {bands}.").format(bands=bands))
        else:
            out.append(_("Classes in {group}: {bands}.").format(group=table.group, bands=bands))
    return out


def _ranking(model: m.Model) -> str | None:
    ranking = model.ranking
    if ranking is None:
        return None
    where = _("within each group") if ranking.within_group else _("over all units")
    words = {"index": _("the index"), "total": _("the total points")}
    keys = ", ".join(words.get(k.field, k.field) + " " + (_("highest first") if k.descending else _("lowest first"))
                     for k in ranking.keys)
    ties = _("equal figures share a rank") if ranking.ties == "share" else _("equal figures share a rank, "
                                                                             "the next rank follows on")
    return _("Ranks: {where}, by {keys}; {ties}.").format(where=where, keys=keys, ties=ties)
