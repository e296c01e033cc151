"""Syntax errors a rule author can fix from the message alone, as many as there are.

Used only when a file does not parse. It looks at the text the way a person does:

- **lines and blocks**: where each `{` opens and closes, read with the indentation the author gave
  the file, so a missing `}` is reported where the block ends (not 100 lines later, at the next
  `component`) and a `}` that closes nothing where it stands; each guess is tried — the `}` put in,
  or taken out — and kept only if the file then reads further;
- **items**: the file is cut at its top-level items (`component`, `inputs`, `classes`, … at the
  start of a line), and each is read on its own, so one mistake does not hide the next; within an
  item, the line of a mistake is set aside and the rest read again, up to a limit;
- **what was being written**: each message starts with the block it is in ("in the rule of
  sub-criterion 1.3.1"), then says what came and what was expected, in words, with a hint for the
  usual mistake (a keyword misspelt, a title without quotes, a maximum in percent, …).

Decimal commas (`0,5`) are found before any of this, everywhere a number can stand.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import attrs
import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from parrules.diagnostics import Diagnostic, error
from parrules.grammar import keywords, near_keyword
from parrules.i18n import N_, _
from parrules.model import Span
from parrules.vocabulary import node as node_words

MAX_SYNTAX_ERRORS = 20
_REREAD_BYTES = 64_000  # an item this large is read again after its first mistake only once

TOP_LEVEL = ("ruleset", "attributes", "inputs", "stages", "component", "exclude", "bonus", "penalty",
             "rounding", "classes", "groups", "rank", "include")
NODE_WORDS = ("component", "field", "criterion", "sub", "part")

# Terminals as a rule author would say them.
TERMINALS = {
    "LBRACE": N_("`{`"), "RBRACE": N_("`}`"), "LPAR": N_("`(`"), "RPAR": N_("`)`"), "COMMA": N_("`,`"),
    "COLON": N_("`:`"), "STRING": N_('a quoted text ("…")'), "NUMBER": N_("a number"),
    "PERCENT": N_("a percentage (e.g. 80%)"), "NAME": N_("a name"), "NODE_ID": N_("an id (e.g. 1.2.3)"),
    "CMP_OP": N_("a comparison (>=, <, =, …)"), "PLUS": N_("`+`"), "MINUS": N_("`-`"), "TIMES": N_("`*`"),
    "DIVIDE": N_("`/`"), "FUNCTION": N_("min(…) or max(…)"), "$END": N_("the end of the file"),
    "_ARROW": N_("`->`"),
}
# `0,5` but not `1,2,3` (a list of numbers); `1,5, late` is a decimal comma before a separator.
_DECIMAL_COMMA = re.compile(r"(?<![\w.,])\d+,\d+(?!\w|,\d)")
_OPENER = re.compile(r"^\s*(component|field|criterion|sub|part|bonus|penalty)\s+([^\s\"{]+)")
_BLOCK = re.compile(r"^\s*(ruleset|attributes|inputs|stages|rounding|classes|groups)\b")
_WHERE = {
    "ruleset": N_("in the `ruleset` block"), "attributes": N_("in the attributes"), "inputs": N_("in the inputs"),
    "stages": N_("in the stages"), "rounding": N_("in the rounding"), "classes": N_("in the classes"),
    "groups": N_("in the groups"),
}


# ---- the text as lines, strings and comments set aside ------------------------------------------------


@attrs.frozen
class Line:
    number: int  # from 1
    text: str
    code: str  # the text with strings and comments blanked out (same length)
    indent: int

    @property
    def content(self) -> bool:
        return bool(self.code.strip())


def _blank_strings_and_comments(text: str) -> str:
    out: list[str] = []
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
                out.append(" ")
                continue
            out.append(" ")
            continue
        if ch == '"':
            in_string = True
            out.append(" ")
        elif ch == "#":
            out.append(" " * (len(text) - i))
            break
        else:
            out.append(ch)
    return "".join(out)


def lines_of(text: str) -> list[Line]:
    found = []
    for number, raw in enumerate(text.split("\n"), start=1):
        code = _blank_strings_and_comments(raw)
        indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
        found.append(Line(number, raw, code, indent))
    return found


# ---- decimal commas, before parsing ----------------------------------------------------------------


def decimal_commas(text: str, file: str) -> tuple[list[Diagnostic], str]:
    """Every `0,5` outside strings and comments, and the text with each written `0.5` (to read on)."""
    found: list[Diagnostic] = []
    repaired = text.split("\n")
    for line in lines_of(text):
        for match in _DECIMAL_COMMA.finditer(line.code):
            written = match.group()
            point = written.replace(",", ".")
            column = match.start() + 1
            found.append(error(
                "PAR106", _("`{written}` has a decimal comma: use a point, `{point}`").format(
                    written=written, point=point),
                _("a ruleset writes decimals with a point; if these are two numbers, put a space after the "
                  "comma: `{spaced}`").format(spaced=written.replace(",", ", ")),
                Span(file, line.number, column, line.number, column + len(written))))
            row = repaired[line.number - 1]
            repaired[line.number - 1] = row[:match.start()] + point + row[match.end():]
    return found, "\n".join(repaired)


# ---- the whole diagnosis ------------------------------------------------------------------------------


Parse = Callable[[str], object]  # raises lark's UnexpectedInput


@attrs.frozen
class Item:
    start: int  # first line, from 1
    end: int  # last line


def items_of(lines: list[Line]) -> list[Item]:
    """Top-level items: a line at indentation 0 that starts with a word such as `component` opens one."""
    starts = [line.number for line in lines
              if line.indent == 0 and line.code.split(" ", 1)[0].split("{", 1)[0] in TOP_LEVEL]
    if not starts or starts[0] != 1:
        starts.insert(0, 1)
    ends = [s - 1 for s in starts[1:]] + [len(lines)]
    return [Item(s, e) for s, e in zip(starts, ends, strict=True)]


def diagnose(text: str, file: str, parse: Parse) -> list[Diagnostic]:
    """Every syntax error of a text that does not parse (up to `MAX_SYNTAX_ERRORS`), each located."""
    lines = lines_of(text)
    found: list[Diagnostic] = []
    for item in items_of(lines):
        if len(found) >= MAX_SYNTAX_ERRORS:
            break
        found += _item(lines, item, text, file, parse)
    found.sort(key=Diagnostic.sort_key)
    if len(found) > MAX_SYNTAX_ERRORS:
        rest = len(found) - MAX_SYNTAX_ERRORS
        found = found[:MAX_SYNTAX_ERRORS]
        last = found[-1].span
        found.append(error("PAR100", _("{count} more syntax errors are not shown").format(count=rest),
                           _("correct these first, then check again"), last))
    return found


def _padded(lines: list[Line], item: Item, body: list[str] | None = None) -> str:
    """The item alone, at its own line numbers: the lines above it left empty."""
    own = body if body is not None else [line.text for line in lines[item.start - 1:item.end]]
    return "\n" * (item.start - 1) + "\n".join(own)


def _item(lines: list[Line], item: Item, text: str, file: str, parse: Parse) -> list[Diagnostic]:
    body = [line.text for line in lines[item.start - 1:item.end]]
    try:
        parse(_padded(lines, item, body))
        return []
    except UnexpectedInput as exc:
        first = exc
    braces, repaired = _braces(lines, item, file, parse)
    if braces:
        try:
            parse(_padded(lines, item, repaired))
            return braces
        except UnexpectedInput as exc:
            first, body = exc, repaired
    found = list(braces)
    seen_line = 0
    size = sum(len(b) for b in body)
    for _attempt in range(5 if size < _REREAD_BYTES else 1):
        diagnostic = describe(first, _padded(lines, item, body), file)
        where = diagnostic.span.line if diagnostic.span is not None else 0
        if where <= seen_line:
            break
        if seen_line and isinstance(first, UnexpectedToken) and first.token.type == "RBRACE" \
                and where <= seen_line + 1:
            break  # the line set aside left its block empty: a consequence, not another mistake
        found.append(diagnostic)
        seen_line = where
        if where < item.start or where > item.end:
            break
        # Set the line of the mistake aside (its braces kept) and read on.
        index = where - item.start
        body = [*body[:index], _only_braces(lines_of(body[index])[0]), *body[index + 1:]]
        try:
            parse(_padded(lines, item, body))
            break
        except UnexpectedInput as exc:
            first = exc
    return found


def _only_braces(line: Line) -> str:
    return "".join(ch if ch in "{}" else " " for ch in line.code)


# ---- braces, read with the indentation ------------------------------------------------------------------


@attrs.frozen
class _Open:
    line: Line
    column: int  # of the `{`, from 1


def _braces(lines: list[Line], item: Item, file: str, parse: Parse) -> tuple[list[Diagnostic], list[str]]:
    """Missing and extra `}` of one item, each confirmed by reading the item again with it mended.

    A block is taken to end at the first line indented no deeper than the line that opened it (and
    not itself a `}`): that is where its `}` belongs, after the block's last line.
    """
    own = lines[item.start - 1:item.end]
    body = [line.text for line in own]
    stack: list[_Open] = []
    found: list[Diagnostic] = []
    inserts: dict[int, int] = {}  # line number → how many `}` to add at its end
    removals: set[tuple[int, int]] = set()
    last: Line | None = None
    content = [line for line in own if line.content]
    following = {a.number: b for a, b in itertools.pairwise(content)}
    for line in content:
        starts_closing = line.code.lstrip().startswith("}")
        while stack and last is not None and line.indent <= stack[-1].line.indent and not starts_closing:
            found.append(_missing(stack.pop(), last, file))
            inserts[last.number] = inserts.get(last.number, 0) + 1
        after = following.get(line.number)
        for index, ch in enumerate(line.code):
            if ch == "{":
                stack.append(_Open(line, index + 1))
            elif ch == "}" and stack and _closes_too_early(stack[-1], line, after):
                removals.add((line.number, index))
                found.append(_extra(line, index + 1, file))
            elif ch == "}" and stack:
                stack.pop()
            elif ch == "}":
                removals.add((line.number, index))
                found.append(_extra(line, index + 1, file))
        last = line
    while stack and last is not None:
        found.append(_missing(stack.pop(), last, file))
        inserts[last.number] = inserts.get(last.number, 0) + 1
    if not found:
        return [], body
    mended = ["".join(" " if (line.number, i) in removals else ch for i, ch in enumerate(raw))
              + " }" * inserts.get(line.number, 0) for line, raw in zip(own, body, strict=True)]
    try:
        parse(_padded(lines, item, mended))
    except UnexpectedInput as exc:
        # Mended, the item reads further than before: the braces were a mistake (and the rest is
        # another one). Not further: the guess was wrong, and the parser's own message is better.
        if _where(exc) <= _position(lines, item, parse):
            return [], body
    return found, mended


def _closes_too_early(opened: _Open, line: Line, after: Line | None) -> bool:
    """A `}` on a line deeper than the block's `{` line, while the next line is still inside the block."""
    return (opened.line is not line and line.indent > opened.line.indent and after is not None
            and after.indent > opened.line.indent and not after.code.lstrip().startswith("}"))


