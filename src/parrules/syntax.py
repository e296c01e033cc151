"""`.par` text → Lark parse tree, with limits and parse errors turned into diagnostics.

The grammar lives in `grammars/par.lark` (shipped inside the package as `par.lark`). Parsing is the
only place that sees characters; everything after works on the tree and then on the model.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from importlib import resources
from pathlib import Path

import attrs
import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from parrules.diagnostics import Diagnostic, error
from parrules.limits import MAX_NESTING, MAX_RULESET_BYTES, MAX_TREE_DEPTH
from parrules.model import Span

# Terminal names as a rule author would say them.
_TERMINAL_WORDS = {
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "COMMA": "`,`",
    "COLON": "`:`",
    "STRING": 'a quoted text ("…")',
    "NUMBER": "a number",
    "PERCENT": "a percentage (e.g. 80%)",
    "NAME": "a name",
    "NODE_ID": "an id (e.g. 1.2.3)",
    "CMP_OP": "a comparison (>=, <, =, …)",
    "PLUS": "`+`",
    "MINUS": "`-`",
    "TIMES": "`*`",
    "DIVIDE": "`/`",
    "FUNCTION": "min(…) or max(…)",
    "$END": "the end of the file",
    "_ARROW": "`->`",
}


@attrs.frozen
class ParseResult:
    tree: lark.Tree[lark.Token] | None
    text: str
    diagnostics: tuple[Diagnostic, ...]


def grammar_text() -> str:
    packaged = resources.files("parrules").joinpath("par.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # Running from a source checkout (not installed): the grammar is at the repository's top level.
    return (Path(__file__).resolve().parents[2] / "grammars" / "par.lark").read_text(encoding="utf-8")


@functools.cache
def _parser() -> lark.Lark:
    return lark.Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False)


def normalize(text: str) -> str:
    """NFC, so that a title typed with combining accents equals the same title typed precomposed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def parse(text: str, file: str = "<text>") -> ParseResult:
    text = normalize(text)
    size = len(text.encode("utf-8"))
    if size > MAX_RULESET_BYTES:
        return ParseResult(None, text, (error(
            "PAR103",
            f"the file is {size:,} bytes; a ruleset may be at most {MAX_RULESET_BYTES:,}",
            "split shared parts into files and `include` them",
            Span(file, 1, 1, 1, 2),
        ),))
    hidden = _hidden_characters(text, file)
    if hidden:
        return ParseResult(None, text, tuple(hidden))
    deep = _too_deep(text, file)
    if deep is not None:
        return ParseResult(None, text, (deep,))
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        return ParseResult(None, text, (_syntax_diagnostic(exc, text, file),))
    except RecursionError:  # pragma: no cover - the nesting limits above keep the parser shallow
        return ParseResult(None, text, (error("PAR104", "the file nests too deeply to be read", None,
                                              Span(file, 1, 1, 1, 2)),))
    deep = _tree_too_deep(tree, file)
    if deep is not None:
        return ParseResult(None, text, (deep,))
    return ParseResult(tree, text, ())


# Characters a reader cannot see or that move text around on screen: C0/C1 controls (tab and line
# breaks excepted), the Unicode line and paragraph separators (an editor breaks the line there, the
# parser does not) and the bidirectional overrides that can make code read differently than it runs.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_MAX_HIDDEN_REPORTED = 20


def _hidden_characters(text: str, file: str) -> list[Diagnostic]:
    """Every invisible character outside plain whitespace, located (a few are reported, then a count)."""
    found: list[Diagnostic] = []
    matches = list(itertools.islice(_HIDDEN.finditer(text), _MAX_HIDDEN_REPORTED + 1))
    for match in matches[:_MAX_HIDDEN_REPORTED]:
        position = match.start()
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        found.append(error(
            "PAR102", f"an invisible character (U+{ord(match.group()):04X}) is in the file",
            "delete it: it cannot be seen in an editor, and usually comes from copying text out of another "
            "program", Span(file, line, column, line, column + 1)))
    if len(matches) > _MAX_HIDDEN_REPORTED:
        extra = sum(1 for _ in _HIDDEN.finditer(text, matches[-1].start()))
        last = found[-1].span
        found.append(error("PAR102", f"{extra:,} more invisible characters follow",
                           "delete them too; they are found the same way", last))
    return found


