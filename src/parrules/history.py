"""Year over year: this year's results against last year's (`--previous RESULTS`).

Provinces publish the change in each unit's index and rank, how many units rose and fell
("15/20 đơn vị có chỉ số tăng, 5/20 giảm"), the largest rise and fall, and the change in the group
averages. Both years are reduced to a `Snapshot` (what a published table holds), so the same
comparison serves a `Results` and last year's file, and swapping the years negates every change.

Last year's results are read from parrules' own JSON or CSV output (`score --format json|csv`).
Units are matched by name (NFC, case and spacing ignored); a unit present in one year only is
listed as new or gone, never dropped.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from decimal import Decimal
from pathlib import Path

from attrs import frozen

from parrules.data.readers import JsonProblem, load_json
from parrules.data.text import text_key
from parrules.diagnostics import DataError, Diagnostic
from parrules.i18n import _, n_, number
from parrules.limits import MAX_DATA_BYTES, parse_plain, within_number_limits
from parrules.results import Results
from parrules.safeio import ReadError, describe_read_problem, read_utf8

_FORMULA_GUARD = "'"  # our CSV writer's guard before text a spreadsheet would run (=, +, -, @)


@frozen
class UnitFigures:
    unit: str
    index: Decimal
    rank: int | None = None
    group: str | None = None
    class_: str | None = None


@frozen
class Snapshot:
    """A year's published figures: per unit, per group average, the overall average."""

    units: tuple[UnitFigures, ...]
    group_averages: tuple[tuple[str | None, Decimal], ...] = ()
    average: Decimal | None = None
    label: str = ""

    @classmethod
    def of(cls, results: Results, label: str = "") -> Snapshot:
        return cls(
            tuple(UnitFigures(u.unit, u.index, u.rank, u.group, u.class_) for u in results.units),
            tuple((g.name, g.average) for g in results.groups if g.average is not None),
            results.average,
            label or (str(results.year) if results.year else ""),
        )


