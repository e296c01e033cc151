"""The results table as provinces publish it: per group, STT, unit, component points, total,
index and class, then the group's average line; the overall average last."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from parrules.report.numbers import plain, plain_max
from parrules.results import Results

HEADINGS = {
    "stt": "STT",
    "unit": "Tên đơn vị",
    "total": "Tổng điểm",
    "max": "Điểm tối đa",
    "index": "Chỉ số (%)",
    "class": "Xếp loại",
    "rank": "Xếp hạng",
    "group_average": "Chỉ số trung bình của nhóm",
    "average": "Chỉ số trung bình",
}


def build_table(results: Results) -> Table:
    show_max = len({u.max for u in results.units}) > 1
    show_rank = any(u.rank is not None for u in results.units)
    title = results.title + (f" ({results.year})" if results.year else "")
    table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left", show_lines=False)
    table.add_column(HEADINGS["stt"], justify="right")
    table.add_column(HEADINGS["unit"], justify="left")
    for _, component_title in results.components:
        table.add_column(component_title, justify="right")
    table.add_column(HEADINGS["total"], justify="right")
    if show_max:
        table.add_column(HEADINGS["max"], justify="right")
    table.add_column(HEADINGS["index"], justify="right")
    table.add_column(HEADINGS["class"], justify="left")
    if show_rank:
        table.add_column(HEADINGS["rank"], justify="right")
    index_column = 2 + len(results.components) + 1 + int(show_max)
    width = index_column + 2 + int(show_rank)
    grouped = len(results.groups) > 1 or (results.groups and results.groups[0].name is not None)
    for number, group in enumerate(results.groups, start=1):
        if grouped:
            table.add_row(_roman(number), Text(group.name or "", style="bold"), *[""] * (width - 2))
        for stt, unit in enumerate((u for u in results.units if u.group == group.name), start=1):
            cells = [str(stt), unit.unit]
            cells += [plain(unit.components[name]) for name, _ in results.components]
            cells.append(plain(unit.total))
            if show_max:
                cells.append(plain_max(unit.max))
            cells += [plain(unit.index), unit.class_ or ""]
            if show_rank:
                cells.append(str(unit.rank) if unit.rank is not None else "")
            table.add_row(*cells)
        if grouped and len(results.groups) > 1 and group.average is not None:
            row: list[str | Text] = ["", Text(HEADINGS["group_average"], style="italic"), *[""] * (width - 2)]
            row[index_column] = plain(group.average)
            table.add_row(*row, end_section=True)
    if results.average is not None:
        row = ["", Text(HEADINGS["average"], style="bold"), *[""] * (width - 2)]
        row[index_column] = Text(plain(results.average), style="bold")
        table.add_row(*row)
    return table


def _roman(number: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def render_table(results: Results, *, width: int = 160, color: bool = False) -> str:
    """Plain text (no colour codes unless asked), wide enough for Vietnamese unit names."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, emoji=False)
    console.print(build_table(results))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