def _position(lines: list[Line], item: Item, parse: Parse) -> int:
    try:
        parse(_padded(lines, item))
    except UnexpectedInput as exc:
        return _where(exc)
    return 10**9


def _where(exc: UnexpectedInput) -> int:
    line = exc.line if isinstance(exc.line, int) and exc.line > 0 else 10**9
    column = exc.column if isinstance(exc.column, int) and exc.column > 0 else 0
    return line * 100_000 + column


def _opener_words(opened: _Open) -> str:
    found = _OPENER.match(opened.line.text)
    if found is not None:
        return node_words(found.group(1), found.group(2))
    block = _BLOCK.match(opened.line.text)
    if block is not None:
        return _("the `{word}` block").format(word=block.group(1))
    return _("the block")


def _missing(opened: _Open, last: Line, file: str) -> Diagnostic:
    end = len(last.text.rstrip()) + 1
    return error("PAR101",
                 _("{block} is not closed: a `}}` is missing after line {line} (its `{{` is on line {opened})").format(
                     block=_opener_words(opened), line=last.number, opened=opened.line.number),
                 _("add `}}` where {block} ends; every `{{` needs its `}}`").format(block=_opener_words(opened)),
                 Span(file, last.number, end, last.number, end + 1))


def _extra(line: Line, column: int, file: str) -> Diagnostic:
    return error("PAR107", _("this `}` closes no block"),
                 _("delete it, or add the `{` it was meant to close"),
                 Span(file, line.number, column, line.number, column + 1))


