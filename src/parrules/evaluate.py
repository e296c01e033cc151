"""Plan × unit records → results: points, maxima, index, class, group, rank and averages.

Every unit is scored or reported: problems are collected across all units and raised together as
a `DataError`, and then nothing is returned, so a partial table can never be mistaken for a result.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from decimal import Decimal, Inexact, getcontext, localcontext, setcontext

import attrs

from parrules import model as m
from parrules import vocabulary as words
from parrules.codegen import Generated
from parrules.compile import HUNDRED, UNIT_MAX, ZERO, Applicability, EvaluationProblem, LeafFn, Plan
from parrules.data import UnitRecord
from parrules.diagnostics import DataError, Diagnostic
from parrules.exact import CONTEXT, ROUNDING, settle
from parrules.gcpause import paused
from parrules.i18n import N_, _
from parrules.results import Exact, GroupResult, NodeResult, Results, UnitResult

# 40 significant digits: far beyond any published figure, so only the ruleset's rounding rounds.


class _Absent:
    """Inputs that no column of the file gives, with the units that need them: one problem a column.

    A file without a `plan_done` column is one mistake, not one per unit; the diagnostic names the
    units (and the criteria) that need it.
    """

    def __init__(self) -> None:
        self.units: dict[str, list[UnitRecord]] = {}
        self.uses: dict[str, dict[str, None]] = {}

    def add(self, name: str, record: UnitRecord, uses: Sequence[str]) -> None:
        self.units.setdefault(name, []).append(record)
        self.uses.setdefault(name, {}).update(dict.fromkeys(uses))

    def diagnostics(self) -> list[Diagnostic]:
        found = []
        for name, records in self.units.items():
            shown = ", ".join(r.name for r in records[:8]) + (", …" if len(records) > 8 else "")
            uses = ", ".join(u for u in self.uses[name] if u)
            message = (_("no column gives `{name}`, which {count} units need ({units}); used by {nodes}") if uses
                       else _("no column gives `{name}`, which {count} units need ({units}); it decides which "
                              "criteria apply"))
            found.append(Diagnostic(
                "DAT104", "error", message.format(name=name, count=len(records), units=shown, nodes=uses),
                _("add a column `{name}` (its name or its title) and fill it in; leave a cell blank only where the "
                  "criterion does not apply to the unit").format(name=name),
                file=records[0].file, row=records[0].row, column=name))  # at the first unit that needs it
        return found


class _UnitProblems:
    def __init__(self, record: UnitRecord, sink: list[Diagnostic], absent: _Absent | None = None) -> None:
        self.record = record
        self.sink = sink
        self.count = 0
        self.absent = absent

    def missing(self, name: str, uses: Sequence[str], message: str, hint: str) -> None:
        """A value the unit needs and lacks: its own problem if the file has the column, else the column's."""
        # A record made by hand has no columns to go by: its problems stay its own.
        if self.absent is not None and self.record.columns and name not in self.record.columns:
            self.absent.add(name, self.record, uses)
            self.count += 1
            return
        self.add("DAT104", message, hint, name)

    def add(self, code: str, message: str, hint: str, name: str | None = None) -> None:
        column = self.record.columns.get(name, name) if name else None
        self.sink.append(Diagnostic(code, "error", f"{self.record.name}: {message}", hint,
                                    file=self.record.file, row=self.record.row, column=column))
        self.count += 1


# How often a caller's `progress` hears how far scoring is: every this many units (and at the last).
PROGRESS_EVERY = 100


def evaluate(plan: Plan, records: Sequence[UnitRecord],
             progress: Callable[[int, int], None] | None = None, *, generated: bool = True) -> Results:
    """Score every record; `progress(done, total)` is called every `PROGRESS_EVERY` units and at the end.

    `generated=False` scores with the reference closures only (codegen.py says why both exist).
    """
    scoring = _Scoring(plan, generated=generated)
    units: list[_Scored] = []
    total = len(records)
    with localcontext(CONTEXT), paused():  # gcpause.py: no cycles to look for among the figures
        for done, record in enumerate(records, start=1):
            scored = scoring.score(record)
            if scored is not None:
                units.append(scored)
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)
        scoring.raise_problems()
        drafts = _drafts(plan, units)
        for draft in drafts:
            scoring.check_bounds(draft)
        scoring.raise_problems()
        return _publish(plan, drafts, generated=generated)


