"""Worker processes that run fuzz cases under a time and a memory limit, and survive what they find.

Each worker takes a chunk (a fuzzer and a range of case numbers), runs every case in a fresh folder,
and reports each one. A case may take 5 s (an interval timer interrupts it) and 1 GiB (the peak
resident size is reset before each case, from /proc, and read after it); an address-space limit
stops a runaway before it takes the machine down. A worker that stops answering — stuck in C code,
where no timer can reach — is killed by the parent, the case counted as a hang, and a new worker
takes the rest of its chunk.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fuzz.limits import CASE_BYTES, CASE_SECONDS, limited

HARD_SECONDS = 20.0  # a worker silent for this long is killed


@dataclass
class Outcome:
    fuzzer: str
    index: int
    kind: str | None = None  # None: the case held
    detail: str = ""
    files: dict[str, bytes] | None = None  # for a semantic case: the (shrunk) example
    count: int = 1  # cases this outcome stands for (a semantic batch: all of them)


def _worker(connection: multiprocessing.connection.Connection, seed: int) -> None:
    from fuzz import registry, semantic

    resource.setrlimit(resource.RLIMIT_AS, (3 * CASE_BYTES, resource.RLIM_INFINITY))
    folder = Path(tempfile.mkdtemp(prefix="parrules-fuzz-"))
    while True:
        task = connection.recv()
        if task is None:
            return
        fuzzer, start, count = task
        if fuzzer == "semantic":
            connection.send(("start", start))
            done, failure, files = semantic.batch(seed * 1_000_003 + start, count)
            connection.send(("batch", start, done, failure.kind if failure else None,
                             failure.detail if failure else "", files))
            continue
        for index in range(start, start + count):
            connection.send(("start", index))
            try:
                case = registry.make_case(seed, fuzzer, index)
            except Exception as exc:
                connection.send(("done", index, "fuzzer", f"making the case: {exc!r}"))
                continue
            kind, detail = limited(lambda case=case: registry.run_case(case, folder / "case", seed))
            connection.send(("done", index, kind, detail))
        connection.send(("chunk", start))


@dataclass
class _Slot:
    process: multiprocessing.process.BaseProcess
    connection: multiprocessing.connection.Connection
    task: tuple[str, int, int] | None = None
    current: int | None = None
    since: float = 0.0


def run(tasks: list[tuple[str, int, int]], seed: int, jobs: int) -> Iterator[Outcome]:
    """Run every task on `jobs` workers; yields one outcome per case (a semantic batch: per batch)."""
    context = multiprocessing.get_context("fork")
    pending = list(reversed(tasks))
    slots: list[_Slot] = []

    def spawn() -> _Slot:
        parent, child = context.Pipe()
        process = context.Process(target=_worker, args=(child, seed), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    def give(slot: _Slot) -> None:
        if pending:
            slot.task = pending.pop()
            slot.connection.send(slot.task)
            slot.since = time.monotonic()
        else:
            slot.task = None
            slot.connection.send(None)

    for _ in range(jobs):
        slot = spawn()
        slots.append(slot)
        give(slot)
    while any(s.task is not None for s in slots):
        ready = multiprocessing.connection.wait([s.connection for s in slots if s.task is not None], timeout=1.0)
        for slot in slots:
            if slot.task is None:
                continue
            if slot.connection in ready:
                try:
                    message = slot.connection.recv()
                except EOFError:
                    message = ("died",)
                yield from _handle(slot, message, pending, give)
                if message[0] != "died":
                    continue
            else:
                limit = HARD_SECONDS if slot.task[0] != "semantic" else HARD_SECONDS + slot.task[2] * CASE_SECONDS
                if time.monotonic() - slot.since <= limit:
                    continue
                message = ("hang",)
                yield from _handle(slot, message, pending, give)
            # The worker died or hung: a new one takes over the rest of its chunk.
            if slot.process.is_alive() and slot.process.pid is not None:
                os.kill(slot.process.pid, signal.SIGKILL)
            slot.process.join()
            fresh = spawn()
            slot.process, slot.connection = fresh.process, fresh.connection
            give(slot)


def _handle(slot: _Slot, message: tuple[object, ...], pending: list[tuple[str, int, int]],
            give: Callable[[_Slot], None]) -> Iterator[Outcome]:
    assert slot.task is not None
    fuzzer, start, count = slot.task
    kind = message[0]
    if kind == "start":
        slot.current = int(message[1])  # type: ignore[call-overload]
        slot.since = time.monotonic()
    elif kind == "done":
        _, index, failure, detail = message
        yield Outcome(fuzzer, int(index), failure, str(detail))  # type: ignore[arg-type, call-overload]
    elif kind == "batch":
        _, index, done, failure, detail, files = message
        yield Outcome(fuzzer, int(index), None if failure is None else str(failure), str(detail),  # type: ignore[call-overload]
                      files or None, max(int(done), 1))  # type: ignore[arg-type, call-overload]
        give(slot)
    elif kind == "chunk":
        give(slot)
    else:  # died or hung in the middle of a case
        current = slot.current if slot.current is not None else start
        what = "the worker died" if kind == "died" else f"no answer for {HARD_SECONDS:.0f} s"
        yield Outcome(fuzzer, current, "hang" if kind == "hang" else "crash", what)
        rest = current + 1
        if fuzzer != "semantic" and rest < start + count:
            pending.append((fuzzer, rest, start + count - rest))
        slot.task, slot.current = None, None
