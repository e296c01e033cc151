"""Keeps the documentation honest: what the guides show must work as shown.

Conventions for fenced code blocks in docs/*.md:

- ```par           a complete ruleset (it starts with `ruleset`, possibly after comment lines). It must
                   load with `parrules.load` and `check()` clean (no errors; warnings are allowed).
- ```par-fragment  a piece of a ruleset (one criterion, one block) or a deliberately broken example.
                   Not loaded: any fence info string other than `par` is skipped.
- ```python        in docs/library.md: runs, every block in order in one namespace (like one Python
                   session), with the repository's top folder as the working directory.
- ```output        right after a ```python block in docs/library.md: exactly what that block prints.

And docs/cli.md names every verb, option and choice of the `parrules` command's parser.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import unicodedata
from pathlib import Path

import pytest

import parrules
from parrules import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)


def fenced(path: Path) -> list[tuple[str, str, int]]:
    """Every fenced block of a Markdown file: (info string, body, line of the opening fence)."""
    text = path.read_text(encoding="utf-8")
    return [(m.group(1).strip(), m.group(2), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


def is_complete_ruleset(body: str) -> bool:
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return stripped.startswith("ruleset ") or stripped.startswith('ruleset"')
    return False


def ruleset_blocks() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted(DOCS.glob("*.md")):
        for info, body, line in fenced(path):
            if info == "par" and is_complete_ruleset(body):
                found.append((f"{path.name}:{line}", body))
    return found


RULESETS = ruleset_blocks()


def test_the_guides_have_complete_rulesets_to_check() -> None:
    names = {where.split(":")[0] for where, _ in RULESETS}
    assert {"language.md", "language.vi.md"} <= names


@pytest.mark.parametrize(("where", "body"), RULESETS, ids=[where for where, _ in RULESETS])
def test_complete_ruleset_blocks_load_and_check_clean(where: str, body: str) -> None:
    try:
        ruleset = parrules.load(body)
    except parrules.RulesetError as exc:
        pytest.fail(f"{where}: the ```par block does not load (mark fragments ```par-fragment):\n{exc.report()}")
    report = ruleset.check()
    assert report.ok, f"{where}: the ```par block does not check clean:\n{report.render()}"


def test_the_vietnamese_guide_has_the_same_rulesets_as_the_english_one() -> None:
    english = [body for info, body, _ in fenced(DOCS / "language.md") if info.startswith("par")]
    vietnamese = [body for info, body, _ in fenced(DOCS / "language.vi.md") if info.startswith("par")]
    complete_en = [b for b in english if is_complete_ruleset(b)]
    complete_vi = [b for b in vietnamese if is_complete_ruleset(b)]
    assert complete_vi == complete_en, "the complete rulesets of language.vi.md must be those of language.md"


def test_the_vietnamese_guide_is_nfc() -> None:
    text = (DOCS / "language.vi.md").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)


def _outside_fences(text: str) -> str:
    return FENCE.sub("", text)


def test_the_vietnamese_data_format_page_matches_the_english_one() -> None:
    english = (DOCS / "data-format.md").read_text(encoding="utf-8")
    vietnamese = (DOCS / "data-format.vi.md").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", vietnamese)
    codes = re.compile(r"\bDAT\d{3}\b")
    assert set(codes.findall(vietnamese)) == set(codes.findall(english)), "the two pages name different DAT codes"
    image = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
    assert image.findall(vietnamese) == image.findall(english), "the two pages show different images"
    for level in ("##", "###"):
        heading = re.compile(rf"^{level} \S", re.M)
        counts = [len(heading.findall(_outside_fences(page))) for page in (english, vietnamese)]
        assert counts[0] == counts[1], (
            f"`{level}` headings: {counts[0]} in data-format.md, {counts[1]} in data-format.vi.md")


# ---- docs/library.md: the examples run, and print what the page says they print -------------------


def library_examples() -> list[tuple[int, str, str | None]]:
    """(line, code, expected output or None) for every ```python block of docs/library.md, in order."""
    blocks = fenced(DOCS / "library.md")
    out: list[tuple[int, str, str | None]] = []
    for position, (info, body, line) in enumerate(blocks):
        if info != "python":
            continue
        expected = None
        if position + 1 < len(blocks) and blocks[position + 1][0] == "output":
            expected = blocks[position + 1][1]
        out.append((line, body, expected))
    return out


def test_library_examples_run_and_print_what_the_page_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    examples = library_examples()
    assert examples, "docs/library.md has no ```python examples"
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for line, code, expected in examples:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            try:
                exec(compile(code, f"docs/library.md:{line}", "exec"), namespace)
            except Exception as exc:  # pragma: no cover - the failure message is the point
                pytest.fail(f"docs/library.md:{line}: the example raises {exc.__class__.__name__}: {exc}")
        if expected is not None:
            got = "\n".join(row.rstrip() for row in printed.getvalue().splitlines())
            want = "\n".join(row.rstrip() for row in expected.splitlines())
            assert got == want, f"docs/library.md:{line}: the example prints something else"