# Where a too-deep statement is shown: the innermost of these around it (a table line, a rule…).
_STATEMENTS = frozenset({"component", "node", "rule", "branch", "otherwise", "step", "deduct_if", "full_unless",
                         "applies", "group_when", "bonus", "penalty"})


def _tree_too_deep(tree: lark.Tree[lark.Token], file: str) -> Diagnostic | None:
    """Refuse statements nested deeper than the builder and checker recurse (`not not … x`, `a + b + …`)."""
    stack: list[tuple[lark.Tree[lark.Token], int, lark.Tree[lark.Token]]] = [(tree, 1, tree)]
    while stack:
        node, depth, statement = stack.pop()
        if depth > MAX_TREE_DEPTH:
            meta = statement.meta
            line = 1 if getattr(meta, "empty", True) else meta.line
            column = 1 if getattr(meta, "empty", True) else meta.column
            return error(
                "PAR104", f"this statement nests more than {MAX_TREE_DEPTH} levels deep",
                "split it: a long chain of `not`, `-`, `+` or `and` is easier to read as several rules or with "
                "intermediate inputs", Span(file, line, column, line, column + 1))
        for child in node.children:
            if isinstance(child, lark.Tree):
                stack.append((child, depth + 1, child if child.data in _STATEMENTS else statement))
    return None


def _too_deep(text: str, file: str) -> Diagnostic | None:
    """Refuse absurd nesting before the parser and the builder recurse into it."""
    depth = 0
    line, col = 1, 0
    in_string = in_comment = escaped = False
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
            in_comment = in_string = escaped = False
            continue
        if in_comment:
            continue
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True  # \" inside a title does not end it
            elif ch == '"':
                in_string = False
            continue
        if ch == "#":
            in_comment = True
        elif ch == '"':
            in_string = True
        elif ch in "{(":
            depth += 1
            if depth > MAX_NESTING:
                return error(
                    "PAR104",
                    f"nesting deeper than {MAX_NESTING} levels of `{{` or `(`",
                    "a criteria tree is a few levels deep; check for a missing `}` or `)`",
                    Span(file, line, col, line, col + 1),
                )
        elif ch in "})":
            depth = max(0, depth - 1)
    return None


def _unclosed_brace(text: str) -> tuple[int, int, str] | None:
    """The innermost `{` never closed: its line, column and the text that opened it."""
    stack: list[tuple[int, int, str]] = []
    in_string = False
    for number, line_text in enumerate(text.split("\n"), start=1):
        in_string = escaped = False
        for index, ch in enumerate(line_text):
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
                continue
            if ch == "#":
                break
            if ch == '"':
                in_string = True
            elif ch == "{":
                stack.append((number, index + 1, line_text[:index].strip()))
            elif ch == "}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _describe_token(token: lark.Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    value = str(token)
    if token.type == "STRING":
        return f"text {value}"
    return f"`{value}`"


