"""Reading and validating unit data (CSV, JSON, in-memory rows) against a ruleset's declarations.

Two stages, so that another format (Excel) is one more reader and nothing else:

1. a *reader* turns a file into a `RawTable`: header texts and rows of raw cells (text, an exact
   `Decimal`, a bool, or blank), each row numbered as a person finds it in the file;
2. `_Validator` matches the headers to the ruleset's declarations and types every cell.

Every problem is collected, never just the first. A row becomes a `UnitRecord` only when nothing is
wrong with it (and nothing is wrong with the file's shape); every other row has a diagnostic, so no
row is ever silently lost. All wording lives in the catalogue `_M`, so messages stay consistent.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import itertools
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeAlias

from attrs import field, frozen

from parrules.diagnostics import DataError, Diagnostic, Severity, sort_diagnostics
from parrules.model import Choice, Count, Declaration, Model, Percent, Points, Value, YesNo

# Limits keep a hostile or mistaken file from exhausting memory; each is reported, never a crash.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_CELL_CHARS = 10_000

# Reserved columns, matched like every header (case- and space-insensitive, NFC).
UNIT_HEADERS = ("unit", "name", "đơn vị", "tên đơn vị")
GROUP_HEADERS = ("group", "nhóm")
MAX_HEADERS = ("max", "điểm tối đa")
IGNORED_HEADERS = ("stt", "tt", "no", "no.")  # row numbers (số thứ tự) in published tables

YES_WORDS = ("yes", "có", "co", "true", "1", "x")
NO_WORDS = ("no", "không", "khong", "false", "0")


@frozen
class UnitRecord:
    """One unit's row, typed and validated against the ruleset's declarations.

    `values` holds attributes and inputs by declared name (yes/no → bool, choice → option name,
    numbers → Decimal), for the official stage. `stage_values` holds the `points` inputs given per
    stage (`name@stage` columns): stage name → input name → value. A name absent from `values` was
    blank or missing; the evaluator decides whether that unit needed it. `columns` maps each declared
    name to the column header it was read from, so problems can name the user's column.
    """

    name: str
    row: int
    values: dict[str, Value] = field(factory=dict, eq=False)
    stage_values: dict[str, dict[str, Value]] = field(factory=dict, eq=False)
    max: Decimal | None = None
    group: str | None = None
    file: str = "<data>"
    columns: dict[str, str] = field(factory=dict, eq=False)


@frozen
class DataReport:
    """What reading a data file found: the units that are fine, and every problem and warning.

    `records` holds the rows with no error of their own (none at all when the file's shape is wrong),
    so a caller may still run further checks on them; only `records_or_raise` is safe to score from.
    """

    records: tuple[UnitRecord, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def records_or_raise(self) -> list[UnitRecord]:
        """The records, or `DataError` listing every problem (warnings too) if there is any error."""
        if not self.ok:
            raise DataError(self.diagnostics)
        return list(self.records)


# ---- public entry points ---------------------------------------------------------------------------


def read_data(path: Path | str, model: Model, *, decimal_comma: bool = False) -> list[UnitRecord]:
    """Read and validate a `.csv` or `.json` file; raises `DataError` listing every problem.

    Warnings (unknown columns, percentages that look like fractions) do not raise; use
    `validate_data` to see them.
    """
    return validate_data(path, model, decimal_comma=decimal_comma).records_or_raise()


def validate_data(path: Path | str, model: Model, *, decimal_comma: bool = False) -> DataReport:
    """Read and validate a data file; never raises for a problem in the file."""
    path = Path(path)
    sink = _Sink(str(path))
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        sink.add(_M.UNKNOWN_FORMAT, suffix=path.suffix or "(no extension)")
        return sink.report([])
    table = reader(path, sink)
    records = _Validator(model, sink, decimal_comma=decimal_comma).run(table) if table is not None else []
    return sink.report(records)


def records_from_mappings(rows: Iterable[Mapping[str, object] | UnitRecord], model: Model, *,
                          decimal_comma: bool = False) -> list[UnitRecord]:
    """Validate in-memory rows (column → value) exactly as a data file; raises `DataError` on errors.

    Rows are numbered from 1 and the file is called `<records>`. Values may be text (read as in a
    CSV cell), `Decimal`, `int`, `bool` or None; a `float` is read from its shortest repr (0.1 → 0.1),
    never from its binary value. A `UnitRecord` in the mix is checked again like any other row.
    """
    return validate_mappings(rows, model, decimal_comma=decimal_comma).records_or_raise()


def validate_mappings(rows: Iterable[Mapping[str, object] | UnitRecord], model: Model, *,
                      decimal_comma: bool = False) -> DataReport:
    """`records_from_mappings` without raising: the records that are fine, and every problem."""
    sink = _Sink("<records>")
    table = _table_from_mappings(rows, sink)
    return sink.report(_Validator(model, sink, decimal_comma=decimal_comma).run(table))


# ---- the message catalogue ------------------------------------------------------------------------


@frozen
class _Problem:
    """One kind of problem: its code, severity and wording (str.format templates)."""

    code: str
    severity: Severity
    message: str
    hint: str | None = None
    # The file's shape is wrong (not one row): no row can be trusted, so no record is returned.
    whole_file: bool = False


_SAVE_AS_UTF8 = "save it again as UTF-8: in Excel, File → Save As → “CSV UTF-8 (Comma delimited)”"


class _M:
    """The message catalogue: every diagnostic this module emits, worded in one place."""

    NOT_A_NUMBER = _Problem(
        "DAT101", "error", "`{value}` is not a number; expected {expected}",
        "write digits with a dot for decimals (62.30) and no thousands separators; "
        "leave the cell empty if it does not apply")
    NOT_A_NUMBER_COMMA = _Problem(
        "DAT101", "error", "`{value}` is not a number written with a decimal comma; expected {expected}",
        "with --decimal-comma write decimals with a comma (62,30) and no thousands separators: "
        "parrules never guesses whether a dot is a decimal point or groups thousands")
    SPREADSHEET_ERROR = _Problem(
        "DAT101", "error", "`{value}` is a spreadsheet error, not a number; expected {expected}",
        "fix the formula in the sheet and export again; leave the cell empty if it does not apply")
    OUT_OF_RANGE = _Problem(
        "DAT102", "error", "`{value}` is out of range; expected {expected}",
        "check the cell against the unit's evidence; the range comes from the ruleset "
        "(`range`, or the criterion's min and max for points given directly)")
    PERCENT_OUT_OF_RANGE = _Problem(
        "DAT102", "error", "`{value}` is out of range; expected {expected}",
        "percentages are written in percent units: 85 or 85% means 85 %")
    UNKNOWN_CHOICE = _Problem(
        "DAT103", "error", "`{value}` is not one of the choices; expected {expected}",
        "write one of the choices by its name or its title (upper or lower case does not matter)")
    DUPLICATE_UNIT = _Problem(
        "DAT105", "error", "`{value}` appears a second time (first at row {first})",
        "each unit has one row: delete or merge the repeated row")
    UNKNOWN_COLUMN = _Problem(
        "DAT106", "warning", "column `{header}` is not an attribute or input of the ruleset; it is ignored",
        "rename it to an input's name or title, or delete it if it is only a note")
    UNKNOWN_COLUMN_NEAR = _Problem(
        "DAT106", "warning", "column `{header}` is not an attribute or input of the ruleset; it is ignored",
        "did you mean `{suggestion}`?")
    UNKNOWN_STAGE = _Problem(
        "DAT106", "warning", "column `{header}`: `{stage}` is not a stage of the ruleset; it is ignored",
        "the ruleset's stages are: {stages}")
    NOT_STAGED = _Problem(
        "DAT106", "warning",
        "column `{header}`: only points inputs are given per stage, and `{name}` is {type}; it is ignored",
        "give `{name}` in a column of its own, without `@`")
    UNNAMED_COLUMN = _Problem(
        "DAT106", "warning", "column {position} has no header but holds values; it is ignored",
        "give the column a header (an input's name or title), or delete it")
    MISSING_UNIT = _Problem(
        "DAT107", "error", "the unit's name is empty",
        "write the unit's name (tên đơn vị); a row without a name cannot be scored")
    BAD_YES_NO = _Problem(
        "DAT108", "error", "`{value}` is not yes or no",
        "write yes/no, có/không, true/false or 1/0 (x also means yes); leave the cell empty if unknown")
    BAD_MAX = _Problem(
        "DAT109", "error", "`{value}` is not a maximum; expected a number above 0",
        "the `max` column is the unit's maximum (điểm tối đa), e.g. 98 or 78.5; "
        "leave it empty to use the rules' maximum")
    DECIMAL_COMMA = _Problem(
        "DAT110", "error", "`{value}` has a comma; parrules does not guess whether it is a decimal comma",
        "if the file writes decimals with a comma (62,30), pass --decimal-comma "
        "(library: decimal_comma=True); otherwise write 62.30")
    NOT_WHOLE = _Problem(
        "DAT111", "error", "`{value}` is not a whole number; expected {expected}",
        "a count is a whole number of events or documents: 0, 1, 2, …")
    ABOVE_OTHER = _Problem(
        "DAT112", "error", "{name} is {value}, above {other} ({other_value}) in the same row",
        "the ruleset declares `{name} … at most {other}`: check both cells")
    NO_UNIT_COLUMN = _Problem(
        "DAT113", "error", "no column names the unit; expected a header such as unit, name, đơn vị or tên đơn vị",
        "the first line must be the header, with one column for the unit's name", whole_file=True)
    EMPTY = _Problem(
        "DAT113", "error", "the data has no units", "add a header line and one row per unit", whole_file=True)
    AMBIGUOUS_DELIMITER = _Problem(
        "DAT113", "error", "the header line has both `,` and `;`, so the column separator is unclear",
        "use one separator throughout, or put a header that contains `,` or `;` in double quotes",
        whole_file=True)
    TAB_SEPARATED = _Problem(
        "DAT113", "error", "the columns are separated by tabs; parrules reads columns separated by `,` or `;`",
        "save the sheet as CSV (Excel: File → Save As → “CSV UTF-8 (Comma delimited)”)", whole_file=True)
    BAD_CSV = _Problem(
        "DAT113", "error", "the CSV cannot be read past line {line}: {reason}",
        "a value that contains the separator, a quote or a line break must be in double quotes, "
        'with quotes inside it doubled ("")', whole_file=True)
    RAGGED_ROW = _Problem(
        "DAT113", "error", "the row has {count} cells but the header has {expected}; they cannot be matched",
        "a value that contains the separator must be in double quotes; in a file separated by `,`, "
        "a decimal comma (62,30) splits one value into two")
    NOT_A_TABLE = _Problem(
        "DAT113", "error", 'expected a list of units, or {{"units": [...]}}, not {kind}',
        'write [{{"unit": "Sở Nội vụ", "plan_done": 90}}, …]', whole_file=True)
    ROW_NOT_OBJECT = _Problem(
        "DAT113", "error", "the row is {kind}, not an object of column: value",
        'write each unit as {{"unit": "Sở Nội vụ", "plan_done": 90}}')
    NOT_A_CELL = _Problem(
        "DAT113", "error", "the value is {kind}; a cell holds text, a number, true/false or nothing",
        "write a single value in the cell")
    REPEATED_KEY = _Problem(
        "DAT113", "error", "the key `{header}` appears twice in this unit's object",
        "keep one of them")
    UNREADABLE = _Problem(
        "DAT114", "error", "cannot read the file: {reason}", "check the path and that the file is not open elsewhere",
        whole_file=True)
    UNKNOWN_FORMAT = _Problem(
        "DAT114", "error", "parrules reads .csv and .json data files, not `{suffix}`",
        "save the sheet as CSV (Excel: File → Save As → “CSV UTF-8 (Comma delimited)”)", whole_file=True)
    NOT_UTF8 = _Problem(
        "DAT114", "error", "the file is not UTF-8 text (byte {byte} on line {line})",
        _SAVE_AS_UTF8 + "; legacy Vietnamese encodings (TCVN3, VNI, Windows-1258) are not read", whole_file=True)
    UTF16 = _Problem(
        "DAT114", "error", "the file is UTF-16 text (Excel's “Unicode Text”), not UTF-8", _SAVE_AS_UTF8,
        whole_file=True)
    BAD_JSON = _Problem(
        "DAT114", "error", "not valid JSON at line {line}, column {position}: {reason}",
        "check the brackets, commas and quotes around that place", whole_file=True)
    JSON_CONSTANT = _Problem(
        "DAT114", "error", "`{value}` is not allowed in JSON data", "write a number, or null for a blank",
        whole_file=True)
    AMBIGUOUS_COLUMN = _Problem(
        "DAT115", "error", "column `{header}` matches more than one thing: {matches}",
        "rename the column to the exact name of the one you mean", whole_file=True)
    REPEATED_COLUMN = _Problem(
        "DAT115", "error", "columns {headers} all give {target}", "keep one of them", whole_file=True)
    FILE_TOO_LARGE = _Problem(
        "DAT116", "error", "the file is {size} bytes; the limit is 50 MB",
        "split the units over several files", whole_file=True)
    TOO_MANY_ROWS = _Problem(
        "DAT116", "error", "more than 100,000 units; rows from here on were not read",
        "split the units over several files", whole_file=True)
    CELL_TOO_LONG = _Problem(
        "DAT116", "error", "the cell has {length} characters; the limit is 10,000",
        "a cell holds one value; keep notes elsewhere")
    HEADER_TOO_LONG = _Problem(
        "DAT116", "error", "a header has {length} characters; the limit is 10,000",
        "a header is an input's name or title", whole_file=True)
    FIELD_TOO_LARGE = _Problem(
        "DAT116", "error", "a cell on line {line} is far longer than 10,000 characters; the file was not read further",
        "look for a missing closing quote before that line", whole_file=True)
    PERCENT_AS_FRACTION = _Problem(
        "DAT117", "warning",
        "every value in this percent column is between 0 and 1 (e.g. `{value}`); they are read as percent "
        "units, so {value} means {value} %",
        "if the sheet stores fractions (0.85 for 85 %), write them as 85 or 85%; parrules never rescales")


DATA_CODES = frozenset(p.code for p in vars(_M).values() if isinstance(p, _Problem))


class _Sink:
    """Collects the diagnostics of one file, and which rows (or the whole file) they spoil."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Diagnostic] = []
        self.spoiled: set[int] = set()
        self.file_broken = False

    def add(self, problem: _Problem, *, row: int | None = None, column: str | None = None,
            unit: str | None = None, **fields: object) -> None:
        self.emit(problem, row, column, unit, fields)

    def add_cell(self, bad: _CellError, row: int, column: str, unit: str | None = None) -> None:
        self.emit(bad.problem, row, column, unit, bad.fields)

    def emit(self, problem: _Problem, row: int | None, column: str | None, unit: str | None,
             fields: Mapping[str, object]) -> None:
        message = problem.message.format(**fields)
        if unit:
            message = f"{unit}: {message}"
        hint = problem.hint.format(**fields) if problem.hint else None
        self.found.append(Diagnostic(problem.code, problem.severity, message, hint,
                                     file=self.file, row=row, column=column))
        if problem.severity == "error":
            if problem.whole_file:
                self.file_broken = True
            elif row is not None:
                self.spoiled.add(row)

    def report(self, records: Iterable[UnitRecord]) -> DataReport:
        kept = () if self.file_broken else tuple(r for r in records if r.row not in self.spoiled)
        return DataReport(kept, tuple(sort_diagnostics(self.found)))


class _CellError(Exception):
    """A cell that cannot be read; carries the catalogue entry and its fields."""

    def __init__(self, problem: _Problem, **fields: object) -> None:
        super().__init__(problem.code)
        self.problem = problem
        self.fields = fields


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


Reader: TypeAlias = Callable[[Path, _Sink], RawTable | None]


def _read_text(path: Path, sink: _Sink) -> str | None:
    """The file's text, UTF-8 with or without a BOM, or None after reporting why not."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            sink.add(_M.FILE_TOO_LARGE, size=f"{size:,}")
            return None
        data = path.read_bytes()
    except OSError as exc:
        sink.add(_M.UNREADABLE, reason=exc.strerror or exc.__class__.__name__)
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        sink.add(_M.UTF16)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        sink.add(_M.NOT_UTF8, byte=f"0x{data[exc.start]:02X}", line=line)
        return None


_SEP_LINE = re.compile(r"sep=([,;])")  # Excel's own hint line, written before the header
_QUOTED = re.compile(r'"[^"]*(?:"|$)')


def _find_header(lines: Iterator[str], sink: _Sink) -> tuple[str, str, int] | None:
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
            sink.add(_M.AMBIGUOUS_DELIMITER, row=skipped + 1)
            return None
        if "," not in unquoted and ";" not in unquoted and "\t" in unquoted:
            sink.add(_M.TAB_SEPARATED, row=skipped + 1)
            return None
        return line, (";" if ";" in unquoted else ","), skipped
    sink.add(_M.EMPTY)
    return None


def _read_csv(path: Path, sink: _Sink) -> RawTable | None:
    text = _read_text(path, sink)
    if text is None:
        return None
    lines = io.StringIO(text, newline="")  # keeps line breaks inside quoted cells intact
    found = _find_header(lines, sink)
    if found is None:
        return None
    first, delimiter, skipped = found
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = skipped + 1
    rows: list[RawRow] = []
    while True:
        start = skipped + reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problem = _M.FIELD_TOO_LARGE if "field larger" in str(exc) else _M.BAD_CSV
            sink.add(problem, row=skipped + reader.line_num, line=skipped + reader.line_num, reason=str(exc))
            break
        if header is None:
            header = cells
            continue
        if not any(c.strip() for c in cells):
            continue  # a blank line or an Excel row of empty cells is not a unit
        if len(rows) == MAX_ROWS:
            sink.add(_M.TOO_MANY_ROWS, row=start)
            break
        width = len(header)
        if len(cells) > width:
            if any(c.strip() for c in cells[width:]):
                # The cells are shifted; checking them against the wrong columns would only add noise.
                sink.add(_M.RAGGED_ROW, row=start, count=len(cells), expected=width)
                continue
            cells = cells[:width]
        rows.append(RawRow(start, (*cells, *([None] * (width - len(cells))))))
    if header is None:
        return None  # the first line was malformed, already reported
    return RawTable(tuple(header), (header_line,) * len(header), tuple(rows))


class _JsonObject(dict[str, object]):
    """A JSON object that remembers keys written twice (json keeps only the last one)."""

    repeated: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, object]]) -> _JsonObject:
        made = cls(pairs)
        if len(made) != len(pairs):
            made.repeated = tuple(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        return made


class _JsonConstantError(ValueError):
    pass


def _reject_constant(name: str) -> object:
    raise _JsonConstantError(name)


def _read_json(path: Path, sink: _Sink) -> RawTable | None:
    text = _read_text(path, sink)
    if text is None:
        return None
    try:
        # Decimal for every number: the digits as written (62.30 stays 62.30), never a float.
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=_reject_constant,
                          object_pairs_hook=_JsonObject.from_pairs)
    except json.JSONDecodeError as exc:
        sink.add(_M.BAD_JSON, line=exc.lineno, position=exc.colno, reason=exc.msg)
        return None
    except _JsonConstantError as exc:
        sink.add(_M.JSON_CONSTANT, value=str(exc))
        return None
    except RecursionError:
        sink.add(_M.BAD_JSON, line="?", position="?", reason="nested too deeply")
        return None
    if isinstance(data, dict) and isinstance(data.get("units"), list):
        data = data["units"]
    if not isinstance(data, list):
        sink.add(_M.NOT_A_TABLE, kind=_kind(data))
        return None
    return _table_from_mappings(data, sink)


READERS: dict[str, Reader] = {".csv": _read_csv, ".json": _read_json}


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a text"
    return f"a {type(value).__name__}"


def _cell(value: object) -> Cell:
    """A Python value from JSON or a library user, as a cell; raises `_CellError` for anything else."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _CellError(_M.NOT_A_NUMBER, value=value, expected="a finite number")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: what the user wrote.
        if not math.isfinite(value):
            raise _CellError(_M.NOT_A_NUMBER, value=repr(value), expected="a finite number")
        return Decimal(repr(value))
    raise _CellError(_M.NOT_A_CELL, kind=_kind(value))


def _as_mapping(record: UnitRecord) -> dict[str, object]:
    out: dict[str, object] = {"unit": record.name, "max": record.max, "group": record.group, **record.values}
    for stage, values in record.stage_values.items():
        out.update({f"{name}@{stage}": value for name, value in values.items()})
    return out


def _table_from_mappings(rows: Iterable[object], sink: _Sink) -> RawTable:
    header: list[str] = []
    header_rows: list[int | None] = []
    position: dict[str, int] = {}
    collected: list[tuple[int, dict[int, Cell]]] = []
    for number, given in enumerate(rows, start=1):
        if number > MAX_ROWS:
            sink.add(_M.TOO_MANY_ROWS, row=number)
            break
        item = _as_mapping(given) if isinstance(given, UnitRecord) else given
        if not isinstance(item, Mapping):
            sink.add(_M.ROW_NOT_OBJECT, row=number, kind=_kind(item))
            continue
        for key in getattr(item, "repeated", ()):
            sink.add(_M.REPEATED_KEY, row=number, column=key, header=key)
        cells: dict[int, Cell] = {}
        for key, value in item.items():
            text = key if isinstance(key, str) else str(key)
            if text not in position:
                position[text] = len(header)
                header.append(text)
                header_rows.append(number)
            try:
                cells[position[text]] = _cell(value)
            except _CellError as bad:
                sink.add_cell(bad, number, _nfc(text))
        collected.append((number, cells))
    width = len(header)
    table_rows = tuple(RawRow(number, tuple(cells.get(i) for i in range(width))) for number, cells in collected)
    return RawTable(tuple(header), tuple(header_rows), table_rows)


# ---- matching headers to declarations ------------------------------------------------------------------


def _key(text: str) -> str:
    """How headers, choices and unit names are compared: case-folded, NFC, runs of spaces collapsed.

    Casefolding the decomposed text is Unicode's canonical caseless match (D145): composed or not,
    Đúng hạn and ĐÚNG HẠN give the same key.
    """
    return " ".join(unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold()).split())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


