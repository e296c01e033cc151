"""The `sheets` layout: a workbook with one sheet per unit (phiếu chấm điểm), criteria as rows.

What `parrules template --layout sheets` writes, and councils keep: at the top of each sheet the
unit's name and what describes it, then the criteria with their maxima and, under each, the figures
it is scored from. Every row that holds a unit's value carries a machine name in a key column, and a
row of column keys says which column is which:

    #id  #title  #max  #value  @self  @appraisal  #note  #key

- the `unit` row has the unit's name in the `#title` column;
- every other keyed row (`max`, `group`, an attribute, an input, a criterion's id for points given
  directly) has its value in the `#value` column, or, for points given per stage, one value per
  `@stage` column (read as `name@stage`);
- `#id`, `#title`, `#max` and `#note` (evidence, notes) are for people and never read.

Each unit sheet becomes a one-row table, typed by the same `Validator` as every other data file, so
a cell's problem is the same problem wherever it was typed; it names the sheet and the row the value
is on (`hồ-sơ.xlsx[Sở Nội vụ]:row 14:plan_done`). A sheet with neither a name nor a value (the blank
form left over) is passed over; a sheet without the key row (a summary a council added) is ignored,
with a warning when it holds numbers, which could be a unit's values.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import frozen

from parrules import i18n
from parrules.data.messages import M, Sink
from parrules.data.readers import Cell, RawRow, RawTable, read_file
from parrules.data.records import UNIT_HEADERS, DataReport, UnitRecord
from parrules.data.text import nfc, text_key
from parrules.data.validate import Validator
from parrules.data.xlsx import excel_cell
from parrules.diagnostics import Diagnostic, sort_diagnostics
from parrules.limits import MAX_DATA_BYTES, MAX_XLSX_PART_BYTES, MAX_XLSX_SHEET_BYTES
from parrules.model import Model, Percent
from parrules.safeio import read_bounded

# The column keys of a unit sheet, in its key row. `#` cannot begin a declared name, so none of these
# can be mistaken for one.
ID, TITLE, MAX, VALUE, NOTE, KEY = "#id", "#title", "#max", "#value", "#note", "#key"
STAGE = "@"  # `@self`: the column of one stage's points
SEARCH_ROWS = 60  # where the key row is looked for: below the title, the unit and its attributes
HEADER_SEARCH_ROWS = 30  # where a table's header is looked for, as the workbook reader does
_UNIT_KEYS = frozenset(text_key(h) for h in UNIT_HEADERS)


def is_unit_sheets(path: Path) -> bool:
    """Whether a workbook is in the `sheets` layout: one of its sheets has the key row (`#key`, `#value`).

    Cheap: the first rows of each sheet, streamed; a file that is not a readable workbook is not.
    """
    return detect(path).unit_sheets


@frozen
class Detected:
    """What a workbook's first rows say about its layout, before it is read."""

    unit_sheets: bool = False
    data_sheet: str | None = None  # the sheet to read when it is not the first one


def detect(path: Path) -> Detected:
    """Whether a workbook holds unit sheets, or else which sheet holds its table.

    A fill-in template opens on its instructions, so its table is on a later sheet: the first sheet
    with a unit column header (`unit`, `đơn vị`…) in its first 30 rows is the one to read. When the
    first sheet has one, or none has, nothing is said and the reader takes the first sheet, as ever.
    Anything unreadable is for the reader to report: nothing is said about it here.
    """
    try:
        book = _open(read_bounded(path, MAX_DATA_BYTES))
    except Exception:  # a damaged workbook trips openpyxl in many ways
        return Detected()
    data_sheet: str | None = None
    try:
        for position, sheet in enumerate(book.worksheets):
            if _key_row(sheet) is not None:
                return Detected(unit_sheets=True)
            if data_sheet is None and position > 0 and _has_unit_header(sheet):
                data_sheet = str(sheet.title)
            elif position == 0 and _has_unit_header(sheet):
                data_sheet = ""  # the first sheet is the table: nothing to choose
        return Detected(data_sheet=data_sheet or None)
    except Exception:  # damage met while streaming: the reader reports it
        return Detected()
    finally:
        book.close()


def _has_unit_header(sheet: Any) -> bool:
    if not hasattr(sheet, "iter_rows"):
        return False
    return any(isinstance(v, str) and text_key(v) in _UNIT_KEYS
               for row in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True) for v in row)


def unit_sheet_files(folder: Path) -> list[Path]:
    """The workbooks of a folder, by name; Excel's lock files (`~$…`) and hidden files are not."""
    return sorted(p for p in folder.glob("*.xlsx") if p.is_file() and not p.name.startswith(("~$", ".")))


