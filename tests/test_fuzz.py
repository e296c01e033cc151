"""The fuzzers in the suite: a ~2,000-case sample on a fixed seed, and every failure they ever found.

`make fuzz` runs the full ≥ 100,000 cases (fuzz/run.py). Each failure it finds, once fixed, is kept in
tests/fuzz-corpus/ — the case's files as fuzz/run.py saved them (minimised where it could) — and
replayed here against the same oracle, so that it stays fixed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fuzz-corpus"
sys.path.insert(0, str(ROOT))


def test_the_fuzz_sample_holds() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, str(ROOT / "fuzz" / "run.py"), "--sample"], capture_output=True,
                          text=True, env=env, timeout=600, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    total = re.search(r"total\s+([\d,]+) cases\s+0 failures", done.stdout)
    assert total is not None, done.stdout
    assert int(total.group(1).replace(",", "")) >= 1_900
    for fuzzer in ("grammar", "mutate", "hostile", "data", "semantic", "cli"):
        assert re.search(rf"{fuzzer}\s+[\d,]+ cases\s+0 failures", done.stdout), fuzzer


CASES = sorted(p.parent for p in CORPUS.glob("*/case.json"))


@pytest.mark.parametrize("folder", CASES, ids=[c.name for c in CASES])
def test_a_failure_the_fuzzers_found_stays_fixed(folder: Path) -> None:
    from fuzz import registry

    kind, detail = registry.replay(folder)
    recorded = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    assert kind is None, f"{recorded['kind']} again: {detail}"


def test_the_corpus_is_not_empty() -> None:
    assert len(CASES) >= 3, "the failures fuzzing found are kept in tests/fuzz-corpus/"
