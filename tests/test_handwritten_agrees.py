"""Differential test: parrules and a hand-written scorer of the same ruleset agree on every unit.

`benchmarks/handwritten.py` scores `rulesets/examples/department-full.par` with plain if/else code;
`tools/generate_units.py` makes realistic units from the ruleset's declarations. On several seeds,
every published figure of every unit must be identical: points, maximum, index, class, group, rank,
the self-assessed total and the group averages. A difference is a bug in one of the two.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import parrules
from parrules.results import Results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.handwritten import Table, score_units  # noqa: E402
from tools.generate_units import generate_units  # noqa: E402

RULESET = ROOT / "rulesets" / "examples" / "department-full.par"
SEEDS = (1, 2, 3, 4)
UNITS_PER_SEED = 75


@pytest.fixture(scope="module")
def ruleset() -> parrules.Ruleset:
    return parrules.load(RULESET)


@pytest.fixture(scope="module")
def scored(ruleset: parrules.Ruleset) -> list[tuple[int, Results, Table]]:
    out = []
    for seed in SEEDS:
        rows = generate_units(ruleset.model, UNITS_PER_SEED, seed)
        # A twin under another name: the same index and appraisal points, so the two share a rank.
        rows.append({**rows[0], "unit": f"{rows[0]['unit']} (bản sao)"})
        out.append((seed, ruleset.score(rows), score_units(rows)))
    return out


def _figures(results: Results) -> Iterator[tuple[str, tuple[object, ...]]]:
    for u in results.units:
        yield u.unit, (u.components["appraisal"], u.components["survey"], u.total, u.max, u.index, u.class_,
                       u.group, u.rank, u.stage_totals.get("self"))


def test_every_unit_agrees(scored: list[tuple[int, Results, Table]]) -> None:
    differences = []
    for seed, results, table in scored:
        by_hand = {u.unit: (u.appraisal, u.survey, u.total, u.max, u.index, u.class_, u.group, u.rank, u.self_total)
                   for u in table.units}
        engine = dict(_figures(results))
        assert engine.keys() == by_hand.keys()
        differences += [(seed, name, engine[name], by_hand[name]) for name in engine if engine[name] != by_hand[name]]
    assert not differences, "\n".join(f"seed {s}, {n}:\n  parrules {a}\n  by hand  {b}" for s, n, a, b in differences)


def test_publication_order_and_averages_agree(scored: list[tuple[int, Results, Table]]) -> None:
    for _, results, table in scored:
        assert [u.unit for u in results.units] == [u.unit for u in table.units]
        assert {g.name: g.average for g in results.groups} == table.averages
        assert results.average == table.average


def test_the_units_exercise_the_ruleset(scored: list[tuple[int, Results, Table]]) -> None:
    """Agreement means little unless the data reaches the rules' corners: check that it does."""
    seen: Counter[str] = Counter()
    for _, results, _ in scored:
        for u in results.units:
            seen[f"class {u.class_}"] += 1
            seen[f"group {u.group}"] += 1
            seen[f"max {u.max.normalize():f}"] += 1
            leaf_111 = u.node("1.1.1")
            if leaf_111 is not None and leaf_111.points < 0:
                seen["negative 1.1.1"] += 1
            node_24 = u.node("2.4")
            if node_24 is not None and sum((c.points for c in node_24.children), Decimal(0)) > node_24.max:
                seen["2.4 capped"] += 1
            for name in ("1.3.2", "3.3.2", "3.5.1", "6.2.2"):
                leaf = u.node(name)
                if leaf is not None and leaf.status == "scored":
                    seen[f"{name} branch {leaf.branch}"] += 1  # branch 0: the zero case
            if u.extras.get("B1"):
                seen["bonus"] += 1
            if u.extras.get("P1"):
                seen["penalty"] += 1
            if u.stage_totals.get("self") != u.total:
                seen["self-assessment differs"] += 1
        ranked = [(u.group, u.rank) for u in results.units]
        seen["shared rank"] += len(ranked) - len(set(ranked))
    expected = [
        "class Xuất sắc", "class Tốt", "class Khá", "class Trung bình", "class Yếu",
        "group Nhóm I: đủ thang điểm", "group Nhóm II: thang điểm rút gọn", "max 98", "max 95.5", "max 95",
        "negative 1.1.1", "2.4 capped", "bonus", "penalty", "self-assessment differs", "shared rank",
        *(f"{name} branch {b}" for name in ("1.3.2", "3.3.2", "3.5.1", "6.2.2") for b in (0, 1)),
    ]
    assert [name for name in expected if not seen[name]] == []


def test_a_wrong_hand_written_rule_is_caught(ruleset: parrules.Ruleset, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison can fail: a hand-written scorer with one threshold wrong disagrees somewhere."""
    from benchmarks import handwritten

    rows = generate_units(ruleset.model, UNITS_PER_SEED, SEEDS[0])
    engine = dict(_figures(ruleset.score(rows)))
    monkeypatch.setattr(handwritten, "classify", lambda index: "Tốt" if index >= 80 else "Khá")
    wrong = {u.unit: u.class_ for u in handwritten.score_units(rows).units}
    assert any(engine[name][5] != wrong[name] for name in engine)
