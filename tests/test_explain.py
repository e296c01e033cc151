"""Explain: every leaf shown, losses that add up exactly, gains that reach the next class."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal, localcontext
from pathlib import Path

import pytest

import parrules
from parrules import i18n
from parrules.exact import CONTEXT
from parrules.explainer import explain
from parrules.gap import TreeSimulation, next_band
from parrules.model import ClassBand
from parrules.results import Results
from parrules.rounding import rounder

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden" / "explain"

# Every shipped ruleset with its bundled data.
SCORED = [
    (FIXTURES / "small.par", FIXTURES / "small.csv"),
    (ROOT / "rulesets/lai-chau/2020/departments.par", ROOT / "examples/lai-chau-2020/departments.csv"),
    (ROOT / "rulesets/lai-chau/2020/districts.par", ROOT / "examples/lai-chau-2020/districts.csv"),
    (ROOT / "rulesets/examples/department-full.par", ROOT / "examples/department-full/units.csv"),
]


def scored(ruleset: Path, data: Path) -> Results:
    return parrules.load(ruleset).score_file(data)


@pytest.fixture(scope="module", params=SCORED, ids=lambda p: p[0].stem)
def results(request: pytest.FixtureRequest) -> Results:
    ruleset, data = request.param
    return scored(ruleset, data)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "parrules.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=False)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_golden_explanation_of_one_unit(lang: str) -> None:
    # Worked out by hand in tests/fixtures/README.md. The gap: Khá from 70 %, published with 2 decimals
    # half-up, so an unrounded 69.995 % is enough: 69.995 % of 10 = 6.9995 points, 6.9995 − 5.9 = 1.0995.
    probe = "Points lost (largest first):"
    if lang == "vi" and i18n.translations("vi").gettext(probe) == probe:
        pytest.skip("the Vietnamese catalogue does not hold the explanation's messages yet")
    done = run("explain", "--lang", lang, "tests/fixtures/small.par", "tests/fixtures/small.csv",
               "--unit", "Sở Tư pháp")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (GOLDEN / f"small-so-tu-phap.{lang}.txt").read_text(encoding="utf-8")


def test_every_leaf_is_shown_and_the_leaves_add_up_to_the_total(results: Results) -> None:
    for unit in results.units:
        explanation = explain(results, unit)
        leaves = explanation.leaves()
        assert [n.id for n in leaves] == [n.id for n in unit.leaves()]
        assert all(n.why for n in leaves if n.status == "scored")
        with localcontext(CONTEXT):
            tree = sum((n.points for n in explanation.tree if n.status == "scored"), Decimal(0))
            extras = sum((unit.exact.extras[i] * (1 if k == "bonus" else -1) for k, i, _ in explanation.extras),
                         Decimal(0))
            assert max(Decimal(0), tree + extras) == unit.exact.total


def test_losses_add_up_to_maximum_minus_total(results: Results) -> None:
    for unit in results.units:
        explanation = explain(results, unit)
        with localcontext(CONTEXT):
            lost = sum((x.amount for x in explanation.losses), Decimal(0))
            assert lost == unit.max - unit.exact.total, unit.unit


def test_gains_never_exceed_a_leafs_shortfall(results: Results) -> None:
    for unit in results.units:
        gap = explain(results, unit).gap
        if gap is None:
            continue
        for gain in gap.gains:
            assert Decimal(0) < gain.gain <= gain.max - gain.points
        assert [g.gain for g in gap.gains] == sorted((g.gain for g in gap.gains), reverse=True)


def reaches(band: ClassBand, index: Decimal) -> bool:
    """In the band, or above it (a suggestion may overshoot into a higher class)."""
    return band.contains(index) or (band.upper is not None and index >= band.upper)


def test_applying_the_suggested_gains_reaches_the_next_class(results: Results) -> None:
    to_index = rounder(results.index_rounding)
    for unit in results.units:
        band = next_band(results, unit)
        gap = explain(results, unit).gap
        if band is None:
            assert gap is None
            continue
        assert gap is not None and gap.next_class == band.label
        if not gap.reachable:
            continue
        simulation = TreeSimulation(unit)
        total = simulation.apply({g.node_id: simulation.results[g.node_id].max for g in gap.suggestion})
        with localcontext(CONTEXT):
            assert reaches(band, to_index(total / unit.max * 100)), unit.unit
            # …and without the last suggestion it would not have: the suggestion is no longer than needed.
            fewer = simulation.apply({g.node_id: simulation.results[g.node_id].max for g in gap.suggestion[:-1]})
            assert not reaches(band, to_index(fewer / unit.max * 100)), unit.unit


def test_the_simulation_adds_up_like_scoring() -> None:
    # Lai Châu's appraisal is points given directly: raising them in the data and in the simulation agree.
    ruleset = parrules.load(ROOT / "rulesets/lai-chau/2020/districts.par")
    record = {"unit": "Huyện Sìn Hồ", "appraisal_points": "46.19", "survey_points": "20.27"}
    unit = ruleset.score([record]).unit("Huyện Sìn Hồ")
    simulated = TreeSimulation(unit).apply({"appraisal": Decimal("49.5")})
    rescored = ruleset.score([{**record, "appraisal_points": "49.5"}]).unit("Huyện Sìn Hồ")
    assert simulated == rescored.exact.total == Decimal("69.77")


def test_the_gap_for_sin_ho_is_what_the_decision_implies() -> None:
    # Khá from 70 %: an unrounded 69.995 % is published as 70.00 %.
    results = scored(ROOT / "rulesets/lai-chau/2020/districts.par", ROOT / "examples/lai-chau-2020/districts.csv")
    gap = explain(results, "Huyện Sìn Hồ").gap
    assert gap is not None
    # 69.995 % × 98 = 68.5951 (published as 70.00 %); 68.5951 − 66.46 = 2.1351.
    assert (gap.next_class, gap.bound, gap.target_index, gap.needed) == (
        "Khá", Decimal(70), Decimal("69.995"), Decimal("2.1351"))
    assert [g.node_id for g in gap.suggestion] == ["appraisal"]  # 70 − 46.19 = 23.81 available there


def test_not_applicable_leaves_say_why() -> None:
    results = scored(FIXTURES / "small.par", FIXTURES / "small.csv")
    node = next(n for n in explain(results, "Ban Dân tộc").leaves() if n.id == "3")
    assert (node.status, node.reason) == ("not_applicable", "one_stop = no; applies if one_stop")


def test_explain_as_json_and_an_unknown_unit() -> None:
    done = run("explain", "tests/fixtures/small.par", "tests/fixtures/small.csv", "--unit", "Ban Dân tộc",
               "--format", "json")
    payload = json.loads(done.stdout)
    assert (payload["total"], payload["index"], payload["gap"]["next_class"]) == ("6.10", "76.25", "Tốt")
    # Tốt from 80 %: 79.995 % of 8 = 6.3996 points, 6.3996 − 6.1 = 0.2996 needed of the 1 available.
    assert payload["gap"]["suggestion"] == [{"id": "2", "title": "Báo cáo định kỳ", "gain": "1", "used": "0.2996"}]
    wrong = run("explain", "tests/fixtures/small.par", "tests/fixtures/small.csv", "--unit", "Ban Dan toc")
    assert wrong.returncode == 2 and "did you mean `Ban Dân tộc`?" in wrong.stderr