class _Scoring:
    """What scoring units one by one needs along the way: the problems found, the generated code."""

    def __init__(self, plan: Plan, *, generated: bool) -> None:
        self.plan = plan
        self.problems: list[Diagnostic] = []
        self.absent = _Absent()
        # Figures that would be published out of their bounds: said only when nothing else is wrong.
        self.bounds: list[Diagnostic] = []
        self.fast = Generated.of(plan) if generated else None
        # Above the maximum only with a bonus that is not part of the scale.
        self.room = sum((x.cap for x in plan.model.extras if x.kind == "bonus" and not x.in_scale), ZERO)

    def score(self, record: UnitRecord) -> _Scored | None:
        return _score(self.plan, record, _UnitProblems(record, self.problems, self.absent), self.fast)

    def check_bounds(self, draft: _Draft) -> bool:
        """Whether every published figure of the unit is within its bounds."""
        before = len(self.bounds)
        _check_bounds(draft, self.room, _UnitProblems(draft.scored.record, self.bounds), self.plan.round_index)
        return len(self.bounds) == before

    def found(self) -> list[Diagnostic]:
        """Every unit's problems, or, when there are none, the figures out of their bounds."""
        return [*self.absent.diagnostics(), *self.problems] or self.bounds

    def raise_problems(self) -> None:
        problems = self.found()
        if problems:
            raise DataError(problems)


@attrs.frozen
class Line:
    """A unit's published figures, as a table row shows them, before its rank and its place are known."""

    unit: str
    row: int
    group: str | None
    components: dict[str, Decimal]
    total: Decimal
    max: Decimal
    index: Decimal
    class_: str | None
    key: tuple[Decimal, ...]  # what it is ranked by (`order`)


class Stream:
    """Units scored as they are read, each unit's published figures given back at once and nothing kept
    (stream.py scores a file too large to hold this way). `order` then places and ranks them.

    The problems are those `evaluate` would raise for the same records: every unit's, or, when there
    are none, the figures that would be published out of their bounds. Use it within `stream.context()`.
    """

    def __init__(self, plan: Plan, *, generated: bool = True) -> None:
        self.plan = plan
        self._scoring = _Scoring(plan, generated=generated)

    @staticmethod
    def context() -> contextlib.AbstractContextManager[object]:
        """Where units are scored: the exact context, with the cyclic garbage collector paused."""
        stack = contextlib.ExitStack()
        stack.enter_context(localcontext(CONTEXT))
        stack.enter_context(paused())
        return stack

    def add(self, record: UnitRecord) -> Line | None:
        """The unit's published figures, or None when it has a problem (`problems` says it)."""
        scored = self._scoring.score(record)
        if scored is None:
            return None
        draft = _drafts(self.plan, [scored])[0]
        if not self._scoring.check_bounds(draft):
            return None
        model = self.plan.model
        return Line(record.name, record.row, scored.group, draft.components, draft.total, scored.unit_max,
                    draft.index, _classify(model, scored.group, draft.index, draft.total),
                    _draft_key(model, draft))

    def problems(self) -> list[Diagnostic]:
        return self._scoring.found()


def order(plan: Plan, lines: Sequence[tuple[str | None, tuple[Decimal, ...], str]]) -> list[tuple[int, int | None]]:
    """Publication order of units given as (group, rank key, name): (position in `lines`, rank) by
    group, then rank, then name, as `evaluate`'s results list them."""
    model = plan.model
    ranking = model.ranking
    placed: list[tuple[int, int | None]] = []
    for group in _group_order(plan, [g for g, _k, _n in lines]):
        members = sorted((i for i, line in enumerate(lines) if line[0] == group),
                         key=lambda i: (lines[i][1], lines[i][2]))
        ranks = (_ranks([lines[i][1] for i in members], ranking.ties) if ranking is not None
                 else [None] * len(members))
        placed.extend(zip(members, ranks, strict=True))
    if ranking is not None and not ranking.within_group:  # `rank overall`: units keep their group's place
        overall = sorted(range(len(lines)), key=lambda i: (lines[i][1], lines[i][2]))
        ranked = dict(zip(overall, _ranks([lines[i][1] for i in overall], ranking.ties), strict=True))
        placed = [(i, ranked[i]) for i, _rank in placed]
    return placed


