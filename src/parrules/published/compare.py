"""Comparing computed results with a published table, and saying what causes each difference.

Every published figure is a rounded value: it stands for an interval of exact figures
(`intervals.stands_for`). A published row therefore allows a range of totals (its components'
intervals added up, met with its total's own) and a range of indices (those totals ÷ the maximum
× 100, rounded). A difference is then

- `rounding`: the computed and the published figure are both within what the published row allows;
- `source_inconsistency`: the published row contradicts itself (components that cannot add up to
  its total, an index no total within rounding gives, a class its own index does not give);
- `tie_broken_by_source`: units the ruleset's tie rule ranks together are ranked apart in the source;
- `unexplained`: none of these — a transcription mistake in the ruleset, the data or the table;
- `missing` / `extra`: a unit in only one of the two tables.

Differences are reported, never hidden and never fatal: the cause says why, the figures stay.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Literal, TypeAlias, get_args

from attrs import frozen

from parrules import i18n
from parrules.data.text import text_key
from parrules.exact import ROUNDING
from parrules.figures import plain, plain_max
from parrules.figures import shown as written
from parrules.figures import shown_max as written_max
from parrules.i18n import N_, Np_, _, n_
from parrules.model import Model, Ranking, Rounding
from parrules.published.intervals import IndexRule, Interval, rounded_ends, rounded_range, stands_for, total
from parrules.published.read import Published, PublishedAverage, PublishedRow
from parrules.results import Results, UnitResult

Cause: TypeAlias = Literal["rounding", "source_inconsistency", "tie_broken_by_source", "unexplained", "missing",
                           "extra"]
CAUSES: tuple[Cause, ...] = get_args(Cause)
# What `--strict` does not accept: a difference no figure of the source accounts for.
NOT_EXPLAINED: tuple[Cause, ...] = ("unexplained", "missing", "extra")


@frozen
class Difference:
    unit: str
    field: str  # total, index, class, group, rank, max, average, missing, extra, or a component's name
    computed: str
    published: str
    note: str | None = None  # the cause in words, with the figures that show it
    cause: Cause = "unexplained"

    def describe(self) -> str:
        """The difference as one line of the comparison, in the reader's language."""
        if self.field == "missing":
            return _("{unit}: in the published table but not scored").format(unit=self.unit)
        if self.field == "extra":
            return _("{unit}: scored but not in the published table").format(unit=self.unit)
        # Any other field is a component's (or a bonus's) points, named as the ruleset names it.
        lines = _DESCRIBED.get(self.field if self.field in _FIELDS else "points", _DESCRIBED[None])
        change = ""
        if self.field in _FIGURES or self.field not in _FIELDS:
            delta = _delta(self.computed, self.published)
            if delta is None:
                lines = _DESCRIBED[None]
            else:
                change = f"{'+' if delta > 0 else ''}{written(delta)}"
        plain_line, noted_line = lines
        return _(noted_line if self.note else plain_line).format(
            unit=self.unit, field=self.field, computed=_shown(self.computed), published=_shown(self.published),
            change=change, note=self.note)

    def to_dict(self) -> dict[str, str | None]:
        return {"unit": self.unit, "field": self.field, "computed": self.computed or None,
                "published": self.published or None, "cause": self.cause, "note": self.note}


def _shown(figure: str) -> str:
    """A figure kept as the machine writes it (JSON keeps 86.54), as the reader's language writes it (86,54)."""
    try:
        return written(Decimal(figure)) if figure else figure
    except ArithmeticError:
        return figure


def _delta(computed: str, published: str) -> Decimal | None:
    try:
        return ROUNDING.subtract(Decimal(computed), Decimal(published))
    except ArithmeticError:  # a component cell is always a figure; this is for a caller's own Difference
        return None