@frozen
class UnitChange:
    unit: str
    index: Decimal | None  # this year; None when the unit is gone
    previous_index: Decimal | None  # last year; None when the unit is new
    rank: int | None = None
    previous_rank: int | None = None

    @property
    def status(self) -> str:
        if self.previous_index is None:
            return "new"
        if self.index is None:
            return "gone"
        if self.index > self.previous_index:
            return "rose"
        return "fell" if self.index < self.previous_index else "same"

    @property
    def index_change(self) -> Decimal | None:
        if self.index is None or self.previous_index is None:
            return None
        return self.index - self.previous_index

    @property
    def rank_change(self) -> int | None:
        """Places gained: positive when the unit moved up (from 5th to 3rd is +2)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


@frozen
class GroupChange:
    group: str | None
    average: Decimal | None
    previous_average: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.average is None or self.previous_average is None:
            return None
        return self.average - self.previous_average


@frozen
class YearChange:
    units: tuple[UnitChange, ...]
    groups: tuple[GroupChange, ...]
    average: GroupChange
    label: str = ""
    previous_label: str = ""

    def by_unit(self) -> dict[str, UnitChange]:
        return {c.unit: c for c in self.units}

    def count(self, status: str) -> int:
        return sum(1 for c in self.units if c.status == status)

    @property
    def compared(self) -> int:
        """Units present in both years: the denominator of "15/20 rose"."""
        return sum(1 for c in self.units if c.index_change is not None)

    @property
    def largest_rise(self) -> UnitChange | None:
        rises = [c for c in self.units if c.index_change is not None and c.index_change > 0]
        return max(rises, key=lambda c: (c.index_change, text_key(c.unit)), default=None)

    @property
    def largest_fall(self) -> UnitChange | None:
        falls = [c for c in self.units if c.index_change is not None and c.index_change < 0]
        return min(falls, key=lambda c: (c.index_change, text_key(c.unit)), default=None)

    def summary(self) -> str:
        """One line as provinces publish it ("15/20 đơn vị có chỉ số tăng; 5/20 giảm"), in the reader's language.

        The rises and falls (and the unchanged, when there are some) are one sentence; the units new
        this year and those gone are each a clause of their own after it.
        """
        n = self.compared
        figures = {"rose": number(self.count("rose")), "fell": number(self.count("fell")),
                   "same": number(self.count("same")), "compared": number(n)}
        if self.count("same"):
            parts = [n_("{rose}/{compared} unit has a higher index; {fell}/{compared} lower; "
                        "{same}/{compared} unchanged",
                        "{rose}/{compared} units have a higher index; {fell}/{compared} lower; "
                        "{same}/{compared} unchanged", n).format(**figures)]
        else:
            parts = [n_("{rose}/{compared} unit has a higher index; {fell}/{compared} lower",
                        "{rose}/{compared} units have a higher index; {fell}/{compared} lower", n).format(**figures)]
        if new := self.count("new"):
            parts.append(n_("{count} new unit", "{count} new units", new).format(count=number(new)))
        if gone := self.count("gone"):
            parts.append(n_("{count} unit no longer listed", "{count} units no longer listed", gone).format(
                count=number(gone)))
        return "; ".join(parts)


def compare_years(current: Snapshot, previous: Snapshot) -> YearChange:
    """Every unit of either year, in this year's order, then the units that are gone."""
    before = {text_key(u.unit): u for u in previous.units}
    now_keys = {text_key(u.unit) for u in current.units}
    changes = [
        UnitChange(u.unit, u.index, before[k].index if (k := text_key(u.unit)) in before else None,
                   u.rank, before[k].rank if k in before else None)
        for u in current.units
    ]
    changes += [UnitChange(u.unit, None, u.index, None, u.rank)
                for u in previous.units if text_key(u.unit) not in now_keys]
    previous_groups = {text_key(g or ""): a for g, a in previous.group_averages}
    current_groups = {text_key(g or ""): a for g, a in current.group_averages}
    groups = [GroupChange(g, a, previous_groups.get(text_key(g or ""))) for g, a in current.group_averages]
    groups += [GroupChange(g, None, a) for g, a in previous.group_averages
               if text_key(g or "") not in current_groups]
    return YearChange(tuple(changes), tuple(groups), GroupChange(None, current.average, previous.average),
                      current.label, previous.label)


# ---- reading last year's results ------------------------------------------------------------------


def read_previous(path: Path) -> Snapshot:
    """Last year's results from parrules' JSON or CSV output; raises `DataError` listing every problem."""
    try:
        text = read_utf8(path, MAX_DATA_BYTES)
    except ReadError as exc:
        raise DataError([_problem(path, "DAT114", _("cannot read last year's results: {problem}").format(
                                      problem=describe_read_problem(exc, MAX_DATA_BYTES)),
                                  _("give the JSON or CSV that `parrules score` wrote last year"))]) from None
    if path.suffix.lower() == ".json":
        return _from_json(path, text)
    if path.suffix.lower() == ".csv":
        try:
            return _from_csv(path, text)
        except csv.Error as exc:
            raise DataError([_problem(path, "DAT113", _("last year's CSV cannot be read: {error}").format(
                                          error=exc),
                                      _("give the CSV that `parrules score --format csv` wrote"))]) from None
    raise DataError([_problem(path, "DAT114", _("last year's results must be .json or .csv, not `{suffix}`").format(
                                  suffix=path.suffix),
                              _("write them with `parrules score … --format json -o FILE`"))])


def _problem(path: Path, code: str, message: str, hint: str, *, row: int | None = None,
             column: str | None = None) -> Diagnostic:
    return Diagnostic(code, "error", message, hint, file=str(path), row=row, column=column)