def _expected_words(expected: set[str]) -> str:
    words: list[str] = []
    for name in sorted(expected):
        word = _TERMINAL_WORDS.get(name)
        if word is None:
            # Keywords are terminals named after their text by Lark ("MAX", "WHEN", ...).
            word = f"`{name.lower()}`" if name.isalpha() else None
        if word and word not in words:
            words.append(word)
    if not words:
        return "something else"
    if len(words) > 6:
        return ", ".join(words[:6]) + " or another item"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _syntax_diagnostic(exc: UnexpectedInput, text: str, file: str) -> Diagnostic:
    line = max(1, exc.line if isinstance(exc.line, int) and exc.line > 0 else 1)
    column = max(1, exc.column if isinstance(exc.column, int) and exc.column > 0 else 1)
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream if isinstance(exc.pos_in_stream, int) else -1
        char = text[position] if 0 <= position < len(text) else "?"
        hint = "quote titles with straight double quotes (\"…\"); names use letters, digits and _"
        if char in "“”":
            hint = 'use straight double quotes (") around titles, not curly ones'
        elif char == ",":
            hint = "decimals use a point in a ruleset: write 0.5, not 0,5"
        elif char == "%" and text[max(0, position - 12):position].rstrip("0123456789. ").endswith("max"):
            hint = "a maximum is in points, not percent: write `max 2`"
        return error("PAR102", f"unexpected character `{char}`", hint,
                     Span(file, line, column, line, column + 1))
    if (isinstance(exc, UnexpectedToken) and exc.token.type == "$END") or isinstance(exc, UnexpectedEOF):
        opened = _unclosed_brace(text)
        lines = text.split("\n")
        end_line = len(lines)
        end_col = len(lines[-1]) + 1
        if opened is not None:
            # Point at the `{` that is never closed: the end of the file is not where the fix goes.
            o_line, o_col, what = opened
            what = f" after `{what}`" if what else ""
            return error(
                "PAR101",
                f"this `{{`{what} is never closed: the file ends first",
                "add the missing `}` where the block ends (every `{` needs one)",
                Span(file, o_line, o_col, o_line, o_col + 1),
            )
        expected = exc.expected if isinstance(exc, UnexpectedToken) else set(exc.expected)
        return error("PAR101", "the file ends in the middle of a statement",
                     f"expected {_expected_words(set(expected))}",
                     Span(file, end_line, end_col, end_line, end_col + 1))
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    expected_set = set(exc.expected)
    end_col = column + max(1, len(str(token)))
    message = f"unexpected {_describe_token(token)}; expected {_expected_words(expected_set)}"
    hint = _hint_for(token, expected_set, exc)
    return error("PAR100", message, hint, Span(file, line, column, line, end_col))


_BLOCK_WORDS = frozenset({"field", "criterion", "sub", "part", "component", "bonus", "penalty", "exclude",
                          "rounding", "classes", "groups", "rank", "include", "inputs", "attributes", "stages"})


def _hint_for(token: lark.Token, expected: set[str], exc: UnexpectedToken) -> str:
    previous = exc.token_history[-1] if exc.token_history else None
    if token.type == "NUMBER" and previous is not None and previous.type == "COMMA":
        return "decimals use a point in a ruleset: write 0.5, not 0,5"
    if "MAX" in expected and token.type in {"NUMBER", "LBRACE"}:
        return "every node states its maximum after its title: `max 2`"
    if "STRING" in expected and token.type in {"NAME", "NUMBER"}:
        return 'titles are quoted: "Kế hoạch CCHC năm"'
    if "NUMBER" in expected and token.type in {"LBRACE", "STRING"}:
        return "write the number here, e.g. `max 2`"
    if token.type == "PERCENT" and "NUMBER" in expected:
        return "a maximum is in points, not percent: write `max 2`"
    if "RBRACE" in expected and token.type in {"COMPONENT", "RULESET", "CLASSES", "GROUPS", "RANK",
                                               "ROUNDING", "EXCLUDE", "INPUTS", "ATTRIBUTES"}:
        return "a `}` is missing before this line"
    if token.type == "RBRACE":
        return "a node's body needs child nodes or one rule before `}`"
    if "_ARROW" in expected and previous is not None and str(previous) in _BLOCK_WORDS:
        # The contextual lexer read a keyword as the next step's choice name: the step table before
        # it was never closed.
        return f"`{previous}` is read as one more step of the rule above: is a `}}` missing before it?"
    if "_ARROW" in expected:
        return "each case is written `condition -> points`"
    return "see docs/language.md for the statement's form"
