"""Running one fuzz case under a time and a memory limit: `limited`, and what it reports.

A case may take 5 s of processor time (read after it; an interval timer stops one still running
after 10 s on the clock) and 1 GiB (the peak resident size is reset before the case, from /proc, and
read after it). The workers of `pool.py` run every case through it, and so do a replay and the minimiser.
"""

from __future__ import annotations

import resource
import signal
import time
from collections.abc import Callable

CASE_SECONDS = 5.0  # of processor time: what the case costs, whatever else the machine is doing
WALL_SECONDS = 10.0  # a case still running after this is stopped
CASE_BYTES = 1 << 30


class _Timeout(BaseException):  # BaseException: parrules' `except Exception` must not swallow it
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def _peak_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")  # resets the peak resident size (VmHWM) of this process
    except OSError:
        pass


def limited(run: Callable[[], object], seconds: float = CASE_SECONDS) -> tuple[str | None, str]:
    """Run one case; (failure kind or None, detail), with the time and memory limits applied."""
    from fuzz.oracle import Failure

    _reset_peak()
    signal.signal(signal.SIGALRM, _alarm)
    started = time.process_time()
    # Repeating after the first: a handler's exception can be swallowed where it lands (a gc callback).
    signal.setitimer(signal.ITIMER_REAL, max(seconds, WALL_SECONDS), 0.25)
    try:
        run()
    except _Timeout:
        return "slow", f"still running after {max(seconds, WALL_SECONDS):.0f} s"
    except MemoryError:
        return "memory", "MemoryError (the address-space limit was reached)"
    except Failure as failure:
        return failure.kind, failure.detail
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    took = time.process_time() - started
    peak = _peak_bytes()
    if peak > CASE_BYTES:
        return "memory", f"peak resident size {peak / 2**20:.0f} MiB"
    if took > seconds:
        return "slow", f"{took:.1f} s of processor time"
    return None, ""
