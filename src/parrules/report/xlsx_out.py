"""The published results as an Excel workbook: a sheet per group, a sheet of per-criterion points.

Numbers are stored as numbers (with 2-decimal formats, as the ruleset rounds them), so councils
can sum and sort; text is stored as text, always: a unit named `=HYPERLINK(…)` or `+1` stays a
name and never becomes a formula.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

from parrules.history import YearChange
from parrules.i18n import N_, _
from parrules.report.layout import Cell, Column, PublishedTable, Section, heading, published_table
from parrules.reproducible import reproducible, stamp
from parrules.results import INDEX_KINDS, Results
from parrules.template.style import print_setup

HEADER_FILL = PatternFill("solid", fgColor="F0F0F0")
BOLD = Font(bold=True)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Columns beyond which a group's table is printed landscape (stt, unit, components, total, index, …).
LANDSCAPE_FROM = 7
# Sheet names and the cells of a node that was not scored (message ids, translated where used).
SHEETS = {
    "results": N_("Results"),
    "change": N_("Compared with last year"),
    "criteria": N_("Points by criterion"),
    "indices": N_("Sub-indices"),
}
NOT_SCORED = {"excluded": N_("excluded"), "not_applicable": N_("does not apply")}


def _number_format(column: Column, value: Decimal) -> str:
    if column.kind == "max":
        return "0.##" if value != value.to_integral_value() else "0"
    if column.kind == "change":
        return "+0.00;-0.00;0.00"
    exponent = value.as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "0." + "0" * digits if digits else "0"


def _put(ws: Any, row: int, column: int, value: Cell | float, number_format: str | None = None) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Decimal):
        # openpyxl stores floats; the format shows the ruleset's digits, and the value is the
        # nearest double to a 2-decimal figure, which Excel displays and sums as that figure.
        cell.value = float(value)
        cell.number_format = number_format or "0.00"
    elif isinstance(value, str):
        # Characters XML cannot hold (openpyxl would refuse the whole workbook) are shown as escapes.
        cell.value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
    else:
        cell.value = value


def _sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: 31 characters at most, without []:*?/\\ (a slash reads as a dash).

    A longer name is cut at a word and ends with "…", not in the middle of a word.
    """
    cleaned = re.sub(r"\s+", " ", _BAD_SHEET_CHARS.sub(lambda m: "-" if m.group() in "/\\" else " ", name)).strip()
    if len(cleaned) > 31:
        cut = cleaned[:30]
        cleaned = (cut.rsplit(" ", 1)[0] if " " in cut[10:] else cut).rstrip(" ,.;-–") + "…"
    base = cleaned or "Sheet"
    title, n = base, 2
    while title.casefold() in taken:
        title, n = f"{base[:25]} ({n})", n + 1
    taken.add(title.casefold())
    return title


