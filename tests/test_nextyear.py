"""`parrules init --from LAST.par --year N`: next year's file, made from last year's text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from parrules import model as m
from parrules.api import load_text
from parrules.build import build_source
from parrules.fmt import format_text
from parrules.nextyear import next_year

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "rulesets").rglob("*.par"))


def built(text: str, root: Path) -> m.Model:
    done = build_source(text, "<t>", root)
    assert done.model is not None, [d.message for d in done.diagnostics]
    return done.model


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_next_year_from_every_shipped_ruleset(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    old = built(text, path.parent)
    made = next_year(text, str(path), (old.meta.year or 2000) + 1, path.parent)
    assert made.text is not None
    new = built(made.text, path.parent)
    assert new.meta.year == (old.meta.year or 2000) + 1
    assert new.exclusions == () and made.removed == old.exclusions
    # Nothing else of the model changes: the tree, the rules, the classes…
    expected = attrs.evolve(old, exclusions=(), meta=attrs.evolve(
        old.meta, year=new.meta.year, title=old.meta.title.replace(str(old.meta.year), str(new.meta.year)),
        expect=new.meta.expect))
    assert new == expected
    kinds = {"fields": "field", "criteria": "criterion", "subcriteria": "sub", "parts": "part"}
    for stated in new.meta.expect:
        assert stated.count == sum(1 for n in new.nodes() if n.kind == kinds[stated.kind])
    # It checks clean, every comment of last year's file is still there, and it is formatted.
    assert load_text(made.text, str(path)).check().ok
    assert set(re.findall(r"#[^\n]*", text)) <= set(re.findall(r"#[^\n]*", made.text))
    assert format_text(made.text).text == made.text


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run([sys.executable, "-m", "parrules.cli", "--lang", "en", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, check=False)


def test_the_command_writes_the_file_and_lists_what_it_took_out(tmp_path: Path) -> None:
    last = ROOT / "rulesets" / "lai-chau" / "2020" / "departments.par"
    done = run("init", "--from", str(last), "--year", "2021", "-o", "departments-2021.par", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote departments-2021.par: the ruleset for 2021" in done.stderr
    assert "taken out: `exclude DCCI` (năm 2020 UBND tỉnh không thực hiện công bố chỉ số DCCI)" in done.stderr
    text = (tmp_path / "departments-2021.par").read_text(encoding="utf-8")
    assert text.startswith("# Ruleset for 2021, made from departments.par (2020) by `parrules init`.\n"
                           "# Source: the decision that issues the 2021 criteria set")
    assert '\nruleset "Chỉ số CCHC các sở, ban, ngành tỉnh Lai Châu năm 2021" {\n' in text
    assert "\n  year 2021\n  expect 2 parts\n" in text and "\nexclude " not in text
    again = run("init", "--from", str(last), "--year", "2021", "-o", "departments-2021.par", cwd=tmp_path)
    assert again.returncode == 2 and "exists already" in again.stderr


def test_an_expect_line_is_stated_again_from_the_tree() -> None:
    text = ('ruleset "Bộ chỉ số 2023" {\n  year 2023\n  expect 9 criteria  # as the 2023 decision says\n}\n'
            'component a "A" max 2 {\n  criterion 1 "X" max 1 { given }\n  criterion 2 "Y" max 1 { given }\n}\n')
    made = next_year(text, "x.par", 2024)
    assert made.text is not None
    assert 'ruleset "Bộ chỉ số 2024" {\n  year 2024\n  expect 2 criteria  # as the 2023 decision says\n}' in made.text