@attrs.frozen
class _Scored:
    """A unit's unrounded figures, before classes and ranks are known."""

    record: UnitRecord
    app: Applicability
    points: list[Decimal]
    branches: list[int]
    extras: dict[str, Decimal]
    unit_max: Decimal
    max_from_data: bool
    stages: dict[str, tuple[Decimal, list[Decimal]]]  # stage → (total, node points)
    group: str | None
    env: dict[str, m.Value]


def _official_env(plan: Plan, record: UnitRecord) -> dict[str, m.Value]:
    """What the official stage's rules read: the record's values (not copied: nothing writes to them),
    with the official stage's own points over them where the data gives them."""
    official = plan.model.official_stage()
    if official is not None and official.name in record.stage_values:
        return {**record.values, **record.stage_values[official.name]}
    return record.values


def _score(plan: Plan, record: UnitRecord, problems: _UnitProblems, fast: Generated | None) -> _Scored | None:
    env = _official_env(plan, record)
    for name in plan.applicability_inputs:
        if name not in env:
            problems.missing(name, (), _("`{name}` is missing; it decides which criteria apply").format(name=name),
                             _("fill in the column for this unit"))
    if problems.count:
        return None
    app = plan.applicability(env)
    context = getcontext()
    context.clear_flags()
    computed = _compute(plan, app, env, problems, fast=fast)
    if computed is None:
        return None
    points, branches, extras = computed
    stages = _stages(plan, app, record, env, official=points, problems=problems,
                     fast=fast) if record.stage_values else {}
    if context.flags[Inexact]:
        # A sum or product of points needed more than the context's 40 digits: a digit was lost.
        problems.add("DAT129", _("a figure of this unit needs more digits than parrules computes with exactly"),
                     _("check the unit's numbers for a value far longer or larger than it should be"))
        return None

    unit_max, max_from_data = app.unit_max, False
    if record.max is not None and record.max != app.unit_max:
        if plan.model.meta.unit_max_from_data and record.max < app.unit_max:
            unit_max, max_from_data = record.max, True
        else:
            if plan.model.meta.unit_max_from_data:
                message = _("maximum {max} disagrees with the rules' {rules} (it may only be lower, for units the "
                            "ruleset does not itemise)")
            else:
                message = _("maximum {max} disagrees with the rules' {rules}")
            problems.add("DAT124", message.format(max=record.max, rules=app.unit_max),
                         _("check the unit's attributes (what applies to it) or the `max` column"), "max")
    if unit_max <= 0:
        problems.add("DAT126", _("no criterion applies to this unit, so it has no maximum"),
                     _("check the unit's attributes"))
    # Only the tree is bounded by the maximum: a bonus outside the scale may lift the total above it.
    tree_points = sum((points[c] for c in plan.components), ZERO)
    if unit_max > 0 and tree_points > unit_max:
        problems.add("DAT125", _("points {points} are above the unit's maximum {max}").format(
                         points=f"{tree_points.normalize():f}", max=unit_max),
                     _("check the unit's `max` column and its given points"),
                     "max" if record.max is not None else "unit")
    group = _group(plan, record, env, unit_max, problems)
    if problems.count:
        return None
    return _Scored(record, app, points, branches, extras, unit_max, max_from_data, stages, group, env)


def _require_reads(plan: Plan, app: Applicability, env: dict[str, m.Value], problems: _UnitProblems) -> None:
    if all(name in env for name in app.reads):
        return
    missing: dict[str, list[str]] = {}
    for i in app.leaves:
        for name in plan.nodes[i].required:
            if name not in env:
                missing.setdefault(name, []).append(plan.nodes[i].node.id)
    for extra in plan.extras:
        for name in extra.reads:
            if name not in env:
                missing.setdefault(name, []).append(extra.extra.id)
    for name, used_by in missing.items():
        problems.missing(name, used_by, _("missing required input `{name}` (used by {nodes})").format(
                             name=name, nodes=", ".join(used_by)),
                         _("fill in the cell; leave it blank only where the criterion does not apply"))


