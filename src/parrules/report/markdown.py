"""The published results as Markdown (GitHub tables): the annex as issued, one table per group.

The same blocks as the other documents, in plain Markdown: the header (the issuing authority and
the number; Quốc hiệu, tiêu ngữ, place and date) when the results are issued by a decision, "PHỤ
LỤC", the title and "(Kèm theo Quyết định số …)"; the tables; "Ghi chú:" and the method, a list;
the signature lines. What the ruleset and the options do not say is left out.
"""

from __future__ import annotations

import re

from parrules.display import printable
from parrules.figures import shown
from parrules.history import YearChange
from parrules.i18n import _
from parrules.report.document import Issuer
from parrules.report.layout import PublishedTable, field_index_table, heading, published_table, text_cell
from parrules.report.method import method_notes
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



def _lines(*texts: str | None) -> list[str]:
    """One paragraph of the lines given (None left out), each on a line of its own (a hard break)."""
    kept = [t for t in texts if t]
    return [*(t + "\\" for t in kept[:-1]), *kept[-1:], ""] if kept else []


def _document_header(layout: PublishedTable, issuer: Issuer) -> list[str]:
    if not issuer.issued:
        return [f"# {_escape(layout.title)}", ""]
    left = _lines(f"**{_escape(issuer.authority_line)}**" if issuer.authority_line else None,
                  _escape(issuer.number_line) if issuer.number_line else None)
    right = _lines(f"**{_escape(issuer.country)}**", f"**{_escape(issuer.motto)}**",
                   f"*{_escape(issuer.date_line)}*" if issuer.date_line else None)
    title = [f"**{_escape(_('ANNEX'))}**", "", f"# {_escape(layout.title.upper())}", ""]
    issued_with = [f"*{_escape(issuer.issued_with)}*", ""] if issuer.issued_with else []
    return [*left, *right, *title, *issued_with]


def _closing(notes: list[str], issuer: Issuer) -> list[str]:
    """"Ghi chú:" and the method notes, then the signature lines (room left to sign, then the name)."""
    out = [f"**{_escape(_('Notes:'))}**", "", *(f"- {_escape(note)}" for note in notes), ""] if notes else []
    out += _lines(*(f"**{_escape(line.upper())}**" for line in issuer.signature))
    if issuer.signer:
        out += [f"**{_escape(issuer.signer)}**", ""]
    return out


def render_markdown(results: Results, change: YearChange | None = None, *, issuer: Issuer | None = None) -> str:
    """The Markdown document; `issuer` says how the decision is printed (None: as the ruleset says it)."""
    if issuer is None:
        issuer = Issuer.of_results(results)
    layout = published_table(results, change)
    header = "| " + " | ".join(_escape(c.label) for c in layout.columns) + " |"
    rule = "|" + "|".join("---" if c.kind == "text" else "---:" for c in layout.columns) + "|"
    index_column = layout.column("index")
    out = _document_header(layout, issuer)
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
            line[index_column] = f"*{shown(section.average)}*"
            out.append("| " + " | ".join(line) + " |")
        out.append("")
    if layout.average is not None:
        average = _("Average index: {index} %").format(index=shown(layout.average))
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
            out += ["| " + " | ".join([_escape(unit), *(shown(v) for v in values)]) + " |" for unit, values in rows]
            out.append("| " + " | ".join([f"*{heading('average')}*", *(f"*{shown(v)}*" if v is not None else ""
                                                                          for v in averages)]) + " |")
            out.append("")
    out += _closing(method_notes(results), issuer)
    return "\n".join(out)
