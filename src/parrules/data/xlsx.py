"""Excel workbooks (.xlsx) as data: one sheet → a `RawTable`, like a CSV file.

What councils actually send is a sheet with a title or two above the header, sometimes a header
cell merged over two rows, numbers typed as numbers or as text, percentages kept as Excel percent
cells. The reader:

- takes the first sheet, or the one named with `sheet=`;
- finds the header as the first row (of the first 30) that names the unit column (unit, đơn vị,
  tên đơn vị…); title rows above it are skipped;
- a header cell merged down over several rows is read once, and data starts below the merge; a
  header cell merged *across* columns cannot say which column is which, so it is reported (DAT118)
  rather than guessed;
- numbers stored as numbers are read as Excel shows them: to its 15 significant digits, never from
  the binary value (62.3 → 62.3, =0.1+0.2 → 0.3); a number in a percent format (`0.00%`) is the
  percentage it shows (0.8894 → 88.94 %), read exactly as the text `88.94%` would be;
- text cells are read like CSV cells, so "62,30" is a decimal comma only with `decimal_comma`;
- a formula cell is read from the value Excel last computed and saved; a workbook saved by a program
  that never computed it has no value there, which is reported, never read as 0.

The sheet is streamed, row by row (openpyxl's read-only mode), so memory stays flat whatever its
size; its merged cells and formulas are found by one more streaming pass over the sheet's XML. Sizes
are checked before anything is parsed: the workbook as stored, and each part once uncompressed (a
10 KB file can unpack to gigabytes).
"""

from __future__ import annotations

import datetime
import io
import itertools
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from decimal import Context, Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError, iterparse

from parrules import i18n
from parrules.data.grid import HEADER_SEARCH_ROWS, Merge, find_header, settle_header
from parrules.data.headers import HeaderIndex
from parrules.data.messages import CellError, M, Sink
from parrules.data.readers import Cell, RawRow, RawTable, cell_value, read_file
from parrules.i18n import _
from parrules.limits import MAX_COLUMNS, MAX_ROWS, MAX_XLSX_PART_BYTES, MAX_XLSX_SHEET_BYTES

# What a damaged workbook makes the zip, XML and openpyxl code raise (a flipped bit in a compressed
# part is a zlib.error, a cut one an EOFError, …): each is DAT114, not a crash.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, struct.error, KeyError, ValueError, OSError, ParseError,
            TypeError, IndexError, AttributeError, NotImplementedError)
_EXCEL_DIGITS = Context(prec=15)  # Excel keeps, shows and computes with 15 significant digits


def read_xlsx(path: Path, sink: Sink, sheet: str | None = None, headers: HeaderIndex | None = None) -> RawTable | None:
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError:  # pragma: no cover - openpyxl is a dependency; said plainly if it was removed
        sink.add(M.NO_OPENPYXL)
        return None
    data = read_file(path, sink)
    if data is None:
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if not _sizes_fit(archive, sink):
            return None
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, *_DAMAGED) as exc:
        # A damaged or hand-made workbook can trip openpyxl in many ways; each is one located problem.
        sink.add(M.NOT_A_WORKBOOK, reason=str(exc)[:200] or exc.__class__.__name__)
        return None
    try:
        if sheet is None:
            if not book.worksheets:
                sink.add(M.NO_WORKSHEET)
                return None
            chosen = book.worksheets[0]
        elif sheet in book.sheetnames:
            chosen = book[sheet]
        else:
            sink.add(M.NO_SUCH_SHEET, sheet=sheet, sheets=", ".join(book.sheetnames))
            return None
        sink.file = f"{sink.file}[{chosen.title}]"  # the sink's name: `<stdin>` for standard input
        part = getattr(chosen, "_worksheet_path", None)
        if not isinstance(part, str):
            sink.add(M.NOT_A_WORKSHEET, sheet=chosen.title)
            return None
        layout = _scan(archive, part)
        return _table(chosen, sink, layout, headers)
    except _DAMAGED as exc:  # the sheet is unpacked as it is read: damage can show only now
        sink.add(M.NOT_A_WORKBOOK, reason=str(exc)[:200] or exc.__class__.__name__)
        return None
    finally:
        book.close()


def _sizes_fit(archive: zipfile.ZipFile, sink: Sink) -> bool:
    for info in archive.infolist():
        worksheet = info.filename.startswith("xl/worksheets/")
        limit = MAX_XLSX_SHEET_BYTES if worksheet else MAX_XLSX_PART_BYTES
        if info.file_size > limit:
            sink.add(M.WORKBOOK_TOO_LARGE, part=info.filename, size=i18n.number(info.file_size),
                     limit=i18n.number(limit))
            return False
    return True


class _Layout:
    """What the cell stream does not tell: merged ranges, and formulas with no saved value."""

    def __init__(self) -> None:
        self.merged: list[tuple[int, int, int, int, str]] = []  # min_row, min_col, max_row, max_col, ref
        self.uncomputed: set[tuple[int, int]] = set()


