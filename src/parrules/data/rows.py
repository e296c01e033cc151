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
from parrules.data.readers import Cell, RawRow, RawTable
from parrules.data.records import TOTAL_WORDS
from parrules.data.text import text_key

_TOTALS = tuple(text_key(w) for w in TOTAL_WORDS)
_ONLY_WHOLE = frozenset({"tổng"})  # "Tổng cục Thuế" is a unit; "Tổng" alone is a total
_HEADING_NUMBER = re.compile(r"(?:[ivxlc]{1,6}|[a-zđ])\.?", re.IGNORECASE)  # I, II, A., b
_HEADING_NAME = re.compile(r"(?:[ivxlc]{1,6}|[a-z])[.)]\s+\S.*", re.IGNORECASE)  # "I. CÁC SỞ, BAN, NGÀNH"
_COLUMN_NUMBER = re.compile(r"\(?[0-9a-z]{1,3}\)?(?:\s*[=+*/-].*)?", re.IGNORECASE)  # (1), B, 3=1+2
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)%?")


def not_units(table: RawTable, unit: int | None, numbering: Sequence[int], values: Sequence[int]) -> dict[int, Problem]:
    """The rows (by number) that are not units, with the warning that says what each is."""
    if unit is None:
        return {}
    found: dict[int, Problem] = {}
    every: list[RawRow] = []  # the unit rows above: what a grand total adds up
    since: list[RawRow] = []  # the unit rows since the last total or heading: what a subtotal adds up
    for position, row in enumerate(table.rows):
        name = _text(row.cells[unit])
        key = text_key(name)
        if key and _is_total(key):
            # Named like a total: it is one if its figures are sums or averages (or it has none).
            adds_up = _sums_above(row, every, values, empty=True) or _sums_above(row, since, values, empty=True)
            found[row.number] = M.TOTAL_ROW if adds_up else M.TOTAL_NOT_SUMS
            since = []
        elif position == 0 and _numbers_columns(row, unit):
            found[row.number] = M.NUMBERING_ROW
        elif key and _is_heading(row, key, unit, numbering):
            found[row.number] = M.HEADING_ROW
            since = []
        elif not key and (_sums_above(row, every, values) or _sums_above(row, since, values)):
            found[row.number] = M.TOTAL_ROW
            since = []
        elif key:  # a nameless row that is not a total is an error (DAT107), not a unit to add up
            every.append(row)
            since.append(row)
    return found


def _text(cell: Cell) -> str:
    return cell.strip() if isinstance(cell, str) else "" if cell is None else str(cell)


def _is_total(key: str) -> bool:
    return any(key == word or (word not in _ONLY_WHOLE and key.startswith((word + " ", word + ":")))
               for word in _TOTALS)


def _numbers_columns(row: RawRow, unit: int) -> bool:
    """`(1) (2) (3)` or `A B 1 2 3=1+2` under the header: the columns' numbers, not a unit.

    Only a run that counts up (letters from A, then numbers from 1), the name's cell included.
    """
    written = [t for t in (_text(c) for c in row.cells) if t]
    if len(written) < 3 or not _text(row.cells[unit]) or not all(_COLUMN_NUMBER.fullmatch(t) for t in written):
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


def _sums_above(row: RawRow, above: list[RawRow], values: Sequence[int], *, empty: bool = False) -> bool:
    """Whether every figure of the row is the sum or the average of the column above it (to the
    precision it is written with); a row with no figure at all counts only when `empty` says so."""
    if not above:
        return False
    checked = 0
    for i in values:
        written = _number(row.cells[i])
        if written is None:
            if _text(row.cells[i]):
                return False  # a word in a figures' column: not a row of sums
            continue
        column = [n for n in (_number(r.cells[i]) for r in above) if n is not None]
        if not column:
            return False
        total = sum(column, Decimal(0))
        exponent = written.as_tuple().exponent
        half = Decimal(5).scaleb(exponent - 1) if isinstance(exponent, int) else Decimal(0)
        if not (abs(total - written) <= half or abs(total / len(column) - written) <= half):
            return False
        checked += 1
    return checked > 0 or empty