def _compute(plan: Plan, app: Applicability, env: dict[str, m.Value], problems: _UnitProblems, *,
             only: Sequence[int] | None = None,
             start: list[Decimal] | None = None,
             fast: Generated | None = None) -> tuple[list[Decimal], list[int], dict[str, Decimal]] | None:
    """Score the applicable leaves (or `only` these, on top of `start`), then add up the tree.

    With `fast`, the generated scorer does it; where it gives up, the closures below do, and say why.
    """
    if fast is not None:
        if only is None:
            got = fast.official(app)(env)
        else:
            assert start is not None
            got = fast.stage(app, tuple(only))(env, start)
        if got is not None and all(name in env for name in plan.extra_reads):
            extras = _extras(plan, env, problems)
            return None if extras is None else (got[0], got[1], extras)
    if only is None:  # the reference: every value the unit needs first (generated code gives up on one missing)
        before = problems.count
        _require_reads(plan, app, env, problems)
        if problems.count > before:
            return None
    points = list(start) if start is not None else [ZERO] * len(plan.nodes)
    branches = [-1] * len(plan.nodes)
    before = problems.count
    nodes = plan.nodes
    for i in app.leaves if only is None else only:
        p = nodes[i]
        assert p.leaf is not None
        node = p.node
        try:
            value, branch = _in_rounding(p.leaf, env) if p.quotients else p.leaf(env)
        except EvaluationProblem as exc:
            problems.add(exc.code, f"{words.node(node.kind, node.id)}: {exc.message}", exc.hint, exc.column)
            continue
        if p.divides:
            value = settle(value)
        if plan.rounds_leaves:
            value = plan.round_leaf(value)
        if value > node.max or value < node.min:
            if value > node.max:
                message = _("{node} computes {value}, above its maximum {bound}").format(
                    node=words.node(node.kind, node.id), value=f"{value.normalize():f}", bound=node.max)
            else:
                message = _("{node} computes {value}, below its minimum {bound}").format(
                    node=words.node(node.kind, node.id), value=f"{value.normalize():f}", bound=node.min)
            problems.add("DAT121", message,
                         _("check this unit's inputs; if the decision caps the result, write min(…, max)"),
                         p.reads[0] if p.reads else None)
            continue
        points[i], branches[i] = value, branch
    if problems.count > before:
        return None
    for i, children, low, high in app.inner:
        below = sum([points[c] for c in children], ZERO)
        total = low if below < low else high if below > high else below
        # At an earlier stage most sums are the official ones: keep the official figure's object
        # rather than an equal new one, so that a stage's tree costs only what differs.
        if total != points[i] or start is None:
            points[i] = total
    extras = _extras(plan, env, problems)
    return None if extras is None else (points, branches, extras)


def _extras(plan: Plan, env: dict[str, m.Value], problems: _UnitProblems) -> dict[str, Decimal] | None:
    """Each bonus and penalty, within its cap; None if one of them could not be computed."""
    before = problems.count
    extras: dict[str, Decimal] = {}
    for extra in plan.extras:
        try:
            value, _branch = _in_rounding(extra.leaf, env) if extra.quotients else extra.leaf(env)
        except EvaluationProblem as exc:
            problems.add(exc.code, f"{words.node(extra.extra.kind, extra.extra.id)}: {exc.message}", exc.hint,
                         exc.column)
            continue
        extras[extra.extra.id] = max(ZERO, min(extra.extra.cap, settle(Decimal(value))))
    if problems.count > before:
        return None
    return extras


def _in_rounding(leaf: LeafFn, env: dict[str, m.Value]) -> tuple[Decimal, int]:
    """A leaf's rule with a division anywhere, run in the context where digits may be given up (a
    quotient has endless digits; points made of it are settled to 20 places after), so that the
    evaluation context's `Inexact` flag stays a witness of exact arithmetic everywhere else."""
    current = getcontext()
    setcontext(ROUNDING)
    try:
        return leaf(env)
    finally:
        setcontext(current)


