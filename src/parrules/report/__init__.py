"""Renderers of scored results: terminal table, CSV, JSON. Each takes `Results` and returns text."""

from parrules.report.csv_out import render_csv
from parrules.report.json_out import render_json, results_to_dict
from parrules.report.table import render_table

__all__ = ["render_csv", "render_json", "render_table", "results_to_dict"]
