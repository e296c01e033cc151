"""The instructions sheet (Hướng dẫn), first in the workbook: what it is, how to fill it in, how to score it."""

from __future__ import annotations

from typing import Any, Literal

from openpyxl.styles import Font

from parrules.i18n import _
from parrules.model import Model
from parrules.template import style
from parrules.template.columns import yes_no_words

WIDTH = 90.0  # within an A4 portrait page: LibreOffice never shrinks a single column to fit
CODE = Font(name="Courier New", size=11, bold=True)


def write_instructions(ws: Any, model: Model, *, layout: Literal["wide", "sheets"], ruleset: str, workbook: str,
                       data_sheets: list[str], blank_sheet: str | None, lists_sheet: str) -> None:
    yes, no = yes_no_words()
    meta = model.meta
    lines: list[tuple[str, Font]] = [(_("INSTRUCTIONS FOR FILLING IN THE WORKBOOK"), style.TITLE),
                                     (meta.title, style.SUBTITLE)]
    said = " – ".join(p for p in (meta.authority, _("year {year}").format(year=meta.year) if meta.year else None) if p)
    if said:
        lines.append((said, style.ITALIC))
    lines += [("", style.BODY),
              (_("This workbook is the fill-in form of the ruleset {file}, made by parrules. Fill it in, save it as "
                 "an Excel workbook (.xlsx) and score it with parrules, as below.").format(file=ruleset), style.BODY),
              ("", style.BODY), (_("1. The sheets"), style.BOLD)]
    if layout == "wide":
        lines.append((_("“{sheet}”: one row per unit, one column per figure, grouped under the fields of the ruleset. "
                        "The small grey row under the column titles holds the names parrules reads: do not change "
                        "it, and do not insert, delete or move columns.").format(sheet=data_sheets[0]), style.BODY))
    else:
        lines.append((_("One sheet per unit (the scoring sheet, phiếu chấm điểm): the unit's name at the top, then "
                        "the criteria with their maximum points and, under each criterion, the figures it is scored "
                        "from. The small grey column on the right holds the names parrules reads: do not change it, "
                        "and do not insert or delete rows."), style.BODY))
        if blank_sheet is not None:
            lines.append((_("For each unit, copy the sheet “{sheet}” (right-click its tab → Move or Copy → Create a "
                            "copy), name the copy after the unit and write the unit's name at the top. Leave "
                            "“{sheet}” itself blank: a blank sheet is not read.").format(sheet=blank_sheet),
                          style.BODY))
    lines += [(_("The hidden sheet “{sheet}” holds the lists the drop-down cells offer.").format(sheet=lists_sheet),
               style.BODY),
              ("", style.BODY), (_("2. Filling in"), style.BOLD),
              (_("Type only in the pale yellow cells; the other cells are locked so that nothing is changed by "
                 "mistake. The protection has no password: Review → Unprotect Sheet lifts it."), style.BODY),
              (_("Select a cell to see what it takes; a value outside its range is refused."), style.BODY),
              (_("Yes or no: choose {yes} or {no} from the cell's list.").format(yes=yes, no=no), style.BODY),
              (_("A choice: choose it from the cell's list."), style.BODY),
              (_("Percentages in percent units: type 85 for 85 %, not 0.85."), style.BODY),
              (_("Counts are whole numbers, 0 or more; points lie within the maximum shown."), style.BODY),
              (_("Decimals: type them as Excel takes numbers on your computer (62,5 with Vietnamese settings, 62.5 "
                 "with English ones); the workbook keeps them as numbers. A number Excel keeps as text (aligned "
                 "left, with a green corner) is not a number: type it again."), style.BODY),
              (_("Leave a cell blank where it does not apply to the unit: a blank cell is not zero. Where the ruleset "
                 "gives a value for a blank cell, the cell's message says it."), style.BODY),
              ("", style.BODY), (_("3. Scoring"), style.BOLD),
              (_("Save the workbook and score it with:"), style.BODY),
              (f"parrules score {ruleset} {workbook}", CODE),
              (_("parrules lists every problem with its sheet, row and column, and scores nothing until every one "
                 "is fixed."), style.BODY)]
    ws.column_dimensions["A"].width = WIDTH
    for row, (text, font) in enumerate(lines, start=1):
        if text:
            style.put_text(ws, row, 1, text, font, wrap=True)
            ws.row_dimensions[row].height = style.row_height([(text, WIDTH)], font.sz or 11)
    style.print_setup(ws, landscape=False, title_rows=None)
    ws.print_area = f"A1:A{len(lines)}"  # LibreOffice fits a sheet to the page only within a print area
    style.protect(ws)
