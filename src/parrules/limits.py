"""Every limit parrules sets on what it reads, in one place.

A limit keeps a mistaken or hostile file from exhausting time or memory; exceeding one is a located
diagnostic, never a crash and never a silently shortened result. `docs/limits.md` lists each of
them (a test holds the page to these values).

Numbers have a limit of their own: exact decimal arithmetic is exact only while every figure fits
the decimal context's 40 digits, so no number read from a ruleset or a data file may have more than
15 digits before the point (Excel keeps 15 significant digits) or 20 after it (a leaf's points are
kept to 20 places).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from parrules.i18n import _

# ---- rulesets -----------------------------------------------------------------------------------
MAX_RULESET_BYTES = 512_000  # one .par file (the largest real criteria sets are about a tenth of this)
MAX_TOTAL_RULESET_BYTES = 1_000_000  # a ruleset and every file it includes, together
MAX_INCLUDE_DEPTH = 8  # files including files
MAX_INCLUDE_NAME = 255  # characters in an `include "…"` path
MAX_NESTING = 40  # levels of `{` and `(`
MAX_TREE_DEPTH = 120  # levels of the parsed statement, operators included (`not not … x`, `a + b + …`)

# ---- data files ---------------------------------------------------------------------------------
MAX_DATA_BYTES = 50 * 1024 * 1024  # a CSV or JSON file, or an .xlsx workbook as stored (compressed)
MAX_XLSX_SHEET_BYTES = 200 * 1024 * 1024  # the chosen worksheet, uncompressed
MAX_XLSX_PART_BYTES = 20 * 1024 * 1024  # any other part a workbook needs (shared strings, styles), uncompressed
MAX_ROWS = 100_000  # units in one file
MAX_STREAM_ROWS = 10_000_000  # units in a CSV file scored to a CSV file as it is read (stream.py)
MAX_COLUMNS = 5_000  # columns in one table
MAX_CELL_CHARS = 10_000  # characters in one cell or header
MAX_JSON_DEPTH = 32  # nested JSON arrays and objects

# ---- numbers, in rulesets and data ------------------------------------------------------------
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 20
# Any number within the limits has a magnitude below this.
MAX_MAGNITUDE = Decimal(10) ** MAX_INTEGER_DIGITS

# Plain decimals only: no exponent, no NaN, no thousands separators (re.ASCII: no other digits).
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def digits(value: Decimal) -> tuple[int, int]:
    """How many digits a finite `value` needs before and after its point (1.50 → (1, 1), 0.05 → (0, 2))."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return (max(0, value.adjusted() + 1) if value else 0, max(0, -exponent))


def within_number_limits(value: Decimal) -> bool:
    """Whether a number read from a file is one parrules computes with exactly."""
    if not value.is_finite():
        return False
    if value and not -MAX_FRACTION_DIGITS <= value.adjusted() < MAX_INTEGER_DIGITS:
        return False  # decided before `normalize`, which overflows on 1e999999999
    whole, fraction = digits(value)
    return whole <= MAX_INTEGER_DIGITS and fraction <= MAX_FRACTION_DIGITS


def parse_plain(text: str) -> Decimal | None:
    """A plain decimal (`-12.50`, `.5`) within the number limits, or None for anything else.

    Exponents (`1e999999999`), `NaN` and `Infinity` are refused before `Decimal` sees them: a
    figure such as 1e999999999 is cheap to hold but takes gigabytes to print.
    """
    text = text.strip()
    if len(text) > MAX_INTEGER_DIGITS + MAX_FRACTION_DIGITS + 2 or not PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return None
    return value if within_number_limits(value) else None


def number_limit_words() -> str:
    """The limit as a noun phrase of a message ("a number has {limits}"), in the reader's language."""
    return _("at most {integer} digits before the point and {fraction} after it").format(
        integer=MAX_INTEGER_DIGITS, fraction=MAX_FRACTION_DIGITS)