_FIGURES = ("total", "index", "average")  # a difference in these is shown with its sign and size
_FIELDS = ("total", "index", "average", "class", "group", "rank", "max", "missing", "extra")
# One line per compared column, without and with a note (why the difference is there). The column
# names (total, index, …) are the published table's own headers; "points" is a component's or a bonus's.
_DESCRIBED: dict[str | None, tuple[str, str]] = {
    "total": (N_("{unit}: total {computed} computed, {published} published ({change})"),
              N_("{unit}: total {computed} computed, {published} published ({change}) — {note}")),
    "index": (N_("{unit}: index {computed} computed, {published} published ({change})"),
              N_("{unit}: index {computed} computed, {published} published ({change}) — {note}")),
    "average": (N_("{unit}: average {computed} computed, {published} published ({change})"),
                N_("{unit}: average {computed} computed, {published} published ({change}) — {note}")),
    "class": (N_("{unit}: class {computed} computed, {published} published"),
              N_("{unit}: class {computed} computed, {published} published — {note}")),
    "group": (N_("{unit}: group {computed} computed, {published} published"),
              N_("{unit}: group {computed} computed, {published} published — {note}")),
    "rank": (N_("{unit}: rank {computed} computed, {published} published"),
             N_("{unit}: rank {computed} computed, {published} published — {note}")),
    "max": (N_("{unit}: max {computed} computed, {published} published"),
            N_("{unit}: max {computed} computed, {published} published — {note}")),
    "points": (N_("{unit}: {field} {computed} computed, {published} published ({change})"),
               N_("{unit}: {field} {computed} computed, {published} published ({change}) — {note}")),
    None: (N_("{unit}: {field} {computed} computed, {published} published"),
           N_("{unit}: {field} {computed} computed, {published} published — {note}")),
}


# ---- the comparison as a whole --------------------------------------------------------------------


@frozen
class Comparison:
    """The computed results against one published table: what `score --published` prints."""

    file: str
    units: int
    averages: int
    differences: tuple[Difference, ...]

    def count(self, *causes: Cause) -> int:
        return sum(1 for d in self.differences if d.cause in causes)

    @property
    def not_explained(self) -> int:
        """Differences that neither rounding nor the source accounts for (what `--strict` refuses)."""
        return self.count(*NOT_EXPLAINED)

    def summary(self) -> str:
        counted = {"units": n_("{count} unit", "{count} units", self.units).format(count=i18n.number(self.units)),
                   "averages": n_("{count} average", "{count} averages", self.averages).format(count=self.averages),
                   "differences": n_("{count} difference", "{count} differences", len(self.differences)).format(
                       count=i18n.number(len(self.differences)))}
        causes = [n_(*_COUNTED[cause], count).format(count=i18n.number(count))
                  for cause in CAUSES if (count := self.count(cause))]
        if causes:
            return _("Compared with the published table {file}: {units}, {averages}; {differences} ({causes})").format(
                file=self.file, causes=", ".join(causes), **counted)
        return _("Compared with the published table {file}: {units}, {averages}; {differences}").format(
            file=self.file, **counted)

    def render(self) -> str:
        """The summary line, then one indented line per difference."""
        return "".join([self.summary() + "\n", *(f"  {d.describe()}\n" for d in self.differences)])

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "units": self.units, "averages": self.averages,
                "differences": [d.to_dict() for d in self.differences]}


_COUNTED: dict[Cause, tuple[str, str]] = {
    "rounding": Np_("{count} explained by rounding", "{count} explained by rounding"),
    "source_inconsistency": Np_("{count} inconsistent within the published table",
                                "{count} inconsistent within the published table"),
    "tie_broken_by_source": Np_("{count} tie broken by the source", "{count} ties broken by the source"),
    "unexplained": Np_("{count} unexplained", "{count} unexplained"),
    "missing": Np_("{count} unit not scored", "{count} units not scored"),
    "extra": Np_("{count} unit not in the published table", "{count} units not in the published table"),
}


def compare(results: Results, published: Published, file: str) -> Comparison:
    return Comparison(file, len(published.units), len(published.averages),
                      tuple(compare_published(results, published)))


def compare_published(results: Results, published: Published) -> list[Difference]:
    """Every difference between the results and the published table, each with its cause."""
    return _Comparer(results, published).differences()


# ---- what a published row allows -----------------------------------------------------------------


