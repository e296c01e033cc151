"""Readers: a file format (or in-memory rows) → a `RawTable` of untyped cells."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Protocol, TypeAlias

from attrs import frozen

from parrules import i18n
from parrules.data.grid import HEADER_SEARCH_ROWS, find_header
from parrules.data.headers import HeaderIndex
from parrules.data.messages import CellError, M, Sink
from parrules.data.records import UnitRecord
from parrules.data.text import nfc
from parrules.diagnostics import Diagnostic
from parrules.i18n import _
from parrules.limits import MAX_COLUMNS, MAX_DATA_BYTES, MAX_JSON_DEPTH, MAX_ROWS, MAX_STREAM_ROWS
from parrules.safeio import ReadError, describe_read_problem, is_stdin, read_bounded, read_stdin, size_text

# ---- readers: a format → a RawTable ------------------------------------------------------------------

# What a reader may put in a cell: text as written, an exact number (JSON), true/false (JSON), blank.
Cell: TypeAlias = str | Decimal | bool | None


@frozen
class RawRow:
    number: int  # as a person finds it: the CSV line (header = 1), the n-th JSON object or mapping
    cells: tuple[Cell, ...]


@frozen
class RawTable:
    """A format's content before any typing: what an `.xlsx` reader will have to produce too."""

    header: tuple[str, ...]
    header_rows: tuple[int | None, ...]  # where each header was written, for its diagnostics
    rows: tuple[RawRow, ...]
    # False where the format does not tell a cell's number format (.xls, .ods): a percent cell cannot
    # be told from the number it holds (0.85 shown as 85 %), so such numbers are not read two ways.
    formats_known: bool = True
    # (row, column index) of formula cells with no saved value: a problem only in a column that is read.
    uncomputed: frozenset[tuple[int, int]] = frozenset()


class Reader(Protocol):
    """A format's reader. `headers` (the ruleset's names) finds the header row below any title rows."""

    def __call__(self, path: Path, sink: Sink, headers: HeaderIndex | None = None, /) -> RawTable | None: ...


def read_file(path: Path, sink: Sink) -> bytes | None:
    """A data file's bytes (a regular file within the size limit), or None after reporting why not.

    The path `-` is standard input, read within the same limit (`safeio.read_stdin`).
    """
    try:
        return read_stdin(MAX_DATA_BYTES) if is_stdin(path) else read_bounded(path, MAX_DATA_BYTES)
    except ReadError as problem:
        if problem.kind == "too_large":
            sink.add(M.FILE_TOO_LARGE, size=size_text(problem, MAX_DATA_BYTES))
        else:
            sink.add(M.UNREADABLE, reason=describe_read_problem(problem, MAX_DATA_BYTES))
        return None


def _read_text(path: Path, sink: Sink) -> str | None:
    """The file's text, UTF-8 with or without a BOM, or None after reporting why not."""
    data = read_file(path, sink)
    if data is None:
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        sink.add(M.UTF16)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        sink.add(M.NOT_UTF8, byte=f"0x{data[exc.start]:02X}", line=line)
        return None


_SEP_LINE = re.compile(r"sep=([,;])")  # Excel's own hint line, written before the header
_QUOTED = re.compile(r'"[^"]*(?:"|$)')


def _find_header(lines: Iterator[str], sink: Sink) -> tuple[str, str, int] | None:
    """The header line, the column separator, and how many lines came before the header."""
    skipped = 0
    delimiter: str | None = None
    for line in lines:
        if not line.strip():
            skipped += 1
            continue
        hint = _SEP_LINE.fullmatch(line.strip())
        if hint is not None and delimiter is None:
            delimiter = hint.group(1)
            skipped += 1
            continue
        if delimiter is not None:
            return line, delimiter, skipped
        # Only the header line decides: data cells hold decimal commas, a header should not.
        unquoted = _QUOTED.sub("", line)
        if "," in unquoted and ";" in unquoted:
            sink.add(M.AMBIGUOUS_DELIMITER, row=skipped + 1)
            return None
        if "," not in unquoted and ";" not in unquoted and "\t" in unquoted:
            sink.add(M.TAB_SEPARATED, row=skipped + 1)
            return None
        return line, (";" if ";" in unquoted else ","), skipped
    sink.add(M.EMPTY)
    return None