@frozen
class _Keyed:
    """One keyed row of a unit sheet: its key, its sheet row, and the values it holds by column key."""

    key: str
    row: int
    values: tuple[tuple[str, Cell], ...]
    uncomputed: tuple[str, ...] = ()  # the column keys of formulas never computed and saved


@frozen
class _UnitSheet:
    path: Path
    title: str
    unit_row: int
    unit: Cell
    rows: tuple[_Keyed, ...]
    stray: tuple[tuple[int, str, Cell], ...]  # (row, column heading, value): typed where nothing is read


def validate_unit_sheets(paths: Sequence[Path], model: Model, *, decimal_comma: bool, percent_fractions: bool,
                         sheet: str | None = None) -> DataReport:
    """Read and validate every unit sheet of the workbooks `paths`; one report for all of them.

    `sheet` reads that sheet only (`--sheet`).
    """
    return _validate_paths(paths, model, decimal_comma=decimal_comma, percent_fractions=percent_fractions,
                           sheet=sheet, folder=False)


def _validate_paths(paths: Sequence[Path], model: Model, *, decimal_comma: bool, percent_fractions: bool,
                    sheet: str | None, folder: bool) -> DataReport:
    found: list[Diagnostic] = []
    sheets: list[_UnitSheet] = []
    for path in paths:
        sink = Sink(str(path))
        sheets.extend(_read_workbook(path, sink, sheet, folder=folder) or ())
        found.extend(sink.found)
    fractions = _fraction_problems(sheets, model) if not percent_fractions else []
    records: list[UnitRecord] = []
    first: dict[str, str] = {}
    for unit_sheet in sheets:
        sink = Sink(f"{unit_sheet.path}[{unit_sheet.title}]")
        for where, row, header, value in fractions:
            if where is unit_sheet:
                sink.add(M.PERCENT_AS_FRACTION, row=row, column=header, header=header, value=value)
        # Judged once across the sheets above: each sheet's validator reads percent units (or fractions
        # of 1 with --percent-fractions), and does not judge its single unit again.
        records.extend(_validate(unit_sheet, model, sink, decimal_comma=decimal_comma,
                                 percent_fractions=percent_fractions, first=first, explicit=not percent_fractions))
        found.extend(sink.found)
    if not sheets and not any(d.is_error for d in found):
        sink = Sink(str(paths[0]) if len(paths) == 1 else ", ".join(str(p) for p in paths))
        sink.add(M.EMPTY)
        found.extend(sink.found)
    errors = any(d.is_error for d in found)
    return DataReport(() if errors else tuple(records), tuple(sort_diagnostics(found)))


def validate_folder(folder: Path, model: Model, *, decimal_comma: bool, percent_fractions: bool) -> DataReport:
    """Every workbook of a folder, read as unit sheets (one unit or several per workbook)."""
    paths = unit_sheet_files(folder)
    if not paths:
        sink = Sink(str(folder))
        sink.add(M.NO_WORKBOOKS)
        return sink.report([])
    return _validate_paths(paths, model, decimal_comma=decimal_comma, percent_fractions=percent_fractions,
                           sheet=None, folder=True)


# ---- reading ---------------------------------------------------------------------------------------


def _open(data: bytes, *, values: bool = True) -> Any:
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=values)


def _rows(sheet: Any, max_row: int | None = None) -> Iterator[tuple[int, tuple[Any, ...]]]:
    return enumerate(sheet.iter_rows(max_row=max_row), start=1)


def _key_row(sheet: Any) -> tuple[int, dict[str, int]] | None:
    """The key row's number and its column keys (`#value` → 3, `@self` → 4…), if the sheet has one."""
    if not hasattr(sheet, "iter_rows"):  # a chart sheet
        return None
    for number, row in _rows(sheet, SEARCH_ROWS):
        keys: dict[str, int] = {}
        for index, cell in enumerate(row):
            value = getattr(cell, "value", None)
            if isinstance(value, str) and value.strip().startswith(("#", STAGE)):
                keys.setdefault(value.strip(), index)
        if KEY in keys:
            return number, keys
    return None


