"""The `wide` layout: one sheet, one row per unit, one column per thing asked.

    row 1–3   the ruleset's title, its authority and year, what the sheet is
    row 5     a heading per field, merged across that field's columns
    row 6     each column's title: `1.5.2 Triển khai nhân rộng… (points)`, `Tỷ lệ hoàn thành… (%)`
    row 7     the key row: the machine names (`unit`, `plan_done`, `propaganda_points@self`, `1.5.2`)
    row 8…    the units

The data reader takes as the header the row that best matches the ruleset's names: the key row
matches every column exactly, so what was typed under a column is read as that column, whatever a
council did to the titles above it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from openpyxl.utils import get_column_letter

from parrules.i18n import _
from parrules.model import Model
from parrules.template import style
from parrules.template.columns import Ask, Section, sections
from parrules.template.units import UnitEntry
from parrules.template.validation import Lists, Validations

HEADINGS, TITLES, KEYS, FIRST = 5, 6, 7, 8
SPARE_ROWS = 10  # below the units given, for one the list forgot
BLANK_ROWS = 100  # prepared in a template without units
PAGE_WIDTH = 130  # what an A4 landscape page holds at 100 %, in widths of the default font (Times 11)
WIDTHS = {"stt": 5.0, "unit": 40.0}
WIDTH = 15.0


def title_block(ws: Any, model: Model, what: str) -> None:
    """The ruleset's title, authority and year, and what the sheet is, in its first three rows."""
    meta = model.meta
    style.put_text(ws, 1, 1, meta.title, style.TITLE)
    line = " – ".join(p for p in (meta.authority, _("year {year}").format(year=meta.year) if meta.year else None)
                      if p)
    if line:
        style.put_text(ws, 2, 1, line, style.ITALIC)
    style.put_text(ws, 3, 1, what, style.SUBTITLE)


def write_wide(ws: Any, model: Model, units: Sequence[UnitEntry], lists: Lists) -> None:
    title_block(ws, model, _("FILL-IN FORM: one row per unit"))
    found = sections(model)
    columns: list[tuple[Section, Ask | None]] = [(found[0], None)]  # STT, under the unit's heading
    columns += [(section, ask) for section in found for ask in section.asks]
    rows = len(units) + SPARE_ROWS if units else BLANK_ROWS
    last = FIRST + rows - 1
    checks = Validations(ws, lists, model)
    start = 1
    for section in found:  # the headings row, merged over each section's columns
        span = len(section.asks) + (1 if section is found[0] else 0)
        cell = style.put_text(ws, HEADINGS, start, section.heading, style.BOLD)
        for column in range(start, start + span):
            ws.cell(row=HEADINGS, column=column).fill = style.HEADER_FILL
            ws.cell(row=HEADINGS, column=column).border = style.BOX
        # Left, not centred: a heading merged over many columns is then seen where its columns start.
        cell.alignment = style.LEFT
        if span > 1:
            ws.merge_cells(start_row=HEADINGS, start_column=start, end_row=HEADINGS, end_column=start + span - 1)
        start += span
    title_texts: list[tuple[str, float]] = []
    heading_texts: list[tuple[str, float]] = []
    for index, (_section, ask) in enumerate(columns, start=1):
        key, title = ("stt", _("No.")) if ask is None else (ask.key, ask.title)
        width = WIDTHS.get(key if ask is None or ask.kind != "unit" else "unit", WIDTH)
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = width
        head = style.put_text(ws, TITLES, index, title, style.BOLD)
        head.alignment, head.fill, head.border = style.CENTRED, style.HEADER_FILL, style.BOX
        title_texts.append((title, width))
        keyed = style.put_text(ws, KEYS, index, key, style.KEY)
        keyed.alignment, keyed.border = style.CENTRED, style.BOX
        for row in range(FIRST, last + 1):
            style.input_cell(ws.cell(row=row, column=index))
        if ask is not None:
            checks.add(ask, f"{letter}{FIRST}:{letter}{last}")
    for section in found:
        heading_texts.append((section.heading, WIDTH * max(1, len(section.asks))))
    for row, entry in enumerate(units, start=FIRST):
        _fill(ws, row, columns, entry)
    ws.row_dimensions[HEADINGS].height = style.row_height(heading_texts, bold=True)
    ws.row_dimensions[TITLES].height = style.row_height(title_texts, bold=True)
    ws.row_dimensions[KEYS].height = 11
    ws.freeze_panes = ws.cell(row=FIRST, column=3)
    total = sum(ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(columns) + 1))
    style.print_setup(ws, landscape=True, title_rows=f"{HEADINGS}:{KEYS}", title_columns="A:B",
                      pages_wide=max(1, math.ceil(total / PAGE_WIDTH)))
    ws.print_area = f"A1:{get_column_letter(len(columns))}{max(last, FIRST)}"
    style.protect(ws)


def _fill(ws: Any, row: int, columns: list[tuple[Section, Ask | None]], entry: UnitEntry) -> None:
    """A unit the `--units` file names: its number, its name, and its maximum and group if given."""
    for index, (_section, ask) in enumerate(columns, start=1):
        if ask is None:
            style.put_number(ws, row, index, entry.number)
        elif ask.kind == "unit":
            style.put_text(ws, row, index, entry.name)
        elif ask.kind == "max" and entry.max is not None:
            style.put_number(ws, row, index, entry.max)
        elif ask.kind == "group" and entry.group is not None:
            style.put_text(ws, row, index, entry.group)
        else:
            continue
        style.input_cell(ws.cell(row=row, column=index))
