"""Renderers of scored results. Each takes `Results` (and optionally last year's `YearChange`).

Text: terminal table, CSV, JSON, Markdown, HTML. Bytes: the Excel workbook.
"""

from typing import TYPE_CHECKING

from parrules.report.csv_out import render_csv
from parrules.report.html import render_html
from parrules.report.json_out import render_json, results_to_dict
from parrules.report.markdown import render_markdown
from parrules.report.table import render_table

if TYPE_CHECKING:
    from parrules.report.xlsx_out import render_xlsx

__all__ = ["render_csv", "render_html", "render_json", "render_markdown", "render_table", "render_xlsx",
           "results_to_dict"]


def __getattr__(name: str) -> object:
    # openpyxl is imported only by those who write workbooks.
    if name == "render_xlsx":
        from parrules.report.xlsx_out import render_xlsx

        return render_xlsx
    raise AttributeError(name)
