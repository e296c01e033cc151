"""Compare computed results with a published results table (a transcription of the decision).

Rule authors transcribe the year's decision, score the units and want to see, line by line, where
the engine and the printed table differ. Published tables contain rounding artefacts and typos:
differences are reported, never hidden and never fatal. Where a difference in the index is what
rounding the published points would produce, the report says so — it does not suppress it.

The file is a UTF-8 CSV with a header. Columns (others, such as `stt`, are ignored):

- `unit` (required), `total`, `index`, `class`, `group` — as printed;
- `line` — `unit` (the default) or `average`: an average line's `index` is the published average
  of the group named in its `group` cell, or of all units when that cell is empty.

The published rank is the order of the unit lines within their group, equal indices sharing a
place, as a printed table shows it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from decimal import Decimal
from pathlib import Path

from attrs import frozen

from parrules.data.text import text_key
from parrules.diagnostics import DataError, Diagnostic
from parrules.display import printable
from parrules.i18n import N_, _
from parrules.limits import MAX_DATA_BYTES, parse_plain
from parrules.report.numbers import plain
from parrules.results import Results, UnitResult
from parrules.rounding import rounder
from parrules.safeio import ReadError, describe_read_problem, read_utf8


@frozen
class PublishedRow:
    unit: str
    row: int
    total: Decimal | None = None
    index: Decimal | None = None
    class_: str | None = None
    group: str | None = None
    rank: int | None = None


@frozen
class PublishedAverage:
    title: str
    row: int
    index: Decimal
    group: str | None = None


@frozen
class Published:
    units: tuple[PublishedRow, ...]
    averages: tuple[PublishedAverage, ...] = ()


@frozen
class Difference:
    unit: str
    field: str  # "total", "index", "class", "group", "rank", "average", "missing", "extra"
    computed: str
    published: str
    note: str | None = None  # why the difference is expected, when it can be shown to be

    def describe(self) -> str:
        """The difference as one line of the comparison, in the reader's language."""
        if self.field == "missing":
            return _("{unit}: in the published table but not scored").format(unit=self.unit)
        if self.field == "extra":
            return _("{unit}: scored but not in the published table").format(unit=self.unit)
        change = ""
        if self.field in _FIGURES:
            delta = Decimal(self.computed) - Decimal(self.published)
            change = f"{'+' if delta > 0 else ''}{plain(delta)}"
        plain_line, noted_line = _DESCRIBED.get(self.field, _DESCRIBED[None])
        return _(noted_line if self.note else plain_line).format(
            unit=self.unit, field=self.field, computed=self.computed, published=self.published, change=change,
            note=self.note)


_FIGURES = ("total", "index", "average")  # a difference in these is shown with its sign and size
# One line per compared column, without and with a note (why the difference is expected). The column
# names (total, index, …) are the published table's own headers.
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
    None: (N_("{unit}: {field} {computed} computed, {published} published"),
           N_("{unit}: {field} {computed} computed, {published} published — {note}")),
}


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def read_published(path: Path) -> Published:
    """Read a published table; raises `DataError` listing every unreadable cell."""
    try:
        text = read_utf8(path, MAX_DATA_BYTES)
    except ReadError as exc:
        raise DataError([Diagnostic("DAT114", "error", _("cannot read the published table: {reason}").format(
                                        reason=describe_read_problem(exc, MAX_DATA_BYTES)),
                                    _("give a UTF-8 CSV file"), file=str(path))]) from None
    try:
        return _read_rows(path, text)
    except csv.Error as exc:
        raise DataError([Diagnostic("DAT113", "error",
                                    _("the published table cannot be read as CSV: {reason}").format(reason=exc),
                                    _("a value with a comma, a quote or a line break must be in double quotes"),
                                    file=str(path))]) from None


