"""The golden corpus: `parrules check` on small broken rulesets prints exactly the expected text.

Each `tests/golden/check/NAME.par` breaks one thing (or several, in `several-problems.par`); its
`NAME.vi.expected` (the default language) and `NAME.en.expected` (`--lang en`) were written by hand
from what the message should say. A message change is therefore a visible diff in both languages.
To regenerate after a deliberate change, run with PARRULES_UPDATE_GOLDEN=1 and read every changed
file before committing it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from parrules import codes

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "check"
CASES = sorted(GOLDEN.glob("*.par"))
# Codes no small file can show; each is covered by a test elsewhere.
NO_GOLDEN = {"PAR103": "needs a file over 512 KB (tests/test_check.py builds one)"}


LANGUAGES = ("vi", "en")
SEVERITY = {"vi": ("lỗi", "cảnh báo"), "en": ("error", "warning")}


def run_check(path: Path, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    # The source tree first, so the corpus checks this checkout even where an older copy is installed.
    search = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": search}
    env.pop("PARRULES_DEBUG", None)
    env.pop("PARRULES_LANG", None)  # the default must be Vietnamese, whatever the shell says
    chosen = ["--lang", lang] if lang is not None else []
    return subprocess.run([sys.executable, "-m", "parrules.cli", "check", *chosen, str(path.relative_to(ROOT))],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)


def normalise(text: str) -> str:
    # Diagnostics inside an included file name it by its full path; the corpus must not depend on
    # where the repository is checked out.
    return text.replace(str(ROOT) + os.sep, "")


def expected_file(case: Path, lang: str) -> Path:
    return case.with_suffix(f".{lang}.expected")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_check_prints_the_expected_text(case: Path, lang: str) -> None:
    # Vietnamese is run without `--lang`: it is what a rule author sees by default.
    done = run_check(case, None if lang == "vi" else lang)
    output = normalise(done.stdout)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    wanted = expected_file(case, lang)
    if os.environ.get("PARRULES_UPDATE_GOLDEN") == "1":
        wanted.write_text(output, encoding="utf-8")
    expected = wanted.read_text(encoding="utf-8")
    assert output == expected
    has_error = re.search(rf": {SEVERITY[lang][0]} PAR\d{{3}}: ", output) is not None
    assert done.returncode == (1 if has_error else 0), done.stderr
    assert done.stderr == ""


def test_every_golden_file_has_its_expected_text_in_both_languages() -> None:
    assert CASES, "the corpus is empty"
    missing = [expected_file(c, lang).name for c in CASES for lang in LANGUAGES if not expected_file(c, lang).is_file()]
    assert not missing
    orphans = [e.name for e in GOLDEN.glob("*.expected")
               if not (GOLDEN / (e.name.split(".")[0] + ".par")).is_file()]
    assert not orphans


def test_the_two_languages_report_the_same_codes_at_the_same_places() -> None:
    # A translation changes words, never which problem is found or where.
    def located(text: str, lang: str) -> list[tuple[str, str, str]]:
        error, warning = SEVERITY[lang]
        pattern = rf"^(\S+): ({error}|{warning}) (PAR\d{{3}}): "
        return [(where, "error" if severity == error else "warning", code)
                for where, severity, code in re.findall(pattern, text, re.MULTILINE)]
    for case in CASES:
        vi = expected_file(case, "vi").read_text(encoding="utf-8")
        en = expected_file(case, "en").read_text(encoding="utf-8")
        assert located(vi, "vi") == located(en, "en"), case.name


def documented_codes() -> set[str]:
    return {code for code in codes.documented() if code.startswith("PAR")}


def golden_codes() -> set[str]:
    found: set[str] = set()
    for expected in GOLDEN.glob("*.en.expected"):
        found |= set(re.findall(r": (?:error|warning) (PAR\d{3}): ", expected.read_text(encoding="utf-8")))
    return found


def test_every_documented_code_has_a_golden_file_and_vice_versa() -> None:
    documented = documented_codes()
    shown = golden_codes()
    assert documented - shown - set(NO_GOLDEN) == set(), "documented codes with no golden file"
    assert shown - documented == set(), "codes in the corpus missing from docs/diagnostics.md"
    assert set(NO_GOLDEN) <= documented


def test_the_several_problems_file_reports_all_of_them_sorted_by_line() -> None:
    output = normalise(run_check(GOLDEN / "several-problems.par").stdout)
    lines = [int(m.group(1)) for m in re.finditer(r"^tests/golden/check/several-problems\.par:(\d+):\d+: ",
                                                  output, re.MULTILINE)]
    assert len(set(re.findall(r" (PAR\d{3}): ", output))) >= 4
    assert lines == sorted(lines)
