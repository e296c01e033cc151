"""Properties of explanations and gaps over generated units of the illustrative full ruleset."""

from __future__ import annotations

import sys
from decimal import Decimal, localcontext
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import parrules
from parrules.exact import CONTEXT
from parrules.explainer import explain
from parrules.gap import TreeSimulation, next_band
from parrules.rounding import rounder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools.generate_units import generate_units  # noqa: E402

RULESET = parrules.load(ROOT / "rulesets" / "examples" / "department-full.par")


@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_gains_losses_and_suggestions_hold_for_any_units(seed: int) -> None:
    results = RULESET.score(generate_units(RULESET.model, 6, seed, RULESET.plan))
    to_index = rounder(results.index_rounding)
    for unit in results.units:
        explanation = explain(results, unit)
        with localcontext(CONTEXT):
            # Losses add up exactly to what the unit did not get.
            assert sum((x.amount for x in explanation.losses), Decimal(0)) == unit.max - unit.exact.total
            # A leaf never gains more than its own shortfall, nor less than nothing.
            gap = explanation.gap
            if gap is None:
                assert next_band(results, unit) is None
                continue
            for gain in gap.gains:
                assert Decimal(0) < gain.gain <= gain.max - gain.points
            # The suggestion, applied, publishes an index in the next class or above.
            if gap.reachable:
                simulation = TreeSimulation(unit)
                total = simulation.apply({g.node_id: simulation.results[g.node_id].max for g in gap.suggestion})
                band = next_band(results, unit)
                assert band is not None and band.lower is not None
                assert to_index(total / unit.max * 100) >= band.lower
