"""How the template's cells look and behave: fonts, fills, locking, print setup, sheet names.

Times New Roman, the font of Vietnamese administrative documents: every office computer has it, and
LibreOffice stands in Liberation Serif, which has the same widths and every Vietnamese letter.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.properties import PageSetupProperties

from parrules.i18n import _

FONT = "Times New Roman"
BODY = Font(name=FONT, size=11)
BOLD = Font(name=FONT, size=11, bold=True)
ITALIC = Font(name=FONT, size=11, italic=True)
MUTED = Font(name=FONT, size=11, italic=True, color="7F7F7F")
TITLE = Font(name=FONT, size=14, bold=True)
SUBTITLE = Font(name=FONT, size=12, bold=True)
# The machine names the reader matches: there for the program, small and grey for a person.
KEY = Font(name=FONT, size=7, color="808080")

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FIELD_FILL = PatternFill("solid", fgColor="F2F2F2")
COMPONENT_FILL = PatternFill("solid", fgColor="D9E1F2")
INPUT_FILL = PatternFill("solid", fgColor="FFFBE6")  # where to type: pale yellow, as forms mark it

_THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRED = Alignment(wrap_text=True, horizontal="center", vertical="center")
LEFT = Alignment(wrap_text=True, horizontal="left", vertical="center", indent=1)
TOP = Alignment(vertical="top")
UNLOCKED = Protection(locked=False)

POINTS_PER_LINE = 15  # the height of one line of 11-point text
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31  # Excel's limit


def default_font(book: Any) -> None:
    """Make Times New Roman the workbook's own font (its Normal style), not only each cell's.

    Column widths are counted in the default font's digits: with Calibri, which LibreOffice replaces
    by a wider font where Calibri is missing, the columns would print wider than they were measured.
    openpyxl has no public way to set it; the first font of the list is the default.
    """
    book._fonts = IndexedList([BODY])
    book._named_styles["Normal"].font = BODY


def put_text(ws: Any, row: int, column: int, text: str, font: Font = BODY, *, wrap: bool = False) -> Any:
    """A text cell that stays text: never a formula, whatever it starts with (`=`, `+`, `-`)."""
    cell = ws.cell(row=row, column=column)
    # Characters XML cannot hold (openpyxl would refuse the whole workbook) are shown as escapes.
    cell.value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    cell.data_type = "s"
    cell.font = font
    if wrap:
        cell.alignment = WRAP
    return cell


def put_number(ws: Any, row: int, column: int, value: Decimal | int, font: Font = BODY) -> Any:
    """A figure, in a cell of the given font (see `set_number`)."""
    cell = ws.cell(row=row, column=column)
    set_number(cell, value)
    cell.font = font
    return cell


def set_number(cell: Any, value: Decimal | int) -> None:
    """A figure, as a number where the reader gets it back exactly, else as text.

    The reader takes a number cell to Excel's 15 significant digits, so a decimal of at most 15
    digits survives the trip through a binary float; a longer one is written as its text.
    """
    if isinstance(value, int):
        cell.value = value
    elif len(value.as_tuple().digits) <= 15 and value.is_finite():
        cell.value = int(value) if value == value.to_integral_value() else float(value)
    else:
        cell.value = f"{value:f}"
        cell.data_type = "s"


def input_cell(cell: Any) -> None:
    """A cell the unit fills in: unlocked under the sheet's protection, framed, pale yellow."""
    cell.protection = UNLOCKED
    cell.alignment = TOP  # level with its row's title, however many lines that takes
    cell.fill = INPUT_FILL
    cell.border = BOX
    if cell.font is None or cell.font == Font():
        cell.font = BODY


def lines(text: str, width: float, *, bold: bool = False) -> int:
    """How many lines `text` wraps to in a column `width` characters wide (greedy, by words).

    An estimate on the safe side: a row a little too tall is better than a title cut off, which is
    what a wrapped cell shows when its row is too low.
    """
    room = max(width - 1.5, 4.0)  # the cell's padding
    # Times New Roman letters are narrower than the digit a column width counts in; bold ones less so.
    letter = 0.9 if bold else 0.8
    count, used = 1, 0.0
    for word in text.split():
        size = len(word) * letter
        if used and used + 1 + size > room:
            count, used = count + 1, size
        else:
            used += size + (1 if used else 0)
        while used > room:  # a word longer than the column breaks where it must
            count, used = count + 1, used - room
    return count


def row_height(texts: list[tuple[str, float]], font_size: float = 11, *, bold: bool = False) -> float:
    """The height of a row whose cells hold `texts` (text, column width), wrapped."""
    most = max((lines(text, width, bold=bold) for text, width in texts if text), default=1)
    return math.ceil(most * POINTS_PER_LINE * font_size / 11) + 3


def sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters, unique (case aside)."""
    base = _BAD_SHEET_CHARS.sub(" ", " ".join(name.split())).strip("' ")[:MAX_SHEET_NAME].strip(" '")
    if not base or base.casefold() == "history":  # Excel keeps "History" for itself
        base = (base + " 1").strip()
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title, n = base[:MAX_SHEET_NAME - len(suffix)].rstrip(" '") + suffix, n + 1
    taken.add(title.casefold())
    return title


def protect(ws: Any) -> None:
    """Lock every cell not unlocked on purpose, without a password: a council can lift it (Review →
    Unprotect Sheet) to change the layout, and columns and rows can still be resized."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # False: allowed
    ws.protection.formatRows = False
    ws.protection.formatCells = False


def print_setup(ws: Any, *, landscape: bool, title_rows: str | None, title_columns: str | None = None,
                pages_wide: int = 1) -> None:
    """A4, the header repeated on every page, as many pages wide as the columns need to stay readable."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = pages_wide
    ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    if title_columns:
        ws.print_title_cols = title_columns
    ws.oddFooter.center.text = _("Page &P of &N")
    ws.oddFooter.center.size = 9
