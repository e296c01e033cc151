"""What the results table needs: classes that cover 0–100 once (PAR240–PAR242), a group for every
unit (PAR244), and a ranking by keys that exist (PAR243, PAR220).
"""

from __future__ import annotations

from decimal import Decimal

from parrules import model as m
from parrules.checks.common import DETAILED_OVERLAPS, INF, Context, num, show, subexpressions
from parrules.checks.sets import Analyser, Domain, NumSet, Seen, ValueSet, constant_resolver, domain_of, or_words
from parrules.i18n import _, n_, number

HUNDRED = Decimal(100)
INDEX = Domain(NumSet.between(Decimal(0), HUNDRED), percent=True)


def check_publication(ctx: Context) -> None:
    _classes(ctx)
    _groups(ctx)
    _ranking(ctx)


# ---- classes -----------------------------------------------------------------------------------


def _band(band: m.ClassBand, domain: Domain) -> NumSet:
    lo = band.lower if band.lower is not None else -INF
    hi = band.upper if band.upper is not None else INF
    return NumSet.between(lo, hi, band.lower_inclusive, band.upper_inclusive).intersect(domain.universe)  # type: ignore[arg-type]


def _values_words(s: ValueSet, domain: Domain) -> str:
    assert isinstance(s, NumSet)
    words = [_("of {value}").format(value=domain.value(p.lo)) if p.lo == p.hi else domain.words(p)
             for p in s.parts[:3]]
    if domain.percent:
        return _("an index {values}").format(values=or_words(words))
    return _("a total {values}").format(values=or_words(words))


def points_top(model: m.Model) -> Decimal:
    """The highest total a unit can reach: the scale, and any bonus outside it."""
    outside = sum((x.cap for x in model.extras if x.kind == "bonus" and not x.in_scale), Decimal(0))
    return model.full_scale + outside


def _domain(ctx: Context, table: m.ClassTable) -> Domain:
    if table.basis == "index":
        return INDEX
    return Domain(NumSet.between(Decimal(0), points_top(ctx.model)))


def _and_words(words: list[str]) -> str:
    """`a`, `b` and `c`."""
    if len(words) < 2:
        return "".join(words)
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def _group_names(ctx: Context) -> list[str] | None:
    """The groups rules can give, or None when groups come from the data (any name may appear)."""
    grouping = ctx.model.grouping
    if grouping is None:
        return []
    if grouping.from_data:
        return None
    return [r.name for r in grouping.rules]


def _classes(ctx: Context) -> None:
    tables = ctx.model.classes
    if not tables:
        return  # a table that publishes no class (xếp loại): no unit gets one, and reports leave the column out
    groups = _group_names(ctx)
    seen: dict[str | None, m.ClassTable] = {}
    for table in tables:
        first = seen.get(table.group)
        if first is not None:
            if table.group is not None:
                message = _('a second `classes` block for "{group}" (the first is at line {line})').format(
                    group=table.group, line=first.span.line)
            else:
                message = _("a second `classes` block for every group (the first is at line {line})").format(
                    line=first.span.line)
            ctx.error("PAR201", message, _("merge the two blocks into one"), table.span)
            continue
        seen[table.group] = table
        if table.group is not None and groups is not None and table.group not in groups:
            if not groups:
                hint = _('add a `groups { … }` block, or remove `for "…"`')
            else:
                near = ctx.suggest(table.group, groups)
                hint = (_('did you mean "{name}"?').format(name=near) if near else
                        _("the groups are: {groups}").format(groups=", ".join(f'"{g}"' for g in groups)))
            ctx.error("PAR241", _('`classes for "{group}"`: no group rule gives "{group}"').format(group=table.group),
                      hint, table.span)
        if table.basis == "points":
            if any(_percent_bounds(band) for band in table.bands):
                for band in table.bands:
                    _percent_in_points(ctx, band)
            else:
                _class_bands(ctx, table, _domain(ctx, table))
        elif any(v != 0 for band in table.bands for v in band.bare):
            for band in table.bands:
                _bare_bounds(ctx, band)  # their meaning is unknown until the `%` is written: nothing else to judge
        else:
            _unsaid_basis(ctx, table)
            _class_bands(ctx, table, INDEX)
    if None not in seen and groups:
        for name in groups:
            if name not in seen:
                ctx.error("PAR242", _('group "{name}" has no classes, and there is no `classes` block for every '
                                      'group').format(name=name),
                          _('add `classes for "{name}" {{ … }}`, or a `classes {{ … }}` block without `for`').format(
                              name=name),
                          tables[0].span)


