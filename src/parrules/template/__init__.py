"""Fill-in workbooks made from a ruleset (`parrules template`): what a council hands out to be filled.

Two layouts, both read back by `parrules score` with no option:

- `wide` (`wide.py`): one row per unit, one column per figure, under merged field headings;
- `sheets` (`sheets.py`): one sheet per unit, the *phiếu chấm điểm*, criteria as rows.

Each has, first, an instructions sheet (`instructions.py`), and every cell to fill has Excel's data
validation (`validation.py`): drop-downs from a hidden list sheet, ranges, an input message. What is
asked, and in which order, comes from `columns.py`. The workbook's bytes depend on the ruleset, the
units and the language only: it is dated by `SOURCE_DATE_EPOCH` (else 2000-01-01), not by the clock.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

from openpyxl import Workbook
from openpyxl.xml.functions import tostring

from parrules.i18n import _
from parrules.model import Model
from parrules.reproducible import reproducible, stamp
from parrules.template import style
from parrules.template.instructions import write_instructions
from parrules.template.sheets import write_unit_sheets
from parrules.template.units import UnitEntry, UnitList, read_units
from parrules.template.validation import Lists
from parrules.template.wide import write_wide

Layout: TypeAlias = Literal["wide", "sheets"]
LAYOUTS: tuple[Layout, ...] = ("wide", "sheets")

__all__ = ["LAYOUTS", "Layout", "UnitEntry", "UnitList", "read_units", "render_template"]


def render_template(model: Model, *, layout: Layout = "wide", units: Sequence[UnitEntry] = (),
                    ruleset: str = "RULESET.par", workbook: str = "FILE.xlsx") -> bytes:
    """The fill-in workbook of a checked ruleset's model, as `.xlsx` bytes.

    `units` pre-fill the names (and maxima, groups); `ruleset` and `workbook` are the file names the
    instructions' scoring command shows.
    """
    book = Workbook()
    style.default_font(book)
    first = book.active
    taken: set[str] = set()
    instructions = book.create_sheet(style.sheet_title(_("Instructions"), taken))
    if first is not None:
        book.remove(first)
    lists_title = style.sheet_title(_("Lists"), taken)
    blank: str | None = None
    made: list[tuple[Any, UnitEntry | None]] = []
    if layout == "wide":
        made.append((book.create_sheet(style.sheet_title(_("Data"), taken)), None))
    elif units:
        made += [(book.create_sheet(style.sheet_title(entry.name, taken)), entry) for entry in units]
    else:
        blank = style.sheet_title(_("Form"), taken)
        made.append((book.create_sheet(blank), None))
    lists = Lists(book, lists_title)
    data_sheets = [ws.title for ws, _entry in made]
    if layout == "wide":
        write_wide(made[0][0], model, units, lists)
    else:
        write_unit_sheets(made, model, lists)
    write_instructions(instructions, model, layout=layout, ruleset=ruleset, workbook=workbook,
                       data_sheets=data_sheets, blank_sheet=blank, lists_sheet=lists_title)
    book.active = 1  # the workbook opens on the first data sheet; the instructions are its first tab
    book.properties.creator = "parrules"
    buffer = io.BytesIO()
    book.save(buffer)
    book.properties.created = book.properties.modified = stamp()
    return reproducible(buffer.getvalue(), {"docProps/core.xml": tostring(book.properties.to_tree())})
