"""Reading a published results table (a transcription of the decision's table) from CSV.

The file is a UTF-8 CSV with a header. Columns (others, such as `stt`, are ignored):

- `unit` (required), `total`, `index`, `class`, `group` — as printed;
- `rank` — the rank as printed; without it, the rank is the unit's place in the printed order;
- `max` — the unit's maximum as printed (the index is the total ÷ that maximum × 100);
- a column per component, named by the component's name or title (`appraisal`, `Điểm thẩm định`),
  and per bonus or penalty, by its id or title — read when the ruleset is given to `read_published`;
- `line` — `unit` (the default) or `average`: an average line's `index` is the published average
  of the group named in its `group` cell, or of all units when that cell is empty.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from decimal import Decimal
from pathlib import Path

from attrs import field, frozen

from parrules.data.text import text_key
from parrules.diagnostics import DataError, Diagnostic
from parrules.display import printable
from parrules.i18n import _
from parrules.limits import MAX_DATA_BYTES, parse_plain
from parrules.results import Results
from parrules.safeio import ReadError, describe_read_problem, read_utf8

# The columns the table itself has; a component named like one of them is not read from it.
COLUMNS = ("unit", "total", "index", "class", "group", "line", "rank", "max", "stt", "average")


@frozen
class PublishedRow:
    """A unit line as printed. `rank` is the printed rank column (None without one); `order` its line."""

    unit: str
    row: int
    total: Decimal | None = None
    index: Decimal | None = None
    class_: str | None = None
    group: str | None = None
    rank: int | None = None
    max: Decimal | None = None
    components: dict[str, Decimal] = field(factory=dict)  # by component name, as printed
    extras: dict[str, Decimal] = field(factory=dict)  # by bonus or penalty id, as printed
    order: int = 0  # 1 for the first unit line of the table, 2 for the next, …


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
    # Which figure columns the table prints (names of components and extras as the ruleset has them).
    components: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def read_published(path: Path, results: Results | None = None) -> Published:
    """Read a published table; raises `DataError` listing every unreadable cell.

    With the `results` of the ruleset, columns named as one of its components (name or title) or of
    its bonuses and penalties (id or title) are read too, so that they can be compared.
    """
    try:
        text = read_utf8(path, MAX_DATA_BYTES)
    except ReadError as exc:
        raise DataError([Diagnostic("DAT114", "error", _("cannot read the published table: {reason}").format(
                                        reason=describe_read_problem(exc, MAX_DATA_BYTES)),
                                    _("give a UTF-8 CSV file"), file=str(path))]) from None
    try:
        return _read_rows(path, text, _figure_columns(results))
    except csv.Error as exc:
        raise DataError([Diagnostic("DAT113", "error",
                                    _("the published table cannot be read as CSV: {reason}").format(reason=exc),
                                    _("a value with a comma, a quote or a line break must be in double quotes"),
                                    file=str(path))]) from None


def _figure_columns(results: Results | None) -> dict[str, tuple[str, str]]:
    """Header key → ("component" or "extra", name), from the ruleset's names and titles."""
    if results is None:
        return {}
    found: dict[str, tuple[str, str]] = {}
    model = next((u.model for u in results.units if u.model is not None), None)
    extras = [(x.id, x.title) for x in model.extras] if model is not None else []
    # Names before titles: a title that happens to be another figure's name does not take its column.
    for kind, pairs in (("component", list(results.components)), ("extra", extras)):
        for name, _title in pairs:
            found.setdefault(text_key(name), (kind, name))
    for kind, pairs in (("component", list(results.components)), ("extra", extras)):
        for name, title in pairs:
            if title:
                found.setdefault(text_key(title), (kind, name))
    return {key: value for key, value in found.items() if key not in COLUMNS}


