"""Results as JSON: decimals as strings, exactly as the ruleset rounds them."""

from __future__ import annotations

import json
from decimal import Decimal

from parrules.figures import plain, plain_max, signed
from parrules.gap import points_to_next_class
from parrules.history import GroupChange, UnitChange, YearChange
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
    out["indices"] = {k: plain(v) for k, v in results.node_indices(unit).items()}
    gap = points_to_next_class(results, unit)
    if gap is not None:  # `parrules explain` says where the points could be found
        out["next_class"] = {"class": gap[0], "points_needed": plain_max(gap[1])}
    return out


def _num(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _change(value: Decimal | None) -> str | None:
    return None if value is None else signed(value)


def _unit_change(change: UnitChange) -> dict[str, object]:
    return {
        "status": change.status,
        "previous_index": _num(change.previous_index),
        "index_change": _change(change.index_change),
        "previous_rank": change.previous_rank,
        "rank_change": change.rank_change,
    }


def _group_change(change: GroupChange) -> dict[str, object]:
    return {"name": change.group, "average": _num(change.average),
            "previous_average": _num(change.previous_average), "change": _change(change.change)}


def change_to_dict(change: YearChange) -> dict[str, object]:
    rise, fall = change.largest_rise, change.largest_fall
    return {
        "previous": change.previous_label,
        "summary": change.summary(),
        "compared": change.compared,
        **{status: change.count(status) for status in ("rose", "fell", "same", "new", "gone")},
        "largest_rise": {"unit": rise.unit, "change": _change(rise.index_change)} if rise else None,
        "largest_fall": {"unit": fall.unit, "change": _change(fall.index_change)} if fall else None,
        "groups": [_group_change(g) for g in change.groups],
        "average": _group_change(change.average),
        "gone": [{"unit": c.unit, "previous_index": _num(c.previous_index), "previous_rank": c.previous_rank}
                 for c in change.units if c.status == "gone"],
    }


def results_to_dict(results: Results, change: YearChange | None = None) -> dict[str, object]:
    units = [_unit(u, results) for u in results.units]
    if change is not None:
        by_unit = change.by_unit()
        for out, unit in zip(units, results.units, strict=True):
            out["change"] = _unit_change(by_unit[unit.unit])
    payload: dict[str, object] = {
        "ruleset": {"title": results.title, "year": results.year, "level": results.level},
        "units": units,
        "groups": [
            {"name": g.name, "average": plain(g.average) if g.average is not None else None,
             "units": len(g.units),
             "indices": {k: plain(v) for k, v in results.group_node_indices(g.name).items()}}
            for g in results.groups
        ],
        "average": plain(results.average) if results.average is not None else None,
    }
    if change is not None:
        payload["change"] = change_to_dict(change)
    return payload


def render_json(results: Results, change: YearChange | None = None) -> str:
    return json.dumps(results_to_dict(results, change), ensure_ascii=False, indent=2) + "\n"