# ---- one parser error, in words ----------------------------------------------------------------------


def _join(words: list[str]) -> str:
    if not words:
        return _("something else")
    if len(words) > 6:
        return _("{items} or another item").format(items=", ".join(words[:6]))
    if len(words) == 1:
        return words[0]
    return _("{items} or {last}").format(items=", ".join(words[:-1]), last=words[-1])


def expected_words(expected: set[str]) -> str:
    words: list[str] = []
    for name in sorted(expected):
        word = _(TERMINALS[name]) if name in TERMINALS else (f"`{name.lower()}`" if name.isalpha() else None)
        if word and word not in words:
            words.append(word)
    return _join(words)


def _describe_token(token: lark.Token) -> str:
    if token.type == "$END":
        return _("the end of the file")
    if token.type == "STRING":
        return _("the text {text}").format(text=str(token))
    return f"`{token}`"


def context(text: str, line: int, column: int = 0) -> str | None:
    """What was being written at `line`, `column`: "in the rule of criterion 1.2", "in the inputs"."""
    lines = lines_of(text)
    stack: list[Line] = []
    for current in lines[:line - 1]:
        for ch in current.code:
            if ch == "{":
                stack.append(current)
            elif ch == "}" and stack:
                stack.pop()
    here = lines[line - 1] if 0 < line <= len(lines) else None
    before = ""
    if here is not None:  # braces earlier on the error's own line count too (a one-line rule)
        before = here.code[:column - 1] if column > 0 else here.code
        for ch in before:
            if ch == "{":
                stack.append(here)
            elif ch == "}" and stack:
                stack.pop()
        heading = _OPENER.match(here.text)
        if heading is not None and "{" not in before:
            return _("in the heading of {node}").format(node=node_words(heading.group(1), heading.group(2)))
    if not stack:
        return None
    opener = stack[-1]
    node = _OPENER.match(opener.text)
    if node is not None:
        name = node_words(node.group(1), node.group(2))
        code = here.code.strip() if here is not None else ""
        in_rule = here is opener or not code.startswith((*NODE_WORDS, "}"))
        return (_("in the rule of {node}") if in_rule else _("in {node}")).format(node=name)
    block = _BLOCK.match(opener.text)
    return _(_WHERE[block.group(1)]) if block is not None else None


