"""The published results table as data: what every renderer (terminal, Markdown, HTML, Excel) lays out.

The layout follows the tables provinces publish (the Lai Châu 2020 decision): per group a heading
line (I, II, … and the group's name), then STT, unit, each component's points, total, (maximum
when units differ), index %, class, rank; the group's average line; the overall average last.
Headings are in the reader's language (`i18n`: the Vietnamese of the published tables by default,
English with `--lang en`); component headings are the ruleset's own titles. Cells keep their
`Decimal` so that Excel gets numbers and text renderers get the ruleset's digits.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from attrs import frozen

from parrules.figures import shown, shown_max, shown_signed
from parrules.history import YearChange
from parrules.i18n import N_, _
from parrules.results import Results

# Message ids: translate where used, `heading("unit")` (the Vietnamese is that of the published tables).
HEADINGS = {
    "stt": N_("No."),
    "unit": N_("Unit"),
    "total": N_("Total points"),
    "max": N_("Maximum points"),
    "index": N_("Index (%)"),
    "class": N_("Class"),
    "rank": N_("Rank"),
    "group_average": N_("Group average index"),
    "average": N_("Average index"),
    "index_change": N_("Index change"),
    "rank_change": N_("Rank change"),
    "new": N_("new"),
    "field_indices": N_("Sub-indices (points obtained ÷ maximum points × 100)"),
}


def heading(key: str) -> str:
    """A column title or a heading of the published table, in the reader's language."""
    return _(HEADINGS[key])

# "penalty": points taken off, printed with their minus sign so that the total is the sum of the row.
ColumnKind = Literal["stt", "text", "points", "penalty", "max", "index", "rank", "change", "places"]
Cell = str | Decimal | int | None


@frozen
class Column:
    key: str
    label: str
    kind: ColumnKind


@frozen
class Row:
    cells: tuple[Cell, ...]
    unit: str | None = None  # the unit's name; None on heading and average lines
    kind: Literal["unit", "group", "average"] = "unit"
    class_: str | None = None


@frozen
class Section:
    number: str  # I, II, … ("" when the ruleset has no groups)
    title: str | None
    rows: tuple[Row, ...]
    average: Decimal | None


@frozen
class PublishedTable:
    title: str
    columns: tuple[Column, ...]
    sections: tuple[Section, ...]
    average: Decimal | None
    change_lines: tuple[str, ...] = ()

    @property
    def grouped(self) -> bool:
        return len(self.sections) > 1 or (bool(self.sections) and self.sections[0].title is not None)

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def unit_rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]


def published_table(results: Results, change: YearChange | None = None) -> PublishedTable:
    show_max = len({u.max for u in results.units}) > 1
    show_rank = any(u.rank is not None for u in results.units)
    show_class = bool(results.classes)  # a decision that publishes no class (xếp loại) has no such column
    columns = [Column("stt", heading("stt"), "stt"), Column("unit", heading("unit"), "text")]
    columns += [Column(f"component:{name}", title, "points") for name, title in results.components]
    # Every column that makes up the total is printed: a bonus (điểm thưởng) or penalty (điểm trừ) too.
    extras = results.model.extras if results.model is not None else ()
    # Headed by what they are ("Điểm thưởng", "Điểm trừ"): their titles are sentences, said in the notes.
    kinds = [x.kind for x in extras]
    columns += [Column(f"extra:{x.id}", _extra_heading(x.kind, x.id, kinds.count(x.kind) > 1),
                       "penalty" if x.kind == "penalty" else "points") for x in extras]
    columns.append(Column("total", heading("total"), "points"))
    if show_max:
        columns.append(Column("max", heading("max"), "max"))
    columns.append(Column("index", heading("index"), "index"))
    if show_class:
        columns.append(Column("class", heading("class"), "text"))
    if show_rank:
        columns.append(Column("rank", heading("rank"), "rank"))
    changes = change.by_unit() if change is not None else {}
    if change is not None:
        columns.append(Column("index_change", heading("index_change"), "change"))
        if show_rank:
            columns.append(Column("rank_change", heading("rank_change"), "places"))
    sections: list[Section] = []
    for number, group in enumerate(results.groups, start=1):
        rows: list[Row] = []
        for stt, unit in enumerate((u for u in results.units if u.group == group.name), start=1):
            cells: list[Cell] = [stt, unit.unit, *[unit.components[name] for name, _ in results.components],
                                 *[unit.extras.get(x.id, Decimal(0)) for x in extras], unit.total]
            if show_max:
                cells.append(unit.max)
            cells.append(unit.index)
            if show_class:
                cells.append(unit.class_ or "")
            if show_rank:
                cells.append(unit.rank)
            if change is not None:
                moved = changes[unit.unit]
                cells.append(moved.index_change if moved.status != "new" else heading("new"))
                if show_rank:
                    cells.append(moved.rank_change)
            rows.append(Row(tuple(cells), unit.unit, "unit", unit.class_))
        sections.append(Section(roman(number) if group.name is not None else "", group.name, tuple(rows),
                                group.average))
    title = results.title + (f" ({results.year})" if results.year and str(results.year) not in results.title else "")
    lines = tuple(change_lines(change)) if change is not None else ()
    return PublishedTable(title, tuple(columns), tuple(sections), results.average, lines)


