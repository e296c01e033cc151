"""The published results as an Excel workbook: the annex as issued, then per-criterion points and sub-indices.

The first sheet is the annex as a province issues it (Nghị định 30/2020/NĐ-CP): the two-column
header (the issuing authority and the decision's number on the left; Quốc hiệu, tiêu ngữ, place
and date on the right), "PHỤ LỤC", the title and "(Kèm theo Quyết định số …)"; the table with
every column that makes up the total (components, bonus, penalty), each group under its heading
line with its average line; the footnote on method; the signature block on the right. The header
and the signature are printed from the ruleset's `ruleset { … }` settings (or the options of
`parrules report`); what neither gives is left out, never filled in.

Numbers are stored as numbers (with formats of the ruleset's digits, e.g. 0.00: Excel and
LibreOffice show them with the reader's decimal separator), so councils can sum and sort; a
penalty is stored negative, so that the sum of a row's components, bonus and penalty is its total.
Text is stored as text, always: a unit named `=HYPERLINK(…)` or `+1` stays a name and never
becomes a formula.
"""

from __future__ import annotations

import io
import math
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
from parrules.report.document import Issuer
from parrules.report.layout import Cell, Column, PublishedTable, heading, published_table
from parrules.report.method import method_notes
from parrules.reproducible import reproducible, stamp
from parrules.results import INDEX_KINDS, Results
from parrules.template.style import BOX, FONT, default_font, lines, print_setup