def _read_rows(path: Path, text: str) -> Published:
    problems: list[Diagnostic] = []
    units: list[PublishedRow] = []
    averages: list[PublishedAverage] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [text_key(name) for name in reader.fieldnames or []]
    if "unit" not in fields:
        raise DataError([Diagnostic("DAT113", "error", _("the published table has no `unit` column"),
                                    _("columns: unit,total,index,class (and optionally line,group)"),
                                    file=str(path), row=1)])
    places: dict[str, list[tuple[Decimal | None, int]]] = {}
    for number, raw in enumerate(reader, start=2):
        record = {text_key(k): v if isinstance(v, str) else "" for k, v in raw.items() if k is not None}
        values: dict[str, Decimal | None] = {}
        for name in ("total", "index"):
            cell = (record.get(name) or "").strip().removesuffix("%").strip()
            values[name] = parse_plain(cell) if cell else None
            if cell and values[name] is None:
                shown = printable(cell if len(cell) <= 60 else cell[:57] + "…")
                problems.append(Diagnostic("DAT101", "error", _("`{value}` is not a number").format(value=shown),
                                           _("write the figure as printed, e.g. 85.67 (a point for decimals)"),
                                           file=str(path), row=number, column=name))
        unit = _nfc(record.get("unit"))
        group = _nfc(record.get("group")) or None
        line = text_key(record.get("line") or "unit")
        if line == "average":
            index = values["index"]
            if index is None:
                problems.append(Diagnostic("DAT104", "error", _("an average line has no index"),
                                           _("write the published average in the `index` column"),
                                           file=str(path), row=number, column="index"))
            else:
                averages.append(PublishedAverage(unit, number, index, group))
            continue
        if line != "unit":
            problems.append(Diagnostic("DAT103", "error", _("`{line}` is not a kind of line").format(line=line),
                                       _("write `unit` or `average` in the `line` column"),
                                       file=str(path), row=number, column="line"))
            continue
        # A printed table lists a group's units best first; equal indices share a place.
        before = places.setdefault(text_key(group or ""), [])
        rank = len(before) + 1
        if before and values["index"] is not None and before[-1][0] == values["index"]:
            rank = before[-1][1]
        before.append((values["index"], rank))
        units.append(PublishedRow(unit, number, values["total"], values["index"],
                                  _nfc(record.get("class")) or None, group, rank))
    if problems:
        raise DataError(problems)
    return Published(tuple(units), tuple(averages))


def compare_published(results: Results, published: Published) -> list[Difference]:
    computed = {text_key(u.unit): u for u in results.units}
    seen: set[str] = set()
    out: list[Difference] = []
    for row in published.units:
        key = text_key(row.unit)
        seen.add(key)
        unit = computed.get(key)
        if unit is None:
            out.append(Difference(row.unit, "missing", "", ""))
            continue
        if row.group is not None and text_key(unit.group or "") != text_key(row.group):
            out.append(Difference(unit.unit, "group", unit.group or "", row.group))
        if row.total is not None and unit.total != row.total:
            out.append(Difference(unit.unit, "total", plain(unit.total), plain(row.total)))
        if row.index is not None and unit.index != row.index:
            note = _rounding_note(results, unit, row) if row.total == unit.total else None
            out.append(Difference(unit.unit, "index", plain(unit.index), plain(row.index), note))
        if row.class_ is not None and unit.class_ != row.class_:
            out.append(Difference(unit.unit, "class", unit.class_ or "", row.class_))
        if row.rank is not None and unit.rank is not None and unit.rank != row.rank:
            out.append(Difference(unit.unit, "rank", str(unit.rank), str(row.rank)))
    out.extend(Difference(u.unit, "extra", "", "") for k, u in computed.items() if k not in seen)
    for average in published.averages:
        out.extend(_compare_average(results, average))
    return out


def _compare_average(results: Results, average: PublishedAverage) -> list[Difference]:
    if average.group is None:
        value = results.average
    else:
        found = [g for g in results.groups if text_key(g.name or "") == text_key(average.group)]
        if not found:
            return [Difference(average.title, "missing", "", "")]
        value = found[0].average
    if value is None:
        return [Difference(average.title, "missing", "", "")]
    if value != average.index:
        return [Difference(average.title, "average", plain(value), plain(average.index))]
    return []


def _rounding_note(results: Results, unit: UnitResult, row: PublishedRow) -> str | None:
    """Say so when the published index is what some unrounded total behind the published total gives.

    A published total of 66.46 (2 decimals) stands for any total in [66.455, 66.465); the official
    index is computed from that unrounded total, so it may differ from 66.46 ÷ max in the last digit.
    """
    points, index = results.points_rounding, results.index_rounding
    if points is None or index is None or row.index is None or not unit.max:
        return None
    half = Decimal(1).scaleb(-points.digits) / 2
    to_index = rounder(index)
    low = to_index((unit.total - half) / unit.max * 100)
    high = to_index((unit.total + half) / unit.max * 100)
    if low <= row.index <= high:
        return _("the published total {total} is itself rounded; an unrounded total within ±{half} of it gives the "
                 "published index").format(total=plain(unit.total), half=plain(half))
    return None
