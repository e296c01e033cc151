"""Reading and validating unit data (CSV, JSON, in-memory rows) against a ruleset's declarations.

Two stages, so that another format (Excel) is one more reader and nothing else:

1. a *reader* turns a file into a `RawTable`: header texts and rows of raw cells (text, an exact
   `Decimal`, a bool, or blank), each row numbered as a person finds it in the file;
2. `Validator` matches the headers to the ruleset's declarations and types every cell.

Every problem is collected, never just the first. A row becomes a `UnitRecord` only when nothing is
wrong with it (and nothing is wrong with the file's shape); every other row has a diagnostic, so no
row is ever silently lost. All wording lives in the catalogue `M`, so messages stay consistent.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Mapping
from pathlib import Path

from parrules.data import frames
from parrules.data.frames import DataFrameLike
from parrules.data.headers import HeaderIndex
from parrules.data.messages import DATA_CODES, M, Sink
from parrules.data.readers import RawRow, RawTable, Reader, read_csv, read_file, read_json, table_from_mappings
from parrules.data.records import DataReport, UnitRecord
from parrules.data.validate import Validator
from parrules.gcpause import pausing
from parrules.limits import MAX_CELL_CHARS, MAX_ROWS
from parrules.limits import MAX_DATA_BYTES as MAX_FILE_BYTES
from parrules.model import Model
from parrules.safeio import is_stdin, shown_name


def _workbook(sheet: str | None) -> Reader:
    """The reader of `.xlsx` workbooks, for one sheet (the first if None)."""
    def read(path: Path, sink: Sink, headers: HeaderIndex | None = None) -> RawTable | None:
        from parrules.data.xlsx import read_xlsx  # openpyxl is loaded only for workbooks

        return read_xlsx(path, sink, sheet, headers)

    return read


def _calamine(sheet: str | None) -> Reader:
    """The reader of `.xls` (Excel 97–2003) and `.ods` (LibreOffice) workbooks, for one sheet."""
    def read(path: Path, sink: Sink, headers: HeaderIndex | None = None) -> RawTable | None:
        from parrules.data.calamine import read_calamine  # loaded only for these workbooks

        return read_calamine(path, sink, sheet, headers)

    return read


def _from_stdin(sheet: str | None) -> Reader:
    """The reader of standard input, which has no extension: the format is told from the bytes.

    A workbook is a ZIP archive (its first bytes are `PK`, 3, 4), an `.ods` one too but naming its
    type in its first entry, an `.xls` one an OLE2 file; JSON starts with `[` or `{` (after a BOM and
    blanks), which no header of a data table does; anything else is read as CSV, the format people
    pipe.
    """
    def read(path: Path, sink: Sink, headers: HeaderIndex | None = None) -> RawTable | None:
        data = read_file(path, sink)  # read once: the format's reader below gets the same bytes
        if data is None:
            return None
        start = data.removeprefix(codecs.BOM_UTF8).lstrip()
        ods = data.startswith(b"PK\x03\x04") and b"application/vnd.oasis.opendocument" in data[:100]
        reader = (_calamine(sheet) if ods or data.startswith(b"\xd0\xcf\x11\xe0") else
                  _workbook(sheet) if data.startswith(b"PK\x03\x04") else
                  read_json if start.startswith((b"[", b"{")) else read_csv)
        return reader(path, sink, headers)

    return read


# The formats data files come in, by extension.
READERS: dict[str, Reader] = {".csv": read_csv, ".json": read_json, ".xlsx": _workbook(None),
                              ".xls": _calamine(None), ".ods": _calamine(None)}

__all__ = [
    "DATA_CODES", "MAX_CELL_CHARS", "MAX_FILE_BYTES", "MAX_ROWS", "READERS", "DataReport", "RawRow", "RawTable",
    "UnitRecord", "read_data", "records_from_mappings", "validate_data", "validate_mappings",
]


# ---- public entry points ---------------------------------------------------------------------------


def read_data(path: Path | str, model: Model, *, decimal_comma: bool = False, sheet: str | None = None,
              percent_fractions: bool = False) -> list[UnitRecord]:
    """Read and validate a `.csv`, `.json` or `.xlsx` file; raises `DataError` listing every problem.

    Warnings (unknown columns, percentages that look like fractions) do not raise; use
    `validate_data` to see them.
    """
    return validate_data(path, model, decimal_comma=decimal_comma, sheet=sheet,
                         percent_fractions=percent_fractions).records_or_raise()


@pausing
def validate_data(path: Path | str, model: Model, *, decimal_comma: bool = False, sheet: str | None = None,
                  percent_fractions: bool = False) -> DataReport:
    """Read and validate a data file; never raises for a problem in the file.

    `sheet` names the worksheet of an `.xlsx` workbook (default: the first). `percent_fractions`
    says the file writes percentages as fractions of 1 (0.85 for 85 %) wherever it writes no `%`.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not is_stdin(path) and (path.is_dir() or suffix == ".xlsx"):
        from parrules.data import sheets  # the one-sheet-per-unit layout (phiếu chấm điểm)

        if path.is_dir():  # a folder of such workbooks: every .xlsx in it
            return sheets.validate_folder(path, model, decimal_comma=decimal_comma,
                                          percent_fractions=percent_fractions)
        layout = sheets.detect(path)
        if layout.unit_sheets:
            return sheets.validate_unit_sheets([path], model, decimal_comma=decimal_comma,
                                               percent_fractions=percent_fractions, sheet=sheet)
        if sheet is None and layout.data_sheet is not None:
            sheet = layout.data_sheet  # a workbook that opens on its instructions: the table is further on
    sink = Sink(shown_name(path))  # standard input (`-`) is `<stdin>` in every message
    reader = (_from_stdin(sheet) if is_stdin(path) else _workbook(sheet) if suffix == ".xlsx"
              else _calamine(sheet) if suffix in (".xls", ".ods") else READERS.get(suffix))
    if reader is None:
        if path.suffix:
            sink.add(M.UNKNOWN_FORMAT, suffix=path.suffix)
        else:
            sink.add(M.NO_EXTENSION)
        return sink.report([])
    headers = HeaderIndex(model)  # shared: the reader finds the header row by it, the validator reads it
    table = reader(path, sink, headers)
    validator = Validator(model, sink, decimal_comma=decimal_comma, percent_fractions=percent_fractions,
                          headers=headers)
    records = validator.run(table) if table is not None else []
    return sink.report(records)


