"""The progress bar of long work: on stderr when it is a terminal and there are thousands of units, else never."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import parrules
from parrules import progress
from terminal import pseudo_terminal, read_all

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets" / "examples" / "department-full.par"
SMALL_DATA = ROOT / "examples" / "department-full" / "units.csv"
BAR = "━"  # what rich draws the bar with


@pytest.fixture(scope="module")
def many_units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 generated units of the department-full ruleset: more than the 2,000 a bar waits for."""
    path = tmp_path_factory.mktemp("units") / "units.csv"
    subprocess.run([sys.executable, str(ROOT / "tools" / "generate_units.py"), "--units", "3000", "--seed", "7",
                    "-o", str(path)], check=True, timeout=120, capture_output=True,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return path


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "TERM")}
    env.update(PYTHONPATH=os.pathsep.join(sys.path), PARRULES_LANG="en", TERM="xterm-256color")
    return env


def _stderr_on_a_terminal(stdout: Path, *args: str) -> tuple[int, str]:
    """Run parrules with its stderr on a pseudo-terminal (stdout to a file): the exit code, what the terminal got."""
    master, slave = pseudo_terminal(120, 40)
    with stdout.open("wb") as out:
        done, shown = read_all(master, slave, lambda tty: subprocess.Popen(
            [sys.executable, "-m", "parrules.cli", *args], stdout=out, stderr=tty, stdin=subprocess.DEVNULL,
            cwd=ROOT, env=_environment()))
        code = done.wait(timeout=300)
    return code, shown.decode("utf-8")


def test_scoring_thousands_of_units_shows_a_bar_on_a_terminal_and_none_in_a_pipe(many_units: Path,
                                                                                  tmp_path: Path) -> None:
    args = ["score", str(RULESET), str(many_units), "--format", "csv"]
    code, terminal = _stderr_on_a_terminal(tmp_path / "out.csv", *args)
    assert code == 0, terminal
    assert "scoring" in terminal and BAR in terminal
    assert "3,000/3,000 units" in terminal  # it ran to the end
    assert "\x1b[?25l" in terminal and "\x1b[?25h" in terminal  # the cursor hidden while drawing, shown again
    printed = (tmp_path / "out.csv").read_bytes()
    assert b"\x1b" not in printed and BAR.encode() not in printed  # never mixed into stdout
    # The same command with stderr to a pipe: the same output, and not a trace of the bar.
    piped = subprocess.run([sys.executable, "-m", "parrules.cli", *args], capture_output=True, cwd=ROOT,
                           env=_environment(), check=False, timeout=300)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == printed
    assert b"scoring" not in piped.stderr and BAR.encode() not in piped.stderr and b"\x1b" not in piped.stderr


def test_a_few_units_on_a_terminal_show_no_bar(tmp_path: Path) -> None:
    code, terminal = _stderr_on_a_terminal(tmp_path / "out.csv", "score", str(RULESET), str(SMALL_DATA),
                                           "--format", "csv")
    assert code == 0, terminal
    assert BAR not in terminal and "scoring" not in terminal and "\x1b" not in terminal


def test_the_library_tells_how_far_scoring_is(many_units: Path) -> None:
    ruleset = parrules.load(RULESET)
    heard: list[tuple[int, int]] = []
    results = ruleset.score_file(many_units, progress=lambda done, total: heard.append((done, total)))
    assert len(results.units) == 3000
    assert heard == [(done, 3000) for done in range(100, 3001, 100)]  # every hundred units, and the last
    few: list[tuple[int, int]] = []
    rows = ruleset.read_data(SMALL_DATA)
    assert len(ruleset.score(rows, progress=lambda done, total: few.append((done, total))).units) == 25
    assert few == [(25, 25)]
    assert ruleset.score(rows).units == ruleset.score(rows, progress=None).units


def test_no_bar_is_drawn_on_a_stream_that_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with progress.progress_bar(stream, "scoring") as tick:
        for done in range(100, 5001, 100):
            tick(done, 5000)
    with progress.progress_bar(stream, "writing the report", units=5000) as tick:
        tick(5000, 5000)
    assert stream.getvalue() == ""
    assert not progress.on_terminal(stream)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_is_drawn_only_above_the_threshold_and_taken_away_at_the_end() -> None:
    few = _Terminal()
    with progress.progress_bar(few, "scoring") as tick:
        tick(2000, 2000)
    assert few.getvalue() == ""  # 2,000 units: over before a bar would help
    many = _Terminal()
    with progress.progress_bar(many, "scoring") as tick:
        tick(1000, 2001)
        tick(2001, 2001)
    assert "scoring" in many.getvalue() and BAR in many.getvalue()
    with pytest.raises(KeyboardInterrupt), progress.progress_bar(_Terminal(), "scoring") as tick:
        tick(100, 3000)
        raise KeyboardInterrupt  # Ctrl-C: the bar is stopped, its thread does not outlive the command
    import threading

    refreshing = [t for t in threading.enumerate() if type(t).__module__.startswith("rich")]
    for thread in refreshing:  # told to stop: it ends at its next wake-up (a tenth of a second)
        thread.join(timeout=5)
    assert not [t for t in refreshing if t.is_alive()]


def test_scoring_a_large_csv_to_a_csv_file_shows_how_far_into_the_file_it_is(many_units: Path,
                                                                             tmp_path: Path) -> None:
    """Read as it goes (stream.py), the bar follows the bytes read and counts the units scored."""
    assert many_units.stat().st_size > progress.STREAM_THRESHOLD
    out = tmp_path / "results.csv"
    code, terminal = _stderr_on_a_terminal(tmp_path / "stdout.txt", "score", str(RULESET), str(many_units),
                                           "--format", "csv", "-o", str(out))
    assert code == 0, terminal
    assert "scoring" in terminal and BAR in terminal
    assert "3,000 units" in terminal  # the units scored, at the last batch
    assert "wrote 3,000 units to" in terminal
    expected = subprocess.run([sys.executable, "-m", "parrules.cli", "score", str(RULESET), str(many_units),
                               "--format", "csv"], capture_output=True, cwd=ROOT, env=_environment(), check=False,
                              timeout=300)
    assert out.read_bytes() == b"\xef\xbb\xbf" + expected.stdout
