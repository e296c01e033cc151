"""Results as CSV: one row per unit, machine-friendly column names, nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import io

from parrules.report.numbers import plain, plain_max, safe_text
from parrules.results import Results


def render_csv(results: Results) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    components = [name for name, _ in results.components]
    writer.writerow(["group", "stt", "unit", *components, "total", "max", "index", "class", "rank"])
    for group in results.groups:
        for stt, unit in enumerate((u for u in results.units if u.group == group.name), start=1):
            writer.writerow([
                safe_text(group.name or ""), stt, safe_text(unit.unit),
                *[plain(unit.components[name]) for name in components],
                plain(unit.total), plain_max(unit.max), plain(unit.index),
                safe_text(unit.class_ or ""), "" if unit.rank is None else unit.rank,
            ])
    return buffer.getvalue()
