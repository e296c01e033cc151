"""Rows of a sheet that are not units: totals, averages, section headings, column numbers.

Councils' and published tables carry them between and after the units ("Tổng cộng", "Trung bình",
"I. CÁC SỞ, BAN, NGÀNH", a row "(1) (2) (3)" under the header, a row of sums with no name). Scored,
they would be units that never existed; refused, they would make a person delete rows of their own
workbook. So each is recognised on what it holds, skipped, and listed as skipped — never silently.

A row with no name is a total only when its figures are the sums or averages of the rows above it
(to the precision they are written with); any other nameless row is still an error (DAT107).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from parrules.data.messages import M, Problem
from parrules.data.readers import Cell, RawRow
from parrules.data.records import TOTAL_WORDS
from parrules.data.text import text_key

_TOTALS = tuple(text_key(w) for w in TOTAL_WORDS)
_ONLY_WHOLE = frozenset({"tổng"})  # "Tổng cục Thuế" is a unit; "Tổng" alone is a total
_HEADING_NUMBER = re.compile(r"(?:[ivxlc]{1,6}|[a-zđ])\.?", re.IGNORECASE)  # I, II, A., b
_HEADING_NAME = re.compile(r"(?:[ivxlc]{1,6}|[a-z])[.)]\s+\S.*", re.IGNORECASE)  # "I. CÁC SỞ, BAN, NGÀNH"
_COLUMN_NUMBER = re.compile(r"\(?[0-9a-z]{1,3}\)?(?:\s*[=+*/-].*)?", re.IGNORECASE)  # (1), B, 3=1+2
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)%?")


class NotUnits:
    """The rows of a table that are not units, told one at a time, top to bottom (`Validator.begin`).

    What a total adds up is kept as running sums per column, folded in from the rows above when a
    row that may be a total comes. With `bounded` (a file read as it goes, whose rows are not held
    elsewhere), also every `FOLD_EVERY` unit rows, so that memory does not grow with the rows; a
    table held whole keeps its rows anyway, and most tables have no total, so they are not added up.
    """

    FOLD_EVERY = 4096  # unit rows held before they are added into the running sums, when bounded

    def __init__(self, unit: int, numbering: Sequence[int], values: Sequence[int], *, bounded: bool = False) -> None:
        self.unit, self.numbering, self.values = unit, numbering, values
        self.bounded = bounded
        self.numbers: dict[str, Decimal | None] = {}  # cells already read, shared by both sums below
        self.every = _Above(values, self.numbers)  # the unit rows above: what a grand total adds up
        # the unit rows since the last total or heading: what a subtotal adds up
        self.since = _Above(values, self.numbers)
        self.position = 0

    def verdict(self, row: RawRow) -> Problem | None:
        """The warning that says what the row is if it is not a unit (a total, a heading, …); None for
        a unit's row."""
        position, self.position = self.position, self.position + 1
        name = _text(row.cells[self.unit])
        key = text_key(name)
        if key and _is_total(key):
            # Named like a total: it is one if its figures are sums or averages (or it has none).
            adds_up = self.every.added_by(row, empty=True) or self.since.added_by(row, empty=True)
            self.since = _Above(self.values, self.numbers)
            return M.TOTAL_ROW if adds_up else M.TOTAL_NOT_SUMS
        if position == 0 and _numbers_columns(row, self.unit):
            return M.NUMBERING_ROW
        if key and _is_heading(row, key, self.unit, self.numbering):
            self.since = _Above(self.values, self.numbers)
            return M.HEADING_ROW
        if not key and (self.every.added_by(row) or self.since.added_by(row)):
            self.since = _Above(self.values, self.numbers)
            return M.TOTAL_ROW
        if key:  # a nameless row that is not a total is an error (DAT107), not a unit to add up
            self.every.held.append(row)
            self.since.held.append(row)
            if self.bounded and len(self.every.held) >= self.FOLD_EVERY:
                self.every.fold()
                self.since.fold()
        return None


_UNREAD = Decimal("NaN")  # never a cell's number: "not read yet"
_NUMBERS_KEPT = 4096  # distinct cells remembered: councils' columns repeat a few texts


