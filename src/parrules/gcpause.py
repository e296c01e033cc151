"""The cyclic garbage collector paused while a batch of units is read and scored.

Scoring allocates many small objects (a Decimal per cell, a record per row, a result per unit) that
form no reference cycles; CPython's collector nevertheless walks the young objects every 700
allocations and every survivor again in older generations, which was ≈30 % of `Ruleset.score`'s
time on 10,000 units (benchmarks/bench_score.py). Reference counting still frees everything as it
goes; only cycles wait, and the collector runs again, as before, when the batch is done. The
collector is process-wide: a caller who turned it off keeps it off.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar


@contextlib.contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


P = ParamSpec("P")
R = TypeVar("R")


def pausing(function: Callable[P, R]) -> Callable[P, R]:
    """`function` run with the collector paused (the readers and validators of a whole data file)."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused():
            return function(*args, **kwargs)

    return run