# ---- docs/cli.md names every verb, option and choice -------------------------------------------


def parser_words(parser: argparse.ArgumentParser) -> set[str]:
    words: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for verb, sub in action.choices.items():
                words.add(verb)
                words |= parser_words(sub)
            continue
        words.update(action.option_strings)
        if action.choices:
            words.update(str(choice) for choice in action.choices)
        if action.metavar and not action.option_strings:
            words.add(str(action.metavar))
    return words


def test_cli_doc_names_every_verb_option_and_choice() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    words = parser_words(cli._parser())
    assert {"check", "score", "--format", "--version", "--published"} <= words
    missing = sorted(w for w in words if not re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text))
    assert not missing, f"docs/cli.md does not mention: {', '.join(missing)}"


def test_cli_doc_names_every_exit_code_and_the_debug_switch() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for code in (cli.EXIT_OK, cli.EXIT_PROBLEMS, cli.EXIT_USAGE, cli.EXIT_INTERNAL):
        assert re.search(rf"\|\s*`?{code}`?\s*\|", text), f"exit code {code} is not in the table of docs/cli.md"
    assert "PARRULES_DEBUG=1" in text


# ---- the outputs shown in docs/cli.md are what the commands print today ------------------------------


# The pages whose `$ parrules …` examples are run, and the language each page is read in.
EXAMPLE_PAGES = {"cli.md": "en", "year.md": "en", "year.vi.md": "vi"}


def _cli_examples() -> list[tuple[str, str, str]]:
    found = []
    for page, lang in EXAMPLE_PAGES.items():
        text = (DOCS / page).read_text(encoding="utf-8")
        for block in re.findall(r"```text\n(\$ parrules .*?)```", text, re.S):
            first, _, rest = block.partition("\n")
            if "\n$ " in "\n" + rest:
                continue  # several commands in one block: a narrative, not one command's output
            found.append((f"{page}: {first[2:]}", rest, lang))
    return found


@pytest.mark.parametrize(("command", "shown", "lang"), _cli_examples(), ids=lambda v: v if len(v) < 70 else None)
def test_cli_md_shows_what_the_command_prints(command: str, shown: str, lang: str, tmp_path: Path) -> None:
    import json
    import shlex
    import subprocess
    import sys

    args = shlex.split(command.split(": ", 1)[1])[1:]
    outputs = {args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-o", "--output")}
    files = [a for a in args if a.endswith((".par", ".csv", ".json", ".xlsx")) and a not in outputs]
    if any(not (ROOT / a).is_file() for a in files):
        pytest.skip("the example reads a file made up for the page")
    for folder in ("tests", "rulesets", "examples"):  # outputs (-o) land in tmp_path, inputs are the repo's
        (tmp_path / folder).symlink_to(ROOT / folder)
    # The same parrules this test imports (installed, or src/ in a development run).
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
           "PARRULES_LANG": lang}
    done = subprocess.run([sys.executable, "-m", "parrules.cli", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=env, check=False)
    printed = done.stdout + done.stderr
    if shown.lstrip().startswith(("{", "[")):
        expected, got = json.loads(shown), json.loads(done.stdout)
        if isinstance(expected, dict) and "units" in expected:  # the page shows the first units only
            got["units"] = got["units"][:len(expected["units"])]
        assert got == expected
    else:
        assert printed.strip() == shown.strip()