def _read_workbook(path: Path, sink: Sink, sheet: str | None, *, folder: bool) -> list[_UnitSheet] | None:
    """The unit sheets of a workbook that hold something; None after reporting why it cannot be read.

    In a folder, a workbook with no unit sheet at all is an error: its units would be lost unsaid.
    """
    data = read_file(path, sink)
    if data is None:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                limit = MAX_XLSX_SHEET_BYTES if info.filename.startswith("xl/worksheets/") else MAX_XLSX_PART_BYTES
                if info.file_size > limit:
                    sink.add(M.WORKBOOK_TOO_LARGE, part=info.filename, size=i18n.number(info.file_size),
                             limit=i18n.number(limit))
                    return None
        book = _open(data)
        # The same cells as formulas: a value cell that is blank in `book` but a formula here was never
        # computed (a workbook a program wrote), which must not read as blank.
        formulas = _open(data, values=False)
    except Exception as exc:  # a damaged workbook trips openpyxl in many ways: one problem
        sink.add(M.NOT_A_WORKBOOK, reason=str(exc)[:200] or exc.__class__.__name__)
        return None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            sink.add(M.NO_SUCH_SHEET, sheet=sheet, sheets=", ".join(book.sheetnames))
            return None
        out: list[_UnitSheet] = []
        others: list[str] = []  # sheets without a key row that hold numbers: perhaps a unit's values
        keyed = False
        for ws in book.worksheets:
            if sheet is not None and ws.title != sheet:
                continue
            found = _key_row(ws)
            if found is None:
                if getattr(ws, "sheet_state", "visible") == "visible" and _holds_numbers(ws):
                    others.append(str(ws.title))
                continue
            keyed = True
            read = _read_sheet(path, ws, sink, found, formulas[ws.title])
            if read is not None:
                out.append(read)
        if keyed:
            for title in others:
                sink.add(M.NOT_A_UNIT_SHEET, sheet=title)
        elif folder:
            sink.add(M.NO_UNIT_SHEET)
        return out
    except Exception as exc:  # damage can show only as the sheet is unpacked
        sink.add(M.NOT_A_WORKBOOK, reason=str(exc)[:200] or exc.__class__.__name__)
        return None
    finally:
        book.close()
        formulas.close()


def _read_sheet(path: Path, ws: Any, sink: Sink, found: tuple[int, dict[str, int]],
                formulas: Any) -> _UnitSheet | None:
    """A unit sheet's keyed rows, or None for a blank one (or one whose key row is broken, reported).

    Above the key row, a row is keyed when its key cell holds a name (the unit, its maximum, group
    and attributes); below it, every row with a key is, and a value on a row without one is listed
    as not read.
    """
    key_row, columns = found
    missing = [c for c in (TITLE, VALUE) if c not in columns]
    if missing:
        sink.add(M.KEY_ROW_INCOMPLETE, row=key_row, sheet=ws.title, missing=", ".join(f"`{c}`" for c in missing))
        return None
    key_at, title_at = columns[KEY], columns[TITLE]
    value_columns = [(c, i) for c, i in columns.items() if c == VALUE or c.startswith(STAGE)]
    headings: dict[int, str] = {}
    keyed: list[_Keyed] = []
    stray: list[tuple[int, str, Cell]] = []
    unit_row, unit = key_row, None
    written = _rows(formulas)
    for number, row in _rows(ws):
        cells = [excel_cell(getattr(c, "value", None), getattr(c, "number_format", None)) for c in row]
        as_written = [getattr(c, "value", None) for c in next(written, (0, ()))[1]]
        if number == key_row - 1:  # the column headings, to name a column in a message
            headings = {i: str(v) for i, v in enumerate(cells) if not _blank(v)}
        if number == key_row:
            continue
        raw = cells[key_at] if key_at < len(cells) else None
        key = None if _blank(raw) or isinstance(raw, bool) else nfc(str(raw))
        given = [(c, i, cells[i]) for c, i in value_columns if i < len(cells) and not _blank(cells[i])]
        if key is None:
            if number > key_row:
                stray.extend((number, headings.get(i, c), v) for c, i, v in given)
            continue
        if key == "unit":
            unit_row, unit = number, cells[title_at] if title_at < len(cells) else None
            continue
        uncomputed = tuple(c for c, i in value_columns if i < len(cells) and cells[i] is None and i < len(as_written)
                           and _is_formula(as_written[i]))
        keyed.append(_Keyed(key, number, tuple((c, v) for c, _i, v in given), uncomputed))
    if _blank(unit) and not any(k.values for k in keyed):
        return None  # the blank form, or a copy not filled in yet
    return _UnitSheet(path, ws.title, unit_row, unit, tuple(keyed), tuple(stray))


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _holds_numbers(ws: Any) -> bool:
    for row in ws.iter_rows(values_only=True):
        if any(isinstance(v, int | float) and not isinstance(v, bool) for v in row):
            return True
    return False


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# ---- validating ------------------------------------------------------------------------------------