def _total(plan: Plan, points: list[Decimal], extras: dict[str, Decimal]) -> Decimal:
    total = sum((points[c] for c in plan.components), ZERO)
    for extra in plan.extras:
        value = extras.get(extra.extra.id, ZERO)
        total += value if extra.extra.kind == "bonus" else -value
    return max(ZERO, total)


def _stages(plan: Plan, app: Applicability, record: UnitRecord, env: dict[str, m.Value], *,
            official: list[Decimal], problems: _UnitProblems,
            fast: Generated | None = None) -> dict[str, tuple[Decimal, list[Decimal]]]:
    """Totals and node points at each earlier scoring stage the data gives (tự chấm, thẩm định lần 1, …).

    Only the leaves that read a stage's points are scored again; the tree is added up from there.
    """
    official_stage = plan.model.official_stage()
    found: dict[str, tuple[Decimal, list[Decimal]]] = {}
    for stage in plan.model.stages:
        given = record.stage_values.get(stage.name)
        if stage is official_stage or not given:
            continue
        staged = {**env, **given}
        changed = plan.leaves_reading(app, frozenset(given))
        computed = _compute(plan, app, staged, problems, only=changed, start=official, fast=fast)
        if computed is not None:
            found[stage.name] = (_total(plan, computed[0], computed[2]), computed[0])
    return found


def _group(plan: Plan, record: UnitRecord, env: dict[str, m.Value], unit_max: Decimal,
           problems: _UnitProblems) -> str | None:
    grouping = plan.model.grouping
    if grouping is None:
        return None
    if grouping.from_data:
        if not record.group:
            problems.add("DAT128", _("no group given"), _("fill in the `group` column"), "group")
        return record.group
    for name in plan.group_reads:
        if name not in env:
            problems.add("DAT104", _("`{name}` is missing; it decides the unit's group").format(name=name),
                         _("fill in the column"), name)
            return None
    scope = {**env, UNIT_MAX: unit_max}
    for name, condition in plan.group_rules:
        if condition is None or condition(scope):
            return name
    problems.add("DAT128", _("matches no group rule"), _("add an `otherwise` group to the ruleset"))
    return None


# ---- publication: rounding, classes, ranks, averages -------------------------------------------


@attrs.frozen
class _Draft:
    """A unit's published figures (rounded as the ruleset says) beside the exact ones."""

    scored: _Scored
    components: dict[str, Decimal]
    total: Decimal
    index: Decimal
    exact: Exact
    roots: tuple[tuple[int, m.Node], ...]  # the components: their index in the plan, and the node


def _drafts(plan: Plan, scored: list[_Scored]) -> list[_Draft]:
    model = plan.model
    rp, ri = plan.round_points, plan.round_index
    drafts: list[_Draft] = []
    roots = tuple((c, plan.nodes[c].node) for c in plan.components)
    kinds = {x.id: x.kind for x in model.extras}
    for s in scored:
        exact_components = {plan.nodes[c].node.id: s.points[c] for c in plan.components}
        exact_total = _total(plan, s.points, s.extras)
        base = rp(exact_total) if model.rounding.index_from_rounded_points else exact_total
        exact_index = base / s.unit_max * HUNDRED
        bonus = sum((v for k, v in s.extras.items() if kinds[k] == "bonus"), ZERO)
        penalty = sum((v for k, v in s.extras.items() if kinds[k] == "penalty"), ZERO)
        drafts.append(_Draft(s, {k: rp(v) for k, v in exact_components.items()}, rp(exact_total), ri(exact_index),
                             Exact(exact_components, exact_total, exact_index, bonus, penalty, dict(s.extras)),
                             roots))
    return drafts


