"""Newcomers' mistakes: what `parrules check` tells a rule author who makes one, in both languages.

Each `tests/golden/newcomer/NAME.par` is a small criteria set as a Sở Nội vụ writes one, with ONE
mistake a newcomer makes (a decimal comma, a `}` left out, `proprotional`, `tối đa 2`, `=>`, curly
quotes, …) and a header saying what the author did and where the fix goes:

    # mistake: left out the `}` that closes sub-criterion 1.1.1, after its steps
    # expect: PAR101 line 29

(`# expect: ok` for the few spellings that are accepted: `30 %`, `có`/`không`, `→`, `≥`.)
`NAME.vi.expected` and `NAME.en.expected` hold what the command prints; they were written by
running it once and read as the rule author would read them. Beyond the exact text, every message
must be one the author can act on from the message alone: it is found at the place of the fix, it
starts with what the author was writing ("in the heading of criterion 1.2", "in the inputs"), it
has a hint, and it names no part of the parser. To regenerate after a deliberate change, run with
PARRULES_UPDATE_GOLDEN=1 and read every changed file before committing it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from parrules import i18n
from parrules.i18n import _

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "newcomer"
CASES = sorted(GOLDEN.glob("*.par"))
LANGUAGES = ("vi", "en")
SYNTAX = {f"PAR{n}" for n in range(100, 108)}  # the codes of writing the file, as opposed to its meaning
EXPECT = re.compile(r"^# expect: (?:ok|(PAR\d{3}) line (\d+))$", re.MULTILINE)
# Words of the parser that mean nothing to a rule author, in either language.
PARSER_WORDS = re.compile(r"\btoken|LALR|\$END|\b(?:NAME|NUMBER|STRING|NODE_ID|PERCENT|CMP_OP|LBRACE|RBRACE|LPAR|"
                          r"RPAR|COMMA|COLON|_ARROW|FUNCTION|_YES|_NO|RULE|TERMINAL)\b|terminal|grammar|ngữ pháp")
# What was being written, as a message starts with it (`{…}` stands for the node or block named).
PLACES = ("in the heading of {node}", "in the rule of {node}", "in {node}", "in the `ruleset` block",
          "in the attributes", "in the inputs", "in the stages", "in the rounding", "in the classes",
          "in the groups", "in the `{word}` line", "in the heading of the `{word}` block", "after {item}",
          "at the start of the file")
UNCLOSED = "{block} is not closed: a `}}` is missing after line {line} (its `{{` is on line {opened})"


def expected_of(case: Path) -> tuple[str, int] | None:
    """The code and line the header of a case expects, or None for a case that checks clean."""
    found = EXPECT.search(case.read_text(encoding="utf-8"))
    assert found is not None, f"{case.name}: no `# expect:` line"
    return (found.group(1), int(found.group(2))) if found.group(1) else None


def run_check(case: Path, lang: str) -> subprocess.CompletedProcess[str]:
    # The same parrules this test imports (installed, or src/ in a development run).
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    env.pop("PARRULES_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "parrules.cli", "check", "--lang", lang, str(case.relative_to(ROOT))],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)


def words(lang: str) -> dict[str, str]:
    with i18n.language(lang):
        return {"error": _("error"), "warning": _("warning"), "hint": _("hint: {hint}").split("{hint}")[0]}


def diagnostics(output: str, lang: str) -> list[dict[str, str]]:
    """Each diagnostic of an output: where, severity, code, message and hint."""
    said = words(lang)
    header = re.compile(rf"^(\S+?):(\d+):(\d+): ({said['error']}|{said['warning']}) (PAR\d{{3}}): (.*)$")
    found: list[dict[str, str]] = []
    for line in output.splitlines():
        match = header.match(line)
        if match is not None:
            found.append({"line": match.group(2), "column": match.group(3), "severity": match.group(4),
                          "code": match.group(5), "message": match.group(6), "hint": ""})
        elif found and line.startswith(f"  {said['hint']}"):
            found[-1]["hint"] = line[len(said["hint"]) + 2:]
    return found


def _pattern(template: str) -> str:
    """A message template as a regular expression: each `{placeholder}` stands for some words."""
    parts = re.split(r"\{\w+\}", template.replace("{{", "{").replace("}}", "}"))
    return ".+?".join(re.escape(part) for part in parts)


def places(lang: str) -> re.Pattern[str]:
    with i18n.language(lang):
        starts = [_pattern(_(place)) + re.escape(_("{where}: {message}").split("{where}", 1)[1].split("{message}")[0])
                  for place in PLACES]
        unclosed = _pattern(_(UNCLOSED).split("{line}")[0])
    return re.compile(rf"^(?:{'|'.join(starts)}|{unclosed})")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_a_newcomers_mistake_gets_a_message_to_act_on(case: Path, lang: str) -> None:
    done = run_check(case, lang)
    output = done.stdout
    assert "Traceback" not in output + done.stderr, done.stderr
    assert done.stderr == ""
    wanted = case.with_suffix(f".{lang}.expected")
    if os.environ.get("PARRULES_UPDATE_GOLDEN") == "1":
        wanted.write_text(output, encoding="utf-8")
    assert output == wanted.read_text(encoding="utf-8")

    expect = expected_of(case)
    found = diagnostics(output, lang)
    if expect is None:
        assert done.returncode == 0, output
        assert [d for d in found if d["severity"] == words(lang)["error"]] == []
        return
    assert done.returncode == 1, output
    code, line = expect
    first = found[0]
    assert first["code"] == code, output
    assert abs(int(first["line"]) - line) <= 3, f"reported at line {first['line']}, the fix goes on line {line}"
    starts = places(lang)
    for diagnostic in found:
        assert diagnostic["hint"], f"no hint: {diagnostic['message']}"
        if diagnostic["code"] in SYNTAX:
            assert starts.match(diagnostic["message"]), f"does not say what was being written: {diagnostic['message']}"
    assert not PARSER_WORDS.search(output), PARSER_WORDS.search(output)


def test_the_corpus_is_complete_in_both_languages() -> None:
    assert len(CASES) >= 40
    for case in CASES:
        text = case.read_text(encoding="utf-8")
        assert text.startswith("# mistake: "), case.name
        expected_of(case)
        for lang in LANGUAGES:
            assert case.with_suffix(f".{lang}.expected").is_file(), f"{case.name}: no {lang} expected output"
    orphans = [e.name for e in GOLDEN.glob("*.expected") if not (GOLDEN / (e.name.split(".")[0] + ".par")).is_file()]
    assert orphans == []
    accepted = [case for case in CASES if expected_of(case) is None]
    assert 0 < len(accepted) < len(CASES) // 4


def test_the_two_languages_report_the_same_codes_at_the_same_places() -> None:
    for case in CASES:
        vi = diagnostics(case.with_suffix(".vi.expected").read_text(encoding="utf-8"), "vi")
        en = diagnostics(case.with_suffix(".en.expected").read_text(encoding="utf-8"), "en")
        assert [(d["line"], d["column"], d["code"]) for d in vi] == [(d["line"], d["column"], d["code"]) for d in en], \
            case.name