_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def _position(ref: str) -> tuple[int, int] | None:
    found = _REF.fullmatch(ref.replace("$", "").upper())
    if found is None:
        return None
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)), column


def _scan(archive: zipfile.ZipFile, part: str) -> _Layout:
    layout = _Layout()
    with archive.open(part) as source:
        for _event, element in iterparse(source, events=("end",)):
            tag = element.tag.rpartition("}")[2]
            if tag == "c":
                formula = value = False
                for child in element:
                    kind = child.tag.rpartition("}")[2]
                    formula = formula or kind == "f"
                    value = value or (kind in ("v", "is") and (child.text or len(child) > 0))
                where = _position(element.get("r", ""))
                if formula and not value and where is not None:
                    layout.uncomputed.add(where)
                element.clear()
            elif tag == "row":
                element.clear()  # keeps the pass in flat memory
            elif tag == "mergeCell":
                ref = element.get("ref", "")
                first, _colon, last = ref.partition(":")
                start, end = _position(first), _position(last or first)
                if start is not None and end is not None:
                    layout.merged.append((start[0], start[1], end[0], end[1], ref))
    return layout


def _rows(sheet: Any, min_row: int, max_col: int | None = None) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cells) from `min_row` on; read-only cells carry their value and number format."""
    return enumerate(sheet.iter_rows(min_row=min_row, max_col=max_col), start=min_row)


def _table(sheet: Any, sink: Sink, layout: _Layout, headers: HeaderIndex | None) -> RawTable | None:
    stream = _rows(sheet, 1)
    window: list[tuple[int, tuple[Any, ...]]] = []  # the rows a header may be in, kept to be read as data too
    for number, row in stream:
        window.append((number, row))
        if number >= HEADER_SEARCH_ROWS:
            break
    texts = [(number, [_header_text(getattr(c, "value", None)) for c in row[:MAX_COLUMNS + 1]])
             for number, row in window]
    merges = [Merge(*m) for m in layout.merged]
    found = find_header(texts, merges, headers)
    settled = settle_header(found, sink)
    if found is None or settled is None:
        return None
    header, header_rows = settled
    width = len(header)
    rows: list[RawRow] = []
    body = itertools.chain(((n, r) for n, r in window if n >= found.body_start), stream) if width else iter(())
    empty: object = None
    uncomputed: set[tuple[int, int]] = set()
    for number, row in body:
        if row is empty:
            continue  # the stream repeats one tuple for every row missing from the sheet: skipped at once
        if all(getattr(cell, "value", None) is None for cell in row):
            empty = row
            continue
        values: list[Cell] = []
        for column, cell in enumerate(row[:width], start=1):
            value = getattr(cell, "value", None)
            if value is None and (number, column) in layout.uncomputed:
                uncomputed.add((number, column - 1))
            try:
                values.append(excel_cell(value, getattr(cell, "number_format", None)))
            except CellError as bad:
                sink.add_cell(bad, number, header[column - 1] or _column(column))
                values.append(None)
        values += [None] * (width - len(values))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in values):
            continue
        if len(rows) == MAX_ROWS:
            sink.add(M.TOO_MANY_ROWS, row=number)
            break
        rows.append(RawRow(number, tuple(values)))
    return RawTable(tuple(header), tuple(header_rows), tuple(rows), uncomputed=frozenset(uncomputed))


def _column(position: int) -> str:
    """A column without a header, as problems name it: "column 3"."""
    return _("column {position}").format(position=position)


def _header_text(value: object) -> str:
    """A header cell as text: a number typed as a header (`3`, a criterion's id) as Excel shows it."""
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{excel_number(value):f}"
    return str(value).strip()


def _is_percent_format(number_format: object) -> bool:
    """Whether an Excel number format shows the value as a percentage (`0%`, `0.00%`, `#,##0.0%`)."""
    if not isinstance(number_format, str) or "%" not in number_format:
        return False
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format)  # quoted text, escapes, [colour] codes
    return "%" in plain


def excel_number(value: float | int) -> Decimal:
    """A number as Excel holds it: an integer exactly, a float to 15 significant digits (0.1+0.2 → 0.3)."""
    if isinstance(value, int):
        return Decimal(value)
    exact = cell_value(value)  # the shortest repr, checked to be finite
    assert isinstance(exact, Decimal)
    if not exact:
        return Decimal(0)
    shown = _EXCEL_DIGITS.plus(exact).normalize(_EXCEL_DIGITS)
    exponent = shown.as_tuple().exponent
    return shown.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else shown


def excel_cell(value: object, number_format: object = None) -> Cell:
    """A workbook cell as the data readers take it: as Excel shows it (a percent cell as `88.94%`)."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
        # A date where a number belongs is Excel reformatting the cell; show it as the sheet does.
        return value.isoformat() if not isinstance(value, datetime.timedelta) else str(value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = excel_number(value)
        if _is_percent_format(number_format):
            # The cell shows 88.94%: that is what it says, read exactly as the text "88.94%".
            return f"{(number * 100).normalize():f}%"
        return number
    if isinstance(value, Decimal | bool | str) or value is None:
        return value
    return str(value)