def read_csv(path: Path, sink: Sink, headers: HeaderIndex | None = None) -> RawTable | None:
    text = _read_text(path, sink)
    if text is None:
        return None
    # newline="": keeps line breaks inside quoted cells intact
    found = _csv_table(io.StringIO(text, newline=""), sink, headers, max_rows=MAX_ROWS)
    if found is None:
        return None
    header, header_rows, rows = found
    return RawTable(header, header_rows, tuple(rows))


@frozen
class CsvStream:
    """A CSV file read as it is gone through: the header now, the rows one by one (see `stream_csv`)."""

    header: tuple[str, ...]
    header_rows: tuple[int | None, ...]
    rows: Iterator[RawRow]
    position: Callable[[], int]  # bytes of the file read so far, for a progress bar
    size: int  # bytes in the file
    # Set when a byte that is not UTF-8 is met: then that is the one problem of the file, as it is
    # when the file is read whole (whatever the rows above it gave is not said).
    not_text: list[Diagnostic]


def stream_csv(path: Path, sink: Sink, headers: HeaderIndex | None = None,
               max_rows: int = MAX_STREAM_ROWS) -> CsvStream | None:
    """A CSV file's rows as they are read, in memory that does not grow with the file.

    The rows, the problems and their order are those of `read_csv`; only the limits differ: no
    size limit (nothing is held), and `max_rows` rows. The file is closed when its rows run out.
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the rows' generator, when they run out
        size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        sink.add(M.UNREADABLE, reason=exc.strerror or exc.__class__.__name__)
        return None
    if handle.peek(2)[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        handle.close()
        sink.add(M.UTF16)
        return None
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    not_text: list[Diagnostic] = []  # a byte that is not UTF-8: all there is to say (as `read_csv` says)

    def lines() -> Iterator[str]:
        # Not `yield from text`: closing this generator would close the file under the rows still to come.
        try:
            for line in text:  # noqa: UP028
                yield line
        except UnicodeDecodeError:
            byte, number = _first_bad_byte(path)
            before = len(sink.found)
            sink.add(M.NOT_UTF8, byte=f"0x{byte:02X}", line=number)
            not_text.extend(sink.found[before:])

    found = _csv_table(lines(), sink, headers, max_rows=max_rows)
    if found is None:
        handle.close()
        if not_text:
            sink.found[:] = not_text
        return None
    header, header_rows, rows = found

    def closing() -> Iterator[RawRow]:
        with text:  # closes the file under it too
            yield from rows

    def position() -> int:
        return size if handle.closed else handle.tell()

    return CsvStream(header, header_rows, closing(), position, size, not_text)


def _first_bad_byte(path: Path) -> tuple[int, int]:
    """The first byte that is not UTF-8 in a file, and its line: read again in pieces, only on failure."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(path, "rb") as handle:
        while piece := handle.read(1 << 20):
            # The decoder holds back the bytes of a letter cut by the piece before: they come first.
            buffer = decoder.getstate()[0] + piece
            try:
                decoder.decode(piece)
            except UnicodeDecodeError as exc:
                return buffer[exc.start], line + buffer.count(b"\n", 0, exc.start)
            line += piece.count(b"\n")
    return 0, line  # pragma: no cover - the text decoder found one