Role: TypeAlias = Literal["unit", "group", "max", "skip", "value"]


@frozen
class _Target:
    """What a column fills: a reserved column, or a declaration (at a stage other than the official)."""

    role: Role
    name: str | None = None
    stage: str | None = None

    @property
    def key(self) -> str:
        if self.name is None:
            return self.role
        return self.name if self.stage is None else f"{self.name}@{self.stage}"


@frozen
class _Column:
    index: int
    header: str
    header_row: int | None
    target: _Target


@frozen
class _Layout:
    """One table's columns once resolved, shared by all its rows."""

    columns: list[_Column]
    unit: _Column | None
    headers: dict[str, str]  # target key → the user's header, blank or not: the evaluator names it
    fractions: dict[int, _FractionWatch]  # percent columns by index


class _Validator:
    """Types one table's cells against a model's declarations, reporting into a sink."""

    def __init__(self, model: Model, sink: _Sink, *, decimal_comma: bool) -> None:
        self.sink = sink
        self.decimal_comma = decimal_comma
        self.declarations = {d.name: d for d in (*model.attributes, *model.inputs)}
        official = model.official_stage()
        self.official = official.name if official is not None else None
        self.stage_names = [s.name for s in model.stages]
        self.index: dict[str, set[_Target]] = defaultdict(set)
        self.shown: dict[str, str] = {}  # key → how to show it in a "did you mean"
        reserved: tuple[tuple[Role, tuple[str, ...]], ...] = (
            ("unit", UNIT_HEADERS), ("group", GROUP_HEADERS), ("max", MAX_HEADERS), ("skip", IGNORED_HEADERS))
        for role, aliases in reserved:
            for alias in aliases:
                self._enter(alias, _Target(role))
        for decl in self.declarations.values():
            self._enter(decl.name, _Target("value", decl.name))
            if decl.title:
                self._enter(decl.title, _Target("value", decl.name))
        self.stages: dict[str, set[str]] = defaultdict(set)
        for stage in model.stages:
            self.stages[_key(stage.name)].add(stage.name)
            if stage.title:
                self.stages[_key(stage.title)].add(stage.name)
        for decl in self.declarations.values():
            if isinstance(decl.type, Points):
                for stage in model.stages:
                    self.shown[_key(f"{decl.name}@{stage.name}")] = f"{decl.name}@{stage.name}"
        self.expected = {name: _expected(decl) for name, decl in self.declarations.items()}
        self.bounds = {name: _bounds(decl) for name, decl in self.declarations.items()}
        self.defaults = {d.name: d.default for d in self.declarations.values() if d.default is not None}
        self.limits = {d.name: d.at_most for d in self.declarations.values() if d.at_most is not None}

    def _enter(self, text: str, target: _Target) -> None:
        key = _key(text)
        self.index[key].add(target)
        self.shown.setdefault(key, _nfc(text))

    # ---- headers ----

    def columns(self, table: RawTable) -> list[_Column]:
        found: list[_Column] = []
        for i, raw in enumerate(table.header):
            header, where = _nfc(raw), table.header_rows[i]
            if len(raw) > MAX_CELL_CHARS:
                self.sink.add(_M.HEADER_TOO_LONG, row=where, length=len(raw))
                continue
            if not header:
                if any(not _blank(row.cells[i]) for row in table.rows):
                    self.sink.add(_M.UNNAMED_COLUMN, row=where, column=f"column {i + 1}", position=i + 1)
                continue
            target = self._resolve(header, where)
            if target is not None:
                found.append(_Column(i, header, where, target))
        by_target: dict[_Target, list[_Column]] = defaultdict(list)
        for column in found:
            by_target[column.target].append(column)
        kept: list[_Column] = []
        for target, same in by_target.items():
            if target.role != "skip" and len(same) > 1:
                self.sink.add(_M.REPEATED_COLUMN, row=same[1].header_row, column=same[1].header,
                              headers=", ".join(f"`{c.header}`" for c in same), target=f"`{target.key}`")
            kept.append(same[0])  # read the first, so its cells are still checked
        return sorted(kept, key=lambda c: c.index)

    def _resolve(self, header: str, where: int | None) -> _Target | None:
        key = _key(header)
        found = self.index.get(key, set())
        if len(found) > 1 and header in self.declarations:
            found = {_Target("value", header)}  # the exact declared name is never ambiguous
        if len(found) == 1:
            return next(iter(found))
        if found:
            self._ambiguous(header, where, found)
            return None
        if "@" in key:
            return self._resolve_staged(header, key, where)
        self._unknown(header, key, where)
        return None

    def _resolve_staged(self, header: str, key: str, where: int | None) -> _Target | None:
        left, _, right = key.rpartition("@")
        found = {t for t in self.index.get(left.strip(), set()) if t.role == "value"}
        if len(found) > 1:
            self._ambiguous(header, where, found)
            return None
        if not found:
            self._unknown(header, key, where)
            return None
        name = next(iter(found)).name
        assert name is not None
        decl = self.declarations[name]
        stages = self.stages.get(right.strip(), set())
        if not stages:
            listed = ", ".join(self.stage_names) if self.stage_names else "(none declared)"
            self.sink.add(_M.UNKNOWN_STAGE, row=where, column=header, header=header, stage=right.strip(),
                          stages=listed)
            return None
        if len(stages) > 1:
            self._ambiguous(header, where, {_Target("value", name, s) for s in stages})
            return None
        if not isinstance(decl.type, Points):
            self.sink.add(_M.NOT_STAGED, row=where, column=header, header=header, name=name,
                          type=decl.type.describe())
            return None
        stage = next(iter(stages))
        # The official stage is what `values` holds, so `p@official` and a plain `p` are the same column.
        return _Target("value", name, None if stage == self.official else stage)

    def _ambiguous(self, header: str, where: int | None, found: set[_Target]) -> None:
        matches = ", ".join(sorted(f"`{t.key}`" for t in found))
        self.sink.add(_M.AMBIGUOUS_COLUMN, row=where, column=header, header=header, matches=matches)

    def _unknown(self, header: str, key: str, where: int | None) -> None:
        near = difflib.get_close_matches(key, list(self.shown), n=1, cutoff=0.75)
        if near:
            self.sink.add(_M.UNKNOWN_COLUMN_NEAR, row=where, column=header, header=header,
                          suggestion=self.shown[near[0]])
        else:
            self.sink.add(_M.UNKNOWN_COLUMN, row=where, column=header, header=header)

    # ---- rows ----

    def run(self, table: RawTable) -> list[UnitRecord]:
        if not table.header and not table.rows:
            self.sink.add(_M.EMPTY)
            return []
        columns = self.columns(table)
        unit_column = next((c for c in columns if c.target.role == "unit"), None)
        if unit_column is None:
            self.sink.add(_M.NO_UNIT_COLUMN, row=table.header_rows[0] if table.header_rows else None)
        elif not table.rows and not self.sink.file_broken:
            self.sink.add(_M.EMPTY, row=unit_column.header_row)
        layout = _Layout(
            columns, unit_column, {c.target.key: c.header for c in columns if c.target.role != "skip"},
            {c.index: _FractionWatch() for c in columns
             if c.target.name is not None and isinstance(self.declarations[c.target.name].type, Percent)})
        first_row: dict[str, int] = {}
        records: list[UnitRecord] = []
        for row in table.rows:
            record = self._row(row, layout, first_row)
            if record is not None:
                records.append(record)
        for column in columns:
            watch = layout.fractions.get(column.index)
            if watch is not None and watch.example is not None and watch.all_small:
                self.sink.add(_M.PERCENT_AS_FRACTION, row=column.header_row, column=column.header,
                              value=_show(watch.example))
        return records

    def _row(self, row: RawRow, layout: _Layout, first_row: dict[str, int]) -> UnitRecord | None:
        unit = self._unit(row, layout.unit, first_row)
        values: dict[str, Value] = {}
        stage_values: dict[str, dict[str, Value]] = {}
        failed: set[str] = set()
        unit_max: Decimal | None = None
        group: str | None = None
        for column in layout.columns:
            role = column.target.role
            if role in ("unit", "skip"):
                continue
            cell = row.cells[column.index]
            if isinstance(cell, str):
                if len(cell) > MAX_CELL_CHARS:
                    self.sink.add(_M.CELL_TOO_LONG, row=row.number, column=column.header, unit=unit,
                                  length=len(cell))
                    failed.add(column.target.key)
                    continue
                cell = _nfc(cell) or None
            if cell is None:
                continue
            try:
                if role == "group":
                    group = _text(cell)
                elif role == "max":
                    unit_max = self._max(cell)
                else:
                    name = column.target.name
                    assert name is not None
                    value = self._value(self.declarations[name], cell)
                    stage = column.target.stage
                    (values if stage is None else stage_values.setdefault(stage, {}))[name] = value
                    watch = layout.fractions.get(column.index)
                    if watch is not None and isinstance(value, Decimal):
                        watch.see(value)
            except _CellError as bad:
                self.sink.add_cell(bad, row.number, column.header, unit)
                failed.add(column.target.key)
        for name, default in self.defaults.items():
            # A declared default stands in for a blank cell or a missing column (never for a bad cell).
            if name not in values and name not in failed:
                values[name] = default
        self._check_at_most(row, unit, values, stage_values, layout.headers)
        if unit is None:
            return None
        return UnitRecord(unit, row.number, values, stage_values, unit_max, group, self.sink.file,
                          dict(layout.headers))

    def _unit(self, row: RawRow, column: _Column | None, first_row: dict[str, int]) -> str | None:
        if column is None:
            return None  # already reported once for the whole file
        cell = row.cells[column.index]
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            self.sink.add(_M.CELL_TOO_LONG, row=row.number, column=column.header, length=len(cell))
            return None
        name = _nfc(_text(cell)) if cell is not None else ""
        if not name:
            self.sink.add(_M.MISSING_UNIT, row=row.number, column=column.header)
            return None
        key = _key(name)
        if key in first_row:
            self.sink.add(_M.DUPLICATE_UNIT, row=row.number, column=column.header, value=_show(name),
                          first=first_row[key])
        else:
            first_row[key] = row.number
        return name

    def _check_at_most(self, row: RawRow, unit: str | None, values: dict[str, Value],
                       stage_values: dict[str, dict[str, Value]], headers: dict[str, str]) -> None:
        for name, other in self.limits.items():
            scopes: list[tuple[str | None, dict[str, Value]]] = [(None, values)]
            scopes += [(s, {**values, **given}) for s, given in stage_values.items()
                       if name in given or other in given]
            for stage, env in scopes:
                value, limit = env.get(name), env.get(other)
                if isinstance(value, Decimal) and isinstance(limit, Decimal) and value > limit:
                    key = name if stage is None else f"{name}@{stage}"
                    column = headers.get(key) or headers.get(name) or name
                    self.sink.add(_M.ABOVE_OTHER, row=row.number, column=column, unit=unit, name=name,
                                  value=_show(value), other=other, other_value=_show(limit))

    # ---- cells ----

    def _value(self, decl: Declaration, cell: str | Decimal | bool) -> Value:
        kind = decl.type
        expected = self.expected[decl.name]
        if isinstance(kind, YesNo):
            return _yes_no(cell)
        if isinstance(kind, Choice):
            return _choice(kind, cell, expected)
        is_percent = isinstance(kind, Percent)
        number = self._number(cell, expected, percent=is_percent)
        if isinstance(kind, Count):
            whole = number.to_integral_value()
            if whole != number:
                raise _CellError(_M.NOT_WHOLE, value=_show(cell), expected=expected)
            number = whole
        low, high = self.bounds[decl.name]
        if (low is not None and number < low) or (high is not None and number > high):
            problem = _M.PERCENT_OUT_OF_RANGE if is_percent else _M.OUT_OF_RANGE
            raise _CellError(problem, value=_show(cell), expected=expected)
        return number

    def _max(self, cell: str | Decimal | bool) -> Decimal:
        try:
            number = self._number(cell, "a number above 0", percent=False)
        except _CellError as bad:
            if bad.problem is _M.DECIMAL_COMMA:
                raise
            raise _CellError(_M.BAD_MAX, value=_show(cell)) from None
        if number <= 0:
            raise _CellError(_M.BAD_MAX, value=_show(cell))
        return number

    def _number(self, cell: str | Decimal | bool, expected: str, *, percent: bool) -> Decimal:
        if isinstance(cell, Decimal):
            return cell  # a JSON number or a library value: exact, no separators to interpret
        if isinstance(cell, bool):
            raise _CellError(_M.NOT_A_NUMBER, value=_show(cell), expected=expected)
        text = cell.replace("\u2212", "-")  # the typographic minus sign (−) is unambiguous
        if percent and text.endswith("%"):
            text = text[:-1].rstrip()
        if self.decimal_comma:
            if _COMMA_NUMBER.fullmatch(text):
                return Decimal(text.replace(",", "."))
        elif _DOT_NUMBER.fullmatch(text):
            return Decimal(text)
        elif _COMMA_NUMBER.fullmatch(text):
            raise _CellError(_M.DECIMAL_COMMA, value=_show(cell))
        if text.startswith("#"):
            raise _CellError(_M.SPREADSHEET_ERROR, value=_show(cell), expected=expected)
        problem = _M.NOT_A_NUMBER_COMMA if self.decimal_comma else _M.NOT_A_NUMBER
        raise _CellError(problem, value=_show(cell), expected=expected)