def _decimal(value: object) -> Decimal | None:
    """A figure of last year's results: a plain decimal within the number limits, or None."""
    if isinstance(value, Decimal):
        return value if within_number_limits(value) else None
    if not isinstance(value, str):
        return None
    return parse_plain(value.strip().removesuffix("%"))


def _rank(value: object) -> int | None:
    text = str(value).strip() if isinstance(value, str | Decimal | int) and not isinstance(value, bool) else ""
    return int(text) if text.isdigit() and len(text) <= 9 else None


def _text(value: object) -> str | None:
    """A name from last year's JSON (a group, a class): text, or nothing."""
    return (unicodedata.normalize("NFC", value.strip()) or None) if isinstance(value, str) else None


def _from_json(path: Path, text: str) -> Snapshot:
    try:
        data = load_json(text)
    except JsonProblem as exc:
        message = (_("not valid JSON at line {line}, column {column}: {reason}").format(
                       line=exc.line, column=exc.column, reason=exc.reason) if exc.line else
                   _("not valid JSON here: {reason}").format(reason=exc.reason))
        raise DataError([_problem(path, "DAT114", message,
                                  _("give the JSON that `parrules score --format json` wrote"))]) from None
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise DataError([_problem(path, "DAT113", _("expected parrules results: an object with a `units` list"),
                                  _("write them with `parrules score … --format json -o FILE`"))])
    problems: list[Diagnostic] = []
    units: list[UnitFigures] = []
    for position, item in enumerate(data["units"], start=1):
        unit = item.get("unit") if isinstance(item, dict) else None
        index = _decimal(item.get("index")) if isinstance(item, dict) else None
        if not isinstance(unit, str) or not unit.strip() or index is None:
            problems.append(_problem(path, "DAT113", _("unit {number} has no name or no index").format(
                                         number=position),
                                     _("each unit needs `unit` and `index`"), row=position))
            continue
        units.append(UnitFigures(unicodedata.normalize("NFC", unit.strip()), index, _rank(item.get("rank")),
                                 _text(item.get("group")), _text(item.get("class"))))
    if problems:
        raise DataError(problems)
    listed = data.get("groups")
    groups = tuple((_text(g.get("name")), avg) for g in (listed if isinstance(listed, list) else [])
                   if isinstance(g, dict) and (avg := _decimal(g.get("average"))) is not None)
    ruleset = data.get("ruleset") if isinstance(data.get("ruleset"), dict) else {}
    label = str(ruleset.get("year") or "") if isinstance(ruleset, dict) else ""
    return Snapshot(tuple(units), groups, _decimal(data.get("average")), label)


def _unguard(text: str) -> str:
    if text.startswith(_FORMULA_GUARD) and text[1:2] in ("=", "+", "-", "@", "\t", "|"):
        return text[1:]
    return text


def _from_csv(path: Path, text: str) -> Snapshot:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or not {"unit", "index"} <= set(reader.fieldnames):
        raise DataError([_problem(path, "DAT113", _("last year's CSV needs `unit` and `index` columns"),
                                  _("give the CSV that `parrules score --format csv` wrote"), row=1)])
    problems: list[Diagnostic] = []
    units: list[UnitFigures] = []
    for position, row in enumerate(reader, start=2):
        unit = unicodedata.normalize("NFC", _unguard((row.get("unit") or "").strip()))
        index = _decimal(row.get("index"))
        if not unit or index is None:
            problems.append(_problem(path, "DAT101", _("`{value}` is not an index").format(value=row.get("index")),
                                     _("each row needs the unit's name and its index, e.g. 85.67"),
                                     row=position, column="index"))
            continue
        group = _unguard((row.get("group") or "").strip()) or None
        units.append(UnitFigures(unit, index, _rank(row.get("rank")), group,
                                 _unguard((row.get("class") or "").strip()) or None))
    if problems:
        raise DataError(problems)
    # A CSV of units holds no averages: they are recomputed only if asked, never invented here.
    return Snapshot(tuple(units))
