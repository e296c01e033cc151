"""Compare computed results with a published results table (a transcription of the decision).

Rule authors transcribe the year's decision, score the units and want to see, line by line, where
the engine and the printed table differ, and why. Published tables contain rounding artefacts and
typos: every difference is reported, never hidden and never fatal, with its cause (`compare`):
rounding of the published figures, a source that contradicts itself, a tie the source breaks, or
nothing the table can show (`unexplained`).

- `read`: the CSV (unit, total, index, class, group, rank, max, a column per component, line);
- `intervals`: what a rounded figure stands for, exactly;
- `compare`: the differences and their causes, as text and as JSON.
"""

from __future__ import annotations

from parrules.published.compare import (
    CAUSES,
    NOT_EXPLAINED,
    Cause,
    Comparison,
    Difference,
    compare,
    compare_published,
)
from parrules.published.read import Published, PublishedAverage, PublishedRow, read_published

__all__ = [
    "CAUSES",
    "NOT_EXPLAINED",
    "Cause",
    "Comparison",
    "Difference",
    "Published",
    "PublishedAverage",
    "PublishedRow",
    "compare",
    "compare_published",
    "read_published",
]
