"""Benchmark: how scoring grows with units and with the ruleset (a generated ≈300-leaf criteria set).

    make bench
    PYTHONPATH=src python benchmarks/bench_scale.py --leaves 300 --units 1000,10000 [--repeat 2]
    PYTHONPATH=src python benchmarks/bench_scale.py --units 1000,10000,100000   # ≈ 10 GB at 100,000

The ruleset is written by `benchmarks/large_ruleset.py` (eight rule patterns in turn, each leaf
with its own input, a third of the criteria on a one-stop attribute); units by
`tools/generate_units.py`. For each size, best of `--repeat`: `Ruleset.score`, validation alone,
evaluation with the generated scorer and with the reference closures (which must agree on every
unit's index and rank), each as time and as nanoseconds per unit and leaf. Cost linear in units ×
leaves shows as the same ns per unit·leaf at every size.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_score import best_of  # noqa: E402
from benchmarks.large_ruleset import make_ruleset  # noqa: E402
from tools.generate_units import generate_units  # noqa: E402

import parrules  # noqa: E402
from parrules.data import validate_mappings  # noqa: E402
from parrules.evaluate import evaluate  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scoring time against units and leaves.")
    parser.add_argument("--leaves", type=int, default=300, help="sub-criteria in the generated ruleset")
    parser.add_argument("--units", default="1000,10000", help="comma-separated unit counts")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    ruleset = parrules.load_text(make_ruleset(args.leaves), "<large ruleset>")
    report = ruleset.check()
    if not report.ok:
        sys.exit(report.render())
    leaves = len(ruleset.model.leaves())
    print(f"ruleset   generated (benchmarks/large_ruleset.py): {len(ruleset.model.nodes())} nodes, {leaves} leaves, "
          f"{len(ruleset.model.inputs)} inputs")
    print(f"{'units':>9}  {'':<28}{'seconds':>9}  {'ns / unit·leaf':>15}")
    per: dict[str, list[float]] = {}
    for n in (int(x) for x in args.units.split(",")):
        rows = generate_units(ruleset.model, n, 1, ruleset.plan)
        score_time, results = best_of(args.repeat, lambda rows=rows: ruleset.score(rows))
        validate_time, validated = best_of(args.repeat, lambda rows=rows: validate_mappings(rows, ruleset.model))
        records = list(validated.records)
        generated_time, fast = best_of(args.repeat, lambda records=records: evaluate(ruleset.plan, records))
        reference_time, slow = best_of(args.repeat,
                                       lambda records=records: evaluate(ruleset.plan, records, generated=False))
        if [(u.unit, u.total, u.index, u.rank) for u in fast.units] != [
                (u.unit, u.total, u.index, u.rank) for u in slow.units] or len(results.units) != n:
            print("FAIL: the generated scorer and the closures disagree", file=sys.stderr)
            return 1
        for label, seconds in (("Ruleset.score", score_time), ("validation", validate_time),
                               ("evaluate, generated scorer", generated_time),
                               ("evaluate, reference closures", reference_time)):
            ns = seconds / (n * leaves) * 1e9
            per.setdefault(label, []).append(ns)
            print(f"{n:>9,}  {label:<28}{seconds:>9.3f}  {ns:>15,.0f}")
    print()
    for label, values in per.items():
        middle = sorted(values)[len(values) // 2]
        spread = max(abs(v - middle) / middle for v in values) * 100
        print(f"linear    {label:<28} ns / unit·leaf within ±{spread:.0f} % across sizes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