@frozen
class _Allowed:
    """What one published row's own figures allow: the exact totals behind its components and its total."""

    parts: str | None  # the printed components (and bonuses, penalties) as a sum: "46.19 + 20.27"
    parts_sum: Decimal | None  # … added up as printed
    from_parts: Interval | None  # the exact totals the printed parts stand for
    from_total: Interval | None  # the exact totals the printed total stands for
    max: Decimal

    @property
    def consistent(self) -> bool:
        return self.from_parts is None or self.from_total is None or self.from_parts.meets(self.from_total)

    @property
    def totals(self) -> Interval | None:
        """The exact totals the whole row allows; None when it allows none or says nothing."""
        if not self.consistent:
            return None
        if self.from_parts is not None and self.from_total is not None:
            return self.from_parts & self.from_total
        return self.from_parts or self.from_total


_Note: TypeAlias = tuple[Cause, str | None]


@frozen
class _RowProblem:
    """A published row that contradicts itself, in words: a message with `{hint}` and its figures."""

    text: str
    fields: dict[str, str]
    slips: tuple[tuple[Decimal, Decimal], ...]  # (what the row implies, what it prints): a slip is looked for

    def note(self, computed: Decimal, published: Decimal) -> _Note:
        hint = _hint(((computed, published), *self.slips))
        return "source_inconsistency", _(self.text).format(hint=hint, **self.fields)


