"""Tables and steps: every value has exactly one outcome (PAR211–PAR214).

A table whose conditions all test one input against constants is a set of bands (docs/architecture.md,
"Tables"): order does not matter, bands must not overlap (PAR212) and must cover the input's allowed
values unless there is an `otherwise` (PAR211). Any other table is tried in order and needs an
`otherwise` (PAR214); a line that an earlier line always takes first is unreachable (PAR213).
"""

from __future__ import annotations

from parrules import model as m
from parrules.checks.common import DETAILED_OVERLAPS, Context, Leaf, show, subexpressions
from parrules.checks.sets import Analyser, Domain, NumSet, Seen, ValueSet, constant_resolver, domain_of, or_words
from parrules.i18n import _, n_, number
from parrules.vocabulary import yes_no


def check_tables(ctx: Context) -> None:
    for leaf in ctx.leaves:
        if not ctx.sound(leaf.rule):
            continue
        if isinstance(leaf.rule, m.Table):
            _table(ctx, leaf, leaf.rule)
        elif isinstance(leaf.rule, m.Steps):
            _steps(ctx, leaf.rule)


def declared_refs(ctx: Context, expr: m.Expr) -> set[str]:
    return {e.name for e in subexpressions(expr) if isinstance(e, m.Ref) and e.name in ctx.declared}


def analyser(ctx: Context, name: str, leaf: Leaf | None) -> Analyser:
    resolve = constant_resolver(node_max=leaf.max if leaf else None, declared=ctx.declared)
    return Analyser(m.Ref(name), domain_of(ctx.declared[name]), resolve)


def band_subject(ctx: Context, leaf: Leaf, table: m.Table) -> Analyser | None:
    """The analyser of the one input every condition tests against constants, if the table is bands."""
    names = [declared_refs(ctx, b.condition) for b in table.branches]
    if not names or any(len(n) != 1 for n in names) or len(set.union(*names)) != 1:
        return None
    an = analyser(ctx, next(iter(names[0])), leaf)
    return an if all(an.exact(b.condition) is not None for b in table.branches) else None


def _table(ctx: Context, leaf: Leaf, table: m.Table) -> None:
    an = band_subject(ctx, leaf, table)
    if an is not None:
        _bands(ctx, an, table)
    else:
        _first_match(ctx, leaf, table)


def _bands(ctx: Context, an: Analyser, table: m.Table) -> None:
    d: Domain = an.domain
    name = show(an.subject)
    sets: list[ValueSet] = []
    for branch in table.branches:
        found = an.exact(branch.condition)
        assert found is not None
        sets.append(found)
    seen = Seen(d)
    detailed = more = 0
    for j, branch in enumerate(table.branches):
        if d.empty(sets[j]):
            ctx.error("PAR213", _("`{condition}` can never hold: {name} is {extent}").format(
                condition=show(branch.condition), name=name, extent=d.extent()),
                _("correct the bound, or delete the line"), branch.span)
            continue
        if seen.meets(sets[j]):
            if detailed < DETAILED_OVERLAPS:
                detailed += 1
                i = next(i for i in range(j) if not d.empty(d.inter(sets[i], sets[j])))
                both = d.inter(sets[i], sets[j])
                if isinstance(both, NumSet):
                    edge = d.value(both.parts[0].lo)
                    hint = _("bands must not overlap: make one of the two bounds exclusive (e.g. "
                             "`< {edge}` on one line and `>= {edge}` on the other)").format(edge=edge)
                else:
                    hint = _("give each value one line only")
                ctx.error("PAR212", _("this line overlaps line {line}: both hold when {name} is {values}").format(
                    line=table.branches[i].span.line, name=name, values=d.describe(both)), hint, branch.span)
            else:
                more += 1
        seen.add(sets[j])
    if more:
        ctx.error("PAR212", n_("{count} more line of this table overlaps lines above it",
                               "{count} more lines of this table overlap lines above them", more).format(
                                   count=number(more)),
                  _("bands must not overlap: fix the lines above, then check again"), table.span)
    gap = d.minus(d.all(), seen.union())
    if not d.empty(gap) and table.otherwise is None:
        ctx.error("PAR211", _("no line gives points when {name} is {values}").format(
            name=name, values=d.describe(gap)),
                  _("add a line for these values, or an `otherwise -> …` line"), table.span)
    elif d.empty(gap) and table.otherwise is not None:
        ctx.warning("PAR213", _("`otherwise` is never used: the lines above cover every value of {name}").format(
            name=name), _("remove the `otherwise` line, or check the bounds above it"), table.otherwise.span)


