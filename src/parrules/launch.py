"""The `parrules` command as installed: the command line, its modules imported with the collector paused.

Importing the parser, the model and the checker makes thousands of objects (the attrs classes, the
grammar's tables) that live as long as the process; CPython's cyclic collector walks them again and
again while they are made, ≈10 ms of a 0.15 s `parrules check` (benchmarks/bench_startup.py). They
form no garbage, so the collector is paused while they are imported and runs as before afterwards.
"""

from __future__ import annotations

import gc


def main() -> int:
    # Not gcpause.paused: importing it would import the package before the collector is paused.
    enabled = gc.isenabled()
    gc.disable()
    try:
        from parrules.cli import main as command_line
    finally:
        gc.freeze()  # what the imports made lives as long as the process: no collection walks it again
        if enabled:
            gc.enable()
    return command_line()