class _Comparer:
    def __init__(self, results: Results, published: Published) -> None:
        self.results = results
        self.published = published
        self.model: Model | None = next((u.model for u in results.units if u.model is not None), None)
        rounding = self.model.rounding if self.model is not None else None
        self.rule = IndexRule(results.points_rounding, results.index_rounding,
                              rounding.index_from_rounded_points if rounding is not None else False)
        self.average_of_unrounded = rounding.average_of_unrounded if rounding is not None else False
        self.ranking: Ranking | None = self.model.ranking if self.model is not None else None
        self.computed = {text_key(u.unit): u for u in results.units}
        self.rows = {text_key(r.unit): r for r in published.units}
        self.found: dict[str, list[Difference]] = {}  # by unit key: the differences of its figures

    # ---- the whole table ----

    def differences(self) -> list[Difference]:
        pairs = [(row, self.computed.get(text_key(row.unit))) for row in self.published.units]
        for row, unit in pairs:
            if unit is not None:
                self.found[text_key(row.unit)] = self._figures(unit, row)
        ranks = self._ranks()
        out: list[Difference] = []
        for row, unit in pairs:
            if unit is None:
                out.append(Difference(row.unit, "missing", "", "", cause="missing"))
                continue
            out.extend(self.found[text_key(row.unit)])
            rank = self._rank(unit, row, ranks)
            if rank is not None:
                out.append(rank)
        out.extend(Difference(u.unit, "extra", "", "", cause="extra")
                   for key, u in self.computed.items() if key not in self.rows)
        for average in self.published.averages:
            found = self._average(average)
            if found is not None:
                out.append(found)
        return out

    # ---- one unit's figures ----

    def _allowed(self, unit: UnitResult, row: PublishedRow) -> _Allowed:
        points = self.results.points_rounding
        names = [name for name, _title in self.results.components]
        extras = list(self.model.extras) if self.model is not None else []
        parts: list[tuple[Decimal, int]] = []
        printed_extras = set(self.published.extras)
        # The parts add up to the total only when the table prints all of them: every component, every
        # bonus and penalty (a blank cell of a printed bonus column is no bonus).
        if names and all(n in row.components for n in names) and all(x.id in printed_extras for x in extras):
            parts = [(row.components[n], 1) for n in names]
            parts += [(row.extras.get(x.id, Decimal(0)), 1 if x.kind == "bonus" else -1) for x in extras]
        if not parts:
            return _Allowed(None, None, None, _stands(row.total, points), row.max or unit.max)
        intervals = [stands_for(v, points) if sign > 0 else -stands_for(v, points) for v, sign in parts]
        shown = written(parts[0][0]) + "".join(f" {'+' if s > 0 else '−'} {written(v)}"
                                               for v, s in parts[1:] if v or s > 0)
        added = sum((v * s for v, s in parts), Decimal(0))
        return _Allowed(shown, added, total(intervals).at_least(Decimal(0)), _stands(row.total, points),
                        row.max or unit.max)

    def _figures(self, unit: UnitResult, row: PublishedRow) -> list[Difference]:
        figures = list(self._points(unit, row))
        if row.class_ is not None and unit.class_ != row.class_:
            figures.append(_difference(unit.unit, "class", unit.class_ or "", row.class_,
                                       self._class_cause(unit, row, figures)))
        return figures

    def _points(self, unit: UnitResult, row: PublishedRow) -> Iterator[Difference]:
        allowed = self._allowed(unit, row)
        if row.group is not None and text_key(unit.group or "") != text_key(row.group):
            yield Difference(unit.unit, "group", unit.group or "", row.group)
        problem = self._row_problem(allowed, row)

        def cause(computed: Decimal, published: Decimal, otherwise: Callable[[], _Note]) -> _Note:
            # A row that contradicts itself explains every difference in its figures: which one is wrong
            # the row cannot say, and the computed figure is the one to look for a slip of the pen against.
            return problem.note(computed, published) if problem is not None else otherwise()

        for name, value in [*row.components.items(), *row.extras.items()]:
            mine = unit.components.get(name, unit.extras.get(name, Decimal(0)))
            if mine != value:
                yield _difference(unit.unit, name, plain(mine), plain(value),
                                  cause(mine, value, lambda: ("unexplained", None)))
        if row.total is not None and unit.total != row.total:
            yield _difference(unit.unit, "total", plain(unit.total), plain(row.total),
                              cause(unit.total, row.total, lambda: self._total_cause(unit, allowed)))
        if row.max is not None and unit.max != row.max:
            yield _difference(unit.unit, "max", plain_max(unit.max), plain_max(row.max),
                              cause(unit.max, row.max, lambda: ("unexplained", None)))
        if row.index is not None and unit.index != row.index:
            yield _difference(unit.unit, "index", plain(unit.index), plain(row.index),
                              cause(unit.index, row.index, lambda: self._index_cause(unit, row, allowed)))

    def _row_problem(self, allowed: _Allowed, row: PublishedRow) -> _RowProblem | None:
        """Where the row contradicts itself: parts that cannot add up to its total, an index no total of it gives."""
        if not allowed.consistent:
            assert allowed.parts_sum is not None and row.total is not None
            return _RowProblem(N_("the published components add up to {sum}, the published total is {total} — {hint}"),
                               {"sum": written(allowed.parts_sum), "total": written(row.total)},
                               ((allowed.parts_sum, row.total),))
        totals = allowed.totals
        if totals is None or row.index is None or self.rule.allows(totals, allowed.max, row.index):
            return None
        ends = self.rule.ends(totals, allowed.max)
        shown = {"indices": _span(*ends) if ends else "—", "max": written_max(allowed.max), "index": written(row.index)}
        slips = tuple((figure, row.index) for figure in _steps(ends, self.results.index_rounding))
        if allowed.from_total is not None:
            return _RowProblem(N_("the published total {total} gives an index of {indices} on a maximum of {max}, the "
                                  "published index is {index} — {hint}"), {**shown, "total": written(row.total)}, slips)
        return _RowProblem(N_("the published components add up to {sum}, which gives an index of {indices} on a "
                              "maximum of {max}; the published index is {index} — {hint}"),
                           {**shown, "sum": written(allowed.parts_sum)}, slips)

    def _total_cause(self, unit: UnitResult, allowed: _Allowed) -> _Note:
        points = self.results.points_rounding
        if allowed.from_parts is None or points is None or not allowed.from_parts.meets(stands_for(unit.total, points)):
            return "unexplained", None
        ends = rounded_ends(allowed.from_parts, points)
        return "rounding", _("explained by the rounding of the published components: {components}, each of them "
                             "rounded, add up to {totals}, published as {rounded}").format(
            components=allowed.parts, totals=self._totals(allowed.from_parts),
            rounded=_span(*ends) if ends else written(unit.total))

    def _totals(self, totals: Interval) -> str:
        """The ends of a range of exact totals, with the digits they need and at least those of published points."""
        least = self.results.points_rounding.digits if self.results.points_rounding is not None else 0
        return _span(*(_shortest(end, least) for end in (totals.low, totals.high)))

    def _index_cause(self, unit: UnitResult, row: PublishedRow, allowed: _Allowed) -> _Note:
        # The published index is within what the whole row allows (else the row contradicts itself). The
        # computed one comes from the data, often the published components themselves: it need only be
        # within what the components allow, whatever the published total (itself a rounding of the official).
        # The note names the narrowest range that holds both.
        totals = allowed.totals
        if totals is None:
            return "unexplained", None
        if not self.rule.allows(totals, allowed.max, unit.index):
            if allowed.from_parts is None or not self.rule.allows(allowed.from_parts, allowed.max, unit.index):
                return "unexplained", None
            totals = allowed.from_parts
        ends = self.rule.ends(totals, allowed.max)
        shown = {"totals": self._totals(totals), "indices": _span(*ends) if ends else "—",
                 "max": written_max(allowed.max)}
        if allowed.parts is None:
            return "rounding", _("explained by rounding: the published total {total} is itself rounded; it stands for "
                                 "a total of {totals}, so for an index of {indices} on a maximum of {max}").format(
                total=written(row.total), **shown)
        if row.total is None or totals is allowed.from_parts:
            return "rounding", _("explained by the rounding of the published components: {components}, each of them "
                                 "rounded, stand for a total of {totals}, so for an index of {indices} on a maximum "
                                 "of {max}").format(components=allowed.parts, **shown)
        return "rounding", _("explained by the rounding of the published components: {components} and the total "
                             "{total}, each of them rounded, stand for a total of {totals}, so for an index of "
                             "{indices} on a maximum of {max}").format(components=allowed.parts,
                                                                       total=written(row.total), **shown)

    def _class_cause(self, unit: UnitResult, row: PublishedRow, figures: list[Difference]) -> _Note:
        table = self.results.class_table(unit.group)
        if table is None:
            return "unexplained", None
        # Classes on the total points (`by points`) where the ruleset says so; on the index otherwise.
        by_points = getattr(table, "basis", "index") == "points"
        figure = row.total if by_points else row.index
        if figure is None:
            return "unexplained", None
        expected = next((band.label for band in table.bands if band.contains(figure)), None)
        assert row.class_ is not None
        if expected is None or text_key(expected) != text_key(row.class_):
            text = (N_("the published total {figure} gives the class {expected}, the published class is {published}")
                    if by_points else
                    N_("the published index {figure} gives the class {expected}, the published class is {published}"))
            return "source_inconsistency", _(text).format(figure=written(figure), expected=expected or "—",
                                                         published=row.class_)
        # The printed class is the one of the printed figure: the class differs because the figure does.
        behind = next((d for d in figures if d.field == ("total" if by_points else "index")), None)
        if behind is None:
            return "unexplained", None
        if behind.cause != "rounding":
            return behind.cause, behind.note
        text = (N_("explained by rounding: the published total {figure} gives the class {expected}") if by_points else
                N_("explained by rounding: the published index {figure} gives the class {expected}"))
        return "rounding", _(text).format(figure=written(figure), expected=expected)

    # ---- ranks ----

    def _scope(self, unit: UnitResult | None, row: PublishedRow | None = None) -> str:
        """Which ranking a unit is in: its group's (`rank within group`) or the one of all units."""
        if self.ranking is None or not self.ranking.within_group:
            return ""
        if row is not None and row.group is not None:
            return text_key(row.group)
        return text_key(unit.group or "") if unit is not None else ""

    def _printed_key(self, row: PublishedRow) -> tuple[Decimal, ...] | None:
        """The row's figures the ruleset ranks by (`rank by index desc`), as printed; None if one is blank.

        Descending figures are negated, so that a smaller key is a better place, as the engine sorts.
        """
        assert self.ranking is not None
        out: list[Decimal] = []
        for key in self.ranking.keys:
            value = {"index": row.index, "total": row.total}.get(key.field, row.components.get(key.field))
            if value is None:
                return None
            out.append(-value if key.descending else value)
        return tuple(out)

    def _ranks(self) -> _Ranks | None:
        if self.ranking is None:
            return None
        scopes: dict[str, list[PublishedRow]] = {}
        for row in self.published.units:
            scopes.setdefault(self._scope(self.computed.get(text_key(row.unit)), row), []).append(row)
        keys = {row.order: self._printed_key(row) for row in self.published.units}
        dense = self.ranking.ties == "dense"
        places: dict[int, int] = {}
        for rows in scopes.values():
            # A printed table lists a ranking's units best first; units whose ranked figures are printed
            # equal share a place, as the ruleset's tie rule has them share (`share` skips the next, `dense` not).
            previous: tuple[Decimal, ...] | None = None
            rank = distinct = 0
            for position, row in enumerate(rows, start=1):
                key = keys[row.order]
                if position == 1 or key is None or key != previous:
                    distinct += 1
                    rank = distinct if dense else position
                previous = key
                places[row.order] = rank
        published = {row.order: row.rank if row.rank is not None else places[row.order]
                     for row in self.published.units}
        return _Ranks(self, scopes, keys, published)

    def _rank(self, unit: UnitResult, row: PublishedRow, ranks: _Ranks | None) -> Difference | None:
        published = ranks.published.get(row.order) if ranks is not None else None
        if ranks is None or unit.rank is None or published is None or unit.rank == published:
            return None
        return _difference(unit.unit, "rank", str(unit.rank), str(published), ranks.cause(unit, row, published))

    # ---- averages ----

    def _average(self, average: PublishedAverage) -> Difference | None:
        if average.group is None:
            value = self.results.average
            units = list(self.results.units)
        else:
            found = [g for g in self.results.groups if text_key(g.name or "") == text_key(average.group)]
            if not found:
                return Difference(average.title, "missing", "", "", cause="missing")
            value = found[0].average
            units = [u for u in self.results.units if u.group == found[0].name]
        if value is None:
            return Difference(average.title, "missing", "", "", cause="missing")
        if value == average.index:
            return None
        return _difference(average.title, "average", plain(value), plain(average.index),
                           self._average_cause(average, value, units))

    def _average_cause(self, average: PublishedAverage, value: Decimal, units: list[UnitResult]) -> _Note:
        wanted = {text_key(u.unit) for u in units}
        if average.group is None:
            rows = list(self.published.units)
        else:
            rows = [r for r in self.published.units
                    if text_key(r.group or "") == text_key(average.group)
                    or (r.group is None and text_key(r.unit) in wanted)]
        if not rows or any(r.index is None for r in rows):
            return "unexplained", None
        rounding, index_rounding = self.results.average_rounding, self.results.index_rounding
        count = Decimal(len(rows))
        # The mean of the printed indices, or, averaged unrounded, of every index they stand for.
        added = total(stands_for(r.index, index_rounding) if self.average_of_unrounded else Interval.point(r.index)
                      for r in rows if r.index is not None)

        def allows(figure: Decimal) -> bool:
            return added.meets(stands_for(figure, rounding).times(count))

        low, high = (ROUNDING.divide(end, count) for end in (added.low, added.high))
        ends = rounded_range(allows, low, high, rounding) if rounding is not None else (low, high)
        averages = _span(*ends) if ends else "—"
        if not allows(average.index):
            return "source_inconsistency", _("the published indices give an average of {averages}, the published "
                                             "average is {published} — {hint}").format(
                averages=averages, published=written(average.index),
                hint=_hint((figure, average.index) for figure in _steps(ends, rounding)))
        if self.average_of_unrounded and allows(value):
            return "rounding", _("explained by the rounding of the published indices: each of them rounded, they give "
                                 "an average of {averages}").format(averages=averages)
        keys = {text_key(r.unit) for r in rows}
        behind = [d for key in keys for d in self.found.get(key, ()) if d.field == "index"]
        if behind and keys == wanted and all(d.cause == "rounding" for d in behind):
            return "rounding", _("explained by rounding: the published indices give an average of {averages}, and "
                                 "their differences from the computed ones are explained by rounding").format(
                averages=averages)
        return "unexplained", None


