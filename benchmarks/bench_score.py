"""Benchmark: score 10,000 generated units with parrules and with a hand-written scorer.

    make bench
    PYTHONPATH=src python benchmarks/bench_score.py --units 10000 --repeat 3 [--profile]

The ruleset is `rulesets/examples/department-full.par` (7 fields, 40 criteria, 90 sub-criteria, every
rule kind). Units come from `tools/generate_units.py` (deterministic, seeded) as rows of text, the
same rows both scorers read. Reported, best of `--repeat` runs:

- load: parse + build, check, compile — once per ruleset, so timed apart from scoring;
- parrules `Ruleset.score(rows)`: validation of every cell + evaluation, as a library user calls it;
- parrules validation alone (`validate_mappings`) and evaluation alone (`evaluate` on validated records);
- the hand-written scorer (`benchmarks/handwritten.py`), which parses the cells and trusts them.

Before any figure is printed, both scorers must agree on every unit's points, maximum, index, class,
group, rank and self-assessed total, and on the group averages; otherwise the script stops with exit
code 1 and lists the differences.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.handwritten import Table, score_units  # noqa: E402
from tools.generate_units import generate_units  # noqa: E402

import parrules  # noqa: E402
from parrules.data import UnitRecord, validate_mappings  # noqa: E402
from parrules.evaluate import evaluate  # noqa: E402
from parrules.results import Results  # noqa: E402

RULESET = ROOT / "rulesets" / "examples" / "department-full.par"
T = TypeVar("T")


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    """The fastest of `repeat` runs (the least disturbed by the machine), and the last result."""
    best = float("inf")
    result: T | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def differences(results: Results, table: Table) -> list[str]:
    """Every unit and average on which parrules and the hand-written scorer disagree."""
    out: list[str] = []
    by_hand = {u.unit: u for u in table.units}
    if [u.unit for u in results.units] != [u.unit for u in table.units]:
        out.append("the units are published in a different order")
    for u in results.units:
        h = by_hand.get(u.unit)
        if h is None:
            out.append(f"{u.unit}: missing from the hand-written table")
            continue
        engine = (u.components["appraisal"], u.components["survey"], u.total, u.max, u.index, u.class_, u.group,
                  u.rank, u.stage_totals.get("self"))
        hand = (h.appraisal, h.survey, h.total, h.max, h.index, h.class_, h.group, h.rank, h.self_total)
        if engine != hand:
            out.append(f"{u.unit}:\n    parrules {engine}\n    by hand  {hand}")
    averages = {g.name: g.average for g in results.groups}
    if averages != table.averages or results.average != table.average:
        out.append(f"averages: parrules {averages} {results.average}, by hand {table.averages} {table.average}")
    return out


def load_times(repeat: int) -> tuple[float, float, float]:
    """Best times of parse + build, check, and compile, each on a freshly loaded ruleset."""
    load = check = compile_ = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        ruleset = parrules.load(RULESET)
        built = time.perf_counter()
        report = ruleset.check()
        checked = time.perf_counter()
        ruleset.plan  # noqa: B018 - compiles and caches the plan
        compiled = time.perf_counter()
        if not report.ok:
            sys.exit(f"the benchmark ruleset has errors:\n{report.render()}")
        load, check, compile_ = min(load, built - start), min(check, checked - built), min(compile_, compiled - checked)
    return load, check, compile_


def profile_evaluate(ruleset: parrules.Ruleset, records: Sequence[UnitRecord], top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    evaluate(ruleset.plan, records)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return stream.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score generated units with parrules and by hand; compare.")
    parser.add_argument("--units", type=int, default=10_000, help="how many units (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument("--profile", action="store_true", help="also profile parrules' evaluate with cProfile")
    args = parser.parse_args(argv)
    n = args.units

    load, check, compile_ = load_times(args.repeat)
    ruleset = parrules.load(RULESET)
    ruleset.plan  # noqa: B018 - compile once, outside every timing below

    start = time.perf_counter()
    rows = generate_units(ruleset.model, n, args.seed, ruleset.plan)
    generated = time.perf_counter() - start

    score_time, results = best_of(args.repeat, lambda: ruleset.score(rows))
    validate_time, report = best_of(args.repeat, lambda: validate_mappings(rows, ruleset.model))
    if not report.ok:
        sys.exit("the generated units do not validate:\n" + "\n".join(str(d) for d in report.errors[:20]))
    records = list(report.records)
    evaluate_time, _ = best_of(args.repeat, lambda: evaluate(ruleset.plan, records))
    reference_time, _ = best_of(args.repeat, lambda: evaluate(ruleset.plan, records, generated=False))
    single = rows[: min(n, 500)]
    single_time, _ = best_of(args.repeat, lambda: [ruleset.score([row]) for row in single])
    hand_time, table = best_of(args.repeat, lambda: score_units(rows))

    found = differences(results, table)
    if found:
        print(f"FAIL: parrules and the hand-written scorer disagree on {len(found)} units or figures:",
              file=sys.stderr)
        for difference in found[:50]:
            print("  " + difference, file=sys.stderr)
        return 1

    model = ruleset.model
    leaves = len(model.leaves())
    print(f"ruleset   {RULESET.relative_to(ROOT)}: {len(model.nodes())} nodes, {leaves} leaves, "
          f"{len(model.inputs)} inputs")
    print(f"units     {n:,} generated in {generated:.2f} s (seed {args.seed}); best of {args.repeat} runs below")
    print(f"agree     all {n:,} units: points, maximum, index, class, group, rank, self-assessed total; averages")
    print()
    print(f"load      parse + build {load * 1000:7.1f} ms   check {check * 1000:7.1f} ms   "
          f"compile {compile_ * 1000:7.1f} ms")
    print()

    def line(label: str, seconds: float) -> str:
        return f"  {label:<44} {seconds:8.3f} s {n / seconds:>12,.0f} units/s"

    print("scoring")
    print(line("parrules Ruleset.score (validate + evaluate)", score_time))
    print(line("parrules validate_mappings only", validate_time))
    print(line("parrules evaluate only (validated records)", evaluate_time))
    print(line("  the same with the reference closures", reference_time))
    print(line("hand-written scorer (benchmarks/handwritten)", hand_time))
    print()
    print(f"ratio     parrules score / hand-written    {score_time / hand_time:6.2f}×")
    print(f"          parrules evaluate / hand-written {evaluate_time / hand_time:6.2f}×   "
          f"(reference closures {reference_time / hand_time:.2f}×)")
    print(f"          generated code / reference closures {evaluate_time / reference_time:6.2f}×")
    fixed = single_time / len(single) - score_time / n
    print(f"score([unit]) fixed cost per call beyond the unit's own work: {fixed * 1e6:,.0f} µs "
          f"({len(single)} calls of one unit against one call of {n:,})")
    print()
    mine, theirs = kept_per_unit(lambda: ruleset.score(rows), n), kept_per_unit(lambda: score_units(rows), n)
    print(f"memory    kept per unit, beyond the input rows: parrules {mine / 1024:6.1f} KB   "
          f"hand-written {theirs / 1024:6.1f} KB   ({mine / theirs:4.1f}×)")
    if args.profile:
        print()
        print(profile_evaluate(ruleset, records, 25))
    return 0


def kept_per_unit(run: Callable[[], object], units: int) -> float:
    """Bytes the result of `run` keeps alive per unit (tracemalloc, after a collection), inputs excluded."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = run()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del result
    return (after - before) / units


if __name__ == "__main__":
    sys.exit(main())
