"""Results as CSV: one row per unit, machine-friendly column names, nothing a spreadsheet would run."""

from __future__ import annotations

import csv
import io

from parrules.evaluate import Line
from parrules.figures import plain, plain_max, safe_text, signed
from parrules.history import UnitChange, YearChange
from parrules.results import Results, UnitResult


def render_csv(results: Results, change: YearChange | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    components = [name for name, _ in results.components]
    changes = change.by_unit() if change is not None else {}
    classed = bool(results.classes)  # no `classes` block: no class column
    writer.writerow(header_row(components, classed=classed, moved=change is not None))
    for group in results.groups:
        for stt, unit in enumerate((u for u in results.units if u.group == group.name), start=1):
            writer.writerow([
                safe_text(group.name or ""), stt, *unit_cells(unit, components, classed=classed),
                "" if unit.rank is None else unit.rank,
                *(_moved(changes[unit.unit]) if change is not None else []),
            ])
    return buffer.getvalue()


def header_row(components: list[str], *, classed: bool, moved: bool = False) -> list[str]:
    """The column names of the CSV: group, stt, unit, each component, total, max, index, [class], rank."""
    return ["group", "stt", "unit", *components, "total", "max", "index", *(["class"] if classed else []),
            "rank", *(["previous_index", "index_change", "previous_rank", "rank_change"] if moved else [])]


def unit_cells(unit: UnitResult | Line, components: list[str], *, classed: bool) -> list[object]:
    """A unit's cells from its name to its class: what a row holds between its place (stt) and its rank."""
    return [safe_text(unit.unit), *[plain(unit.components[name]) for name in components],
            plain(unit.total), plain_max(unit.max), plain(unit.index),
            *([safe_text(unit.class_ or "")] if classed else [])]


def _moved(change: UnitChange) -> list[object]:
    return [plain(change.previous_index), signed(change.index_change),
            "" if change.previous_rank is None else change.previous_rank,
            "" if change.rank_change is None else f"{change.rank_change:+d}" if change.rank_change else "0"]