# Plain decimals only: no exponents, no NaN, no thousands separators (re.ASCII: no other digits).
_DOT_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_COMMA_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:,[0-9]*)?|,[0-9]+)", re.ASCII)
_YES = frozenset(_key(w) for w in YES_WORDS)
_NO = frozenset(_key(w) for w in NO_WORDS)


class _FractionWatch:
    """Whether a percent column only ever held values in [0, 1] with at least one fraction."""

    def __init__(self) -> None:
        self.all_small = True
        self.example: Decimal | None = None

    def see(self, value: Decimal) -> None:
        if not 0 <= value <= 1:
            self.all_small = False
        elif self.example is None and value != value.to_integral_value():
            self.example = value


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: str | Decimal | bool) -> str:
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)


def _show(value: object) -> str:
    """A value as quoted in a message, cut short so one odd cell cannot flood the report."""
    text = _text(value) if isinstance(value, str | Decimal | bool) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _yes_no(cell: str | Decimal | bool) -> bool:
    if isinstance(cell, bool):
        return cell
    key = _key(_text(cell))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise _CellError(_M.BAD_YES_NO, value=_show(cell))


def _choice(kind: Choice, cell: str | Decimal | bool, expected: str) -> str:
    key = _key(_text(cell))
    for option in kind.options:  # names first: a title never hides another option's name
        if _key(option.name) == key:
            return option.name
    for option in kind.options:
        if option.title is not None and _key(option.title) == key:
            return option.name
    raise _CellError(_M.UNKNOWN_CHOICE, value=_show(cell), expected=expected)


def _bounds(decl: Declaration) -> tuple[Decimal | None, Decimal | None]:
    if isinstance(decl.type, Percent):
        return (Decimal(0) if decl.low is None else decl.low, Decimal(100) if decl.high is None else decl.high)
    if isinstance(decl.type, Count):
        return (Decimal(0) if decl.low is None else max(decl.low, Decimal(0)), decl.high)
    return decl.low, decl.high


def _expected(decl: Declaration) -> str:
    kind = decl.type
    if isinstance(kind, YesNo):
        return "yes or no"
    if isinstance(kind, Choice):
        return "one of " + ", ".join(
            f"{o.name} ({o.title})" if o.title else o.name for o in kind.options)
    low, high = _bounds(decl)
    what = ("a percentage" if isinstance(kind, Percent) else "a whole number" if isinstance(kind, Count)
            else "points" if isinstance(kind, Points) else "a number")
    if low is not None and high is not None:
        return f"{what} from {low:f} to {high:f}"
    if low is not None:
        return f"{what} of {low:f} or more"
    if high is not None:
        return f"{what} of at most {high:f}"
    return what