class _Ranks:
    """The published ranks of a table, and what each rank difference is caused by.

    Built once for the table: the scopes (groups, or all units), each row's printed ranked figures,
    and, per scope, where the ranked figures differ and why, so that each rank difference is told in
    a few look-ups, however long the table.
    """

    def __init__(self, owner: _Comparer, scopes: dict[str, list[PublishedRow]],
                 keys: dict[int, tuple[Decimal, ...] | None], published: dict[int, int]) -> None:
        assert owner.ranking is not None
        self.owner = owner
        self.ranking = owner.ranking
        self.scopes = scopes
        self.keys = keys
        self.published = published
        self.level: dict[tuple[str, int | None], list[UnitResult]] = {}
        for unit in owner.results.units:
            self.level.setdefault((owner._scope(unit), unit.rank), []).append(unit)
        self._scopes: dict[str, _RankScope] = {}

    def scope(self, name: str) -> _RankScope:
        if name not in self._scopes:
            self._scopes[name] = _RankScope.of(self, name)
        return self._scopes[name]

    def cause(self, unit: UnitResult, row: PublishedRow, published: int) -> _Note:
        owner = self.owner
        level = self.level.get((owner._scope(unit), unit.rank), [])
        apart = [self.published[r.order] for u in level if (r := owner.rows.get(text_key(u.unit))) is not None]
        if len(level) > 1 and len(set(apart)) > 1 and min(apart) == unit.rank:
            return "tie_broken_by_source", _("the source breaks a tie that the ruleset's tie rule shares: {units} "
                                             "share rank {rank}").format(units=_names(u.unit for u in level),
                                                                         rank=unit.rank)
        scope = self.scope(owner._scope(unit, row))
        mine = self.keys[row.order]
        if mine is None or not scope.complete:
            return "unexplained", None
        placed = scope.place(mine, dense=self.ranking.ties == "dense")
        if published != placed:
            level_rows = scope.level.get(mine, [])
            if len(level_rows) > 1 and len({self.published[r.order] for r in level_rows}) > 1:
                return "tie_broken_by_source", _("the source breaks a tie that the ruleset's tie rule shares: its own "
                                                 "figures put {units} level").format(
                    units=_names(r.unit for r in level_rows))
            return "source_inconsistency", _("the published figures place it {expected}, the source ranks it "
                                             "{published}").format(expected=placed, published=published)
        # The source ranks by its own figures: the rank differs because some of them differ, those of the
        # units placed between the two ranks (computed or published there).
        low, high = sorted((unit.rank or 0, published))
        if scope.whole and scope.differ(low, high) and not scope.unexplained(low, high):
            return "rounding", _("explained by rounding: the published figures place it {rank}, and their differences "
                                 "from the computed ones are explained by rounding").format(rank=published)
        return "unexplained", None


