"""Every fuzzer, its size in `make fuzz` and in the sample, and running one case under the oracle."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fuzz import cli
from fuzz.cases import Case, make_data, make_grammar, make_hostile, make_mutation, run_data, run_ruleset
from fuzz.limits import limited
from fuzz.oracle import Failure


@dataclass(frozen=True)
class Fuzzer:
    name: str
    full: int  # cases in `make fuzz`
    sample: int  # cases in the sample `make test` runs
    make: Callable[[random.Random, int], Case] | None
    run: Callable[[Case, Path, random.Random], None] | None


def _run_cli(case: Case, folder: Path, rng: random.Random) -> None:
    cli.run_command(case, folder)


FUZZERS = [
    Fuzzer("grammar", 30_000, 500, make_grammar, run_ruleset),
    Fuzzer("mutate", 40_000, 700, make_mutation, run_ruleset),
    Fuzzer("hostile", 300, 12, make_hostile, run_ruleset),
    Fuzzer("data", 20_000, 500, make_data, run_data),
    Fuzzer("semantic", 10_000, 200, None, None),  # Hypothesis draws these (semantic.py)
    Fuzzer("cli", 1_500, 40, cli.make_command, _run_cli),
]
BY_NAME = {f.name: f for f in FUZZERS}


def case_rng(seed: int, fuzzer: str, index: int) -> random.Random:
    return random.Random(f"{seed}:{fuzzer}:{index}")


def make_case(seed: int, fuzzer: str, index: int) -> Case:
    make = BY_NAME[fuzzer].make
    assert make is not None
    return make(case_rng(seed, fuzzer, index), index)


def replay(folder: Path) -> tuple[str | None, str]:
    """Run a saved case again (its folder, as run.py saved it); (failure kind or None, detail)."""
    import json
    import tempfile

    from fuzz import semantic

    recorded = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    if recorded["fuzzer"] == "semantic":
        return limited(lambda: semantic.replay(folder))
    files = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*")
             if p.is_file() and p.name != "case.json" and "minimised" not in p.relative_to(folder).parts}
    case = Case(recorded["fuzzer"], int(recorded["index"]), files, list(recorded["args"]))
    with tempfile.TemporaryDirectory(prefix="parrules-replay-") as work:
        return limited(lambda: run_case(case, Path(work) / "case", int(recorded["seed"])))


def run_case(case: Case, folder: Path, seed: int) -> None:
    """Write the case's files into `folder` (emptied first) and hold its run to the oracle."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    case.write(folder)
    fuzzer = BY_NAME[case.fuzzer]
    assert fuzzer.run is not None
    try:
        fuzzer.run(case, folder, case_rng(seed + 1, case.fuzzer, case.index))
    except Failure:
        raise
    except Exception as exc:  # anything but parrules' own diagnostics is a crash
        import traceback

        raise Failure("crash", f"{exc.__class__.__name__}: {str(exc)[:300]}\n"
                      + "".join(traceback.format_exc().splitlines(keepends=True)[-12:])) from exc
