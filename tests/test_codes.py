"""Each code's page: `parrules explain-code`, the docs in both languages, the JSON link to them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"en": ROOT / "docs" / "diagnostics.md", "vi": ROOT / "docs" / "diagnostics.vi.md"}
ROW = re.compile(r'^\| <a id="([a-z]{3}\d{3})"></a>`([A-Z]{3}\d{3})` \|(.*)\|$', re.MULTILINE)


def rows(lang: str) -> dict[str, list[str]]:
    text = PAGES[lang].read_text(encoding="utf-8")
    found = {}
    for anchor, code, cells in ROW.findall(text):
        assert anchor == code.lower()
        found[code] = [c.strip() for c in re.split(r"(?<!\\)\|", cells)]
    return found


def run(*args: str, lang: str | None = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    env.pop("PARRULES_LANG", None)
    chosen = ["--lang", lang] if lang else []
    return subprocess.run([sys.executable, "-m", "parrules.cli", *chosen, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=False)


def test_both_pages_document_the_same_codes_in_the_same_order() -> None:
    english, vietnamese = rows("en"), rows("vi")
    assert list(english) == list(vietnamese)
    assert all(len(english[c]) == len(vietnamese[c]) for c in english)


def test_every_code_the_code_can_emit_is_documented() -> None:
    emitted = set()
    for path in (ROOT / "src" / "parrules").rglob("*.py"):
        emitted |= set(re.findall(r"\"((?:PAR|DAT)\d{3})\"", path.read_text(encoding="utf-8")))
    assert emitted - set(rows("en")) == set()


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("code", ["PAR211", "PAR101", "DAT104", "DAT117"])
def test_explain_code_prints_the_codes_row_in_the_chosen_language(code: str, lang: str) -> None:
    done = run("explain-code", code, lang=None if lang == "vi" else lang)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{code} (")
    cells = rows(lang)[code]
    plain = done.stdout.replace("\\|", "|")
    for cell in cells[1:]:  # the meaning, the example (PAR codes), the fix
        words = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", cell).replace("\\|", "|")
        assert words in plain
    page = "diagnostics.md" if lang == "en" else "diagnostics.vi.md"
    assert done.stdout.rstrip().endswith(f"docs/{page}#{code.lower()}")


def test_help_is_explain_code_and_takes_a_bare_number_or_lower_case() -> None:
    assert run("help", "211").stdout == run("explain-code", "PAR211").stdout == run("help", "par211").stdout


def test_an_unknown_code_is_a_usage_error_with_the_near_ones() -> None:
    done = run("explain-code", "PAR299")
    assert done.returncode == 2
    assert "PAR299 is not a code of parrules; did you mean" in done.stderr


def test_json_diagnostics_carry_the_end_and_the_codes_page(tmp_path: Path) -> None:
    broken = tmp_path / "broken.par"
    broken.write_text('ruleset "T" { year 2024 }\ncomponent a "A" max 1,5 { given }\n', encoding="utf-8")
    done = run("check", "--format", "json", str(broken))
    diagnostic = json.loads(done.stdout)[0]["diagnostics"][0]
    assert (diagnostic["code"], diagnostic["line"], diagnostic["column"]) == ("PAR106", 2, 21)
    assert (diagnostic["end_line"], diagnostic["end_column"]) == (2, 24)
    assert diagnostic["doc"] == "docs/diagnostics.md#par106"
    assert 'id="par106"' in PAGES["en"].read_text(encoding="utf-8")
