"""The data message catalogue (DAT1xx) and the sink that collects one file's problems.

All wording lives in `M`, so messages stay consistent; it is written as English message ids and
translated when a problem is emitted (see `parrules.i18n`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import frozen

from parrules.data.records import DataReport, UnitRecord
from parrules.diagnostics import Diagnostic, Severity, sort_diagnostics
from parrules.i18n import N_, _

# ---- the message catalogue ------------------------------------------------------------------------


@frozen
class Problem:
    """One kind of problem: its code, severity and wording.

    `message` and `hint` are English message ids (marked with `N_`, so the catalogue has them),
    translated when the problem is emitted, then filled in with `str.format`.
    """

    code: str
    severity: Severity
    message: str
    hint: str | None = None
    # The file's shape is wrong (not one row): no row can be trusted, so no record is returned.
    whole_file: bool = False


_SAVE_AS_CSV = N_("save the sheet as CSV (Excel: File → Save As → “CSV UTF-8 (Comma delimited)”)")
_SPLIT = N_("split the units over several files")
_SPLIT_OR_STREAM = N_("split the units over several files; or, for a CSV file, write the results to a CSV file "
                      "(`--format csv -o results.csv`): it is then read as it goes, up to 10,000,000 units")
_RESAVE_WORKBOOK = N_("open it in Excel and save it again as “Excel Workbook (*.xlsx)”")
_OUT_OF_RANGE = N_("`{value}` is out of range; expected {expected}")
_UNKNOWN_COLUMN = N_("column `{header}` is not an attribute or input of the ruleset; it is ignored")
_UNREADABLE_HINT = N_("check the path and that the file is not open elsewhere")


class M:
    """The message catalogue: every diagnostic this module emits, worded in one place."""

    NOT_A_NUMBER = Problem(
        "DAT101", "error", N_("`{value}` is not a number; expected {expected}"),
        N_("write digits with a dot for decimals (62.30) and no thousands separators; "
           "leave the cell empty if it does not apply"))
    NOT_A_NUMBER_COMMA = Problem(
        "DAT101", "error", N_("`{value}` is not a number written with a decimal comma; expected {expected}"),
        N_("with --decimal-comma write decimals with a comma (62,30) and no thousands separators: "
           "parrules never guesses whether a dot is a decimal point or groups thousands"))
    SPREADSHEET_ERROR = Problem(
        "DAT101", "error", N_("`{value}` is a spreadsheet error, not a number; expected {expected}"),
        N_("fix the formula in the sheet and export again; leave the cell empty if it does not apply"))
    OUT_OF_RANGE = Problem(
        "DAT102", "error", _OUT_OF_RANGE,
        N_("check the cell against the unit's evidence; the range comes from the ruleset "
           "(`range`, or the criterion's min and max for points given directly)"))
    PERCENT_OUT_OF_RANGE = Problem(
        "DAT102", "error", _OUT_OF_RANGE,
        N_("percentages are written in percent units: 85 or 85% means 85 %"))
    UNKNOWN_CHOICE = Problem(
        "DAT103", "error", N_("`{value}` is not one of the choices; expected {expected}"),
        N_("write one of the choices by its name or its title (upper or lower case does not matter)"))
    DUPLICATE_UNIT = Problem(
        "DAT105", "error", N_("`{value}` appears a second time (first at row {first})"),
        N_("each unit has one row: delete or merge the repeated row"))
    UNKNOWN_COLUMN = Problem(
        "DAT106", "warning", _UNKNOWN_COLUMN,
        N_("rename it to an input's name or title, or delete it if it is only a note"))
    UNKNOWN_COLUMN_NEAR = Problem(
        "DAT106", "warning", _UNKNOWN_COLUMN,
        N_("did you mean `{suggestion}`?"))
    UNKNOWN_STAGE = Problem(
        "DAT106", "warning", N_("column `{header}`: `{stage}` is not a stage of the ruleset; it is ignored"),
        N_("the ruleset's stages are: {stages}"))
    UNKNOWN_STAGE_NONE = Problem(  # the ruleset declares no stage at all
        "DAT106", "warning", N_("column `{header}`: `{stage}` is not a stage of the ruleset; it is ignored"),
        N_("the ruleset's stages are: (none declared)"))
    NOT_STAGED = Problem(
        "DAT106", "warning",
        N_("column `{header}`: only points inputs are given per stage, and `{name}` is {type}; it is ignored"),
        N_("give `{name}` in a column of its own, without `@`"))
    UNNAMED_COLUMN = Problem(
        "DAT106", "warning", N_("column {position} has no header but holds values; it is ignored"),
        N_("give the column a header (an input's name or title), or delete it"))
    MISSING_UNIT = Problem(
        "DAT107", "error", N_("the unit's name is empty"),
        N_("write the unit's name (tên đơn vị); a row without a name cannot be scored"))
    BAD_YES_NO = Problem(
        "DAT108", "error", N_("`{value}` is not yes or no"),
        N_("write yes/no, có/không, true/false or 1/0 (x also means yes); leave the cell empty if unknown"))
    BAD_MAX = Problem(
        "DAT109", "error", N_("`{value}` is not a maximum; expected a number above 0"),
        N_("the `max` column is the unit's maximum (điểm tối đa), e.g. 98 or 78.5; "
           "leave it empty to use the rules' maximum"))
    DECIMAL_COMMA = Problem(
        "DAT110", "error", N_("`{value}` has a comma; parrules does not guess whether it is a decimal comma"),
        N_("if the file writes decimals with a comma (62,30), pass --decimal-comma "
           "(library: decimal_comma=True); otherwise write 62.30"))
    NOT_WHOLE = Problem(
        "DAT111", "error", N_("`{value}` is not a whole number; expected {expected}"),
        N_("a count is a whole number of events or documents: 0, 1, 2, …"))
    ABOVE_OTHER = Problem(
        "DAT112", "error", N_("{name} is {value}, above {other} ({other_value}) in the same row"),
        N_("the ruleset declares `{name} … at most {other}`: check both cells"))
    NO_UNIT_COLUMN = Problem(
        "DAT113", "error",
        N_("no column names the unit; expected a header such as unit, name, đơn vị or tên đơn vị"),
        N_("the first line must be the header, with one column for the unit's name"), whole_file=True)
    EMPTY = Problem(
        "DAT113", "error", N_("the data has no units"), N_("add a header line and one row per unit"),
        whole_file=True)
    AMBIGUOUS_DELIMITER = Problem(
        "DAT113", "error", N_("the header line has both `,` and `;`, so the column separator is unclear"),
        N_("use one separator throughout, or put a header that contains `,` or `;` in double quotes"),
        whole_file=True)
    ROW_ABOVE_HEADER = Problem(
        "DAT113", "error", N_("the row holds values but comes before the header (row {header}), so it is not read"),
        N_("if it is a unit, move it below the header; if it is a title, keep its text in one cell"),
        whole_file=True)
    TAB_SEPARATED = Problem(
        "DAT113", "error",
        N_("the columns are separated by tabs; parrules reads columns separated by `,` or `;`"),
        _SAVE_AS_CSV, whole_file=True)
    BAD_CSV = Problem(
        "DAT113", "error", N_("the CSV cannot be read past line {line}: {reason}"),
        N_("a value that contains the separator, a quote or a line break must be in double quotes, "
           'with quotes inside it doubled ("")'), whole_file=True)
    RAGGED_ROW = Problem(
        "DAT113", "error", N_("the row has {count} cells but the header has {expected}; they cannot be matched"),
        N_("a value that contains the separator must be in double quotes; in a file separated by `,`, "
           "a decimal comma (62,30) splits one value into two"))
    NOT_A_TABLE = Problem(
        "DAT113", "error", N_('expected a list of units, or {{"units": [...]}}, not {kind}'),
        N_('write [{{"unit": "Sở Nội vụ", "plan_done": 90}}, …]'), whole_file=True)
    ROW_NOT_OBJECT = Problem(
        "DAT113", "error", N_("the row is {kind}, not an object of column: value"),
        N_('write each unit as {{"unit": "Sở Nội vụ", "plan_done": 90}}'))
    NOT_A_CELL = Problem(
        "DAT113", "error", N_("the value is {kind}; a cell holds text, a number, true/false or nothing"),
        N_("write a single value in the cell"))
    REPEATED_KEY = Problem(
        "DAT113", "error", N_("the key `{header}` appears twice in this unit's object"),
        N_("keep one of them"))
    UNREADABLE = Problem(
        "DAT114", "error", N_("cannot read the file: {reason}"), _UNREADABLE_HINT, whole_file=True)
    NO_OPENPYXL = Problem(
        "DAT114", "error", N_("cannot read the file: reading .xlsx needs the openpyxl package"), _UNREADABLE_HINT,
        whole_file=True)
    UNKNOWN_FORMAT = Problem(
        "DAT114", "error", N_("parrules reads .csv, .json, .xlsx, .xls and .ods data files, not `{suffix}`"),
        _SAVE_AS_CSV, whole_file=True)
    NO_EXTENSION = Problem(  # UNKNOWN_FORMAT for a file name without an extension
        "DAT114", "error",
        N_("parrules reads .csv, .json, .xlsx, .xls and .ods data files, not a file without an extension"),
        _SAVE_AS_CSV, whole_file=True)
    NO_CALAMINE = Problem(
        "DAT114", "error", N_("cannot read the file: reading .xls and .ods needs the python-calamine package"),
        N_("install it (pip install python-calamine), or save the workbook as .xlsx"), whole_file=True)
    NOT_UTF8 = Problem(
        "DAT114", "error", N_("the file is not UTF-8 text (byte {byte} on line {line})"),
        N_("save it again as UTF-8: in Excel, File → Save As → “CSV UTF-8 (Comma delimited)”; legacy "
           "Vietnamese encodings (TCVN3, VNI, Windows-1258) are not read"), whole_file=True)
    UTF16 = Problem(
        "DAT114", "error", N_("the file is UTF-16 text (Excel's “Unicode Text”), not UTF-8"),
        N_("save it again as UTF-8: in Excel, File → Save As → “CSV UTF-8 (Comma delimited)”"),
        whole_file=True)
    BAD_JSON = Problem(
        "DAT114", "error", N_("not valid JSON at line {line}, column {position}: {reason}"),
        N_("check the brackets, commas and quotes around that place"), whole_file=True)
    JSON_CONSTANT = Problem(
        "DAT114", "error", N_("`{value}` is not allowed in JSON data"), N_("write a number, or null for a blank"),
        whole_file=True)
    AMBIGUOUS_COLUMN = Problem(
        "DAT115", "error", N_("column `{header}` matches more than one thing: {matches}"),
        N_("rename the column to the exact name of the one you mean"), whole_file=True)
    REPEATED_COLUMN = Problem(
        "DAT115", "error", N_("columns {headers} all give {target}"), N_("keep one of them"), whole_file=True)
    FILE_TOO_LARGE = Problem(
        "DAT116", "error", N_("the file is {size} bytes; the limit is 50 MB"), _SPLIT_OR_STREAM, whole_file=True)
    TOO_MANY_ROWS = Problem(
        "DAT116", "error", N_("more than 100,000 units; rows from here on were not read"), _SPLIT_OR_STREAM,
        whole_file=True)
    TOO_MANY_STREAMED_ROWS = Problem(
        "DAT116", "error", N_("more than 10,000,000 units; rows from here on were not read"), _SPLIT,
        whole_file=True)
    WORKBOOK_TOO_LARGE = Problem(
        "DAT116", "error", N_("the workbook's part {part} unpacks to {size} bytes; the limit is {limit}"),
        N_("save the workbook again from Excel; split the units over several files"), whole_file=True)
    # Both: `limit` is the number of columns allowed, grouped as the language writes it.
    TOO_MANY_COLUMNS = Problem(
        "DAT116", "error", N_("the table has {count} columns; the limit is {limit}"),
        N_("keep one column per input; split a very wide sheet"), whole_file=True)
    COLUMNS_PAST_LIMIT = Problem(  # rows of mappings: counting stops at the limit
        "DAT116", "error", N_("the table has more than {limit} columns; the limit is {limit}"),
        N_("keep one column per input; split a very wide sheet"), whole_file=True)
    CELL_TOO_LONG = Problem(
        "DAT116", "error", N_("the cell has {length} characters; the limit is 10,000"),
        N_("a cell holds one value; keep notes elsewhere"))
    HEADER_TOO_LONG = Problem(
        "DAT116", "error", N_("a header has {length} characters; the limit is 10,000"),
        N_("a header is an input's name or title"), whole_file=True)
    FIELD_TOO_LARGE = Problem(
        "DAT116", "error",
        N_("a cell on line {line} is far longer than 10,000 characters; the file was not read further"),
        N_("look for a missing closing quote before that line"), whole_file=True)
    NOT_A_WORKBOOK = Problem(
        "DAT114", "error", N_("not an Excel workbook that can be read: {reason}"), _RESAVE_WORKBOOK,
        whole_file=True)
    NO_WORKSHEET = Problem(
        "DAT114", "error", N_("not an Excel workbook that can be read: it has no worksheet"), _RESAVE_WORKBOOK,
        whole_file=True)
    NOT_A_WORKSHEET = Problem(
        "DAT114", "error",
        N_("not an Excel workbook that can be read: the sheet {sheet} is a chart or holds no cells"),
        _RESAVE_WORKBOOK, whole_file=True)
    MERGED_HEADER = Problem(
        "DAT118", "error",
        N_("the header `{header}` is merged across cells {cells}, so it cannot name one column"),
        N_("unmerge the cells and give each column its own header (an input's name or title)"), whole_file=True)
    NO_SUCH_SHEET = Problem(
        "DAT119", "error", N_("the workbook has no sheet `{sheet}`; its sheets are: {sheets}"),
        N_("give one of those names with --sheet (upper and lower case matter)"), whole_file=True)
    UNCOMPUTED_FORMULA = Problem(
        "DAT120", "error", N_("the cell holds a formula whose value was never computed and saved"),
        N_("open the workbook in Excel (or LibreOffice) and save it, so the formulas' values are stored"))
    PERCENT_FORMAT_UNKNOWN = Problem(
        "DAT137", "error",
        N_("column `{header}`: `{value}` is a number between 0 and 1 in a percent column of a workbook whose cell "
           "formats parrules cannot see (in {count} of the column's cells, rows {rows}): is it {value} % or a "
           "percent cell showing {percent} %? parrules does not guess"),
        N_("save the workbook as .xlsx (Excel Workbook), whose percent cells are read as they show, or write the "
           "percentages with `%` (85%)"))
    PERCENT_AS_FRACTION = Problem(
        "DAT117", "error",
        N_("every value in the percent column `{header}` is between 0 and 1 (e.g. `{value}`): is {value} a "
           "fraction of 1 or {value} %? parrules does not guess"),
        N_("write percentages in percent units (85 or 85%), or format the Excel cells as percent (0.00%); if the "
           "file stores fractions (0.85 for 85 %), pass --percent-fractions (library: percent_fractions=True)"),
        whole_file=True)
    FRACTION_OUT_OF_RANGE = Problem(
        "DAT102", "error", _OUT_OF_RANGE,
        N_("with --percent-fractions, a percentage is written as a fraction of 1 (0.85 for 85 %) or with `%` "
           "(85%)"))
    NUMBER_TOO_LONG = Problem(  # the hint's `integer` and `fraction` are the limits (parrules.limits)
        "DAT116", "error", N_("`{value}` has more digits than parrules computes with exactly"),
        N_("a number has at most {integer} digits before the point and {fraction} after it"))
    MISSPELT_COLUMN = Problem(
        "DAT130", "error",
        N_("column `{header}` is not a column of the ruleset, but it is one letter away from `{suggestion}`, "
           "which no column gives"),
        N_("did you mean `{suggestion}`? Rename the column; ignoring it would let a default stand in for the "
           "unit's value"))
    DECIMAL_COMMA_COLUMN = Problem(
        "DAT110", "error",
        N_("column `{header}`: `{value}` has a comma that may group thousands (in {count} of the column's "
           "cells, rows {rows}); parrules does not guess"),
        N_("if the file writes decimals with a comma (1,234 for 1.234), pass --decimal-comma (library: "
           "decimal_comma=True); if the comma groups thousands, write 1234"))
    DECIMAL_COMMA_READ = Problem(
        "DAT136", "warning",
        N_("column `{header}`: cells written with a decimal comma were read as decimals (`{value}` is {read}; in "
           "{count} of the column's cells)"),
        N_("a comma followed by other than three digits cannot group thousands, so it is a decimal comma; "
           "nothing to do"))
    UNACCENTED_COLUMN = Problem(
        "DAT138", "error",
        N_("column `{header}` is not a column of the ruleset; without accents it reads as `{suggestion}`, which "
           "no column gives"),
        N_("did you mean `{suggestion}`? Write the header with its accents (or the input's name); a header is "
           "never matched by dropping accents, since that may be another word"))
    TOTAL_ROW = Problem(
        "DAT133", "warning", N_("row `{value}` is a total or an average, not a unit; it is skipped"),
        N_("nothing to do; parrules computes the totals and averages itself"))
    TOTAL_NOT_SUMS = Problem(
        "DAT139", "error",
        N_("row `{value}` is named like a total or an average, but its figures are not the sums or averages of "
           "the rows above it"),
        N_("if it is a total row, check its figures or delete the row; if it is a unit, give it its full name"))
    HEADING_ROW = Problem(
        "DAT133", "warning", N_("row `{value}` is a section heading with no figures, not a unit; it is skipped"),
        N_("nothing to do; if it is a unit, give it its figures"))
    NUMBERING_ROW = Problem(
        "DAT133", "warning", N_("the row under the header numbers the columns (`{value}`…); it is skipped"),
        N_("nothing to do"))
    NOTE_COLUMNS = Problem(
        "DAT134", "warning", N_("notes columns {headers} are not scored; they are ignored"),
        N_("nothing to do; notes and evidence stay in the workbook"))
    RESULT_COLUMNS = Problem(
        "DAT134", "warning",
        N_("columns {headers} hold results (totals, indices, classes), which parrules computes; they are ignored"),
        N_("to compare the sheet's results with parrules', save them as a published table and pass --published"))
    ID_TITLE_DIFFERS = Problem(
        "DAT135", "warning",
        N_("column `{header}` is read as criterion {id} by its id, but the ruleset's title of {id} is “{title}”"),
        N_("check that the sheet follows this year's criteria; write the ruleset's title, or the id alone"))
    CONTROL_CHARACTER = Problem(
        "DAT131", "error", N_("the cell `{value}` holds an invisible control character"),
        N_("retype the cell: control characters usually come from copying text out of another program"))
    # The `sheets` layout: one sheet per unit, criteria as rows (parrules.data.sheets).
    DUPLICATE_UNIT_SHEET = Problem(
        "DAT105", "error", N_("`{value}` appears a second time (first on the sheet {first})"),
        N_("each unit has one sheet: delete or merge the repeated sheet"))
    NOT_A_UNIT_SHEET = Problem(
        "DAT140", "warning",
        N_("the sheet `{sheet}` holds numbers but has no key column (`#key`), so it is not a unit sheet; it is "
           "ignored"),
        N_("a unit's values are read from the sheets `parrules template --layout sheets` writes: copy the form "
           "sheet for each unit rather than making a new one"))
    KEY_TWICE = Problem(
        "DAT141", "error", N_("the key `{key}` is on rows {first} and {again}; a sheet gives each value once"),
        N_("delete the repeated row, or keep the key column as the template wrote it"))
    NOT_READ = Problem(
        "DAT142", "warning", N_("the cell holds `{value}`, but its row has no key, so it is not read"),
        N_("values are read from the rows with a key in the grey key column; a criterion scored from its "
           "inputs gets its points from them"))
    NO_WORKBOOKS = Problem(
        "DAT143", "error", N_("the folder has no .xlsx workbook"),
        N_("put the units' workbooks (one or more unit sheets each) in the folder, or give one file"),
        whole_file=True)
    NO_UNIT_SHEET = Problem(
        "DAT144", "error", N_("the workbook has no unit sheet (a sheet with the key column `#key`)"),
        N_("every workbook of the folder must be in the sheets layout (`parrules template --layout sheets`)"),
        whole_file=True)
    KEY_ROW_INCOMPLETE = Problem(
        "DAT145", "error", N_("the key row of the sheet `{sheet}` has no {missing}, so its values cannot be found"),
        N_("restore the key row as the template wrote it (`#id`, `#title`, `#max`, `#value`, …, `#key`), or make "
           "the sheet again from the template"), whole_file=True)


DATA_CODES = frozenset(p.code for p in vars(M).values() if isinstance(p, Problem))


class Sink:
    """Collects the diagnostics of one file, and which rows (or the whole file) they spoil."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Diagnostic] = []
        self.spoiled: set[int] = set()
        self.file_broken = False
        # Layouts that put one unit's cells on rows of their own (a sheet per unit, criteria as rows):
        # the row each column's cell is on, so a problem names that row while spoiling the unit's.
        self.cell_rows: dict[str, int] = {}

    def add(self, problem: Problem, *, row: int | None = None, column: str | None = None,
            unit: str | None = None, **fields: object) -> None:
        self.emit(problem, row, column, unit, fields)

    def add_cell(self, bad: CellError, row: int, column: str, unit: str | None = None) -> None:
        self.emit(bad.problem, row, column, unit, bad.fields)

    def emit(self, problem: Problem, row: int | None, column: str | None, unit: str | None,
             fields: Mapping[str, object]) -> None:
        message = _(problem.message).format(**fields)
        if unit:
            message = f"{unit}: {message}"
        hint = _(problem.hint).format(**fields) if problem.hint else None
        shown = self.cell_rows.get(column, row) if column is not None and row is not None else row
        self.found.append(Diagnostic(problem.code, problem.severity, message, hint,
                                     file=self.file, row=shown, column=column))
        if problem.severity == "error":
            if problem.whole_file:
                self.file_broken = True
            elif row is not None:
                self.spoiled.add(row)

    def report(self, records: Iterable[UnitRecord]) -> DataReport:
        kept = () if self.file_broken else tuple(r for r in records if r.row not in self.spoiled)
        return DataReport(kept, tuple(sort_diagnostics(self.found)))


class CellError(Exception):
    """A cell that cannot be read; carries the catalogue entry and its fields."""

    def __init__(self, problem: Problem, **fields: object) -> None:
        super().__init__(problem.code)
        self.problem = problem
        self.fields = fields