def _check_bounds(draft: _Draft, room: Decimal, problems: _UnitProblems,
                  round_index: Callable[[Decimal], Decimal]) -> None:
    """Every published figure within its bounds, or the unit is reported, never published.

    A ruleset that checks clean cannot break these (PAR210, PAR245, PAR304 see to it); what is left is
    data: a `max` column with more decimals than points are published with.
    """
    s = draft.scored
    for c, node in draft.roots:
        value = draft.components[node.id]
        if s.app.applies[c] and not node.min <= value <= s.app.max[c]:
            problems.add("DAT127", _("{node} would be published as {value}, outside its bounds {min} to {max}").format(
                             node=words.node(node.kind, node.id), value=f"{value.normalize():f}",
                             min=f"{node.min.normalize():f}", max=f"{s.app.max[c].normalize():f}"),
                         _(_BOUNDS_HINT), "max" if s.max_from_data else None)
    top = s.unit_max + room
    if not ZERO <= draft.total <= top:
        problems.add("DAT127", _("the total would be published as {total}, above the unit's maximum {max}").format(
                         total=f"{draft.total.normalize():f}", max=f"{s.unit_max.normalize():f}"),
                     _(_BOUNDS_HINT), "max" if s.max_from_data else None)
    # The highest index the unit can have, rounded as its index is: a bonus outside the scale can
    # give 107.6 %, which the ruleset publishes as 108 %.
    if not ZERO <= draft.index <= round_index(top / s.unit_max * HUNDRED):
        problems.add("DAT127", _("the index would be published as {index} %, above 100 %").format(
                         index=f"{draft.index.normalize():f}"),
                     _(_BOUNDS_HINT), "max" if s.max_from_data else None)


_BOUNDS_HINT = N_("check the unit's `max` column: it must not have more decimals than the ruleset publishes "
                  "points with (its `rounding` block)")


def _publish(plan: Plan, drafts: list[_Draft], *, generated: bool) -> Results:
    model = plan.model
    rounding = model.rounding
    rp = plan.round_points
    units: list[UnitResult] = []
    # Every group in its order, even with no unit (no grouping: the one group None)
    members: dict[str | None, list[_Draft]] = {g: [] for g in _group_order(plan, [d.scored.group for d in drafts])}
    for i, rank in order(plan, [(d.scored.group, _draft_key(model, d), d.scored.record.name) for d in drafts]):
        draft = drafts[i]
        s = draft.scored
        members[s.group].append(draft)
        units.append(UnitResult(
            unit=s.record.name, row=s.record.row, group=s.group,
            components=draft.components, total=draft.total,
            max=s.unit_max, index=draft.index, class_=_classify(model, s.group, draft.index, draft.total), rank=rank,
            exact=draft.exact,
            extras={k: rp(v) for k, v in s.extras.items()},
            stage_totals={k: rp(total) for k, (total, _) in s.stages.items()},
            inputs=s.env,
            model=model,
            max_from_data=s.max_from_data,
            node_builder=_NodeTrees(plan, s.record, draft.exact.components, generated=generated),
        ))
    groups = [GroupResult(group, _average(plan, ranked), tuple(d.scored.record.name for d in ranked))
              for group, ranked in members.items()]
    average = _average(plan, drafts)
    return Results(
        title=model.meta.title, year=model.meta.year, level=model.meta.level,
        components=tuple((c.id, c.title) for c in model.components),
        units=tuple(units), groups=tuple(groups), average=average,
        points_rounding=rounding.points,
        index_rounding=rounding.index,
        average_rounding=rounding.average,
        classes=model.classes,
        model=model,
    )


def _group_order(plan: Plan, seen: list[str | None]) -> list[str | None]:
    if plan.model.grouping is None:
        return [None]
    if plan.model.grouping.from_data:
        return [*sorted({g for g in seen if g is not None})]
    present = set(seen)
    return [name for name, _ in plan.group_rules if name in present]


def _key(model: m.Model, index: Decimal, total: Decimal, components: dict[str, Decimal]) -> tuple[Decimal, ...]:
    keys = model.ranking.keys if model.ranking else (m.RankKey("index"),)
    out: list[Decimal] = []
    for key in keys:
        value = index if key.field == "index" else total if key.field == "total" else components[key.field]
        out.append(-value if key.descending else value)
    return tuple(out)


def _draft_key(model: m.Model, draft: _Draft) -> tuple[Decimal, ...]:
    return _key(model, draft.index, draft.total, draft.components)


