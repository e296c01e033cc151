"""The golden corpus: `parrules check` on small broken rulesets prints exactly the `.expected` text.

Each `tests/golden/check/NAME.par` breaks one thing (or several, in `several-problems.par`); its
`NAME.expected` was written by hand from what the message should say. A message change is therefore
a visible diff. To regenerate after a deliberate change, run with PARRULES_UPDATE_GOLDEN=1 and read
every changed file before committing it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "check"
CASES = sorted(GOLDEN.glob("*.par"))
DOC = ROOT / "docs" / "diagnostics.md"
# Codes no small file can show; each is covered by a test elsewhere.
NO_GOLDEN = {"PAR103": "needs a file over 512 KB (tests/test_check.py builds one)"}


def run_check(path: Path) -> subprocess.CompletedProcess[str]:
    # The source tree first, so the corpus checks this checkout even where an older copy is installed.
    search = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": search}
    env.pop("PARRULES_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "parrules.cli", "check", str(path.relative_to(ROOT))],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)


def normalise(text: str) -> str:
    # Diagnostics inside an included file name it by its full path; the corpus must not depend on
    # where the repository is checked out.
    return text.replace(str(ROOT) + os.sep, "")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_check_prints_the_expected_text(case: Path) -> None:
    done = run_check(case)
    output = normalise(done.stdout)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    expected_file = case.with_suffix(".expected")
    if os.environ.get("PARRULES_UPDATE_GOLDEN") == "1":
        expected_file.write_text(output, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert output == expected
    has_error = re.search(r": error PAR\d{3}: ", output) is not None
    assert done.returncode == (1 if has_error else 0), done.stderr
    assert done.stderr == ""


def test_every_golden_file_has_its_expected_text() -> None:
    assert CASES, "the corpus is empty"
    missing = [c.name for c in CASES if not c.with_suffix(".expected").is_file()]
    assert not missing
    orphans = [e.name for e in GOLDEN.glob("*.expected") if not e.with_suffix(".par").is_file()]
    assert not orphans


def documented_codes() -> set[str]:
    return set(re.findall(r"^\|\s*`?(PAR\d{3})`?\s*\|", DOC.read_text(encoding="utf-8"), re.MULTILINE))


def golden_codes() -> set[str]:
    found: set[str] = set()
    for expected in GOLDEN.glob("*.expected"):
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