def _bare_bounds(ctx: Context, band: m.ClassBand) -> None:
    """Class bounds are on the index, a percentage: `from 80%` (a bare 0 may stay, 0 and 0% are the same)."""
    bare = [v for v in band.bare if v != 0]
    if not bare:
        return
    words = [f'"{band.label}"']
    if band.lower is not None:
        words.append(("from " if band.lower_inclusive else "above ") + num(band.lower) + "%")
    if band.upper is not None:
        words.append(("to " if band.upper_inclusive else "below ") + num(band.upper) + "%")
    code = " ".join(words)
    small = [v for v in bare if 0 < v <= 1]
    if small:
        hint = _("write `{code}` — or `{percent}%` if {value} is a fraction of 1").format(
            code=code, percent=num(small[0] * 100), value=num(small[0]))
    else:
        hint = _("write `{code}`").format(code=code)
    listed = _and_words([f"`{num(v)}`" for v in bare])
    scale = ctx.model.meta.scale or ctx.model.full_scale
    if not small and scale != HUNDRED and all(v <= scale for v in bare):
        # On a scale of 20, `from 15` is most likely points: adding `%` would class every unit wrongly.
        hint = _("if {value} is points out of {scale}, write `classes by points {{ … }}`; if it is the index, "
                 "write `{code}`").format(value=num(bare[0]), scale=num(scale), code=code)
    ctx.error("PAR240", n_('the class "{label}" has a bound {bounds} without `%`; class bounds are on the index, '
                           "a percentage",
                           'the class "{label}" has bounds {bounds} without `%`; class bounds are on the index, '
                           "a percentage", len(bare)).format(label=band.label, bounds=listed), hint, band.span)


def _percent_bounds(band: m.ClassBand) -> list[Decimal]:
    """The bounds of a band written with `%` (the others are in `bare`)."""
    bounds = [v for v in (band.lower, band.upper) if v is not None]
    return [v for v in bounds if v not in band.bare and v != 0]


def _percent_in_points(ctx: Context, band: m.ClassBand) -> None:
    percent = _percent_bounds(band)
    if percent:
        ctx.error("PAR240", _('the class "{label}" has a bound {bound}% in `classes by points`; its bounds are '
                              "points").format(label=band.label, bound=num(percent[0])),
                  _("write the bound in points without `%`, or write `classes by index` for bounds on the index"),
                  band.span)


def _unsaid_basis(ctx: Context, table: m.ClassTable) -> None:
    """On a scale that is not 100, say whether bounds are on the index or the points (both are in use)."""
    scale = ctx.model.meta.scale or ctx.model.full_scale
    if table.said or scale == HUNDRED or not ctx.model.components:
        return
    bounds = [v for band in table.bands for v in (band.lower, band.upper) if v is not None and v != 0]
    if bounds and all(v <= scale for v in bounds):
        ctx.warning("PAR246", _("these classes are on the index (a percentage), on a scale of {scale} points: "
                                "their bounds could also be read as points").format(scale=num(scale)),
                    _("write `classes by index` to keep them on the index, or `classes by points` with bounds in "
                      "points"), table.span)


def _class_bands(ctx: Context, table: m.ClassTable, domain: Domain) -> None:
    labels: dict[str, m.ClassBand] = {}
    sets: list[NumSet] = []
    seen = Seen(domain)
    detailed = more = 0
    for j, band in enumerate(table.bands):
        if band.label in labels:
            ctx.error("PAR201", _('the class "{label}" is listed twice in one block').format(label=band.label),
                      _("keep one line per class"), band.span)
        labels.setdefault(band.label, band)
        s = _band(band, domain)
        sets.append(s)
        if s.empty:
            if not domain.percent:
                message = _('the class "{label}" covers no total from 0 to {top} points, the most a unit can '
                            "reach").format(label=band.label, top=num(points_top(ctx.model)))
            else:
                message = _('the class "{label}" covers no index from 0 to 100').format(label=band.label)
            ctx.error("PAR240", message,
                      _("check its bounds: `from` is the lower bound, `below` or `to` the upper"), band.span)
            continue
        if seen.meets(s):
            if detailed < DETAILED_OVERLAPS:
                detailed += 1
                i = next(i for i in range(j) if not sets[i].intersect(s).empty)
                other, both = table.bands[i], sets[i].intersect(s)
                ctx.error("PAR240", _('"{first}" and "{second}" both cover {values}').format(
                              first=other.label, second=band.label, values=_values_words(both, domain)),
                          _('make one bound exclusive: e.g. "{second}" … below {edge} and "{first}" from '
                            "{edge}").format(second=band.label, first=other.label, edge=domain.value(both.parts[0].lo)),
                          band.span)
            else:
                more += 1
        seen.add(s)
    if more:
        ctx.error("PAR240", n_("{count} more class overlaps classes above it",
                               "{count} more classes overlap classes above them", more).format(count=number(more)),
                  _("make each index fall in one class: fix the lines above, then check again"), table.span)
    gap = domain.minus(domain.all(), seen.union())
    if not domain.empty(gap):
        hint = (_("every index from 0 to 100 needs a class: move a bound, or add a class for these values")
                if domain.percent else
                _("every total from 0 to {top} points needs a class: move a bound, or add a class for these "
                  "values").format(top=num(points_top(ctx.model))))
        ctx.error("PAR240", _("no class covers {values}").format(values=_values_words(gap, domain)), hint,
                  table.span)