def _first_match(ctx: Context, leaf: Leaf, table: m.Table) -> None:
    always: m.Branch | None = None
    first: dict[m.Expr, m.Branch] = {}
    seen: dict[str, Seen] = {}  # per input, the values earlier lines that test only it take
    for branch in table.branches:
        cond = branch.condition
        if always is not None:
            ctx.error("PAR213", _("this line is never used: the line at line {line} always holds and comes first"
                                  ).format(line=always.span.line),
                      _("lines are tried in order: move this line up, or correct the one above"), branch.span)
            continue
        same = first.get(cond)
        if same is not None:
            ctx.error("PAR213", _("this line is never used: line {line} has the same condition").format(
                line=same.span.line), _("delete one of the two lines, or correct the condition"), branch.span)
            continue
        first[cond] = branch
        names = declared_refs(ctx, cond)
        if len(names) == 1:
            subject = next(iter(names))
            an = analyser(ctx, subject, leaf)
            own = an.exact(cond)
            if own is not None:
                d = an.domain
                before = seen.setdefault(subject, Seen(d))
                if d.empty(own):
                    ctx.error("PAR213", _("`{condition}` can never hold: {name} is {extent}").format(
                        condition=show(cond), name=show(an.subject), extent=d.extent()),
                        _("correct the bound, or delete the line"), branch.span)
                elif before.contains(own):
                    ctx.error("PAR213", _("this line is never used: the lines above already take every unit it "
                                          "would"),
                              _("lines are tried in order: move this line up, or correct its condition"),
                              branch.span)
                if d.empty(d.minus(d.all(), own)):
                    always = branch
                before.add(own)
        elif cond == m.Bool(True):
            always = branch
    if table.otherwise is None and always is None:
        ctx.error("PAR214", _("these lines test different things, so they are tried in order, and a unit that "
                              "matches none of them would get no points"),
                  _("add `otherwise -> …` as the last line"), table.span)
    elif table.otherwise is not None and always is not None:
        ctx.warning("PAR213", _("`otherwise` is never used: the line at line {line} always holds").format(
            line=always.span.line),
                    _("remove the `otherwise` line, or correct the line that always holds"), table.otherwise.span)


def _steps(ctx: Context, steps: m.Steps) -> None:
    decl = ctx.declared.get(steps.input)
    if decl is None or not isinstance(decl.type, m.YesNo | m.Choice):
        return
    values: list[str | bool] = list(decl.type.names()) if isinstance(decl.type, m.Choice) else [True, False]
    seen: dict[str | bool, m.Step] = {}
    for step in steps.steps:
        first = seen.get(step.key)
        if first is not None:
            ctx.error("PAR212", _("`{choice}` has two outcomes (the first at line {line})").format(
                choice=_key(step.key), line=first.span.line), _("keep one outcome per choice"), step.span)
        else:
            seen[step.key] = step
    missing = [_key(v) for v in values if v not in seen]
    if missing and steps.otherwise is None:
        listed = or_words(missing)
        lines = ", ".join(f"`{choice} -> …`" for choice in missing)
        hint = (_("add {line}, or `otherwise -> …`").format(line=lines) if len(missing) == 1 else
                _("add an outcome for each ({lines}), or `otherwise -> …`").format(lines=lines))
        ctx.error("PAR214", _("no outcome for {name} = {choices}").format(name=steps.input, choices=listed),
                  hint, steps.span)
    elif not missing and steps.otherwise is not None:
        ctx.warning("PAR213", _("`otherwise` is never used: every choice of {name} has its own outcome").format(
            name=steps.input), _("remove the `otherwise`"), steps.otherwise.span)


def _key(key: str | bool) -> str:
    return yes_no(key) if isinstance(key, bool) else key
