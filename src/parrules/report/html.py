"""The published results table as one self-contained HTML page, with a bar chart of the index.

Nothing is fetched when the page is viewed: styles are inline and the chart is an inline SVG,
one bar per unit (`rect.bar`), drawn over the class bands (`rect.band`) of the unit's group.
Every text from a ruleset or a data file is escaped.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from parrules.history import YearChange
from parrules.i18n import _, current
from parrules.model import ClassTable
from parrules.report.layout import (
    IndexTable,
    PublishedTable,
    Section,
    field_index_table,
    heading,
    published_table,
    text_cell,
)
from parrules.report.numbers import plain
from parrules.results import Results

BAND_COLOURS = ("#e8f5e9", "#fffde7", "#fff3e0", "#ffebee", "#f3e5f5", "#e3f2fd")
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 22, 6, 300, 520

STYLE = """
body { font-family: "Times New Roman", "Noto Serif", serif; margin: 2rem; color: #1a1a1a; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #888; padding: 0.25rem 0.6rem; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.average td { font-style: italic; } p.average { font-weight: bold; }
svg text { font-family: inherit; font-size: 12px; }
rect.bar { fill: #1565c0; } .legend span { display: inline-block; padding: 0 0.5rem; margin-right: 0.5rem; }
"""


def render_html(results: Results, change: YearChange | None = None) -> str:
    layout = published_table(results, change)
    parts = ["<!DOCTYPE html>", f'<html lang="{current()}">', "<head>", '<meta charset="utf-8">',
             f"<title>{escape(layout.title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
             f"<h1>{escape(layout.title)}</h1>"]
    for section in layout.sections:
        if layout.grouped:
            parts.append(f"<h2>{escape(section.number)}. {escape(section.title or '')}</h2>")
        parts.append(_table(layout, section))
        parts.append(_chart(section, results.class_table(section.title), layout))
    if layout.average is not None:
        line = _("Average index: {index} %").format(index=plain(layout.average))
        parts.append(f'<p class="average">{escape(line)}</p>')
    if layout.change_lines:
        parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in layout.change_lines) + "</ul>")
    indices = field_index_table(results)
    if indices is not None and indices.columns:
        parts.append(_indices(indices))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _table(layout: PublishedTable, section: Section) -> str:
    head = "".join(f"<th>{escape(c.label)}</th>" for c in layout.columns)
    rows = []
    for row in section.rows:
        cells = "".join(
            f'<td class="num">{escape(text_cell(v, c.kind))}</td>' if c.kind != "text"
            else f"<td>{escape(text_cell(v, c.kind))}</td>"
            for v, c in zip(row.cells, layout.columns, strict=True))
        rows.append(f"<tr>{cells}</tr>")
    if layout.grouped and len(layout.sections) > 1 and section.average is not None:
        line = ["<td></td>"] * len(layout.columns)
        line[1] = f"<td>{escape(heading('group_average'))}</td>"
        line[layout.column("index")] = f'<td class="num">{plain(section.average)}</td>'
        rows.append('<tr class="average">' + "".join(line) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _indices(table: IndexTable) -> str:
    parts = [f"<h2>{escape(heading('field_indices'))}</h2>"]
    head = "".join(f"<th>{escape(h)}</th>" for h in [heading("unit"), *(f"{i}. {t}" for i, t in table.columns)])
    for name, rows, averages in table.sections:
        if name:
            parts.append(f"<h3>{escape(name)}</h3>")
        body = "".join("<tr><td>" + escape(unit) + "</td>" + "".join(f'<td class="num">{plain(v)}</td>'
                                                                       for v in values) + "</tr>"
                       for unit, values in rows)
        body += ('<tr class="average"><td>' + escape(heading("average")) + "</td>"
                 + "".join(f'<td class="num">{plain(v)}</td>' for v in averages) + "</tr>")
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "".join(parts)


def _x(value: Decimal) -> float:
    """Pixels along the 0–100 % axis. Floats are for drawing only, never for a figure shown as text."""
    clamped = min(max(value, Decimal(0)), Decimal(100))
    return LABEL_WIDTH + float(clamped) * CHART_WIDTH / 100


def _chart(section: Section, classes: ClassTable | None, layout: PublishedTable) -> str:
    index_column = layout.column("index")
    height = len(section.rows) * (BAR_HEIGHT + BAR_GAP) + 30
    width = LABEL_WIDTH + CHART_WIDTH + 60
    title = _("Index (%) — {group}").format(group=section.title) if section.title else heading("index")
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>']
    legend = []
    # The chart's axis is the index: bands on total points (`classes by points`) have no place on it.
    on_index = classes is not None and classes.basis == "index"
    for number, band in enumerate(classes.bands if classes and on_index else ()):
        low = band.lower if band.lower is not None else Decimal(0)
        high = band.upper if band.upper is not None else Decimal(100)
        colour = BAND_COLOURS[number % len(BAND_COLOURS)]
        svg.append(f'<rect class="band" x="{_x(low):.1f}" y="0" width="{_x(high) - _x(low):.1f}" '
                   f'height="{height - 20}" fill="{colour}"><title>{escape(band.label)}</title></rect>')
        legend.append(f'<span style="background:{colour}">{escape(band.label)}</span>')
    for position, row in enumerate(section.rows):
        value = row.cells[index_column]
        if not isinstance(value, Decimal):
            continue
        y = position * (BAR_HEIGHT + BAR_GAP) + 4
        name = escape(row.unit or "")
        svg.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * 0.7:.1f}" text-anchor="end">{name}</text>')
        svg.append(f'<rect class="bar" data-unit="{name}" x="{LABEL_WIDTH}" y="{y}" '
                   f'width="{_x(value) - LABEL_WIDTH:.1f}" height="{BAR_HEIGHT}"><title>{name}: '
                   f"{plain(value)} %</title></rect>")
        svg.append(f'<text x="{_x(value) + 4:.1f}" y="{y + BAR_HEIGHT * 0.7:.1f}">{plain(value)}</text>')
    axis_y = height - 20
    for tick in range(0, 101, 20):
        x = _x(Decimal(tick))
        svg.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{axis_y}" stroke="#bbb" stroke-width="0.5"/>')
        svg.append(f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{tick}</text>')
    svg.append("</svg>")
    return f'<figure>{"".join(svg)}<figcaption class="legend">{"".join(legend)}</figcaption></figure>'
