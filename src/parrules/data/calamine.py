"""Reading `.xls` (Excel 97–2003) and `.ods` (LibreOffice, OpenOffice) workbooks.

Through python-calamine, a maintained Rust reader that streams rows and reads both formats
(openpyxl reads neither); `.xlsx` stays with openpyxl, which also tells a cell's number format.
The table is found and typed exactly like an `.xlsx` sheet's (see `parrules.data.xlsx`), with one
difference: calamine does not say how a cell is formatted, so a percent cell (0.8894 shown as
88.94 %) cannot be told from the number 0.8894. The reader says so (`formats_known=False`), and the
validator refuses a bare number between 0 and 1 in a percent column rather than read it two ways.
"""

from __future__ import annotations

import datetime
import io
import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules.data.grid import HEADER_SEARCH_ROWS, Merge, find_header, settle_header
from parrules.data.headers import HeaderIndex
from parrules.data.messages import M, Sink
from parrules.data.readers import Cell, RawRow, RawTable, read_file
from parrules.data.xlsx import excel_number
from parrules.limits import MAX_COLUMNS, MAX_ROWS


def read_calamine(path: Path, sink: Sink, sheet: str | None = None,
                  headers: HeaderIndex | None = None) -> RawTable | None:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency; said plainly if it was removed
        sink.add(M.NO_CALAMINE)
        return None
    data = read_file(path, sink)
    if data is None:
        return None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        if not names:
            sink.add(M.NO_WORKSHEET)
            return None
        if sheet is not None and sheet not in names:
            sink.add(M.NO_SUCH_SHEET, sheet=sheet, sheets=", ".join(names))
            return None
        chosen = sheet if sheet is not None else names[0]
        sink.file = f"{sink.file}[{chosen}]"
        found = book.get_sheet_by_name(chosen)
        merges = [Merge(top + 1, left + 1, bottom + 1, right + 1, f"{_ref(top, left)}:{_ref(bottom, right)}")
                  for (top, left), (bottom, right) in (found.merged_cell_ranges or ())]
        return _table(enumerate(found.iter_rows(), start=1), merges, sink, headers)
    except Exception as exc:
        sink.add(M.NOT_A_WORKBOOK, reason=str(exc)[:200] or exc.__class__.__name__)
        return None


def _ref(row: int, column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _table(stream: Iterator[tuple[int, list[Any]]], merges: list[Merge], sink: Sink,
           headers: HeaderIndex | None) -> RawTable | None:
    window = list(itertools.islice(stream, HEADER_SEARCH_ROWS))
    texts = [(number, [_text(v) for v in row[:MAX_COLUMNS + 1]]) for number, row in window]
    found = find_header(texts, merges, headers)
    settled = settle_header(found, sink)
    if found is None or settled is None:
        return None
    header, header_rows = settled
    width = len(header)
    rows: list[RawRow] = []
    for number, row in itertools.chain(((n, r) for n, r in window if n >= found.body_start), stream):
        values = [_cell(v) for v in row[:width]]
        values += [None] * (width - len(values))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in values):
            continue
        if len(rows) == MAX_ROWS:
            sink.add(M.TOO_MANY_ROWS, row=number)
            break
        rows.append(RawRow(number, tuple(values)))
    return RawTable(tuple(header), tuple(header_rows), tuple(rows), formats_known=False)


def _text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{excel_number(value):f}"
    return str(value).strip()


def _cell(value: object) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return excel_number(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()  # a date where a number belongs: shown as the sheet shows it
    if isinstance(value, datetime.timedelta):
        return str(value)
    if isinstance(value, Decimal | str):
        return value
    return str(value)