def _extra_heading(kind: str, extra_id: str, several: bool) -> str:
    if kind == "bonus":
        return _("Bonus points {id}").format(id=extra_id) if several else _("Bonus points")
    return _("Penalty points {id}").format(id=extra_id) if several else _("Penalty points")


def change_lines(change: YearChange) -> list[str]:
    """What provinces print under the table about last year, in the reader's language."""
    if change.previous_label:
        lines = [_("Compared with {year}: {summary}.").format(year=change.previous_label, summary=change.summary())]
    else:
        lines = [_("Compared with last year: {summary}.").format(summary=change.summary())]
    rise, fall = change.largest_rise, change.largest_fall
    if rise is not None:
        lines.append(_("Largest rise: {unit} ({change}).").format(unit=rise.unit,
                                                                  change=shown_signed(rise.index_change)))
    if fall is not None:
        lines.append(_("Largest fall: {unit} ({change}).").format(unit=fall.unit,
                                                                  change=shown_signed(fall.index_change)))
    groups = [g for g in change.groups if g.group is not None]  # the single unnamed group is the average
    for group in (*groups, change.average):
        if group.change is None:
            continue
        lines.append(_("{name}: {average} ({change} compared with {previous}).").format(
            name=group.group or heading("average"), average=shown(group.average), change=shown_signed(group.change),
            previous=shown(group.previous_average)))
    gone = [c.unit for c in change.units if c.status == "gone"]
    if gone:
        lines.append(_("In last year's results but not in this year's: {units}.").format(units=", ".join(gone)))
    return lines


def text_cell(value: Cell, kind: ColumnKind) -> str:
    """A cell as a person reads it, in the reader's language (93,83 in Vietnamese): the ruleset's
    digits, a maximum as a person writes it, signed changes, a penalty with its minus sign."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "max" and isinstance(value, Decimal):
        return shown_max(value)
    if kind == "change" and isinstance(value, Decimal):
        return shown_signed(value)
    if kind == "penalty" and isinstance(value, Decimal):
        return shown(-value) if value else shown(value)
    if kind == "places" and isinstance(value, int):
        return f"+{value}" if value > 0 else str(value)
    if isinstance(value, Decimal):
        return shown(value)
    return str(value)


def roman(number: int) -> str:
    """I, II, III, …: how a decision numbers its groups and its parts."""
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


@frozen
class IndexTable:
    """Per-field indices (chỉ số thành phần) of every unit, with each group's average: points ÷ maximum."""

    columns: tuple[tuple[str, str], ...]  # (node id, title)
    sections: tuple[tuple[str | None, tuple[tuple[str, tuple[Decimal | None, ...]], ...], tuple[Decimal | None, ...]],
                    ...]


def field_index_table(results: Results) -> IndexTable | None:
    """The fields (lĩnh vực) when the ruleset has them, else the components; None without units."""
    if not results.units:
        return None
    nodes = [n for root in results.units[0].nodes for n in root.walk()]
    kinds = ("field",) if any(n.kind == "field" for n in nodes) else ("component",)
    columns = tuple(dict.fromkeys((n.id, n.title) for u in results.units for root in u.nodes
                                  for n in root.walk() if n.kind in kinds))
    sections = []
    for group in results.groups:
        rows = []
        for unit in results.in_group(group.name):
            indices = results.node_indices(unit, kinds)
            rows.append((unit.unit, tuple(indices.get(node_id) for node_id, _ in columns)))
        averages = results.group_node_indices(group.name, kinds)
        sections.append((group.name, tuple(rows), tuple(averages.get(node_id) for node_id, _ in columns)))
    return IndexTable(columns, tuple(sections))