def describe(exc: UnexpectedInput, text: str, file: str) -> Diagnostic:
    """One parser error as a rule author reads it: where, what was being written, what came, the fix."""
    line = exc.line if isinstance(exc.line, int) and exc.line > 0 else 1
    column = exc.column if isinstance(exc.column, int) and exc.column > 0 else 1
    where = context(text, line, column)
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream if isinstance(exc.pos_in_stream, int) else -1
        char = text[position] if 0 <= position < len(text) else "?"
        return error("PAR102", _prefixed(where, _("unexpected character `{char}`").format(char=char)),
                     _character_hint(char, text, position), Span(file, line, column, line, column + 1))
    if (isinstance(exc, UnexpectedToken) and exc.token.type == "$END") or isinstance(exc, UnexpectedEOF):
        expected = {str(name) for name in exc.expected}
        lines = text.split("\n")
        end_line = len(lines)
        while end_line > 1 and not lines[end_line - 1].strip():
            end_line -= 1
        end_col = len(lines[end_line - 1]) + 1
        return error("PAR101", _prefixed(where, _("the file ends in the middle of a statement")),
                     _("expected {words}").format(words=expected_words(expected)),
                     Span(file, end_line, end_col, end_line, end_col + 1))
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    expected = set(exc.expected)
    message = _("unexpected {token}; expected {words}").format(token=_describe_token(token),
                                                              words=expected_words(expected))
    end_col = column + max(1, len(str(token)))
    return error("PAR100", _prefixed(where, message), _token_hint(token, expected, exc),
                 Span(file, line, column, line, end_col))