def _number(record: dict[str, str], name: str, path: Path, number: int, problems: list[Diagnostic], *,
            header: str | None = None) -> Decimal | None:
    cell = (record.get(name) or "").strip().removesuffix("%").strip()
    if not cell:
        return None
    value = parse_plain(cell)
    if value is None:
        shown = printable(cell if len(cell) <= 60 else cell[:57] + "…")
        problems.append(Diagnostic("DAT101", "error", _("`{value}` is not a number").format(value=shown),
                                   _("write the figure as printed, e.g. 85.67 (a point for decimals)"),
                                   file=str(path), row=number, column=header or name))
    return value


def _rank(record: dict[str, str], path: Path, number: int, problems: list[Diagnostic]) -> int | None:
    cell = (record.get("rank") or "").strip()
    if not cell:
        return None
    value = parse_plain(cell)
    if value is None or value != value.to_integral_value() or value < 1:
        shown = printable(cell if len(cell) <= 60 else cell[:57] + "…")
        problems.append(Diagnostic("DAT101", "error", _("`{value}` is not a rank").format(value=shown),
                                   _("write the rank as printed: a whole number from 1"),
                                   file=str(path), row=number, column="rank"))
        return None
    return int(value)


def _max(record: dict[str, str], path: Path, number: int, problems: list[Diagnostic]) -> Decimal | None:
    value = _number(record, "max", path, number, problems)
    if value is not None and value <= 0:
        problems.append(Diagnostic("DAT109", "error", _("the maximum must be above 0"),
                                   _("write the unit's maximum as printed (e.g. 98), or leave the cell empty"),
                                   file=str(path), row=number, column="max"))
        return None
    return value


def _read_rows(path: Path, text: str, figures: dict[str, tuple[str, str]]) -> Published:
    problems: list[Diagnostic] = []
    units: list[PublishedRow] = []
    averages: list[PublishedAverage] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [text_key(name) for name in reader.fieldnames or []]
    if "unit" not in fields:
        raise DataError([Diagnostic("DAT113", "error", _("the published table has no `unit` column"),
                                    _("columns: unit,total,index,class (and optionally line,group)"),
                                    file=str(path), row=1)])
    printed = {key: figures[key] for key in fields if key in figures}
    headers = {text_key(name): name.strip() for name in reader.fieldnames or []}  # as written, for messages
    for number, raw in enumerate(reader, start=2):
        record = {text_key(k): v if isinstance(v, str) else "" for k, v in raw.items() if k is not None}
        total = _number(record, "total", path, number, problems)
        index = _number(record, "index", path, number, problems)
        unit = _nfc(record.get("unit"))
        group = _nfc(record.get("group")) or None
        line = text_key(record.get("line") or "unit")
        if line == "average":
            if not (record.get("index") or "").strip():
                problems.append(Diagnostic("DAT104", "error", _("an average line has no index"),
                                           _("write the published average in the `index` column"),
                                           file=str(path), row=number, column="index"))
            elif index is not None:
                averages.append(PublishedAverage(unit, number, index, group))
            continue
        if line != "unit":
            problems.append(Diagnostic("DAT103", "error", _("`{line}` is not a kind of line").format(line=line),
                                       _("write `unit` or `average` in the `line` column"),
                                       file=str(path), row=number, column="line"))
            continue
        components: dict[str, Decimal] = {}
        extras: dict[str, Decimal] = {}
        for key, (kind, name) in printed.items():
            value = _number(record, key, path, number, problems, header=headers.get(key))
            if value is not None:
                (components if kind == "component" else extras)[name] = value
        units.append(PublishedRow(unit, number, total, index, _nfc(record.get("class")) or None, group,
                                  _rank(record, path, number, problems), _max(record, path, number, problems),
                                  components, extras, len(units) + 1))
    if problems:
        raise DataError(problems)
    return Published(tuple(units), tuple(averages),
                     tuple(dict.fromkeys(n for k, n in printed.values() if k == "component")),
                     tuple(dict.fromkeys(n for k, n in printed.values() if k == "extra")))
