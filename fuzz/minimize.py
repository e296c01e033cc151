"""Make a failing case small: drop lines, then characters, while it fails the same way (delta debugging)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzz import cases, pool, registry

BUDGET = 300  # runs of the case at most


def minimise(case: cases.Case, kind: str, seed: int) -> cases.Case | None:
    """A smaller case failing with the same kind, or None if nothing could be removed."""
    target = next((n for n in ("units.csv", "units.json", "rules.par") if n in case.files and (
        case.fuzzer == "data") == (n != "rules.par")), None)
    if target is None:
        return None
    try:
        text = case.files[target].decode("utf-8")
    except UnicodeDecodeError:
        return None
    work = Path(tempfile.mkdtemp(prefix="parrules-minimise-"))
    tries = 0

    def fails(candidate: str) -> bool:
        nonlocal tries
        tries += 1
        trial = cases.Case(case.fuzzer, case.index, {**case.files, target: candidate.encode("utf-8")}, case.args)
        found, _ = pool.limited(lambda: registry.run_case(trial, work / "case", seed))
        return found == kind

    best = text
    for unit in ("\n", ""):
        parts = best.split(unit) if unit else list(best)
        if not unit and len(parts) > 2000:
            break
        size = max(len(parts) // 2, 1)
        while size >= 1 and tries < BUDGET:
            start, shrunk = 0, False
            while start < len(parts) and tries < BUDGET:
                candidate = parts[:start] + parts[start + size:]
                if candidate and fails(unit.join(candidate)):
                    parts, shrunk = candidate, True
                else:
                    start += size
            if not shrunk:
                size //= 2
        best = unit.join(parts)
    if best == text:
        return None
    return cases.Case(case.fuzzer, case.index, {**case.files, target: best.encode("utf-8")}, case.args)
