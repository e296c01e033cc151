"""A progress bar on standard error for long work: scoring, or writing a report, of thousands of units.

Shown only to a person watching: when the stream is a terminal and the work has more than
`THRESHOLD` units. Never in a file or a pipe (a log, a CI job, `2> errors.txt` stay as they were),
never on standard output (rich's Live would otherwise route stdout above the bar: it does not
here), and gone when the work is done, so that what stays on the screen is what parrules said.

    with progress_bar(sys.stderr, _("scoring")) as tick:
        results = ruleset.score_file(path, progress=tick)   # tick(done, total), every hundred units

`tick` costs a comparison when no bar is shown; the bar itself starts at the first call that
tells a total above the threshold. `units=` starts it at once, pulsing until `tick` tells how far
the work is: for work whose steps cannot be counted (a workbook being saved).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

from parrules.i18n import N_, _, n_, number

THRESHOLD = 2000  # units: below this, the work is over before a bar would help
# What the bar says it is doing (message ids, translated where shown).
SCORING = N_("scoring")
WRITING = N_("writing the report")

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

Tick = Callable[[int, int], None]


def on_terminal(stream: TextIO) -> bool:
    """Whether `stream` is a terminal (a person watching), not a file or a pipe."""
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):  # closed, or not a real stream
        return False


class _Bar:
    """The rich bar, made only once it is wanted (rich.progress is imported then, not before)."""

    def __init__(self, stream: TextIO, description: str, threshold: int) -> None:
        self._stream = stream
        self._description = description
        self._threshold = threshold
        self._wanted: bool | None = None  # None: not decided yet
        self._progress: tuple[Progress, TaskID] | None = None

    def start(self, total: int | None, units: int) -> None:
        if self._wanted is None:
            self._wanted = units > self._threshold and on_terminal(self._stream)
        if not self._wanted or self._progress is not None:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        console = Console(file=self._stream, highlight=False, markup=False, emoji=False)
        progress = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                            TextColumn("{task.fields[count]}", markup=False), TimeElapsedColumn(),
                            TimeRemainingColumn(), console=console, transient=True,
                            redirect_stdout=False, redirect_stderr=False)
        task = progress.add_task(self._description, total=total, count=self._count(0, total))
        self._progress = progress, task
        progress.start()

    def __call__(self, done: int, total: int) -> None:
        if self._wanted is False:
            return
        if self._progress is None:
            self.start(total, total)
            if self._progress is None:
                return
        progress, task = self._progress
        progress.update(task, completed=done, total=total, count=self._count(done, total))

    @staticmethod
    def _count(done: int, total: int | None) -> str:
        if total is None:
            return ""
        return n_("{done}/{total} unit", "{done}/{total} units", total).format(done=number(done),
                                                                              total=number(total))

    def close(self) -> None:
        if self._progress is not None:
            self._progress[0].stop()
            self._progress = None


@contextlib.contextmanager
def progress_bar(stream: TextIO, description: str, *, units: int | None = None,
                 threshold: int = THRESHOLD) -> Iterator[Tick]:
    """A `tick(done, total)` that draws a bar on `stream` while the block runs, when it is wanted.

    `description` is shown as given (translate it: `_(SCORING)`). With `units`, the bar is decided
    and shown at once (pulsing until the first tick); without, at the first tick. The bar is taken
    away when the block ends, however it ends (an error, Ctrl-C).
    """
    bar = _Bar(stream, description, threshold)
    if units is not None:
        bar.start(None, units)
    try:
        yield bar
    finally:
        bar.close()


def scoring(stream: TextIO) -> contextlib.AbstractContextManager[Tick]:
    """The bar of scoring: "scoring" ("đang chấm điểm"), from the first tick of more than 2,000 units."""
    return progress_bar(stream, _(SCORING))


STREAM_THRESHOLD = 1 << 20  # bytes of a file read as it goes: below this, it is over before a bar would help


class _FileBar(_Bar):
    """The bar of a file read as it goes: how far into the file, and how many units so far."""

    def __init__(self, stream: TextIO, description: str, size: int) -> None:
        super().__init__(stream, description, STREAM_THRESHOLD)
        self._size = size

    @staticmethod
    def _count(done: int, total: int | None) -> str:
        return ""  # the units so far are said by `read`: the total is bytes, not units

    def read(self, position: int, units: int) -> None:
        if self._wanted is None:
            self.start(self._size, self._size)
        if self._progress is None:
            return
        progress, task = self._progress
        progress.update(task, completed=min(position, self._size), count=n_(
            "{count} unit", "{count} units", units).format(count=number(units)))


@contextlib.contextmanager
def streaming(stream: TextIO, size: int) -> Iterator[Tick]:
    """The bar of scoring a file of `size` bytes as it is read: `tick(bytes read, units so far)`.

    Shown as `scoring` is, on a terminal only, for a file of more than a megabyte.
    """
    bar = _FileBar(stream, _(SCORING), size)
    try:
        yield bar.read
    finally:
        bar.close()


def writing(stream: TextIO, units: int) -> contextlib.AbstractContextManager[Tick]:
    """The bar of a report of `units` units being written ("đang ghi báo cáo"): pulsing, or ticked."""
    return progress_bar(stream, _(WRITING), units=units)
