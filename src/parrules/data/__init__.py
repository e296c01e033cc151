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

from collections.abc import Iterable, Mapping
from pathlib import Path

from parrules.data.messages import DATA_CODES, M, Sink
from parrules.data.readers import RawRow, RawTable, Reader, read_csv, read_json, table_from_mappings
from parrules.data.records import DataReport, UnitRecord
from parrules.data.validate import Validator
from parrules.limits import MAX_CELL_CHARS, MAX_ROWS
from parrules.limits import MAX_DATA_BYTES as MAX_FILE_BYTES
from parrules.model import Model


def _workbook(sheet: str | None) -> Reader:
    """The reader of `.xlsx` workbooks, for one sheet (the first if None)."""
    def read(path: Path, sink: Sink) -> RawTable | None:
        from parrules.data.xlsx import read_xlsx  # openpyxl is loaded only for workbooks

        return read_xlsx(path, sink, sheet)

    return read


# The formats data files come in, by extension.
READERS: dict[str, Reader] = {".csv": read_csv, ".json": read_json, ".xlsx": _workbook(None)}

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


def validate_data(path: Path | str, model: Model, *, decimal_comma: bool = False, sheet: str | None = None,
                  percent_fractions: bool = False) -> DataReport:
    """Read and validate a data file; never raises for a problem in the file.

    `sheet` names the worksheet of an `.xlsx` workbook (default: the first). `percent_fractions`
    says the file writes percentages as fractions of 1 (0.85 for 85 %) wherever it writes no `%`.
    """
    path = Path(path)
    sink = Sink(str(path))
    suffix = path.suffix.lower()
    reader = _workbook(sheet) if suffix == ".xlsx" else READERS.get(suffix)
    if reader is None:
        if path.suffix:
            sink.add(M.UNKNOWN_FORMAT, suffix=path.suffix)
        else:
            sink.add(M.NO_EXTENSION)
        return sink.report([])
    table = reader(path, sink)
    validator = Validator(model, sink, decimal_comma=decimal_comma, percent_fractions=percent_fractions)
    records = validator.run(table) if table is not None else []
    return sink.report(records)


def records_from_mappings(rows: Iterable[Mapping[str, object] | UnitRecord], model: Model, *,
                          decimal_comma: bool = False, percent_fractions: bool = False) -> list[UnitRecord]:
    """Validate in-memory rows (column → value) exactly as a data file; raises `DataError` on errors.

    Rows are numbered from 1 and the file is called `<records>`. Values may be text (read as in a
    CSV cell), `Decimal`, `int`, `bool` or None; a `float` is read from its shortest repr (0.1 → 0.1),
    never from its binary value. A `UnitRecord` in the mix is checked again like any other row.
    """
    return validate_mappings(rows, model, decimal_comma=decimal_comma,
                             percent_fractions=percent_fractions).records_or_raise()


def validate_mappings(rows: Iterable[Mapping[str, object] | UnitRecord], model: Model, *,
                      decimal_comma: bool = False, percent_fractions: bool = False) -> DataReport:
    """`records_from_mappings` without raising: the records that are fine, and every problem."""
    sink = Sink("<records>")
    table = table_from_mappings(rows, sink)
    validator = Validator(model, sink, decimal_comma=decimal_comma, percent_fractions=percent_fractions)
    return sink.report(validator.run(table))