@frozen
class _RankScope:
    """One ranking (a group's, or all units') of the published table, ready to be asked about."""

    complete: bool  # every row prints the figures the ruleset ranks by
    whole: bool  # every unit of the ranking is in both tables
    sorted_keys: tuple[tuple[Decimal, ...], ...]
    distinct_keys: tuple[tuple[Decimal, ...], ...]
    level: dict[tuple[Decimal, ...], list[PublishedRow]]
    differing: tuple[int, ...]  # the ranks (computed and published) of units whose ranked figures differ
    unexplaining: tuple[int, ...]  # … of those whose difference rounding does not explain

    @classmethod
    def of(cls, ranks: _Ranks, name: str) -> _RankScope:
        owner = ranks.owner
        rows = ranks.scopes.get(name, [])
        keys = [ranks.keys[r.order] for r in rows]
        complete = [k for k in keys if k is not None]
        level: dict[tuple[Decimal, ...], list[PublishedRow]] = {}
        for row, key in zip(rows, keys, strict=True):
            if key is not None:
                level.setdefault(key, []).append(row)
        whole = all(text_key(r.unit) in owner.computed for r in rows) and all(
            text_key(u.unit) in owner.rows for u in owner.results.units if owner._scope(u) == name)
        fields = {key.field for key in ranks.ranking.keys}
        differing: list[int] = []
        unexplaining: list[int] = []
        for row in rows:
            unit = owner.computed.get(text_key(row.unit))
            found = [d for d in owner.found.get(text_key(row.unit), ()) if d.field in fields]
            if not found or unit is None:
                continue
            places = [ranks.published[row.order], *([unit.rank] if unit.rank is not None else [])]
            differing.extend(places)
            if any(d.cause != "rounding" for d in found):
                unexplaining.extend(places)
        return cls(len(complete) == len(keys), whole, tuple(sorted(complete)), tuple(sorted(set(complete))), level,
                   tuple(sorted(differing)), tuple(sorted(unexplaining)))

    def place(self, key: tuple[Decimal, ...], *, dense: bool) -> int:
        """The rank the printed figures give: 1 + the rows before it (the distinct figures before it, dense)."""
        return 1 + bisect.bisect_left(self.distinct_keys if dense else self.sorted_keys, key)

    def differ(self, low: int, high: int) -> bool:
        return _any_within(self.differing, low, high)

    def unexplained(self, low: int, high: int) -> bool:
        return _any_within(self.unexplaining, low, high)