def _columns(sheet: _UnitSheet) -> list[tuple[str, int, Cell]]:
    """(header, sheet row, cell) for every value of the sheet: `unit`, then each key's values.

    A keyed row gives its `#value` cell as the key itself, and its `@stage` cells as `key@stage`; a
    row with values per stage gives only those, so that a stray value column never repeats the
    official stage (which the reader would report as one thing given twice).
    """
    out: list[tuple[str, int, Cell]] = [("unit", sheet.unit_row, sheet.unit)]
    for row in sheet.rows:
        staged = [(c, v) for c, v in row.values if c.startswith(STAGE)]
        if staged:
            out.extend((f"{row.key}{c}", row.row, v) for c, v in staged)
        else:
            value = next((v for c, v in row.values if c == VALUE), None)
            out.append((row.key, row.row, value))
    return out


def _fraction_problems(sheets: list[_UnitSheet], model: Model) -> list[tuple[_UnitSheet, int, str, str]]:
    """DAT117 judged over every sheet, as it is over a column: is every bare percent between 0 and 1?

    One sheet is one unit, so the judgement a column gets from all its units is made per input
    across the sheets; each sheet's validator is then told the percentages are in percent units.
    What is returned: for each input that reads two ways, where to report it and an example.
    """
    percent = {d.name for d in (*model.attributes, *model.inputs) if isinstance(d.type, Percent)}
    small: dict[str, bool] = {}
    examples: dict[str, tuple[_UnitSheet, int, str, Decimal]] = {}
    for unit_sheet in sheets:
        for header, row, cell in _columns(unit_sheet):
            name = header.partition("@")[0]
            if name not in percent or not isinstance(cell, Decimal):
                continue
            small[name] = small.get(name, True) and 0 <= cell <= 1
            known = examples.get(name)
            if cell != 0 and 0 <= cell <= 1 and (known is None or known[3] == known[3].to_integral_value()):
                examples[name] = (unit_sheet, row, header, cell)  # a fraction such as 0.85 shows it best
    return [(found[0], found[1], found[2], f"{found[3].normalize():f}")
            for name, found in examples.items() if small[name]]


def _validate(sheet: _UnitSheet, model: Model, sink: Sink, *, decimal_comma: bool, percent_fractions: bool,
              first: dict[str, str], explicit: bool) -> list[UnitRecord]:
    columns = _columns(sheet)
    seen: dict[str, int] = {}
    kept: list[tuple[str, int, Cell]] = []
    for header, row, cell in columns:
        if header in seen:  # at the repeated row; the unit, whose row it is not, is spoiled too
            sink.add(M.KEY_TWICE, row=row, column=header, key=header, first=seen[header], again=row)
            sink.spoiled.add(sheet.unit_row)
            continue
        seen[header] = row
        kept.append((header, row, _explicit(header, cell, model, decimal_comma) if explicit else cell))
    sink.cell_rows = {header: row for header, row, _cell_value in kept}
    for keyed in sheet.rows:
        for column in keyed.uncomputed:
            sink.add(M.UNCOMPUTED_FORMULA, row=keyed.row, column=keyed.key if column == VALUE else keyed.key + column)
            sink.spoiled.add(sheet.unit_row)  # the unit's row: its record is the one not to score
    for row, heading, value in sheet.stray:
        sink.add(M.NOT_READ, row=row, column=heading, value=str(value)[:60])
    table = RawTable(tuple(h for h, _r, _c in kept), tuple(r for _h, r, _c in kept),
                     (RawRow(sheet.unit_row, tuple(c for _h, _r, c in kept)),))
    validator = Validator(model, sink, decimal_comma=decimal_comma, percent_fractions=percent_fractions)
    records = validator.run(table)
    for record in records:
        name = text_key(record.name)
        if name in first:
            sink.add(M.DUPLICATE_UNIT_SHEET, row=record.row, column="unit", value=record.name, first=first[name])
        else:
            first[name] = sink.file
    return [r for r in records if r.row not in sink.spoiled]


def _explicit(header: str, cell: Cell, model: Model, decimal_comma: bool) -> Cell:
    """A bare number in a percent row, written with its `%` once the sheets showed percent units."""
    decl = model.declaration(header.partition("@")[0])
    if decl is None or not isinstance(decl.type, Percent) or not isinstance(cell, Decimal):
        return cell
    text = f"{cell.normalize():f}"
    return (text.replace(".", ",") if decimal_comma else text) + "%"