# ---- groups ------------------------------------------------------------------------------------


def _groups(ctx: Context) -> None:
    grouping = ctx.model.grouping
    if grouping is None or grouping.from_data:
        return
    names: dict[str, m.GroupRule] = {}
    for rule in grouping.rules:
        if rule.name in names:
            ctx.error("PAR201", _('the group "{name}" is listed twice').format(name=rule.name),
                      _("keep one line per group"), rule.span)
        names.setdefault(rule.name, rule)
    an = _group_analyser(ctx, grouping)
    always: m.GroupRule | None = None
    covered: Seen | None = Seen(an.domain) if an else None
    earlier: set[m.Expr] = set()
    for rule in grouping.rules:
        if always is not None:
            if always.condition is None:
                message = _('the group "{name}" is never given: `otherwise` takes every unit first').format(
                    name=rule.name)
            else:
                message = _('the group "{name}" is never given: the group at line {line} takes every unit '
                            "first").format(name=rule.name, line=always.span.line)
            ctx.error("PAR244", message, _("groups are tried in order: put `otherwise` last"), rule.span)
            continue
        cond = rule.condition
        if cond is None:
            always = rule
            continue
        if cond in earlier:
            ctx.error("PAR244", _('the group "{name}" is never given: an earlier group has the same '
                                  "condition").format(name=rule.name),
                      _("correct the condition"), rule.span)
        earlier.add(cond)
        own = an.exact(cond) if an is not None and ctx.sound_expr(cond) else None
        if an is not None and own is not None and covered is not None:
            d = an.domain
            covered.add(own)
            if d.empty(d.minus(d.all(), own)):
                always = rule
        else:
            covered = None
    if always is None:
        gap = (an.domain.minus(an.domain.all(), covered.union())
               if an is not None and covered is not None else None)
        if gap is not None and an is not None and an.domain.empty(gap):
            return
        if gap is not None and an is not None:
            if isinstance(an.subject, m.NodeMax):
                message = _("a unit whose maximum is {values} matches no group rule, so it would have no "
                            "group").format(values=an.domain.describe(gap))
            else:
                message = _("a unit whose {name} is {values} matches no group rule, so it would have no "
                            "group").format(name=show(an.subject), values=an.domain.describe(gap))
        else:
            message = _("a unit that matches none of the group rules would have no group")
        last = grouping.rules[-1].span if grouping.rules else grouping.span
        ctx.error("PAR244", message, _('add `"…" otherwise` as the last group (or write `groups from data`)'), last)


def _group_analyser(ctx: Context, grouping: m.Grouping) -> Analyser | None:
    """The one thing every group condition tests (the unit's maximum, or one attribute), if there is one."""
    subjects: set[str] = set()
    for rule in grouping.rules:
        if rule.condition is None:
            continue
        for e in subexpressions(rule.condition):
            if isinstance(e, m.NodeMax):
                subjects.add("\0max")
            elif isinstance(e, m.Ref) and e.name in ctx.declared:
                subjects.add(e.name)
    if len(subjects) != 1:
        return None
    full = ctx.model.full_scale
    builtins = {"full": full, "scale": ctx.model.meta.scale if ctx.model.meta.scale is not None else full}
    resolve = constant_resolver(builtins, None, ctx.declared)
    subject = subjects.pop()
    if subject == "\0max":
        return Analyser(m.NodeMax(), Domain(NumSet.between(Decimal(0), full, lo_in=False)), resolve)
    return Analyser(m.Ref(subject), domain_of(ctx.declared[subject]), resolve)


# ---- ranking -----------------------------------------------------------------------------------


def _ranking(ctx: Context) -> None:
    ranking = ctx.model.ranking
    if ranking is None:
        ctx.error("PAR243", _("the ruleset has no `rank` line, so units are not ranked"),
                  _("add e.g. `rank within group by index desc` (or `rank overall by index desc`)"), ctx.anchor())
        return
    allowed = ["index", "total", *(c.id for c in ctx.model.components)]
    for key in ranking.keys:
        if key.field not in allowed:
            near = ctx.suggest(key.field, allowed)
            hint = (_("did you mean `{name}`?").format(name=near) if near else
                    _("rank by index, total or a component's name: {names}").format(names=", ".join(allowed)))
            ctx.error("PAR220", _("`{name}` is not something units can be ranked by").format(name=key.field),
                      hint, key.span)