def _any_within(ranks: tuple[int, ...], low: int, high: int) -> bool:
    at = bisect.bisect_left(ranks, low)
    return at < len(ranks) and ranks[at] <= high


# ---- words and figures -----------------------------------------------------------------------------


def _difference(unit: str, field: str, computed: str, published: str, why: _Note) -> Difference:
    return Difference(unit, field, computed, published, note=why[1], cause=why[0])


def _stands(value: Decimal | None, rounding: Rounding | None) -> Interval | None:
    return None if value is None else stands_for(value, rounding)


def _span(low: Decimal, high: Decimal) -> str:
    """A range of figures as printed: 67.81–67.82, or one figure when both ends are the same."""
    return written(low) if low == high else f"{written(low)}–{written(high)}"


def _names(units: Iterable[str]) -> str:
    return ", ".join(units)


def _steps(ends: tuple[Decimal, Decimal] | None, rounding: Rounding | None) -> list[Decimal]:
    """Every figure from one end to the other (a few): what a slip of the pen is looked for against."""
    if ends is None:
        return []
    if rounding is None:
        return list(ends)
    step = Decimal(1).scaleb(-rounding.digits)
    out: list[Decimal] = []
    figure = ends[0]
    while figure <= ends[1] and len(out) < 20:
        out.append(figure)
        figure += step
    return out