class _Above:
    """The rows above a row, as a total sees them: per figures' column, the sum and count of numbers."""

    def __init__(self, values: Sequence[int], numbers: dict[str, Decimal | None]) -> None:
        self.values = values
        self.numbers = numbers
        self.held: list[RawRow] = []  # the rows not added into the sums yet
        self.folded = 0  # the rows that are
        self.sums: dict[int, Decimal] = dict.fromkeys(values, Decimal(0))
        self.counts: dict[int, int] = dict.fromkeys(values, 0)

    def fold(self) -> None:
        # Added in the rows' order, as one `sum` over the column would: the same digits.
        numbers = self.numbers
        for i in self.values:
            total, count = self.sums[i], self.counts[i]
            for row in self.held:
                cell = row.cells[i]
                if type(cell) is not str:  # JSON's numbers and true/false: True == 1, so not in the memo
                    number = _number(cell)
                elif (number := numbers.get(cell, _UNREAD)) is _UNREAD:
                    number = _number(cell)
                    if len(numbers) < _NUMBERS_KEPT:
                        numbers[cell] = number
                if number is not None:
                    total += number
                    count += 1
            self.sums[i], self.counts[i] = total, count
        self.folded += len(self.held)
        self.held = []

    def added_by(self, row: RawRow, *, empty: bool = False) -> bool:
        """Whether every figure of the row is the sum or the average of the column above it (to the
        precision it is written with); a row with no figure at all counts only when `empty` says so."""
        if not self.held and not self.folded:
            return False
        self.fold()
        checked = 0
        for i in self.values:
            written = _number(row.cells[i])
            if written is None:
                if _text(row.cells[i]):
                    return False  # a word in a figures' column: not a row of sums
                continue
            count = self.counts[i]
            if not count:
                return False
            total = self.sums[i]
            exponent = written.as_tuple().exponent
            half = Decimal(5).scaleb(exponent - 1) if isinstance(exponent, int) else Decimal(0)
            if not (abs(total - written) <= half or abs(total / count - written) <= half):
                return False
            checked += 1
        return checked > 0 or empty


def _text(cell: Cell) -> str:
    return cell.strip() if isinstance(cell, str) else "" if cell is None else str(cell)


def _is_total(key: str) -> bool:
    return any(key == word or (word not in _ONLY_WHOLE and key.startswith((word + " ", word + ":")))
               for word in _TOTALS)


def _numbers_columns(row: RawRow, unit: int) -> bool:
    """`(1) (2) (3)` or `A B 1 2 3=1+2` under the header: the columns' numbers, not a unit.

    Only a run that counts up (letters from A, then numbers from 1), the name's cell included.
    """
    name = _text(row.cells[unit])
    if not name or not _COLUMN_NUMBER.fullmatch(name):  # a unit's name: said at once, before any other cell
        return False
    written = [t for t in (_text(c) for c in row.cells) if t]
    if len(written) < 3 or not all(_COLUMN_NUMBER.fullmatch(t) for t in written):
        return False
    labels = [re.split(r"\s*[=+*/-]", t.strip("()"), maxsplit=1)[0].strip("()").upper() for t in written]
    letters = [x for x in labels if x.isalpha()]
    numbers = labels[len(letters):]
    return (letters == [chr(65 + i) for i in range(len(letters))]
            and numbers == [str(i + 1) for i in range(len(numbers))])


def _is_heading(row: RawRow, key: str, unit: int, numbering: Sequence[int]) -> bool:
    """A section heading: a Roman numeral or a letter, a name, and not one figure."""
    if any(_text(cell) for i, cell in enumerate(row.cells) if i != unit and i not in numbering):
        return False
    number = next((_text(row.cells[i]) for i in numbering if _text(row.cells[i])), "")
    if number:
        return bool(_HEADING_NUMBER.fullmatch(number)) and not number.isdigit()
    return bool(_HEADING_NAME.fullmatch(key))


def _number(cell: Cell) -> Decimal | None:
    if isinstance(cell, Decimal):
        return cell
    text = _text(cell)
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text.rstrip("%").replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return None
