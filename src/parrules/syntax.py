"""`.par` text → Lark parse tree, with limits and parse errors turned into diagnostics.

The grammar lives in `grammars/par.lark` (shipped inside the package as `par.lark`). Parsing is the
only place that sees characters; everything after works on the tree and then on the model.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

import attrs
import lark
from lark.exceptions import UnexpectedInput

from parrules.diagnostics import Diagnostic, error
from parrules.grammar import grammar_text
from parrules.i18n import _, n_, number
from parrules.limits import MAX_NESTING, MAX_RULESET_BYTES, MAX_TREE_DEPTH
from parrules.model import Span
from parrules.parsecache import lalr


@attrs.frozen
class ParseResult:
    tree: lark.Tree[lark.Token] | None
    text: str
    diagnostics: tuple[Diagnostic, ...]


@functools.cache
def _parser() -> lark.Lark:
    # The tables come from the user's private cache when they are there (parsecache: ~0.1 s saved per run).
    return lalr(grammar_text(), "par", propagate_positions=True, maybe_placeholders=False)


_MAYBE_DECIMAL_COMMA = re.compile(r"[0-9],[0-9]")  # what every decimal comma has (in code, a string or a comment)


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
            _("the file is {size} bytes; a ruleset may be at most {max}").format(
                size=number(size), max=number(MAX_RULESET_BYTES)),
            _("split shared parts into files and `include` them"),
            Span(file, 1, 1, 1, 2),
        ),))
    hidden = _hidden_characters(text, file)
    if hidden:
        return ParseResult(None, text, tuple(hidden))
    # A decimal comma is reported where it is, and read as the point it stands for, to find the rest.
    # syntax_errors is loaded only for a file that may need it: a tenth of `check`'s start-up.
    commas: list[Diagnostic] = []
    readable = text
    if _MAYBE_DECIMAL_COMMA.search(text):
        from parrules.syntax_errors import decimal_commas

        commas, readable = decimal_commas(text, file)
    deep = _too_deep(readable, file)
    if deep is not None:
        return ParseResult(None, text, (*commas, deep))
    try:
        tree = _parser().parse(readable)
    except UnexpectedInput:
        from parrules.syntax_errors import diagnose

        return ParseResult(None, text, (*commas, *diagnose(readable, file, _parser().parse)))
    if commas:
        return ParseResult(None, text, tuple(commas))
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
            "PAR102", _("an invisible character ({code}) is in the file").format(code=f"U+{ord(match.group()):04X}"),
            _("delete it: it cannot be seen in an editor, and usually comes from copying text out of another "
              "program"), Span(file, line, column, line, column + 1)))
    if len(matches) > _MAX_HIDDEN_REPORTED:
        extra = sum(1 for _ in _HIDDEN.finditer(text, matches[-1].start()))
        last = found[-1].span
        found.append(error("PAR102", n_("{count} more invisible character follows",
                                        "{count} more invisible characters follow", extra).format(count=number(extra)),
                           _("delete them too; they are found the same way"), last))
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
                "PAR104", _("this statement nests more than {depth} levels deep").format(depth=MAX_TREE_DEPTH),
                _("split it: a long chain of `not`, `-`, `+` or `and` is easier to read as several rules or with "
                  "intermediate inputs"), Span(file, line, column, line, column + 1))
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
                    _("nesting deeper than {depth} levels of `{{` or `(`").format(depth=MAX_NESTING),
                    _("a criteria tree is a few levels deep; check for a missing `}` or `)`"),
                    Span(file, line, col, line, col + 1),
                )
        elif ch in "})":
            depth = max(0, depth - 1)
    return None