def records_from_mappings(rows: Iterable[Mapping[str, object] | UnitRecord] | DataFrameLike, model: Model, *,
                          decimal_comma: bool = False, percent_fractions: bool = False) -> list[UnitRecord]:
    """Validate in-memory rows (column → value) exactly as a data file; raises `DataError` on errors.

    Rows are numbered from 1 and the file is called `<records>`. Values may be text (read as in a
    CSV cell), `Decimal`, `int`, `bool` or None; a `float` is read from its shortest repr (0.1 → 0.1),
    never from its binary value. A `UnitRecord` in the mix is checked again like any other row.
    `rows` may also be a pandas or polars DataFrame, read by `frames.rows_of`: its columns are the
    headers, and NaN, None, `pd.NA`, `pd.NaT` and polars nulls are blanks.
    """
    return validate_mappings(rows, model, decimal_comma=decimal_comma,
                             percent_fractions=percent_fractions).records_or_raise()


@pausing
def validate_mappings(rows: Iterable[Mapping[str, object] | UnitRecord] | DataFrameLike, model: Model, *,
                      decimal_comma: bool = False, percent_fractions: bool = False,
                      headers: HeaderIndex | None = None) -> DataReport:
    """`records_from_mappings` without raising: the records that are fine, and every problem.

    `headers`: the model's `HeaderIndex`, when the caller keeps one (`Ruleset` does: building it is
    most of the fixed cost of scoring one unit); it is only read.
    """
    sink = Sink("<records>")
    table = table_from_mappings(frames.as_rows(rows), sink)
    validator = Validator(model, sink, decimal_comma=decimal_comma, percent_fractions=percent_fractions,
                          headers=headers)
    return sink.report(validator.run(table))