def _prefixed(where: str | None, message: str) -> str:
    return _("{where}: {message}").format(where=where, message=message) if where else message


def _character_hint(char: str, text: str, position: int) -> str:
    if char in "“”":
        return _('use straight double quotes (") around titles, not curly ones')
    if char == ",":
        return _("decimals use a point in a ruleset: write 0.5, not 0,5")
    if char == "%" and text[max(0, position - 12):position].rstrip("0123456789. ").endswith("max"):
        return _("a maximum is in points, not percent: write `max 2`")
    return _('quote titles with straight double quotes ("…"); names use letters, digits and _')


_BLOCK_TOKENS = frozenset({"COMPONENT", "RULESET", "CLASSES", "GROUPS", "RANK", "ROUNDING", "EXCLUDE", "INPUTS",
                           "ATTRIBUTES", "STAGES", "BONUS", "PENALTY", "INCLUDE"})


def _token_hint(token: lark.Token, expected: set[str], exc: UnexpectedToken) -> str:
    previous = exc.token_history[-1] if exc.token_history else None
    offered = [name.lower() for name in expected if name.isalpha() and name.lower() in keywords()]
    if token.type == "NAME":
        near = near_keyword(str(token), offered or None)
        if near is not None:
            return _("did you mean `{word}`?").format(word=near)
    if previous is not None and previous.type == "NAME":
        near = near_keyword(str(previous))
        if near is not None and str(previous) not in keywords():
            return _("`{written}` is read as a name: did you mean `{word}`?").format(written=str(previous), word=near)
    if "MAX" in expected and token.type in {"NUMBER", "LBRACE"}:
        return _("every node states its maximum after its title: `max 2`")
    if "STRING" in expected and token.type in {"NAME", "NUMBER"}:
        return _('titles are quoted: "Kế hoạch CCHC năm"')
    if "NUMBER" in expected and token.type in {"LBRACE", "STRING"}:
        return _("write the number here, e.g. `max 2`")
    if token.type == "PERCENT" and "NUMBER" in expected:
        return _("a maximum is in points, not percent: write `max 2`")
    if "RBRACE" in expected and token.type in _BLOCK_TOKENS:
        return _("a `}` is missing before this line")
    if token.type == "RBRACE":
        return _("a node's body needs child nodes or one rule before `}`")
    if "_ARROW" in expected and previous is not None and str(previous) in TOP_LEVEL + NODE_WORDS:
        return _("`{word}` is read as one more step of the rule above: is a `}}` missing before it?").format(
            word=str(previous))
    if "_ARROW" in expected:
        return _("each case is written `condition -> points`")
    return _("see docs/language.md for the statement's form")
