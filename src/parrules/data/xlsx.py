"""Excel workbooks (.xlsx) as data: one sheet → a `RawTable`, like a CSV file.

What councils actually send is a sheet with a title or two above the header, sometimes a header
cell merged over two rows, numbers typed as numbers or as text. The reader:

- takes the first sheet, or the one named with `sheet=`;
- finds the header as the first row (of the first 30) that names the unit column (unit, đơn vị,
  tên đơn vị…); title rows above it are skipped;
- a header cell merged down over several rows is read once, and data starts below the merge; a
  header cell merged *across* columns cannot say which column is which, so it is reported (DAT118)
  rather than guessed;
- numbers stored as numbers are read from their shortest repr (62.3 → 62.3, never the binary value);
  text cells are read like CSV cells, so "62,30" is a decimal comma only with `decimal_comma`;
- a formula cell is read from the value Excel last computed and saved; a workbook saved by a program
  that never computed it has no value there, which is reported, never read as 0.
"""

from __future__ import annotations

import datetime
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from parrules.data.messages import CellError, M, Sink
from parrules.data.readers import Cell, RawRow, RawTable, cell_value
from parrules.data.records import MAX_FILE_BYTES, MAX_ROWS, UNIT_HEADERS
from parrules.data.text import text_key

HEADER_SEARCH_ROWS = 30
_UNIT_KEYS = frozenset(text_key(h) for h in UNIT_HEADERS)


def read_xlsx(path: Path, sink: Sink, sheet: str | None = None) -> RawTable | None:
    try:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError:  # pragma: no cover - openpyxl is a dependency; said plainly if it was removed
        sink.add(M.UNREADABLE, reason="reading .xlsx needs the openpyxl package")
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            sink.add(M.FILE_TOO_LARGE, size=f"{size:,}")
            return None
        # Not read-only: merged ranges are only known in the full mode, and 50 MB is the cap anyway.
        book = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        sink.add(M.NOT_A_WORKBOOK, reason=str(exc) or exc.__class__.__name__)
        return None
    if sheet is None:
        chosen = book.worksheets[0]
    elif sheet in book.sheetnames:
        chosen = book[sheet]
    else:
        sink.add(M.NO_SUCH_SHEET, sheet=sheet, sheets=", ".join(book.sheetnames))
        return None
    sink.file = f"{path}[{chosen.title}]"
    return _table(chosen, sink, _Formulas(path, chosen.title))


class _Formulas:
    """Where the sheet has formulas: a formula with no saved value must not pass for a blank cell.

    Loaded only when a blank cell is met in the data, since it means reading the workbook again.
    """

    def __init__(self, path: Path, title: str) -> None:
        self.path, self.title = path, title
        self.cells: set[tuple[int, int]] | None = None

    def __contains__(self, where: object) -> bool:
        if self.cells is None:
            import openpyxl

            sheet = openpyxl.load_workbook(self.path, data_only=False)[self.title]
            self.cells = {(c.row, c.column) for row in sheet.iter_rows() for c in row
                          if isinstance(c.value, str) and c.value.startswith("=")}
        return where in self.cells


def _table(sheet: Any, sink: Sink, formulas: _Formulas) -> RawTable | None:
    merged = list(sheet.merged_cells.ranges)
    header_row = _find_header_row(sheet)
    if header_row is None:
        sink.add(M.NO_UNIT_COLUMN, row=None)
        return None
    width = sheet.max_column
    header: list[str] = []
    body_start = header_row + 1
    across = False
    for column in range(1, width + 1):
        value = sheet.cell(row=header_row, column=column).value
        header.append("" if value is None else str(value).strip())
    for rng in merged:
        if not rng.min_row <= header_row <= rng.max_row:
            continue
        if rng.max_col > rng.min_col:
            sink.add(M.MERGED_HEADER, row=header_row, column=header[rng.min_col - 1] or rng.coord,
                     cells=rng.coord, header=header[rng.min_col - 1])
            across = True
        # A header merged downwards: the data starts below the merge.
        body_start = max(body_start, rng.max_row + 1)
    if across:
        return None
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows: list[RawRow] = []
    # Row by row, values only: `sheet.cell()` per cell is far slower on a sheet of many units.
    body = sheet.iter_rows(min_row=body_start, max_col=width, values_only=True) if width else ()
    for number, values in enumerate(body, start=body_start):
        cells: list[Cell] = []
        for column, value in enumerate(values, start=1):
            if value is None and (number, column) in formulas:
                sink.add(M.UNCOMPUTED_FORMULA, row=number, column=header[column - 1] or f"column {column}")
            try:
                cells.append(_cell(value))
            except CellError as bad:
                sink.add_cell(bad, number, header[column - 1] or f"column {column}")
                cells.append(None)
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if len(rows) == MAX_ROWS:
            sink.add(M.TOO_MANY_ROWS, row=number)
            break
        rows.append(RawRow(number, tuple(cells)))
    return RawTable(tuple(header), (header_row,) * width, tuple(rows))


def _find_header_row(sheet: Any) -> int | None:
    last = min(sheet.max_row, HEADER_SEARCH_ROWS)
    for number in range(1, last + 1):
        for column in range(1, sheet.max_column + 1):
            value = sheet.cell(row=number, column=column).value
            if isinstance(value, str) and text_key(value) in _UNIT_KEYS:
                return number
    return None


def _cell(value: object) -> Cell:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        # A date where a number belongs is Excel reformatting the cell; show it as the sheet does.
        return value.isoformat()
    if isinstance(value, float | int) and not isinstance(value, bool):
        return cell_value(value)
    if isinstance(value, Decimal | bool | str) or value is None:
        return value
    return str(value)
