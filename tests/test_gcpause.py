"""Scoring pauses the cyclic garbage collector and always gives it back as it found it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import parrules
from parrules.diagnostics import DataError
from parrules.gcpause import paused

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "small.par"


def test_the_collector_is_off_while_scoring_and_on_again_after() -> None:
    ruleset = parrules.load(SMALL)
    seen: list[bool] = []
    results = ruleset.score_file(ROOT / "tests" / "fixtures" / "small.csv",
                                 progress=lambda done, total: seen.append(gc.isenabled()))
    assert seen and not any(seen)  # paused while the units were scored
    assert gc.isenabled() and len(results.units) == 3


def test_a_failed_scoring_gives_the_collector_back_too() -> None:
    ruleset = parrules.load(SMALL)
    with pytest.raises(DataError):
        ruleset.score_file(ROOT / "tests" / "fixtures" / "small-bad.csv")
    assert gc.isenabled()
    with pytest.raises(DataError):
        ruleset.score([{"unit": "Sở X", "plan_done": "nhiều"}])
    assert gc.isenabled()


def test_a_caller_who_turned_the_collector_off_keeps_it_off() -> None:
    gc.disable()
    try:
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        parrules.load(SMALL).score_file(ROOT / "tests" / "fixtures" / "small.csv")
        assert not gc.isenabled()
    finally:
        gc.enable()
