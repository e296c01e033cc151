"""Fuzz parrules: `make fuzz` (≥ 100,000 cases), or `--sample` for the 2,000 that `make test` runs.

    python fuzz/run.py                      # every fuzzer, full size, a fresh seed (printed)
    python fuzz/run.py --seed 7 --only data # one fuzzer, a known seed
    python fuzz/run.py --sample             # the small, fixed-seed sample
    python fuzz/run.py --replay fuzz/failures/mutate-1234   # run a saved failure again

Prints the cases run and the failures found per fuzzer, and exits 1 on any failure, after saving
each one (its files, what went wrong, and — where the case is text — a minimised copy) under
`fuzz/failures/`. A failure worth keeping becomes a regression test: copy its minimised files into
`tests/fuzz-corpus/` (see tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fuzz import cases, pool, registry  # noqa: E402
from fuzz.minimize import minimise  # noqa: E402

FAILURES = ROOT / "fuzz" / "failures"
CHUNK = {"semantic": 40, "cli": 5, "hostile": 2}


def _tasks(sizes: dict[str, int]) -> list[tuple[str, int, int]]:
    tasks: list[tuple[str, int, int]] = []
    for name, total in sizes.items():
        step = CHUNK.get(name, 25)
        tasks += [(name, start, min(step, total - start)) for start in range(0, total, step)]
    # Interleaved, so that a slow fuzzer does not wait at the end for one core.
    random.Random(0).shuffle(tasks)
    return tasks


def _save(outcome: pool.Outcome, seed: int) -> Path:
    folder = FAILURES / f"{outcome.fuzzer}-{seed}-{outcome.index}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if outcome.files is not None:
        files, args = outcome.files, ["rules.par", "units.json"]
    else:
        case = registry.make_case(seed, outcome.fuzzer, outcome.index)
        files, args = case.files, case.args
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    (folder / "case.json").write_text(json.dumps({
        "fuzzer": outcome.fuzzer, "index": outcome.index, "seed": seed, "args": args,
        "kind": outcome.kind, "detail": outcome.detail}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if outcome.files is None and outcome.kind not in ("hang", "slow", "memory") and outcome.fuzzer != "cli":
        smaller = minimise(cases.Case(outcome.fuzzer, outcome.index, dict(files), list(args)), outcome.kind or "",
                           seed)
        if smaller is not None:
            for name, content in smaller.files.items():
                (folder / "minimised" / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / "minimised" / name).write_bytes(content)
    return folder


def replay(folder: Path) -> int:
    kind, detail = registry.replay(folder)
    print(f"{folder.name}: {'holds' if kind is None else kind + ': ' + detail}")
    return 0 if kind is None else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz parrules.")
    parser.add_argument("--sample", action="store_true", help="the small sample make test runs (fixed seed)")
    parser.add_argument("--seed", type=int, help="the seed (default: random, printed; --sample: 2024)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--only", action="append", choices=[f.name for f in registry.FUZZERS])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every fuzzer's case count")
    parser.add_argument("--replay", type=Path, help="run one saved failure again")
    args = parser.parse_args(argv)
    if args.replay is not None:
        return replay(args.replay)
    seed = args.seed if args.seed is not None else (2024 if args.sample else random.SystemRandom().randrange(10**6))
    sizes = {f.name: max(1, int((f.sample if args.sample else f.full) * args.scale)) for f in registry.FUZZERS
             if not args.only or f.name in args.only}
    print(f"parrules fuzz: seed {seed}, {args.jobs} workers, {sum(sizes.values()):,} cases"
          f"{' (sample)' if args.sample else ''}", flush=True)
    started = time.monotonic()
    ran: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    saved: list[tuple[pool.Outcome, Path]] = []
    last_report = started
    for outcome in pool.run(_tasks(sizes), seed, args.jobs):
        ran[outcome.fuzzer] += outcome.count
        if outcome.kind is not None:
            failed[outcome.fuzzer] += 1
            folder = _save(outcome, seed)
            saved.append((outcome, folder))
            print(f"  FAIL {outcome.fuzzer} #{outcome.index}: {outcome.kind}: {outcome.detail.splitlines()[0][:200]}"
                  f" → {folder.relative_to(ROOT)}", flush=True)
        if not args.sample and time.monotonic() - last_report > 60:
            last_report = time.monotonic()
            print(f"  … {sum(ran.values()):,} cases, {sum(failed.values())} failures, "
                  f"{last_report - started:.0f} s", flush=True)
    took = time.monotonic() - started
    for name in sizes:
        print(f"  {name:<9} {ran[name]:>8,} cases  {failed[name]:>4} failures")
    print(f"  {'total':<9} {sum(ran.values()):>8,} cases  {sum(failed.values()):>4} failures"
          f"  in {int(took // 60)} min {took % 60:.0f} s")
    if saved:
        print(f"\n{len(saved)} failures saved under {FAILURES.relative_to(ROOT)}/; replay one with "
              "python fuzz/run.py --replay FOLDER")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
