"""The results table in a terminal, laid out as provinces publish it (see `layout.py`)."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from parrules.display import printable
from parrules.figures import shown
from parrules.history import YearChange
from parrules.report.layout import PublishedTable, heading, published_table, text_cell
from parrules.results import Results


def build_table(layout: PublishedTable, *, fit: bool = False) -> Table:
    # Text from the data and the ruleset is printed as text: never as rich markup (`[/x]` in a name would
    # stop the table), and an escape sequence in a name never reaches the terminal (rich passes ESC on).
    table = Table(title=_text(layout.title), box=box.SIMPLE_HEAVY, title_justify="left", show_lines=False)
    rows = [row for section in layout.sections for row in section.rows]
    for i, column in enumerate(layout.columns):
        if not fit:
            table.add_column(_text(column.label), justify="left" if column.kind == "text" else "right")
            continue
        if column.kind == "text":
            table.add_column(_text(column.label), justify="left", overflow="fold")
            continue
        # A narrow terminal wraps names and headings, never a figure: its column is at least as wide
        # as its widest figure (and the averages below it).
        figures = [len(text_cell(row.cells[i], column.kind)) for row in rows]
        if i == layout.column("index"):
            figures += [len(shown(s.average)) for s in layout.sections if s.average is not None]
            figures += [len(shown(layout.average))] if layout.average is not None else []
        narrowest = max(figures, default=1)
        # … and no wider than that or its heading's longest word, so that the names get the room.
        widest = max(narrowest, *(len(word) for word in column.label.split()))
        table.add_column(_text(column.label), justify="right", min_width=narrowest, max_width=widest)
    width = len(layout.columns)
    index_column = layout.column("index")
    for section in layout.sections:
        if layout.grouped:
            table.add_row(section.number, _text(section.title or "", "bold"), *[""] * (width - 2))
        for row in section.rows:
            table.add_row(*(_text(text_cell(v, c.kind)) for v, c in zip(row.cells, layout.columns, strict=True)))
        if layout.grouped and len(layout.sections) > 1 and section.average is not None:
            line: list[str | Text] = ["", Text(heading("group_average"), style="italic"), *[""] * (width - 2)]
            line[index_column] = shown(section.average)
            table.add_row(*line, end_section=True)
    if layout.average is not None:
        last: list[str | Text] = ["", Text(heading("average"), style="bold"), *[""] * (width - 2)]
        last[index_column] = Text(shown(layout.average), style="bold")
        table.add_row(*last)
    return table


def _text(value: str, style: str = "") -> Text:
    return Text(printable(value), style=style)


def render_table(results: Results, change: YearChange | None = None, *, width: int = 160,
                 color: bool = False, fit: bool = False) -> str:
    """Plain text (no colour codes unless asked), wide enough for Vietnamese unit names.

    `fit`: lay the table out for a terminal of `width` columns — names and headings wrap, a figure
    never splits and its column is no wider than it or its heading's longest word needs.
    """
    layout = published_table(results, change)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, emoji=False)
    table = build_table(layout)
    if fit and console.measure(table, options=console.options.update_width(10_000)).maximum > width:
        # Only a table wider than the terminal has its headings wrapped to make room for the names.
        table = build_table(layout, fit=True)
    console.print(table)
    for line in layout.change_lines:
        console.print(_text(line))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