def _group_sheet(ws: Any, layout: PublishedTable, section: Section) -> None:
    top = 1
    sheet_heading = layout.title if not section.title else f"{layout.title} — {section.number}. {section.title}"
    _put(ws, top, 1, sheet_heading)
    ws.cell(row=top, column=1).font = BOLD
    header_row = top + 2
    for i, column in enumerate(layout.columns, start=1):
        _put(ws, header_row, i, column.label)
        ws.cell(row=header_row, column=i).font = BOLD
        ws.cell(row=header_row, column=i).fill = HEADER_FILL
        ws.cell(row=header_row, column=i).alignment = Alignment(wrap_text=True, vertical="center")
    row_number = header_row
    for row in section.rows:
        row_number += 1
        for i, (value, column) in enumerate(zip(row.cells, layout.columns, strict=True), start=1):
            _put(ws, row_number, i, value, _number_format(column, value) if isinstance(value, Decimal) else None)
    if section.average is not None:
        row_number += 1
        label = heading("group_average") if layout.grouped else heading("average")
        _put(ws, row_number, 2, label)
        _put(ws, row_number, layout.column("index") + 1, section.average, "0.00")
        ws.cell(row=row_number, column=2).font = Font(italic=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    # A4, one page wide, the header row repeated, the title and the page number on every page.
    print_setup(ws, landscape=len(layout.columns) >= LANDSCAPE_FROM, title_rows=f"{header_row}:{header_row}")
    ws.oddHeader.center.text = sheet_heading.replace("&", "&&")
    ws.oddHeader.center.size = 9
    widths = {"stt": 6, "text": 14}
    for i, column in enumerate(layout.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 40 if column.key == "unit" else widths.get(column.kind, 12)


def _criteria_sheet(ws: Any, results: Results) -> None:
    """Per unit, every node's points (and its index for fields and criteria): the appraisal detail."""
    if not results.units:
        return
    first = results.units[0]
    nodes = [n for root in first.nodes for n in root.walk()]
    _put(ws, 1, 1, heading("unit"))
    _put(ws, 2, 1, "")
    for i, node in enumerate(nodes, start=2):
        _put(ws, 1, i, node.id)
        _put(ws, 2, i, node.title)
        ws.cell(row=1, column=i).font = BOLD
    _put(ws, 3, 1, heading("max"))
    for i, node in enumerate(nodes, start=2):
        _put(ws, 3, i, node.declared_max, "0.##")
    for r, unit in enumerate(results.units, start=4):
        _put(ws, r, 1, unit.unit)
        by_id = {n.id: n for root in unit.nodes for n in root.walk()}
        for i, node in enumerate(nodes, start=2):
            found = by_id.get(node.id)
            if found is not None and found.status == "scored":
                _put(ws, r, i, results.round_points(found.points), "0.00")
            else:
                status = "excluded" if found is None or found.status == "excluded" else "not_applicable"
                _put(ws, r, i, _(NOT_SCORED[status]))
    ws.freeze_panes = ws.cell(row=4, column=2)
    ws.column_dimensions["A"].width = 40
    # Many criteria are many pages wide: the unit's column and the three heading rows are repeated.
    print_setup(ws, landscape=True, title_rows="1:3", title_columns="A:A", pages_wide=max(1, len(nodes) // 12))


def _indices_sheet(ws: Any, results: Results) -> None:
    """Per-field and per-criterion indices (chỉ số thành phần), per unit, with each group's average."""
    if not results.units:
        return
    nodes = [n for root in results.units[0].nodes for n in root.walk() if n.kind in INDEX_KINDS]
    _put(ws, 1, 1, heading("unit"))
    for i, node in enumerate(nodes, start=2):
        _put(ws, 1, i, f"{node.id} {node.title}")
        ws.cell(row=1, column=i).font = BOLD
    r = 1
    for group in results.groups:
        for unit in results.in_group(group.name):
            r += 1
            _put(ws, r, 1, unit.unit)
            indices = results.node_indices(unit)
            for i, node in enumerate(nodes, start=2):
                if node.id in indices:
                    _put(ws, r, i, indices[node.id], "0.00")
        r += 1
        label = _("Group average index: {group}").format(group=group.name) if group.name else heading("average")
        _put(ws, r, 1, label)
        ws.cell(row=r, column=1).font = Font(italic=True)
        averages = results.group_node_indices(group.name)
        for i, node in enumerate(nodes, start=2):
            if node.id in averages:
                _put(ws, r, i, averages[node.id], "0.00")
    ws.column_dimensions["A"].width = 40
    print_setup(ws, landscape=True, title_rows="1:1", title_columns="A:A", pages_wide=max(1, len(nodes) // 12))


def render_xlsx(results: Results, change: YearChange | None = None) -> bytes:
    layout = published_table(results, change)
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    taken: set[str] = set()
    for section in layout.sections:
        name = f"{section.number}. {section.title}" if section.title else _(SHEETS["results"])
        _group_sheet(book.create_sheet(_sheet_title(name, taken)), layout, section)
    if layout.change_lines:
        ws = book.create_sheet(_sheet_title(_(SHEETS["change"]), taken))
        for r, line in enumerate(layout.change_lines, start=1):
            _put(ws, r, 1, line)
    _criteria_sheet(book.create_sheet(_sheet_title(_(SHEETS["criteria"]), taken)), results)
    _indices_sheet(book.create_sheet(_sheet_title(_(SHEETS["indices"]), taken)), results)
    buffer = io.BytesIO()
    book.save(buffer)
    # Saving dates the workbook now; `stamp()` dates it instead, so the same results give the same bytes.
    book.properties.created = book.properties.modified = stamp()
    book.properties.creator = "parrules"
    return reproducible(buffer.getvalue(), {"docProps/core.xml": tostring(book.properties.to_tree())})
