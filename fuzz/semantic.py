"""Rulesets that mean something: drawn by Hypothesis from the test suite's strategies, written out as
`.par` text, read back, checked, and — when they check clean — scored with units drawn for them.

Two families (tests/strategies.py): `scenarios()`, rulesets the engine should score without
complaint (trees that add up, real rule patterns, applicability, exclusions, bonus and penalty,
rounding, groups, ranks), and `models()`, anything the builder can produce. Hypothesis shrinks a
failure to a small example, which is saved as a `.par` file and a JSON list of units.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from fuzz import oracle, units
from fuzz.oracle import Failure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from parrules.format import to_par  # noqa: E402
from strategies import full_marks_record, models, records, scenarios  # noqa: E402


class Run:
    """What one batch did: how many cases, and the files of the last one that failed."""

    def __init__(self) -> None:
        self.cases = 0
        self.files: dict[str, bytes] = {}


def _case(run: Run, text: str, rows: list[dict[str, object]]) -> None:
    run.cases += 1
    run.files = {"rules.par": text.encode("utf-8"),
                 "units.json": json.dumps(rows, ensure_ascii=False, default=str).encode("utf-8")}
    ruleset, report = oracle.check_text(text, "rules.par")
    if ruleset is None or report is None or not report.ok:
        return
    oracle.score_rows(ruleset, rows, shuffle_seed=run.cases)


def batch(seed_value: int, count: int) -> tuple[int, Failure | None, dict[str, bytes]]:
    run = Run()

    @seed(seed_value)
    @settings(max_examples=count, database=None, deadline=oracle_deadline(), phases=[Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(st.data())
    def scored(data: st.DataObject) -> None:
        if data.draw(st.integers(0, 2), label="family") < 2:
            scenario = data.draw(scenarios(bonus=True), label="scenario")
            rows = data.draw(records(scenario, max_size=5), label="units")
            if data.draw(st.booleans(), label="full marks"):
                rows.append(full_marks_record(scenario, "Đơn vị đủ điểm"))
            _case(run, to_par(scenario.model), rows)
        else:
            model = data.draw(models(), label="model")
            try:
                text = to_par(model)
            except ValueError:
                return  # a model no text can say (the formatter refuses it): nothing to read back
            _case(run, text, units.rows(random.Random(data.draw(st.integers(0, 10**6))), model, 3))

    try:
        scored()
    except Failure as failure:
        return run.cases, failure, run.files
    except Exception as exc:
        return run.cases, Failure("crash", f"{exc.__class__.__name__}: {str(exc)[:400]}"), run.files
    return run.cases, None, {}


def oracle_deadline() -> int:
    return 5000  # milliseconds: the runner's per-case time limit


def replay(folder: Path) -> None:
    """Run a saved semantic case again (see run.py --replay)."""
    text = (folder / "rules.par").read_text(encoding="utf-8")
    rows = json.loads((folder / "units.json").read_text(encoding="utf-8"))
    ruleset, report = oracle.check_text(text, "rules.par")
    if ruleset is not None and report is not None and report.ok:
        oracle.score_rows(ruleset, rows, shuffle_seed=1)

