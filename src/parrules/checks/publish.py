"""What the results table needs: classes that cover 0–100 once (PAR240–PAR242), a group for every
unit (PAR244), and a ranking by keys that exist (PAR243, PAR220).
"""

from __future__ import annotations

from decimal import Decimal

from parrules import model as m
from parrules.checks.common import DETAILED_OVERLAPS, INF, Context, num, show, subexpressions
from parrules.checks.sets import Analyser, Domain, NumSet, Seen, ValueSet, constant_resolver, domain_of

HUNDRED = Decimal(100)
INDEX = Domain(NumSet.between(Decimal(0), HUNDRED), percent=True)


def check_publication(ctx: Context) -> None:
    _classes(ctx)
    _groups(ctx)
    _ranking(ctx)


# ---- classes -----------------------------------------------------------------------------------


def _band(band: m.ClassBand) -> NumSet:
    lo = band.lower if band.lower is not None else -INF
    hi = band.upper if band.upper is not None else INF
    return NumSet.between(lo, hi, band.lower_inclusive, band.upper_inclusive).intersect(INDEX.universe)  # type: ignore[arg-type]


def _index_words(s: ValueSet) -> str:
    assert isinstance(s, NumSet)
    words = [f"of {INDEX.value(p.lo)}" if p.lo == p.hi else INDEX.words(p) for p in s.parts[:3]]
    return "an index " + " or ".join(words)


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
        ctx.error("PAR242", "the ruleset has no `classes`, so no unit gets a class (xếp loại)",
                    'add e.g. `classes { "Tốt" from 80%  "Khá" from 70% below 80%  "Trung bình" below 70% }`',
                    ctx.anchor())
        return
    groups = _group_names(ctx)
    seen: dict[str | None, m.ClassTable] = {}
    for table in tables:
        first = seen.get(table.group)
        what = f'for "{table.group}"' if table.group is not None else "for every group"
        if first is not None:
            ctx.error("PAR201", f"a second `classes` block {what} (the first is at line {first.span.line})",
                      "merge the two blocks into one", table.span)
            continue
        seen[table.group] = table
        if table.group is not None and groups is not None and table.group not in groups:
            if not groups:
                hint = 'add a `groups { … }` block, or remove `for "…"`'
            else:
                near = ctx.suggest(table.group, groups)
                hint = f'did you mean "{near}"?' if near else "the groups are: " + ", ".join(f'"{g}"' for g in groups)
            ctx.error("PAR241", f'`classes for "{table.group}"`: no group rule gives "{table.group}"', hint,
                      table.span)
        if any(v != 0 for band in table.bands for v in band.bare):
            for band in table.bands:
                _bare_bounds(ctx, band)  # their meaning is unknown until the `%` is written: nothing else to judge
        else:
            _class_bands(ctx, table)
    if None not in seen and groups:
        for name in groups:
            if name not in seen:
                ctx.error("PAR242", f'group "{name}" has no classes, and there is no `classes` block for every group',
                          f'add `classes for "{name}" {{ … }}`, or a `classes {{ … }}` block without `for`',
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
    hint = f"write `{' '.join(words)}`"
    small = [v for v in bare if 0 < v <= 1]
    if small:
        hint += f" — or `{num(small[0] * 100)}%` if {num(small[0])} is a fraction of 1"
    listed = " and ".join(f"`{num(v)}`" for v in bare)
    ctx.error("PAR240", f'the class "{band.label}" has {"bounds" if len(bare) > 1 else "a bound"} {listed} '
              "without `%`; class bounds are on the index, a percentage", hint, band.span)


def _class_bands(ctx: Context, table: m.ClassTable) -> None:
    labels: dict[str, m.ClassBand] = {}
    sets: list[NumSet] = []
    seen = Seen(INDEX)
    detailed = more = 0
    for j, band in enumerate(table.bands):
        if band.label in labels:
            ctx.error("PAR201", f'the class "{band.label}" is listed twice in one block',
                      "keep one line per class", band.span)
        labels.setdefault(band.label, band)
        s = _band(band)
        sets.append(s)
        if s.empty:
            ctx.error("PAR240", f'the class "{band.label}" covers no index from 0 to 100',
                      "check its bounds: `from` is the lower bound, `below` or `to` the upper", band.span)
            continue
        if seen.meets(s):
            if detailed < DETAILED_OVERLAPS:
                detailed += 1
                i = next(i for i in range(j) if not sets[i].intersect(s).empty)
                other, both = table.bands[i], sets[i].intersect(s)
                ctx.error("PAR240", f'"{other.label}" and "{band.label}" both cover {_index_words(both)}',
                          f'make one bound exclusive: e.g. "{band.label}" … below {INDEX.value(both.parts[0].lo)} '
                          f'and "{other.label}" from {INDEX.value(both.parts[0].lo)}', band.span)
            else:
                more += 1
        seen.add(s)
    if more:
        ctx.error("PAR240", f"{more:,} more classes overlap classes above them",
                  "make each index fall in one class: fix the lines above, then check again", table.span)
    gap = INDEX.minus(INDEX.all(), seen.union())
    if not INDEX.empty(gap):
        ctx.error("PAR240", f"no class covers {_index_words(gap)}",
                  "every index from 0 to 100 needs a class: move a bound, or add a class for these values",
                  table.span)


# ---- groups ------------------------------------------------------------------------------------


def _groups(ctx: Context) -> None:
    grouping = ctx.model.grouping
    if grouping is None or grouping.from_data:
        return
    names: dict[str, m.GroupRule] = {}
    for rule in grouping.rules:
        if rule.name in names:
            ctx.error("PAR201", f'the group "{rule.name}" is listed twice', "keep one line per group", rule.span)
        names.setdefault(rule.name, rule)
    an = _group_analyser(ctx, grouping)
    always: m.GroupRule | None = None
    covered: Seen | None = Seen(an.domain) if an else None
    earlier: set[m.Expr] = set()
    for rule in grouping.rules:
        if always is not None:
            what = "`otherwise`" if always.condition is None else f"the group at line {always.span.line}"
            ctx.error("PAR244", f'the group "{rule.name}" is never given: {what} takes every unit first',
                      "groups are tried in order: put `otherwise` last", rule.span)
            continue
        cond = rule.condition
        if cond is None:
            always = rule
            continue
        if cond in earlier:
            ctx.error("PAR244", f'the group "{rule.name}" is never given: an earlier group has the same condition',
                      "correct the condition", rule.span)
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
            who = ("whose maximum is " if isinstance(an.subject, m.NodeMax) else f"whose {show(an.subject)} is ")
            message = f"a unit {who}{an.domain.describe(gap)} matches no group rule, so it would have no group"
        else:
            message = "a unit that matches none of the group rules would have no group"
        last = grouping.rules[-1].span if grouping.rules else grouping.span
        ctx.error("PAR244", message, 'add `"…" otherwise` as the last group (or write `groups from data`)', last)


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
        ctx.error("PAR243", "the ruleset has no `rank` line, so units are not ranked",
                    "add e.g. `rank within group by index desc` (or `rank overall by index desc`)", ctx.anchor())
        return
    allowed = ["index", "total", *(c.id for c in ctx.model.components)]
    for key in ranking.keys:
        if key.field not in allowed:
            near = ctx.suggest(key.field, allowed)
            ctx.error("PAR220", f"`{key.field}` is not something units can be ranked by",
                      f"did you mean `{near}`?" if near else "rank by index, total or a component's name: "
                      + ", ".join(allowed), key.span)



