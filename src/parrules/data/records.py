"""What reading data produces: typed unit records and the report of a file's problems."""

from __future__ import annotations

from decimal import Decimal

from attrs import field, frozen

from parrules.diagnostics import DataError, Diagnostic, Findings
from parrules.model import Value

# Reserved columns, matched like every header (case- and space-insensitive, NFC).
UNIT_HEADERS = ("unit", "name", "đơn vị", "tên đơn vị")
GROUP_HEADERS = ("group", "nhóm")
MAX_HEADERS = ("max", "điểm tối đa")
IGNORED_HEADERS = ("stt", "tt", "no", "no.", "số tt", "số thứ tự")  # row numbers in published tables
# Notes and evidence beside the figures (ghi chú, tài liệu kiểm chứng): ignored, and listed.
NOTE_HEADERS = ("ghi chú", "ghi chu", "note", "notes", "chú thích", "nhận xét", "giải trình", "minh chứng",
                "tài liệu kiểm chứng", "tài liệu minh chứng", "evidence")
# What scoring computes, as councils' sheets carry it beside the inputs: ignored, and listed (compare
# them with `--published` instead).
RESULT_HEADERS = ("tổng điểm", "tổng", "tổng cộng", "tổng số điểm", "điểm đạt được", "tổng điểm đạt được",
                  "chỉ số", "chỉ số (%)", "chỉ số cchc", "chỉ số cchc (%)", "xếp loại", "xếp hạng", "thứ hạng",
                  "kết quả", "total", "index", "index (%)", "class", "rank")
# What names a total, average or subtotal row in the unit column (the start of the name).
TOTAL_WORDS = ("tổng cộng", "tổng số", "tổng", "cộng", "trung bình", "bình quân", "total", "average", "subtotal")

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
class DataReport(Findings):
    """What reading a data file found: the units that are fine, and every problem and warning.

    `records` holds the rows with no error of their own (none at all when the file's shape is wrong),
    so a caller may still run further checks on them; only `records_or_raise` is safe to score from.
    """

    records: tuple[UnitRecord, ...]
    diagnostics: tuple[Diagnostic, ...]

    def records_or_raise(self) -> list[UnitRecord]:
        """The records, or `DataError` listing every problem (warnings too) if there is any error."""
        if not self.ok:
            raise DataError(self.diagnostics)
        return list(self.records)
