"""The `sheets` layout: one sheet per unit, the *phiếu chấm điểm* councils fill in, criteria as rows.

    row 1–3   the ruleset's title, its authority and year, "PHIẾU CHẤM ĐIỂM"
    row 5     Đơn vị: the unit's name
    row 6…    its maximum and group (when the data gives them), its attributes
    then      Mã | Nội dung | Điểm tối đa | Số liệu | Tự chấm | Thẩm định | Tài liệu kiểm chứng / Ghi chú
              the key row (#id #title …) under the headings
              every component, field and criterion with its maximum; under each, the figures it reads

The grey key column on the right carries the machine name of every row that holds a value, and the
key row says which column is which (`parrules.data.sheets` reads them back): that is what makes the
round trip exact, whatever a council writes in the other columns. It is outside the print area.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.copier import WorksheetCopy

from parrules.data import sheets as layout
from parrules.i18n import _
from parrules.model import Declaration, Extra, Given, Model, Node
from parrules.template import style
from parrules.template.columns import (
    Ask,
    asks_for,
    describing,
    excluded_ids,
    first_readers,
    input_title,
    node_reads,
    sections,
    unread_inputs,
)
from parrules.template.units import UnitEntry
from parrules.template.validation import Lists, Validations
from parrules.template.wide import title_block

ID, TITLE, MAX, VALUE = 1, 2, 3, 4
WIDTHS = {ID: 8.0, TITLE: 58.0, MAX: 10.0, VALUE: 13.0}
STAGE_WIDTH, NOTE_WIDTH, KEY_WIDTH = 11.0, 30.0, 16.0
UNIT_ROW = 5
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


class UnitSheet:
    """One unit's sheet (or the blank form): writes its rows top to bottom."""

    def __init__(self, ws: Any, model: Model, lists: Lists) -> None:
        self.ws = ws
        self.model = model
        self.checks = Validations(ws, lists, model)
        staged = any(a.stage is not None for s in sections(model) for a in s.asks)
        self.stages = model.stages if staged else ()
        self.stage_columns = {s.name: VALUE + 1 + i for i, s in enumerate(self.stages)}
        self.note = VALUE + len(self.stages) + 1
        self.key = self.note + 1
        self.row = UNIT_ROW
        self.declared = {d.name: d for d in model.inputs}
        self.first = first_readers(model)
        self.dropped = excluded_ids(model)
        self.places: dict[str, str] = {}  # where the unit's name, maximum and group are: unit → B5

    # ---- the parts of the sheet ----

    def write(self, entry: UnitEntry | None, *, form: bool) -> None:
        title_block(self.ws, self.model, _("SCORING SHEET"))
        for row in (1, 2, 3):
            self.ws.merge_cells(start_row=row, start_column=ID, end_row=row, end_column=self.note)
            self.ws.cell(row=row, column=ID).alignment = Alignment(horizontal="center", vertical="center",
                                                                   wrap_text=True)
        self.ws.row_dimensions[1].height = style.row_height([(self.model.meta.title, self._width_to(self.note))],
                                                            14)
        if form:
            note = style.put_text(self.ws, 4, ID, _("Copy this sheet once per unit (right-click its tab → Move or "
                                                     "Copy → Create a copy) and write the unit's name below."),
                                  style.MUTED)
            self.ws.merge_cells(start_row=4, start_column=ID, end_row=4, end_column=self.note)
            note.alignment = Alignment(wrap_text=True, vertical="top")
            self.ws.row_dimensions[4].height = style.row_height([(str(note.value), self._width_to(self.note))])
        self._describing(entry)
        self.row += 1
        self._headings()
        for number, component in enumerate(self.model.components):
            self._node(component, 0, ROMAN[number] if number < len(ROMAN) else str(number + 1))
        self._extras()
        self._others()
        self._finish()

    def fill(self, ws: Any, entry: UnitEntry) -> None:
        """Put another unit's name, maximum and group in a copy of this sheet."""
        values: dict[str, str | Decimal | None] = {"unit": entry.name, "max": entry.max, "group": entry.group}
        for kind, coordinate in self.places.items():
            value = values[kind]
            cell = ws[coordinate]
            if isinstance(value, Decimal):
                style.set_number(cell, value)
            else:
                cell.value = value
                if value is not None:
                    cell.data_type = "s"  # a name stays text, whatever it starts with

    def _describing(self, entry: UnitEntry | None) -> None:
        for ask in describing(self.model):
            if ask.kind == "unit":
                label = style.put_text(self.ws, self.row, ID, _("Unit:"), style.BOLD)
                label.alignment = Alignment(vertical="center")
                name = style.put_text(self.ws, self.row, TITLE, entry.name if entry else "", style.BOLD)
                style.input_cell(name)
                name.font = style.SUBTITLE
                self.checks.add(ask, name.coordinate)
                self.places["unit"] = name.coordinate
                self.ws.row_dimensions[self.row].height = 20
            else:
                style.put_text(self.ws, self.row, TITLE, ask.title, wrap=True)
                cell = self.ws.cell(row=self.row, column=VALUE)
                if entry is not None and ask.kind == "max" and entry.max is not None:
                    style.put_number(self.ws, self.row, VALUE, entry.max)
                if entry is not None and ask.kind == "group" and entry.group is not None:
                    style.put_text(self.ws, self.row, VALUE, entry.group)
                style.input_cell(cell)
                self.checks.add(ask, cell.coordinate)
                if ask.kind in ("max", "group"):
                    self.places[ask.kind] = cell.coordinate
                self._height([(ask.title, WIDTHS[TITLE])])
            self._key(ask.key)
            self.row += 1

    def _headings(self) -> None:
        texts = {ID: _("Code"), TITLE: _("Content"), MAX: _("Maximum points"), VALUE: _("Figure"),
                 self.note: _("Evidence / notes")}
        texts.update({self.stage_columns[s.name]: s.title or s.name for s in self.stages})
        keys = {ID: layout.ID, TITLE: layout.TITLE, MAX: layout.MAX, VALUE: layout.VALUE, self.note: layout.NOTE,
                self.key: layout.KEY}
        keys.update({self.stage_columns[s.name]: f"{layout.STAGE}{s.name}" for s in self.stages})
        for column, text in texts.items():
            cell = style.put_text(self.ws, self.row, column, text, style.BOLD)
            cell.alignment, cell.fill, cell.border = style.CENTRED, style.HEADER_FILL, style.BOX
        self._height([(t, self._width(c)) for c, t in texts.items()], bold=True)
        self.headings = self.row
        self.row += 1
        for column, key in keys.items():
            cell = style.put_text(self.ws, self.row, column, key, style.KEY)
            cell.alignment, cell.border = style.CENTRED, style.BOX
        self.ws.row_dimensions[self.row].height = 11
        self.row += 1

    def _node(self, node: Node, depth: int, label: str | None = None) -> None:
        excluded = node.id in self.dropped
        font = style.BOLD if node.kind in ("component", "field") else style.BODY
        if excluded:
            font = style.MUTED
        style.put_text(self.ws, self.row, ID, label or node.id, font).alignment = style.TOP
        title = style.put_text(self.ws, self.row, TITLE, node.title, font, wrap=True)
        title.alignment = Alignment(wrap_text=True, vertical="top", indent=max(0, depth - 1))
        style.put_number(self.ws, self.row, MAX, node.max, font).alignment = style.TOP
        fill = style.COMPONENT_FILL if node.kind == "component" else style.FIELD_FILL if node.kind == "field" else None
        for column in range(ID, self.note + 1):
            cell = self.ws.cell(row=self.row, column=column)
            cell.border = style.BOX
            if fill is not None:
                cell.fill = fill
        self._height([(node.title, WIDTHS[TITLE] - 2 * max(0, depth - 1))], bold=font is style.BOLD)
        notes = self.ws.cell(row=self.row, column=self.note)
        if excluded:
            reason = next((e.reason for e in self.model.exclusions if e.node_id == node.id), None)
            if reason is not None:
                style.put_text(self.ws, self.row, self.note, _("Not scored: {reason}").format(reason=reason),
                               style.MUTED, wrap=True)
                self._height([(str(notes.value), NOTE_WIDTH)])
            self.row += 1
            return  # nothing under an excluded node is scored, so nothing is asked
        style.input_cell(notes)
        if fill is not None:
            notes.fill = fill
        if isinstance(node.rule, Given) and node.rule.input == node.id:  # points given directly, on its own row
            self._values(asks_for(self.declared[node.id], self.model, node))
            self._key(node.id)
        self.row += 1
        self._inputs(node, depth)
        for child in node.children:
            self._node(child, depth + 1)

    def _inputs(self, owner: Node | Extra, depth: int) -> None:
        """A row for each input `owner` is the first to read (a bare `given` is on the owner's own row)."""
        for name in node_reads(owner, self.model):
            decl = self.declared[name]
            if self.first.get(name) is owner and not decl.implicit:
                self._input_row(decl, owner, depth)

    def _input_row(self, decl: Declaration, owner: Node | Extra | None, depth: int) -> None:
        text = f"– {input_title(decl, owner)}"
        title = style.put_text(self.ws, self.row, TITLE, text, style.ITALIC, wrap=True)
        title.alignment = Alignment(wrap_text=True, vertical="top", indent=depth)
        for column in range(ID, self.note + 1):
            self.ws.cell(row=self.row, column=column).border = style.BOX
        style.input_cell(self.ws.cell(row=self.row, column=self.note))
        self._values(asks_for(decl, self.model, owner))
        self._key(decl.name)
        self._height([(text, WIDTHS[TITLE] - 2 * depth)])
        self.row += 1

    def _values(self, asks: Sequence[Ask]) -> None:
        """The cells a row's asks are typed in: one per stage, or the figure column."""
        for ask in asks:
            column = self.stage_columns[ask.stage.name] if ask.stage is not None else VALUE
            cell = self.ws.cell(row=self.row, column=column)
            style.input_cell(cell)
            self.checks.add(ask, cell.coordinate)

    def _extras(self) -> None:
        if not self.model.extras:
            return
        self._section(_("Bonus and penalty points"))
        for extra in self.model.extras:
            style.put_text(self.ws, self.row, ID, extra.id).alignment = style.TOP
            style.put_text(self.ws, self.row, TITLE, extra.title, wrap=True)
            style.put_number(self.ws, self.row, MAX, extra.cap).alignment = style.TOP
            for column in range(ID, self.note + 1):
                self.ws.cell(row=self.row, column=column).border = style.BOX
            style.input_cell(self.ws.cell(row=self.row, column=self.note))
            self._height([(extra.title, WIDTHS[TITLE])])
            if isinstance(extra.rule, Given) and extra.rule.input == extra.id:
                self._values(asks_for(self.declared[extra.id], self.model, extra))
                self._key(extra.id)
            self.row += 1
            self._inputs(extra, 1)

    def _others(self) -> None:
        rest = unread_inputs(self.model)
        if rest:
            self._section(_("Other inputs"))
        for decl in rest:
            self._input_row(decl, None, 1)

    def _section(self, heading: str) -> None:
        style.put_text(self.ws, self.row, TITLE, heading, style.BOLD)
        for column in range(ID, self.note + 1):
            cell = self.ws.cell(row=self.row, column=column)
            cell.fill, cell.border = style.COMPONENT_FILL, style.BOX
        self.row += 1

    def _finish(self) -> None:
        for column in range(1, self.key + 1):
            self.ws.column_dimensions[get_column_letter(column)].width = self._width(column)
        style.print_setup(self.ws, landscape=False, title_rows=f"{self.headings}:{self.headings + 1}")
        self.ws.print_area = f"A1:{get_column_letter(self.note)}{self.row - 1}"  # the key column is not printed
        style.protect(self.ws)

    # ---- helpers ----

    def _key(self, key: str) -> None:
        style.put_text(self.ws, self.row, self.key, key, style.KEY).border = style.BOX

    def _width(self, column: int) -> float:
        if column in WIDTHS:
            return WIDTHS[column]
        return NOTE_WIDTH if column == self.note else KEY_WIDTH if column == self.key else STAGE_WIDTH

    def _width_to(self, last: int) -> float:
        return sum(self._width(c) for c in range(1, last + 1))

    def _height(self, texts: list[tuple[str, float]], *, bold: bool = False) -> None:
        height = style.row_height(texts, bold=bold)
        if height > style.POINTS_PER_LINE + 3:  # one line: the default height fits it
            self.ws.row_dimensions[self.row].height = height


def write_unit_sheets(sheets: Sequence[tuple[Any, UnitEntry | None]], model: Model, lists: Lists) -> None:
    """Every unit's sheet: the first written cell by cell, every other one copied from it.

    openpyxl is slow to give cells their styles one by one (a second per sheet of a full ruleset),
    and the sheets differ only in the unit's name, maximum and group: a copy takes the styles as they
    are, then gets those three cells, and the validations, protection and print setup a copy lacks.
    """
    source, entry = sheets[0]
    writer = UnitSheet(source, model, lists)
    writer.write(entry, form=entry is None)
    for target, other in sheets[1:]:
        WorksheetCopy(source, target).copy_worksheet()
        for validation in source.data_validations.dataValidation:
            target.add_data_validation(copy.deepcopy(validation))
        target.protection = copy.copy(source.protection)
        target.HeaderFooter = copy.deepcopy(source.HeaderFooter)
        target.print_title_rows = source.print_title_rows
        target.print_area = source.print_area
        if other is not None:
            writer.fill(target, other)
