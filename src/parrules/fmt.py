"""`.par` text → the same text in the canonical layout (`parrules fmt`), comments kept.

The formatter works on the tokens the parser reads, not on the model, so that nothing the author
wrote is lost: comments stay on the line they were on (a comment on its own line stays before what
it describes), line breaks stay where the author put them, `include` lines stay includes. What it
decides, so that every file looks the same:

* indentation: two spaces per open `{` or `(`; a line that continues a statement (a rule's steps
  one per line, a heading broken before `applies`) two more;
* spaces: one between words, none before `,` `:` `)` or after `(`, none in `yes/no`, `-1`, `max(`;
  two before a comment at the end of a line; no space at the end of a line;
* blank lines: at most one in a row, none at the start or end of the file;
* columns: in `attributes` and `inputs`, the names (and simple types) of consecutive lines line up,
  as do the first words of `rounding`, `classes` and `stages` lines;
* spellings: `≥ ≤ ≠ × ÷ →` become `>= <= != * / ->`, `30 %` becomes `30%`.

The tokens are the same before and after but for those spellings, so the model is too; the tests
check both, and that formatting twice changes nothing.
"""

from __future__ import annotations

import functools
import threading

import attrs
import lark

from parrules.diagnostics import Diagnostic
from parrules.grammar import grammar_text
from parrules.syntax import parse

INDENT = "  "
# The spellings the language accepts and the one the formatter writes.
_SPELLING = {"≥": ">=", "≤": "<=", "≠": "!=", "×": "*", "÷": "/", "→": "->"}
_OPENERS, _CLOSERS = frozenset("{("), frozenset("})")
_NO_SPACE_BEFORE = frozenset({",", ")", ":"})
# What a statement is, for indenting the lines that continue one (tree names of the grammar).
_STATEMENTS = frozenset({
    "ruleset_block", "authority", "year", "level", "scale", "expect", "unit_max", "include", "decision", "dated",
    "place", "signature",
    "attributes_block", "inputs_block", "declaration", "stages_block", "stage", "component", "node", "rule",
    "branch", "exclude", "bonus", "penalty", "rounding_block", "rounding_line", "classes_block", "class_line",
    "groups_block", "groups_from_data", "group_when", "group_otherwise", "rank", "extends", "extend_node", "restate",
})
# Blocks whose lines are columns: the block's first word → how many leading cells line up.
_ALIGNED = {"attributes": 2, "inputs": 2, "rounding": 1, "classes": 1, "stages": 1}
_SIMPLE_TYPES = frozenset({"percent", "count", "number", "points"})


@attrs.frozen
class Token:
    kind: str
    text: str
    line: int
    position: int


@attrs.frozen
class Formatted:
    """The canonical text of a file, or why it cannot be formatted (it does not parse)."""

    text: str | None
    diagnostics: tuple[Diagnostic, ...]


def format_text(text: str, file: str = "<text>") -> Formatted:
    """`text` in the canonical layout; a file with a syntax error is left alone and its errors returned."""
    parsed = parse(text, file)
    if parsed.tree is None:
        return Formatted(None, parsed.diagnostics)
    tokens = _tokens(parsed.text)
    starts = _statement_starts(parsed.tree, tokens)
    return Formatted(_render(tokens, starts), ())


# ---- tokens -------------------------------------------------------------------------------------


class _Comments:
    """The comments the lexer passes over (the parser ignores them), one list per thread."""

    def __init__(self) -> None:
        self.local = threading.local()

    def __call__(self, token: lark.Token) -> lark.Token:
        self.local.found.append(token)
        return token


@functools.cache
def _lexing_parser() -> tuple[lark.Lark, _Comments]:
    comments = _Comments()
    # keep_all_tokens: the tree keeps every keyword and bracket, so the text can be written again.
    parser = lark.Lark(grammar_text(), parser="lalr", keep_all_tokens=True, lexer_callbacks={"COMMENT": comments})
    return parser, comments


def _tokens(text: str) -> list[Token]:
    parser, comments = _lexing_parser()
    comments.local.found = []
    try:
        tree = parser.parse(text)
        found = [*tree.scan_values(lambda v: isinstance(v, lark.Token)), *comments.local.found]
    finally:
        comments.local.found = []
    found.sort(key=lambda t: t.start_pos or 0)
    return [Token(t.type, _spelled(t), t.line or 0, t.start_pos or 0) for t in found]


def _spelled(token: lark.Token) -> str:
    text = str(token)
    if token.type == "PERCENT":
        return "".join(text.split())
    return _SPELLING.get(text, text)


