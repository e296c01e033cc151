"""`parrules fmt`: the canonical layout of a `.par` file, comments kept, meaning unchanged.

The expected text of the golden case is written by hand (tests/golden/fmt/*.expected); the
properties run over random rulesets, laid out at random and sprinkled with comments.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parrules import model as m
from parrules.build import build_source
from parrules.fmt import _tokens, format_text
from parrules.format import to_par
from strategies import models

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "fmt"
SHIPPED = sorted((ROOT / "rulesets").rglob("*.par"))


def build(text: str) -> m.Model:
    built = build_source(text, "<text>", None)
    assert built.model is not None, [d.message for d in built.diagnostics]
    return built.model


def formatted(text: str) -> str:
    done = format_text(text)
    assert done.text is not None, [d.message for d in done.diagnostics]
    return done.text


@pytest.mark.parametrize("case", sorted(GOLDEN.glob("*.par")), ids=lambda p: p.stem)
def test_a_messy_file_comes_out_as_written_by_hand(case: Path) -> None:
    expected = case.with_suffix(".expected").read_text(encoding="utf-8")
    text = case.read_text(encoding="utf-8")
    assert formatted(text) == expected
    assert formatted(expected) == expected
    assert build(expected) == build(text)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_ruleset_is_in_the_canonical_layout(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert formatted(text) == text, f"run `parrules fmt {path.relative_to(ROOT)}`"


def test_comments_stay_where_they_were() -> None:
    text = ('# top\nruleset "T" { # after the brace\n  year 2024 # year\n}\n'
            '  # before the component\ncomponent a "A" max 1 {\n  given # the council\'s points\n}\n# end\n')
    assert formatted(text) == ('# top\nruleset "T" {  # after the brace\n  year 2024  # year\n}\n'
                               '# before the component\ncomponent a "A" max 1 {\n'
                               '  given  # the council\'s points\n}\n# end\n')


def test_a_file_with_a_syntax_error_is_not_formatted() -> None:
    done = format_text('ruleset "T" {\ncomponent a "A" max 1,5 { given }\n')
    assert done.text is None
    assert {d.code for d in done.diagnostics} >= {"PAR106"}


# ---- properties ---------------------------------------------------------------------------------

GAPS = [" ", "  ", "\t", "\n", "\n\n\n", "\n      ", " \n  "]
SPELLINGS = {">=": "≥", "<=": "≤", "!=": "≠", "->": "→", "*": "×"}


@st.composite
def messy(draw: st.DrawFn) -> tuple[m.Model, str, list[str]]:
    """A random ruleset's text with random spaces, line breaks, spellings and comments."""
    model = draw(models())
    tokens = _tokens(to_par(model))
    out: list[str] = []
    comments: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind == "COMMENT":
            continue
        text = token.text
        if text in SPELLINGS and draw(st.booleans()):
            text = SPELLINGS[text]
        if token.kind == "PERCENT" and draw(st.booleans()):
            text = text[:-1] + " %"
        out.append(text)
        if index + 1 < len(tokens):
            gap = draw(st.sampled_from(GAPS))
            # (Not between `min`/`max` and its `(`: the language reads `min(` as one word.)
            if "\n" in gap and token.kind != "FUNCTION" and draw(st.integers(0, 4)) == 0:
                comments.append(f"# ghi chú {len(comments)}")
                gap = f"  {comments[-1]}{gap}"
            out.append(gap)
    return model, "".join(out) + "\n", comments


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(messy())
def test_fmt_keeps_the_meaning_and_the_comments_and_is_idempotent(case: tuple[m.Model, str, list[str]]) -> None:
    model, text, comments = case
    once = formatted(text)
    assert build(once) == build(text) == model
    assert [t.text for t in _tokens(once) if t.kind == "COMMENT"] == comments
    assert formatted(once) == once
    assert all(line == line.rstrip() for line in once.split("\n"))
    assert "\n\n\n" not in once and not once.startswith("\n")


# ---- the command ---------------------------------------------------------------------------------


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The same parrules this test imports (installed, or src/ in a development run).
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run([sys.executable, "-m", "parrules.cli", "--lang", "en", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, check=False)


def test_fmt_check_diff_and_write(tmp_path: Path) -> None:
    messy_file = tmp_path / "messy.par"
    original = (GOLDEN / "messy.par").read_text(encoding="utf-8")
    messy_file.write_text(original, encoding="utf-8")
    checked = run("fmt", "--check", "messy.par", cwd=tmp_path)
    assert checked.returncode == 1 and "messy.par: would be reformatted" in checked.stderr
    assert messy_file.read_text(encoding="utf-8") == original
    diffed = run("fmt", "--diff", "messy.par", cwd=tmp_path)
    assert diffed.returncode == 0 and diffed.stdout.startswith("--- messy.par\n+++ messy.par\n")
    assert "+  index  2 decimals half-up\n" in diffed.stdout
    assert messy_file.read_text(encoding="utf-8") == original
    written = run("fmt", "messy.par", cwd=tmp_path)
    assert written.returncode == 0 and "messy.par: reformatted" in written.stderr
    assert messy_file.read_text(encoding="utf-8") == (GOLDEN / "messy.expected").read_text(encoding="utf-8")
    again = run("fmt", "--check", "messy.par", cwd=tmp_path)
    assert again.returncode == 0 and "1 file already in the canonical layout" in again.stderr


def test_fmt_leaves_a_broken_file_alone_and_says_why(tmp_path: Path) -> None:
    broken = tmp_path / "broken.par"
    broken.write_text('ruleset "T" { year 2024 }\ncomponent a "A" max 1,5 { given }\n', encoding="utf-8")
    done = run("fmt", "broken.par", cwd=tmp_path)
    assert done.returncode == 1
    assert "PAR106" in done.stderr and "broken.par: not formatted, it has a syntax error" in done.stderr
    assert broken.read_text(encoding="utf-8").endswith("max 1,5 { given }\n")
