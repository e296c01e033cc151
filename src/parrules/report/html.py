"""The annex as one self-contained HTML page (and, through Chromium, a PDF): a Jinja2 template.

`annex_context` gathers what the page shows — the decision's header (`document.Issuer`), the
annex's title, per group the published table and its chart (`chart.py`), the averages, the
changes since last year, the sub-indices, the footnote on method (`method.py`) and the signature
block — as text already written in the reader's language (93,83 in Vietnamese). The template
(`templates/annex.html.j2`, or a province's own with `--template DIR`) only lays it out, with
autoescaping on. Nothing is fetched when the page is viewed: styles are inline and the chart is an
inline SVG, so the file can be mailed, archived and printed as it is.

Above `TABLE_UP_TO` units the page would be tens of megabytes that no browser opens comfortably
and no one prints: it then shows, per group, the distribution chart and the count per class, and
says that the workbook or CSV holds every unit's row.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import frozen
from markupsafe import Markup

from parrules.history import YearChange
from parrules.i18n import _, current, n_, number
from parrules.report.chart import Chart, chart
from parrules.report.document import Issuer
from parrules.report.layout import PublishedTable, Section, field_index_table, heading, published_table, text_cell
from parrules.report.method import method_notes
from parrules.report.templating import render, stylesheet
from parrules.results import Results

TABLE_UP_TO = 2000
LANDSCAPE_FROM = 11  # columns: up to 10 fit an A4 portrait page at 11 pt


@frozen
class ColumnView:
    label: str
    css: str


def render_html(results: Results, change: YearChange | None = None, *, issuer: Issuer | None = None,
                template_dir: Path | None = None) -> str:
    return render("annex.html.j2", template_dir, **annex_context(results, change, issuer=issuer,
                                                                  template_dir=template_dir))


def annex_context(results: Results, change: YearChange | None = None, *, issuer: Issuer | None = None,
                  template_dir: Path | None = None) -> dict[str, Any]:
    """What `annex.html.j2` is given (a province's template gets the same names)."""
    layout = published_table(results, change)
    issuer = issuer if issuer is not None else Issuer.of_results(results)
    summary = len(results.units) > TABLE_UP_TO
    changes = change.by_unit() if change is not None else None
    sections = []
    for section in layout.sections:
        graph = _chart(results, layout, section, changes)
        sections.append({
            "number": section.number, "title": section.title or "",
            "rows": None if summary else [[text_cell(v, c.kind) for v, c in zip(row.cells, layout.columns, strict=True)]
                                          for row in section.rows],
            "average_row": None if summary else _average_row(layout, section),
            "summary": n_("{count} unit: the table of every unit is in the workbook (-o FILE.xlsx) or the CSV; "
                          "this page shows how the index is distributed.",
                          "{count} units: the table of every unit is in the workbook (-o FILE.xlsx) or the CSV; "
                          "this page shows how the index is distributed.", len(section.rows)).format(
                count=number(len(section.rows))),
            "chart": graph,
        })
    indices = field_index_table(results) if not summary else None
    return {
        "lang": current(),
        "title": layout.title,
        "heading": _("Results: {title}").format(title=layout.title),
        "issuer": issuer,
        "orientation": "landscape" if len(layout.columns) >= LANDSCAPE_FROM else "portrait",
        "columns": [ColumnView(c.label, _css(c.kind)) for c in layout.columns],
        "grouped": layout.grouped,
        "sections": sections,
        "average": layout.average,
        "change_lines": list(layout.change_lines),
        "indices": None if indices is None or not indices.columns else {
            "heading": heading("field_indices"), "unit": heading("unit"), "average": heading("average"),
            "columns": indices.columns, "sections": indices.sections},
        "notes": method_notes(results),
        # The stylesheet is the package's or the province's own file, not data: CSS as it is (escaping
        # would turn its quotes into `&#34;`, which a <style> element does not decode).
        "css": Markup(stylesheet(template_dir)),
        "page_word": _("Page"),
    }


def _css(kind: str) -> str:
    return {"text": "text", "stt": "stt", "rank": "num mark", "places": "num mark", "penalty": "num penalty"}.get(
        kind, "num")


def _average_row(layout: PublishedTable, section: Section) -> list[str] | None:
    if not (layout.grouped and len(layout.sections) > 1 and section.average is not None):
        return None
    line = [""] * len(layout.columns)
    line[1] = heading("group_average")
    line[layout.column("index")] = text_cell(section.average, "index")
    return line


def _chart(results: Results, layout: PublishedTable, section: Section,
           changes: dict[str, Any] | None) -> Chart:
    index, klass = layout.column("index"), next((i for i, c in enumerate(layout.columns) if c.key == "class"), None)
    rows = []
    for row in section.rows:
        value = row.cells[index]
        if not isinstance(value, Decimal):
            continue
        class_ = row.cells[klass] if klass is not None else None
        rows.append((row.unit or "", value, class_ if isinstance(class_, str) and class_ else None))
    title = _("Index (%) — {group}").format(group=section.title) if section.title else heading("index")
    return chart(title, rows, results.class_table(section.title), section.average, changes)