def _csv_table(lines: Iterator[str], sink: Sink, headers: HeaderIndex | None,
               max_rows: int) -> tuple[tuple[str, ...], tuple[int | None, ...], Iterator[RawRow]] | None:
    """The header of a CSV text and its rows as they are read: shared by `read_csv` and `stream_csv`."""
    found = _find_header(lines, sink)
    if found is None:
        return None
    first, delimiter, skipped = found
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)

    def records() -> Iterator[tuple[int, list[str]]]:
        while True:
            start = skipped + reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                problem = M.FIELD_TOO_LARGE if "field larger" in str(exc) else M.BAD_CSV
                sink.add(problem, row=skipped + reader.line_num, line=skipped + reader.line_num, reason=str(exc))
                return
            yield start, cells

    stream = records()
    window = list(itertools.islice(stream, HEADER_SEARCH_ROWS))
    if not window:
        return None  # the first line was malformed, already reported
    header_line, header = window[0]
    header_rows: tuple[int, ...] = (header_line,) * len(header)
    body = window[1:]
    # Title rows above the header (a CSV saved from a council's sheet): the best header row decides.
    chosen = find_header([(n, c) for n, c in window if len(c) <= MAX_COLUMNS], [], headers) if headers else None
    if chosen is not None and chosen.row != header_line:
        header, header_rows = list(chosen.names), chosen.rows
        body = [(n, c) for n, c in window if n >= chosen.body_start]
        header_line = chosen.row
        for stray in chosen.stray:
            sink.add(M.ROW_ABOVE_HEADER, row=stray, header=header_line)
    if len(header) > MAX_COLUMNS:
        sink.add(M.TOO_MANY_COLUMNS, row=header_line, count=i18n.number(len(header)),
                 limit=i18n.number(MAX_COLUMNS))
        return None
    width = len(header)

    def rows() -> Iterator[RawRow]:
        count = 0
        for start, written in itertools.chain(body, stream):
            cells = written
            if not any(c.strip() for c in cells):
                continue  # a blank line or an Excel row of empty cells is not a unit
            if count == max_rows:
                sink.add(M.TOO_MANY_ROWS if max_rows == MAX_ROWS else M.TOO_MANY_STREAMED_ROWS, row=start)
                return
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    # The cells are shifted; checking them against the wrong columns would only add noise.
                    sink.add(M.RAGGED_ROW, row=start, count=len(cells), expected=width)
                    continue
                cells = cells[:width]
            count += 1
            yield RawRow(start, (*cells, *([None] * (width - len(cells)))))

    return tuple(header), header_rows, rows()


class _JsonObject(dict[str, object]):
    """A JSON object that remembers keys written twice (json keeps only the last one)."""

    repeated: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, object]]) -> _JsonObject:
        made = cls(pairs)
        if len(made) != len(pairs):
            made.repeated = tuple(k for k, n in Counter(k for k, _value in pairs).items() if n > 1)
        return made


class _JsonConstantError(ValueError):
    pass


def _reject_constant(name: str) -> object:
    raise _JsonConstantError(name)


class JsonProblem(Exception):  # noqa: N818 - a problem in the file, reported
    """JSON that cannot be read: where, and why."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.column, self.reason = line, column, reason


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: str) -> tuple[int, int]:
    """Where the first bracket deeper than MAX_JSON_DEPTH is (line and column, from 1)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                start = match.start()
                return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
        elif token in "]}":
            depth -= 1
    return 1, 1  # pragma: no cover - only asked after the parser found the nesting too deep


def load_json(text: str, pairs: Callable[[list[tuple[str, object]]], object] | None = None) -> object:
    """JSON with every number as an exact Decimal (62.30 stays 62.30, never a float); raises `JsonProblem`.

    `NaN` and `Infinity` are refused; nesting deeper than the parser can follow is located.
    """
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=_reject_constant,
                          object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise JsonProblem(exc.lineno, exc.colno, exc.msg) from None
    except _JsonConstantError as exc:
        raise JsonProblem(0, 0, f"constant {exc}") from None
    except RecursionError:
        line, column = _too_deep(text)
        reason = _("nested more than {depth} levels deep").format(depth=MAX_JSON_DEPTH)
        raise JsonProblem(line, column, reason) from None


def read_json(path: Path, sink: Sink, headers: HeaderIndex | None = None) -> RawTable | None:
    text = _read_text(path, sink)
    if text is None:
        return None
    try:
        data = load_json(text, _JsonObject.from_pairs)
    except JsonProblem as exc:
        if exc.reason.startswith("constant "):
            sink.add(M.JSON_CONSTANT, value=exc.reason.removeprefix("constant "))
        else:
            sink.add(M.BAD_JSON, line=exc.line, position=exc.column, reason=exc.reason)
        return None
    if isinstance(data, dict) and isinstance(data.get("units"), list):
        data = data["units"]
    if not isinstance(data, list):
        sink.add(M.NOT_A_TABLE, kind=kind_of(data))
        return None
    return table_from_mappings(data, sink)


