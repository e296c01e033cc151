"""Benchmark: `parrules check` as a rule author runs it, whole process, and check time against size.

    make bench
    PYTHONPATH=src python benchmarks/bench_startup.py [--runs 11]

1. The whole process of `parrules check rulesets/examples/department-full.par` (start-up, imports,
   the parser's tables from its cache, parsing, building, checking, exit) against the whole process
   of `python -c "import lark, attrs"`, the least any parrules command could cost. The two run in
   turn, `--runs` times each after one unmeasured run of each (the parser's cache is then warm, as
   it is for a rule author from the second check on); medians, and their ratio.
2. Check time against ruleset size: rulesets of 100 and 1,000 leaves (`benchmarks/large_ruleset.py`),
   loaded and checked in this process (warm, best of 3), and each as a whole `parrules check`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_score import RULESET, best_of  # noqa: E402
from benchmarks.large_ruleset import make_ruleset  # noqa: E402

import parrules  # noqa: E402

# The command as installed (a rule author types `parrules check`); from a checkout, the module.
_SCRIPT = Path(sys.executable).with_name("parrules")
CHECK = [str(_SCRIPT), "check"] if _SCRIPT.is_file() else [sys.executable, "-m", "parrules.cli", "check"]
FLOOR = [sys.executable, "-c", "import lark, attrs"]


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)} exited {done.returncode}:\n{done.stdout.decode()}{done.stderr.decode()}")
    return seconds


def medians(runs: int, *commands: list[str]) -> list[float]:
    """Each command's median wall time; the commands run in turn, so a drift of the machine hits all alike."""
    for command in commands:
        wall(command)  # unmeasured: the parser's cache written, the files in the page cache
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, command in enumerate(commands):
            times[i].append(wall(command))
    return [statistics.median(t) for t in times]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="parrules check: whole process, and time against ruleset size.")
    parser.add_argument("--runs", type=int, default=11, help="runs of each command (default: %(default)s)")
    args = parser.parse_args(argv)

    check, floor = medians(args.runs, [*CHECK, str(RULESET)], FLOOR)
    print(f"start-up  parrules check {RULESET.relative_to(ROOT)}, whole process, median of {args.runs}:")
    print(f"  parrules check                   {check * 1000:7.1f} ms")
    print(f"  python -c \"import lark, attrs\"   {floor * 1000:7.1f} ms")
    print(f"  ratio                            {check / floor:7.2f}×   (target ≤ 2×)")

    with tempfile.TemporaryDirectory() as folder:
        sizes = (100, 1000)
        files = []
        for leaves in sizes:
            path = Path(folder) / f"leaves-{leaves}.par"
            path.write_text(make_ruleset(leaves), encoding="utf-8")
            files.append(path)
        inside = []
        for path in files:
            seconds, report = best_of(3, lambda path=path: parrules.load(path).check())
            if not report.ok:
                sys.exit(report.render())
            inside.append(seconds)
        whole = medians(max(3, args.runs // 2), *[[*CHECK, str(p)] for p in files])
    print()
    print("check time against ruleset size (benchmarks/large_ruleset.py)")
    for leaves, seconds, process in zip(sizes, inside, whole, strict=True):
        print(f"  {leaves:>5,} leaves   load + check {seconds * 1000:7.1f} ms   whole process {process * 1000:7.1f} ms")
    print(f"  1,000 ÷ 100 leaves: load + check {inside[1] / inside[0]:5.1f}×, whole process "
          f"{whole[1] / whole[0]:5.1f}×   (target ≤ 10×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
