"""The published results table as Markdown (GitHub tables), one table per group."""

from __future__ import annotations

import re

from parrules.display import printable
from parrules.history import YearChange
from parrules.i18n import _
from parrules.report.layout import field_index_table, heading, published_table, text_cell
from parrules.report.numbers import plain
from parrules.results import Results

_MARKUP = str.maketrans({
    "<": "&lt;", ">": "&gt;",  # no HTML: `<script>`, `<img onerror=…>` stay text
    **{ch: "\\" + ch for ch in "\\`*_[]|~!"},  # no links, images, emphasis, code or broken table cells
    "\n": " ", "\r": " ",
})
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # "TB&XH" stays as it is; "&lt;" typed in a name stays text


def _escape(text: str) -> str:
    """Text from a ruleset or a data file, shown as itself: never markup, never a link, never HTML."""
    return _ENTITY.sub("&amp;", printable(text)).translate(_MARKUP)


def render_markdown(results: Results, change: YearChange | None = None) -> str:
    layout = published_table(results, change)
    header = "| " + " | ".join(_escape(c.label) for c in layout.columns) + " |"
    rule = "|" + "|".join("---" if c.kind == "text" else "---:" for c in layout.columns) + "|"
    index_column = layout.column("index")
    out = [f"# {_escape(layout.title)}", ""]
    for section in layout.sections:
        if layout.grouped:
            out += [f"## {section.number}. {_escape(section.title or '')}", ""]
        out += [header, rule]
        for row in section.rows:
            cells = [_escape(text_cell(v, c.kind)) for v, c in zip(row.cells, layout.columns, strict=True)]
            out.append("| " + " | ".join(cells) + " |")
        if layout.grouped and len(layout.sections) > 1 and section.average is not None:
            line = [""] * len(layout.columns)
            line[1] = f"*{heading('group_average')}*"
            line[index_column] = f"*{plain(section.average)}*"
            out.append("| " + " | ".join(line) + " |")
        out.append("")
    if layout.average is not None:
        average = _("Average index: {index} %").format(index=plain(layout.average))
        out += [f"**{average}**", ""]
    if layout.change_lines:
        out += [f"- {_escape(line)}" for line in layout.change_lines] + [""]
    indices = field_index_table(results)
    if indices is not None and indices.columns:
        out += [f"## {heading('field_indices')}", ""]
        head = [heading("unit"), *(f"{i}. {t}" for i, t in indices.columns)]
        for name, rows, averages in indices.sections:
            if name:
                out += [f"### {_escape(name)}", ""]
            out += ["| " + " | ".join(_escape(h) for h in head) + " |", "|---|" + "---:|" * len(indices.columns)]
            out += ["| " + " | ".join([_escape(unit), *(plain(v) for v in values)]) + " |" for unit, values in rows]
            out.append("| " + " | ".join([f"*{heading('average')}*", *(f"*{plain(v)}*" if v is not None else ""
                                                                          for v in averages)]) + " |")
            out.append("")
    return "\n".join(out)