def kind_of(value: object) -> str:
    """What a JSON value (or a library user's value) is, as a noun phrase of a message."""
    if isinstance(value, Mapping):
        return _("an object")
    if isinstance(value, list | tuple):
        return _("a list")
    if value is None:
        return "null"  # the JSON keyword
    if isinstance(value, str):
        return _("a text")
    return _("a {type}").format(type=type(value).__name__)


def cell_value(value: object) -> Cell:
    """A Python value from JSON or a library user, as a cell; raises `CellError` for anything else."""
    if value is None or type(value) is str:  # the common cases, without the general test below
        return value
    if isinstance(value, str | bool):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CellError(M.NOT_A_NUMBER, value=value, expected=_("a finite number"))
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: what the user wrote.
        if not math.isfinite(value):
            raise CellError(M.NOT_A_NUMBER, value=repr(value), expected=_("a finite number"))
        return Decimal(repr(value))
    raise CellError(M.NOT_A_CELL, kind=kind_of(value))


def _as_mapping(record: UnitRecord) -> dict[str, object]:
    out: dict[str, object] = {"unit": record.name, "max": record.max, "group": record.group, **record.values}
    for stage, values in record.stage_values.items():
        out.update({f"{name}@{stage}": value for name, value in values.items()})
    return out


def table_from_mappings(rows: Iterable[object], sink: Sink) -> RawTable:
    header: list[str] = []
    header_rows: list[int | None] = []
    position: dict[str, int] = {}
    collected: list[tuple[int, dict[int, Cell] | tuple[Cell, ...]]] = []
    # Rows made by one program have the same keys in the same order: such a row is read in one go,
    # its cells in the header's order (a third of the reading of 10,000 rows was placing each cell).
    same: tuple[object, ...] | None = None  # the header, while every key so far was text
    for number, given in enumerate(rows, start=1):
        if number > MAX_ROWS:
            sink.add(M.TOO_MANY_ROWS, row=number)
            break
        item = _as_mapping(given) if isinstance(given, UnitRecord) else given
        if not isinstance(item, Mapping):
            sink.add(M.ROW_NOT_OBJECT, row=number, kind=kind_of(item))
            continue
        for key in getattr(item, "repeated", ()):
            sink.add(M.REPEATED_KEY, row=number, column=key, header=key)
        keys = tuple(item.keys())
        first = not header and len(keys) <= MAX_COLUMNS and all(type(key) is str for key in keys)
        if first or (same is not None and keys == same):
            try:
                collected.append((number, tuple(map(cell_value, item.values()))))
            except CellError:
                pass  # read cell by cell below, which says which cell
            else:
                if first:  # the first row's keys are the header, in their order
                    header.extend(keys)
                    header_rows.extend([number] * len(keys))
                    position.update(zip(keys, range(len(keys)), strict=True))
                    same = keys
                continue
        cells: dict[int, Cell] = {}
        for key, value in item.items():
            text = key if isinstance(key, str) else str(key)
            if text not in position and len(header) == MAX_COLUMNS:
                sink.add(M.COLUMNS_PAST_LIMIT, row=number, limit=i18n.number(MAX_COLUMNS))
                return RawTable((), (), ())
            if text not in position:
                position[text] = len(header)
                header.append(text)
                header_rows.append(number)
            try:
                cells[position[text]] = cell_value(value)
            except CellError as bad:
                sink.add_cell(bad, number, nfc(text))
        collected.append((number, cells))
        same = tuple(header) if all(type(key) is str for key in item) else None
    width = len(header)
    table_rows = tuple(RawRow(number, (*cells, *(None,) * (width - len(cells))) if isinstance(cells, tuple)
                              else tuple(cells.get(i) for i in range(width)))
                       for number, cells in collected)
    return RawTable(tuple(header), tuple(header_rows), table_rows)