def _statement_starts(tree: lark.Tree[lark.Token], tokens: list[Token]) -> list[int]:
    """For each token, where the innermost statement around it starts (a character position)."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[lark.Tree[lark.Token], str]] = [(tree, "")]
    while stack:
        node, parent = stack.pop()
        meta = node.meta
        # `otherwise` is a line of its own in a table, but one step among others in a step rule.
        is_statement = node.data in _STATEMENTS or (node.data == "otherwise" and parent == "table")
        if is_statement and not getattr(meta, "empty", True):
            spans.append((meta.start_pos, meta.end_pos))
        stack.extend((child, str(node.data)) for child in node.children if isinstance(child, lark.Tree))
    spans.sort(key=lambda s: (s[0], -s[1]))
    starts: list[int] = []
    open_spans: list[tuple[int, int]] = []
    index = 0
    for token in tokens:
        while index < len(spans) and spans[index][0] <= token.position:
            open_spans.append(spans[index])
            index += 1
        while open_spans and open_spans[-1][1] <= token.position:
            open_spans.pop()
        # Spans nest, so the innermost still open is the last one that contains the token.
        inner = next((s for s in reversed(open_spans) if s[0] <= token.position < s[1]), None)
        starts.append(inner[0] if inner else -1)
    return starts


# ---- layout -------------------------------------------------------------------------------------


@attrs.define
class _Line:
    indent: int
    tokens: list[Token]
    block: str  # the first word of the block the line is in ("inputs", "classes", …)
    blank_before: bool


def _render(tokens: list[Token], starts: list[int]) -> str:
    lines: list[_Line] = []
    depth = 0
    blocks: list[str] = []
    previous: Token | None = None
    line_start_statement = -1
    for token, start in zip(tokens, starts, strict=True):
        if previous is None or token.line > previous.line:
            closing = token.text in _CLOSERS and token.kind != "STRING"
            indent = depth - (1 if closing else 0)
            continues = (token.kind != "COMMENT" and not closing and start >= 0
                         and start == line_start_statement and previous is not None)
            if token.kind != "COMMENT" and not continues:
                line_start_statement = start
            if continues:
                indent += 1
            blank = previous is not None and token.line > previous.line + 1
            lines.append(_Line(max(indent, 0), [token], blocks[-1] if blocks else "", blank))
        else:
            lines[-1].tokens.append(token)
        if token.kind not in ("STRING", "COMMENT"):
            if token.text in _OPENERS:
                depth += 1
                blocks.append(lines[-1].tokens[0].text if token.text == "{" else "(")
            elif token.text in _CLOSERS:
                depth = max(depth - 1, 0)
                if blocks:
                    blocks.pop()
        previous = token
    _align(lines)
    out: list[str] = []
    for line in lines:
        if line.blank_before and out:
            out.append("")
        out.append((INDENT * line.indent + _join(line.tokens)).rstrip())
    return "\n".join(out) + "\n" if out else ""


def _join(tokens: list[Token]) -> str:
    text = tokens[0].text
    for index in range(1, len(tokens)):
        text += _space(tokens, index) + tokens[index].text
    return text


def _space(tokens: list[Token], index: int) -> str:
    before, token = tokens[index - 1], tokens[index]
    if token.kind == "COMMENT":
        return "  "
    if token.text in _NO_SPACE_BEFORE or (before.text == "(" and before.kind != "STRING"):
        return ""
    if before.kind == "FUNCTION":
        return ""
    if before.kind == "YES" or (index >= 2 and tokens[index - 2].kind == "YES" and before.kind == "DIVIDE"):
        return ""  # the type `yes/no` (the keyword YES is only ever written there)
    if before.kind == "MINUS" and _unary(tokens, index - 1):
        return ""
    return " "


# What can end a value: a minus after one of these is a subtraction, after anything else a sign.
_VALUE_ENDS = frozenset({"NUMBER", "PERCENT", "NAME", "RPAR", "MAX", "_YES", "_NO"})


def _unary(tokens: list[Token], index: int) -> bool:
    return index == 0 or tokens[index - 1].kind not in _VALUE_ENDS


def _align(lines: list[_Line]) -> None:
    """Line up the leading cells of consecutive lines of `attributes`, `inputs`, `rounding`, …"""
    run: list[_Line] = []
    for line in [*lines, None]:
        cells = _cells(line) if line is not None else 0
        if line is None or not cells or line.blank_before or (run and line.indent != run[0].indent):
            _pad(run)
            run = [line] if line is not None and cells else []
            continue
        run.append(line)


def _cells(line: _Line) -> int:
    wanted = _ALIGNED.get(line.block, 0)
    first = line.tokens[0]
    if not wanted or first.kind == "COMMENT" or first.text in _CLOSERS or len(line.tokens) < 2:
        return 0
    return wanted


def _pad(run: list[_Line]) -> None:
    if len(run) < 2:
        return
    groups = [_leading(line) for line in run]
    # A cell lines up with the same cell of the other lines that have it (an `one of (…)` type does not).
    widths = [max(len(g[i]) for g in groups if len(g) > i) for i in range(max(len(g) for g in groups))]
    for line, cells in zip(run, groups, strict=True):
        line.tokens = _merged(line.tokens, cells, widths)


def _leading(line: _Line) -> list[str]:
    """The leading cells of a line: the name, and in `inputs`/`attributes` a simple type."""
    tokens = line.tokens
    cells = [tokens[0].text]
    if _ALIGNED[line.block] == 2 and len(tokens) > 2:
        if tokens[1].text in _SIMPLE_TYPES:
            cells.append(tokens[1].text)
        elif [t.text for t in tokens[1:4]] == ["yes", "/", "no"]:
            cells.append("yes/no")
    return cells


def _merged(tokens: list[Token], cells: list[str], widths: list[int]) -> list[Token]:
    """The line with its leading cells as padded tokens (one token per cell)."""
    used = 1 + (3 if len(cells) > 1 and cells[1] == "yes/no" else 1 if len(cells) > 1 else 0)
    padded = [Token("CELL", cell + " " * (widths[i] - len(cell)) if i < len(widths) else cell,
                    tokens[0].line, tokens[0].position)
              for i, cell in enumerate(cells)]
    return [*padded, *tokens[used:]]