def _ranks(keys: list[tuple[Decimal, ...]], ties: str) -> list[int | None]:
    out: list[int | None] = []
    rank = 0
    for position, key in enumerate(keys):
        if position == 0 or key != keys[position - 1]:
            rank = position + 1 if ties == "share" else rank + 1
        out.append(rank)
    return out


def _classify(model: m.Model, group: str | None, index: Decimal, total: Decimal) -> str | None:
    """The class of the published index, or of the published total where the classes are `by points`."""
    tables = [t for t in model.classes if t.group == group] or [t for t in model.classes if t.group is None]
    for table in tables:
        value = total if table.basis == "points" else index
        for band in table.bands:
            if band.contains(value):
                return band.label
    return None


def _average(plan: Plan, drafts: list[_Draft]) -> Decimal | None:
    if not drafts:
        return None
    unrounded = plan.model.rounding.average_of_unrounded
    values = [d.exact.index if unrounded else d.index for d in drafts]
    # Added in one order whatever the order of the rows: a sum of 40-digit quotients is not associative.
    return plan.round_average(sum(sorted(values), ZERO) / Decimal(len(values)))


class _NodeTrees:
    """A unit's tree of node results, built on first use and kept (most units are never explained).

    Only the unit's record is held: the tree is scored again from it when asked, the same way and to
    the same digits (scoring is a function of the record), so that the results of thousands of units
    do not keep every node's points alive for the few that are explained.
    """

    __slots__ = ("_built", "_components", "_generated", "_plan", "_record")

    def __init__(self, plan: Plan, record: UnitRecord, components: dict[str, Decimal], *, generated: bool) -> None:
        self._plan, self._record, self._generated = plan, record, generated
        self._components = components  # the exact points it was scored with, to hold the tree to
        self._built: tuple[NodeResult, ...] | None = None

    def __call__(self) -> tuple[NodeResult, ...]:
        if self._built is None:
            plan, problems = self._plan, list[Diagnostic]()
            with localcontext(CONTEXT):
                scored = _score(plan, self._record, _UnitProblems(self._record, problems),
                                Generated.of(plan) if self._generated else None)
            # A record changed by its owner after scoring would explain other figures than the results':
            # refused, never shown.
            if scored is None or problems or {plan.nodes[c].node.id: scored.points[c]
                                              for c in plan.components} != self._components:
                raise RuntimeError(f"the record of {self._record.name} changed after it was scored; score it again")
            self._built = tuple(_node_result(plan, scored, c) for c in plan.components)
        return self._built


def _node_result(plan: Plan, s: _Scored, index: int) -> NodeResult:
    p = plan.nodes[index]
    node = p.node
    applies = s.app.applies[index]
    if applies:
        status, reason = "scored", None
    elif p.excluded_because is not None:
        status, reason = "excluded", p.excluded_because
    else:
        status, reason = "not_applicable", _why_not(plan, s.app, index)
    return NodeResult(
        id=node.id, kind=node.kind, title=node.title,
        points=s.points[index] if applies else ZERO, max=s.app.max[index], declared_max=node.max,
        stage_points={k: points[index] for k, (_, points) in s.stages.items()} if applies else {},
        status=status,  # type: ignore[arg-type]
        branch=s.branches[index] if p.leaf is not None and applies else None, reason=reason,
        cause=None if applies else s.app.why[index],
        children=tuple(_node_result(plan, s, c) for c in p.children),
    )


def _why_not(plan: Plan, app: Applicability, index: int) -> str:
    p = plan.nodes[index]
    why = app.why[index]
    if why == "children":
        return _("none of its criteria applies to this unit")
    if why == "parent" and p.parent is not None:
        parent = plan.nodes[p.parent].node
        return _("{node} does not apply").format(node=words.node(parent.kind, parent.id))
    if why == "zero":
        rule = p.node.rule
        assert isinstance(rule, m.Proportional)
        return _("the denominator of its rate, {names}, is 0 for this unit; the rule then does not apply it").format(
            names=", ".join(rule.denominator))
    return _("its `applies if` condition is false for this unit")
