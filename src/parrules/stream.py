"""A CSV file of units scored to a CSV file as it is read: a million units in bounded memory.

`Ruleset.score_file` holds the whole file, every unit's records and every node's points (for
`explain`), so a file is limited to 100,000 units (docs/limits.md). A table of results needs
none of that: each unit's published row, its group and what it is ranked by. So here the file is
read row by row, each row typed and scored at once, and only that is kept (about half a kilobyte
a unit); once the last row is read the units are placed and ranked and the table is written.

The promises stay those of `score_file`, to the byte: the same problems and warnings, and the same
CSV as `render_csv` of its results (tests/test_stream.py compares both). Nothing is written unless
every unit scored: a problem anywhere raises `DataError` with all of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from parrules.data.messages import Sink
from parrules.data.readers import RawRow, stream_csv
from parrules.data.validate import Validator
from parrules.diagnostics import DataError, Diagnostic, data_order, sort_diagnostics
from parrules.evaluate import Stream, order
from parrules.figures import safe_text
from parrules.limits import MAX_STREAM_ROWS
from parrules.report.csv_out import header_row, unit_cells
from parrules.safeio import shown_name

if TYPE_CHECKING:
    from parrules.api import Ruleset

# What is kept of a unit: its group, what it is ranked by, its name, its row's cells after the name up
# to its class, as CSV (about half a kilobyte in all).
_Kept = tuple[str | None, tuple[Decimal, ...], str, str]
BATCH = 1000  # rows typed before they are scored: the cost of switching between the two, paid rarely


class StreamedTable:
    """The results table of a file scored as it was read, made line by line as it is written.

    What it holds is what each unit's row needs; its lines (`lines()`, or `pieces()` as the bytes of
    a file) are made anew each time they are gone through, so a million of them are never held.
    """

    def __init__(self, header: list[str], kept: list[_Kept], placed: list[tuple[int, int | None]],
                 warnings: tuple[Diagnostic, ...]) -> None:
        self._header = header
        self._kept = kept
        self._placed = placed
        self.units = len(kept)
        self.warnings = warnings  # what reading the file said that did not stop scoring

    def lines(self) -> Iterator[str]:
        """The header, then one line per unit in publication order, each ending in "\n"."""
        cells = _Cells()
        yield cells(self._header) + "\n"
        group_cells: dict[str | None, str] = {}
        stt = 0
        previous: object = object()
        for i, rank in self._placed:
            group, _key, name, rest = self._kept[i]
            stt = stt + 1 if group == previous else 1
            previous = group
            shown = group_cells.get(group)
            if shown is None:
                # The group's cell as the CSV writer writes it: with a trailing empty cell, taken off,
                # so that a blank group is not written as "".
                shown = group_cells[group] = cells([safe_text(group or ""), ""])[:-1]
            yield f"{shown},{stt},{cells([safe_text(name)])},{rest},{'' if rank is None else rank}\n"

    def text(self) -> str:
        return "".join(self.lines())

    def pieces(self, *, bom: bool) -> _Pieces:
        """The file's bytes in pieces of a thousand lines, UTF-8, after the byte-order mark if `bom`."""
        return _Pieces(self, bom=bom)


class _Pieces:
    """Bytes a file is written from, piece by piece; can be gone through again (`write_atomically`)."""

    def __init__(self, table: StreamedTable, *, bom: bool) -> None:
        self._table, self._bom = table, bom

    def __iter__(self) -> Iterator[bytes]:
        if self._bom:
            yield codecs.BOM_UTF8
        lines = self._table.lines()
        while piece := "".join(itertools.islice(lines, BATCH)):
            yield piece.encode("utf-8")


def score_csv(ruleset: Ruleset, path: str | Path, *, decimal_comma: bool = False, percent_fractions: bool = False,
              progress: Callable[[int, int], None] | None = None, max_rows: int = MAX_STREAM_ROWS) -> StreamedTable:
    """Score a CSV file of units to the CSV table `render_csv` writes, reading the file as it goes.

    Raises `DataError` with every problem, and then there is no table. `progress(bytes read, units
    scored)` is called after each batch of rows, for a bar (progress.streaming).
    """
    path = Path(path)
    model, plan = ruleset.model, ruleset.plan
    sink = Sink(shown_name(path))
    headers = ruleset._headers
    table = stream_csv(path, sink, headers, max_rows)
    components = [c.id for c in model.components]
    classed = bool(model.classes)
    scorer = Stream(plan)
    cells = _Cells()
    kept: list[_Kept] = []
    if table is not None:
        validator = Validator(model, sink, decimal_comma=decimal_comma, percent_fractions=percent_fractions,
                              headers=headers)
        reading = validator.begin(table.header, table.header_rows, bounded=True)
        for batch in _batches(table.rows):
            # Typed outside the scoring context, as `score_file` types a file before scoring it.
            records = [r for row in batch if (r := reading.row(row)) is not None and r.row not in sink.spoiled]
            if not sink.file_broken:  # a file that cannot be read to the end is not scored at all
                with scorer.context():
                    for record in records:
                        line = scorer.add(record)
                        if line is not None:  # its cells after the name, which is kept once
                            kept.append((line.group, line.key, line.unit,
                                         cells(unit_cells(line, components, classed=classed)[1:])))
            if progress is not None:
                progress(table.position(), len(kept))
        reading.end()
        if table.not_text:
            sink.found[:] = table.not_text
    found = sort_diagnostics(sink.found)
    scoring = [] if sink.file_broken or table is None else scorer.problems()
    if scoring:
        raise DataError(sorted([*found, *scoring], key=data_order))
    if any(d.is_error for d in found):
        raise DataError(found)
    placed = order(plan, [(g, k, n) for g, k, n, _c in kept])
    return StreamedTable(header_row(components, classed=classed), kept, placed,
                         tuple(d for d in found if not d.is_error))


def _batches(rows: Iterator[RawRow]) -> Iterator[list[RawRow]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


class _Cells:
    """Cells as one CSV line without its line break, written exactly as `render_csv`'s writer does.

    One writer for all of a table's lines, each its own (not one for the module: two tables being
    made at once, in two threads, would write into each other's lines).
    """

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="")

    def __call__(self, cells: Sequence[object]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return self._buffer.getvalue()
