"""Broken rulesets never crash: truncated or with a stray token, `parrules check` exits 1 and says where.

The shipped rulesets are cut after every line and have tokens inserted at the start of every line;
each variant must give exit code 1, a `file:line:col` location and no traceback.
"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from parrules.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "rulesets").rglob("*.par"))
STRAY_TOKENS = ["}", "{", "->", "max", '"x"', "@", ";", "0.5", "otherwise"]
LOCATION = re.compile(r":\d+:\d+: error PAR\d{3}: ")
# Every line of the small rulesets; an evenly spread sample of the large one (department-full has
# ~500 lines: every line × every token would take minutes, and neighbouring lines break alike).
MAX_POSITIONS = 60


def spread(positions: list[int], limit: int = MAX_POSITIONS) -> list[int]:
    if len(positions) <= limit:
        return positions
    step = len(positions) / limit
    return sorted({positions[int(i * step)] for i in range(limit)} | {positions[0], positions[-1]})


def run_check(path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["check", str(path)])
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("ruleset", SHIPPED, ids=lambda p: p.name)
def test_every_truncation_is_reported_with_a_location(ruleset: Path, tmp_path: Path) -> None:
    lines = ruleset.read_text(encoding="utf-8").splitlines(keepends=True)
    last_code_line = max(i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#"))
    target = tmp_path / ruleset.name
    for cut in spread(list(range(last_code_line + 1))):  # keep lines [0, cut): cuts that lose code
        target.write_text("".join(lines[:cut]), encoding="utf-8")
        code, output = run_check(target)
        assert code == 1, f"cut after line {cut}: exit {code}\n{output}"
        assert LOCATION.search(output), f"cut after line {cut}: no location\n{output}"
        assert "Traceback" not in output


@pytest.mark.parametrize("ruleset", SHIPPED, ids=lambda p: p.name)
@pytest.mark.parametrize("token", STRAY_TOKENS)
def test_a_stray_token_is_reported_with_a_location(ruleset: Path, token: str, tmp_path: Path) -> None:
    lines = ruleset.read_text(encoding="utf-8").splitlines(keepends=True)
    target = tmp_path / ruleset.name
    code_lines = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    for index in spread(code_lines):
        broken = [*lines[:index], token + " " + lines[index], *lines[index + 1:]]
        target.write_text("".join(broken), encoding="utf-8")
        code, output = run_check(target)
        assert code == 1, f"{token!r} before line {index + 1}: exit {code}\n{output}"
        assert LOCATION.search(output), f"{token!r} before line {index + 1}: no location\n{output}"
        assert "Traceback" not in output
