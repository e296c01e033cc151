"""Results as JSON: decimals as strings, exactly as the ruleset rounds them."""

from __future__ import annotations

import json

from parrules.report.numbers import plain, plain_max
from parrules.results import Results, UnitResult


def _unit(unit: UnitResult, results: Results) -> dict[str, object]:
    out: dict[str, object] = {
        "unit": unit.unit,
        "group": unit.group,
        "components": {name: plain(points) for name, points in unit.components.items()},
        "total": plain(unit.total),
        "max": plain_max(unit.max),
        "index": plain(unit.index),
        "class": unit.class_,
        "rank": unit.rank,
    }
    if unit.extras:
        out["extras"] = {name: plain(points) for name, points in unit.extras.items()}
    if unit.stage_totals:
        out["stages"] = {name: plain(points) for name, points in unit.stage_totals.items()}
    if unit.max_from_data:
        out["max_from_data"] = True
    nodes: dict[str, str | None] = {}
    for root in unit.nodes:
        for node in root.walk():
            nodes[node.id] = plain(results.round_points(node.points)) if node.status == "scored" else None
    out["nodes"] = nodes
    return out


def results_to_dict(results: Results) -> dict[str, object]:
    return {
        "ruleset": {"title": results.title, "year": results.year, "level": results.level},
        "units": [_unit(u, results) for u in results.units],
        "groups": [
            {"name": g.name, "average": plain(g.average) if g.average is not None else None,
             "units": len(g.units)}
            for g in results.groups
        ],
        "average": plain(results.average) if results.average is not None else None,
    }


def render_json(results: Results) -> str:
    return json.dumps(results_to_dict(results), ensure_ascii=False, indent=2) + "\n"