HEADER_FILL = PatternFill("solid", fgColor="F0F0F0")
# Times New Roman, the font of administrative documents (Nghị định 30/2020/NĐ-CP).
BODY = Font(name=FONT, size=11)
BOLD = Font(name=FONT, size=11, bold=True)
ITALIC = Font(name=FONT, size=11, italic=True)
BOLD_ITALIC = Font(name=FONT, size=11, bold=True, italic=True)
HEADING = Font(name=FONT, size=12, bold=True)  # "PHỤ LỤC" and the title
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
NOTE = Alignment(horizontal="left", vertical="top", wrap_text=True)
NAME = Alignment(vertical="center", wrap_text=True, indent=1)  # a unit's name, its class: clear of the figures
POINTS_PER_LINE = 15  # the height of one line of 11-point text
SIGNATURE_SPACE = 4  # blank rows between the capacity lines and the signer's name: the signature and the seal
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Columns beyond which a group's table is printed landscape (stt, unit, components, total, index, …).
LANDSCAPE_FROM = 7
# Sheet names and the cells of a node that was not scored (message ids, translated where used).
SHEETS = {
    "results": N_("Results"),  # the annex
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



def _widths(layout: PublishedTable) -> list[float]:
    widths = {"stt": 6.0, "text": 14.0}
    return [40.0 if c.key == "unit" else widths.get(c.kind, 12.0) for c in layout.columns]


def _halves(widths: list[float]) -> int:
    """The last column of the header's left half: about two fifths of the table's width, as decisions lay it out."""
    total, used = sum(widths), 0.0
    for number, width in enumerate(widths[:-1], start=1):
        used += width
        if used >= total * 0.4:
            return number
    return max(1, len(widths) - 1)


def _merged(ws: Any, row: int, first: int, last: int, text: str, *, font: Font = BODY,
            alignment: Alignment = CENTRED) -> None:
    """`text` in the cells `first`…`last` of `row`, merged into one."""
    _put(ws, row, first, text)
    cell = ws.cell(row=row, column=first)
    cell.font, cell.alignment = font, alignment
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _height(ws: Any, row: int, texts: list[tuple[str, float]], *, size: float = 11, bold: bool = False) -> None:
    """A row as tall as its longest wrapped text: Excel and LibreOffice do not grow merged cells."""
    most = max((lines(text, width, bold=bold) for text, width in texts if text), default=1)
    if most > 1 or size != 11:
        ws.row_dimensions[row].height = math.ceil(most * POINTS_PER_LINE * size / 11) + 3


def _document_header(ws: Any, issuer: Issuer, widths: list[float], row: int) -> int:
    """The two columns over the table: authority and number | Quốc hiệu, tiêu ngữ, date. The next free row."""
    split, last = _halves(widths), len(widths)
    left, right = sum(widths[:split]), sum(widths[split:])
    lines_ = [(issuer.authority_line, BOLD, issuer.country, BOLD), (None, BOLD, issuer.motto, BOLD),
              (issuer.number_line, BODY, issuer.date_line, ITALIC)]
    for left_text, left_font, right_text, right_font in lines_:
        if left_text is None and right_text is None:
            continue
        if left_text is not None:
            _merged(ws, row, 1, split, left_text, font=left_font, alignment=CENTRED)
        if right_text is not None:
            _merged(ws, row, split + 1, last, right_text, font=right_font, alignment=CENTRED)
        _height(ws, row, [(left_text or "", left), (right_text or "", right)], bold=True)
        row += 1
    return row


def _title(ws: Any, layout: PublishedTable, issuer: Issuer, widths: list[float], row: int) -> int:
    """"PHỤ LỤC", the title and "(Kèm theo Quyết định số …)", centred over the table. The next free row."""
    last, total = len(widths), sum(widths)
    if not issuer.issued:
        # A table not (yet) issued by a decision: its title, as the sheet always began.
        _put(ws, row, 1, layout.title)
        ws.cell(row=row, column=1).font = BOLD
        return row + 1
    _merged(ws, row, 1, last, _("ANNEX"), font=HEADING, alignment=CENTRED)
    row += 1
    title = layout.title.upper()  # an annex's title is printed in capitals, bold
    _merged(ws, row, 1, last, title, font=HEADING, alignment=CENTRED)
    _height(ws, row, [(title, total * 0.9)], size=12, bold=True)
    row += 1
    if issuer.issued_with:
        _merged(ws, row, 1, last, issuer.issued_with, font=ITALIC, alignment=CENTRED)
        _height(ws, row, [(issuer.issued_with, total * 0.9)])
        row += 1
    return row


def _boxed(ws: Any, row: int, columns: int) -> None:
    for column in range(1, columns + 1):
        ws.cell(row=row, column=column).border = BOX


def _value(value: Cell, column: Column) -> Cell:
    """What a cell stores: a penalty negative (the total is the sum of the row), the rest as it is."""
    if column.kind == "penalty" and isinstance(value, Decimal) and value:
        return -value
    return value


def _table(ws: Any, layout: PublishedTable, widths: list[float], header_row: int) -> int:
    """The column headings, each group under its heading line with its average line, the overall average.

    The last row used.
    """
    columns = len(layout.columns)
    for i, column in enumerate(layout.columns, start=1):
        _put(ws, header_row, i, column.label)
        cell = ws.cell(row=header_row, column=i)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, CENTRED
        cell.border = BOX
    _height(ws, header_row, [(c.label, w) for c, w in zip(layout.columns, widths, strict=True)], bold=True)
    index_column = layout.column("index") + 1
    row_number = header_row
    for section in layout.sections:
        if section.title is not None:
            row_number += 1
            _put(ws, row_number, 1, section.number)
            ws.cell(row=row_number, column=1).font = BOLD
            ws.cell(row=row_number, column=1).alignment = CENTRED
            _merged(ws, row_number, 2, columns, section.title, font=BOLD,
                    alignment=Alignment(vertical="center", wrap_text=True))
            _height(ws, row_number, [(section.title, sum(widths[1:]))], bold=True)
            _boxed(ws, row_number, columns)
        for row in section.rows:
            row_number += 1
            for i, (value, column) in enumerate(zip(row.cells, layout.columns, strict=True), start=1):
                stored = _value(value, column)
                _put(ws, row_number, i, stored,
                     _number_format(column, stored) if isinstance(stored, Decimal) else None)
                ws.cell(row=row_number, column=i).font = BODY
                if column.kind in ("stt", "rank", "places"):
                    ws.cell(row=row_number, column=i).alignment = Alignment(horizontal="center")
                elif column.kind == "text":
                    ws.cell(row=row_number, column=i).alignment = NAME
            _boxed(ws, row_number, columns)
        if layout.grouped and section.average is not None:
            row_number += 1
            _average_line(ws, row_number, heading("group_average"), section.average, column=index_column, font=ITALIC)
            _boxed(ws, row_number, columns)
    if layout.average is not None:
        row_number += 1
        _average_line(ws, row_number, heading("average"), layout.average, column=index_column, font=BOLD)
        _boxed(ws, row_number, columns)
    return row_number


def _average_line(ws: Any, row: int, label: str, value: Decimal, *, column: int, font: Font) -> None:
    _put(ws, row, 2, label)
    _put(ws, row, column, value, _number_format(Column("index", "", "index"), value))
    ws.cell(row=row, column=2).font = ws.cell(row=row, column=column).font = font


def _footnote(ws: Any, notes: list[str], widths: list[float], row: int) -> int:
    """"Ghi chú:" and the method, a note a row, each wrapped across the table's width. The last row used."""
    last, total = len(widths), sum(widths)
    _put(ws, row, 1, _("Notes:"))
    ws.cell(row=row, column=1).font = BOLD_ITALIC
    for note in notes:
        row += 1
        text = f"- {note}"
        _merged(ws, row, 1, last, text, font=ITALIC, alignment=NOTE)
        _height(ws, row, [(text, total)])
    return row


def _signature(ws: Any, issuer: Issuer, widths: list[float], row: int) -> int:
    """The signature block under the right half: capacity lines, room to sign and seal, the name. The last row."""
    split, last = _halves(widths), len(widths)
    right = sum(widths[split:])
    for line in issuer.signature:
        _merged(ws, row, split + 1, last, line.upper(), font=BOLD, alignment=CENTRED)
        _height(ws, row, [(line.upper(), right)], bold=True)
        row += 1
    if issuer.signer:
        row += SIGNATURE_SPACE
        _merged(ws, row, split + 1, last, issuer.signer, font=BOLD, alignment=CENTRED)
        return row
    return row - 1


def _results_sheet(ws: Any, layout: PublishedTable, issuer: Issuer, notes: list[str]) -> None:
    widths = _widths(layout)
    row = 1
    if issuer.issued:
        row = _document_header(ws, issuer, widths, row) + 1  # a blank line before the title
    row = _title(ws, layout, issuer, widths, row)
    header_row = row + 1  # a blank line between the title and the table
    last_row = _table(ws, layout, widths, header_row)
    if notes:
        last_row = _footnote(ws, notes, widths, last_row + 2)
    if issuer.signature or issuer.signer:
        last_row = _signature(ws, issuer, widths, last_row + 2)
    ws.freeze_panes = f"C{header_row + 1}"
    # A4, one page wide, the table's header row (not the document's) repeated, the title and the
    # page number on every page; on the first page the document's own header stands instead.
    print_setup(ws, landscape=len(layout.columns) >= LANDSCAPE_FROM, title_rows=f"{header_row}:{header_row}")
    ws.print_area = f"A1:{get_column_letter(len(widths))}{last_row}"
    ws.oddHeader.center.text = layout.title.replace("&", "&&")
    ws.oddHeader.center.size = 9
    if issuer.issued:
        ws.HeaderFooter.differentFirst = True
        ws.firstFooter.center.text = ws.oddFooter.center.text
        ws.firstFooter.center.size = ws.oddFooter.center.size
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


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


def render_xlsx(results: Results, change: YearChange | None = None, *, issuer: Issuer | None = None) -> bytes:
    """The workbook; `issuer` says how the decision is printed (None: as the ruleset says it)."""
    if issuer is None:
        issuer = Issuer.of_results(results)
    layout = published_table(results, change)
    book = Workbook()
    default_font(book)
    default = book.active
    if default is not None:
        book.remove(default)
    taken: set[str] = set()
    _results_sheet(book.create_sheet(_sheet_title(_(SHEETS["results"]), taken)), layout, issuer,
                   method_notes(results))
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