def _hint(pairs: Iterable[tuple[Decimal, Decimal]]) -> str:
    """What a contradiction in the source most likely is: a digit lost, mistyped or swapped, else just a mistake.

    Each pair is a figure the source should have printed and the one it did; digits are compared without
    the decimal point, which a lost digit shifts (25.00 printed as 2.50).
    """
    for expected, printed in pairs:
        kind = _slip(plain(abs(expected)), plain(abs(printed)))
        if kind is not None:
            return _(kind)
    return _("check this line of the source")


def _shortest(value: Decimal, least: int) -> Decimal:
    """`value` without trailing zeros, but with `least` decimals at least: 86.980 as 86.98, 66.455 as it is."""
    short = value.normalize(context=ROUNDING)
    exponent = short.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -least:
        return short.quantize(Decimal(1).scaleb(-least), context=ROUNDING)
    return short


def _slip(figure: str, shown: str) -> str | None:
    """The kind of slip that turns the figure into the one shown, if it looks like one (a message id)."""
    expected, printed = figure.replace(".", ""), shown.replace(".", "")
    if expected != printed and expected.strip("0") == printed.strip("0") and (
            len(expected) == len(printed) or ("." in figure and "." in shown)):
        return N_("a decimal point misplaced in the source?")  # 25.00 printed 2.50, 5.90 printed 590
    if len(expected) == len(printed):
        apart = [i for i, (a, b) in enumerate(zip(expected, printed, strict=True)) if a != b]
        if apart == [len(expected) - 1] and abs(int(expected[-1]) - int(printed[-1])) == 1:
            # One in the last digit: more often another way of rounding than a slip of the pen.
            return N_("does the source round otherwise than the ruleset's `rounding` block says?")
        if len(apart) == 1:
            return N_("a digit mistyped in the source?")
        if len(apart) == 2 and expected[apart[0]] == printed[apart[1]] and expected[apart[1]] == printed[apart[0]]:
            return N_("a digit lost or swapped in the source?")
        return None
    longer, shorter = (expected, printed) if len(expected) > len(printed) else (printed, expected)
    if len(longer) == len(shorter) + 1 and any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer))):
        return N_("a digit lost or swapped in the source?")
    return None

