"""What `parrules check` pays for at each start: only the parser and the checker are imported, and
the package's public names are still all there (imported on first use)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import parrules

ROOT = Path(__file__).resolve().parents[1]
FULL = ROOT / "rulesets" / "examples" / "department-full.par"


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PARRULES_LANG": "en"}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          check=False, timeout=120)


def test_every_public_name_is_there_when_first_used() -> None:
    for name in parrules.__all__:
        assert getattr(parrules, name) is not None, name
        assert name in dir(parrules)
    assert callable(parrules.explain) and parrules.explain.__module__ == "parrules.explainer"
    assert parrules.load is parrules.api.load


CHECKED_MODULES = """
import sys
from parrules.cli import main
code = main(["check", sys.argv[1]])
loaded = sorted(m for m in sys.modules if m.startswith("parrules"))
print(code, " ".join(loaded))
"""


def test_check_imports_only_the_parser_and_the_checker() -> None:
    done = _python(CHECKED_MODULES, str(FULL))
    code, loaded = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert code == "0", done.stderr
    for heavy in ("parrules.evaluate", "parrules.codegen", "parrules.explainer", "parrules.results",
                  "parrules.report", "parrules.data", "parrules.syntax_errors"):
        assert heavy not in loaded.split(), heavy


def test_a_syntax_error_still_gets_its_full_diagnosis(tmp_path: Path) -> None:
    broken = tmp_path / "broken.par"
    broken.write_text(FULL.read_text(encoding="utf-8").replace("max 2", "max 2,5", 1), encoding="utf-8")
    done = _python(CHECKED_MODULES, str(broken))
    code, loaded = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert code == "1" and "parrules.syntax_errors" in loaded.split()
    assert "PAR106" in done.stdout and "2.5" in done.stdout


def test_the_installed_command_leaves_the_collector_on() -> None:
    """launch.main pauses the cyclic collector only while the command line is imported."""
    done = _python("import gc, sys\nfrom parrules import launch\nsys.argv = ['parrules', '--version']\n"
                   "try:\n    launch.main()\nexcept SystemExit as stop:\n    print('exit', stop.code)\n"
                   "print('enabled', gc.isenabled())\n")
    assert "enabled True" in done.stdout, done.stdout + done.stderr
    assert "parrules" in done.stdout.lower()
