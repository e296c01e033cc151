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
  sub-criterion 1.3.1"), then says what is wrong, in words, with a hint that shows what to write;
- **the usual mistakes**: a keyword misspelt (`proprotional`) or written in Vietnamese (`tối đa`),
  `=>` for `->`, a `:` or `->` left out, a title without quotes or with a quote inside, an id with a
  space, two words run together… Each is a guess at the fix, and like the braces it is kept only if
  the text, mended that way, reads past the line of the mistake.

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
from parrules.grammar import ALIASES, keywords, near_keyword, vietnamese_keyword
from parrules.i18n import N_, _
from parrules.model import Span
from parrules.vocabulary import node as node_words

MAX_SYNTAX_ERRORS = 20
_REREAD_BYTES = 64_000  # an item this large is read again after its first mistake only once
# A guess at the usual mistake is confirmed by reading the block again up to the mistake; past this
# many bytes into one block (ten times the largest real criteria set's component) it is not tried.
_GUESS_BYTES = 100_000

TOP_LEVEL = ("ruleset", "attributes", "inputs", "stages", "component", "exclude", "bonus", "penalty",
             "rounding", "classes", "groups", "rank", "include")
NODE_WORDS = ("component", "field", "criterion", "sub", "part")
_LINE_ITEMS = ("rank", "exclude", "include")

# Terminals as a rule author would say them.
TERMINALS = {
    "LBRACE": N_("`{`"), "RBRACE": N_("`}`"), "LPAR": N_("`(`"), "RPAR": N_("`)`"), "COMMA": N_("`,`"),
    "COLON": N_("`:`"), "STRING": N_('a quoted text ("…")'), "NUMBER": N_("a number"),
    "PERCENT": N_("a percentage (e.g. 80%)"), "NAME": N_("a name"), "NODE_ID": N_("an id (e.g. 1.2.3)"),
    "CMP_OP": N_("a comparison (>=, <, =, …)"), "PLUS": N_("`+`"), "MINUS": N_("`-`"), "TIMES": N_("`*`"),
    "DIVIDE": N_("`/`"), "FUNCTION": N_("min(…) or max(…)"), "$END": N_("the end of the file"),
    "_ARROW": N_("`->`"),
}
# The signs that continue a condition or a formula: listed one by one they drown what was expected.
_OPERATORS = frozenset({"PLUS", "MINUS", "TIMES", "DIVIDE", "CMP_OP", "AND", "OR"})
# `0,5` but not `1,2,3` (a list of numbers); `1,5, late` is a decimal comma before a separator.
_DECIMAL_COMMA = re.compile(r"(?<![\w.,])\d+,\d+(?!\w|,\d)")
_OPENER = re.compile(r"^\s*(component|field|criterion|sub|part|bonus|penalty)\s+([^\s\"{]+)")
_HEADING_ID = re.compile(r"^(\s*(?:component|field|criterion|sub|part|bonus|penalty)\s+)([^\"{#]*?)\s*(?=[\"{#]|$)")
_ID = re.compile(r"[0-9A-Za-z]+([._-][0-9A-Za-z]+)*")
_BLOCK = re.compile(r"^\s*(ruleset|attributes|inputs|stages|rounding|classes|groups)\b")
_WHERE = {
    "ruleset": N_("in the `ruleset` block"), "attributes": N_("in the attributes"), "inputs": N_("in the inputs"),
    "stages": N_("in the stages"), "rounding": N_("in the rounding"), "classes": N_("in the classes"),
    "groups": N_("in the groups"),
}
# What a statement looks like, by what was being written: the hint when no usual mistake fits.
_FORMS = {
    "rule": N_("a rule is written in one of the forms of docs/language.md, section 7: "
               "`plan_issued: on_time -> 1, late -> 0.5`, `when rate >= 80% -> 1`, `proportional rate`, "
               "`deduct 0.5 per reports_late`, `given`"),
    "children": N_("write here either the child nodes, each like `sub 1.1.1 \"…\" max 1 { … }`, "
                   "or one rule"),
    "ruleset": N_("the `ruleset` block holds lines such as `authority \"UBND tỉnh\"`, `year 2025`, "
                  "`level department`, `scale 100`"),
    "attributes": N_("each line is a name, a type and a title: `one_stop yes/no \"Thực hiện cơ chế một cửa\"`; "
                     "the types are yes/no, one of (…), percent, count, number, points"),
    "inputs": N_("each line is a name, a type and a title: `plan_done percent \"Tỷ lệ hoàn thành kế hoạch\"`; "
                 "the types are yes/no, one of (…), percent, count, number, points"),
    "stages": N_("each line is a stage's name and title: `self \"Tự chấm\"`, `round1 \"Thẩm định\" official`"),
    "rounding": N_("each line is written like `points 2 decimals half-up`"),
    "classes": N_("each line is a label in quotes and its bounds: `\"Khá\" from 70% below 80%`"),
    "groups": N_("each line is a group in quotes and its rule: `\"Nhóm I\" when max = full`, "
                 "`\"Nhóm II\" otherwise`"),
    "rank": N_("write it like `rank within group by index desc`"),
    "exclude": N_("write it like `exclude S3 because \"Năm 2025 không tổ chức khảo sát\"`"),
    "include": N_("write it like `include \"shared/survey.par\"`"),
    "top": N_("a ruleset is made of blocks that start at the beginning of a line: `ruleset`, `attributes`, "
              "`inputs`, `component`, `exclude`, `bonus`, `penalty`, `rounding`, `classes`, `groups`, `rank`"),
}
_HEADING_FORM = N_("a heading is written `{kind} 1.2 \"…\" max 2 {{`")


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


def _unclosed_quote(text: str) -> int | None:
    """Where the title that is never closed on this line starts, if one is."""
    start: int | None = None
    escaped = False
    for i, ch in enumerate(text):
        if start is not None:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                start = None
        elif ch == '"':
            start = i
        elif ch == "#":
            return None
    return start


def lines_of(text: str) -> list[Line]:
    found = []
    for number, raw in enumerate(text.split("\n"), start=1):
        code = _blank_strings_and_comments(raw)
        indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
        found.append(Line(number, raw, code, indent))
    return found


def _first_word(code: str) -> str:
    found = re.match(r"\s*([^\W\d][\w-]*)", code)
    return found.group(1) if found else ""


def _spaced(written: str) -> bool:
    """Whether `written` is an id typed with spaces beside its dots (`1. 2`, `1 .2`), not two words."""
    return (" " in written and _ID.fullmatch(written.replace(" ", "")) is not None
            and re.search(r"[^._\-\s]\s+[^._\-\s]", written) is None)


def _heading(text: str) -> tuple[str, str] | None:
    """The kind and id of the node whose heading `text` is: `("criterion", "1.2")`.

    An id typed with a space (`1. 2`) is the id without it, so that messages name the node as meant.
    """
    found = _OPENER.match(text)
    if found is None:
        return None
    spaced = _HEADING_ID.match(text)
    if spaced is not None and _spaced(spaced.group(2)):
        return found.group(1), spaced.group(2).replace(" ", "")
    return found.group(1), found.group(2)


# ---- what was being written ----------------------------------------------------------------------------


@attrs.frozen
class Where:
    """What the author was writing at a place: the words that start a message, and the kind of place."""

    words: str | None
    kind: str  # "heading", "rule", "children", a block word ("inputs", …), a line word ("rank", …), "top"
    node: str = ""  # the kind of node, for "heading"


def where_at(lines: list[Line], line: int, column: int = 0) -> Where:
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
        heading = _heading(here.text)
        if heading is not None and "{" not in before:
            return Where(_("in the heading of {node}").format(node=node_words(*heading)), "heading", heading[0])
    if not stack:
        return _top_level(lines, here, before)
    opener = stack[-1]
    node = _heading(opener.text)
    if node is not None:
        name = node_words(*node)
        if here is not opener and _holds_children(lines, opener, here):
            return Where(_("in {node}").format(node=name), "children")
        return Where(_("in the rule of {node}").format(node=name), "rule")
    block = _BLOCK.match(opener.text)
    if block is not None:
        return Where(_(_WHERE[block.group(1)]), block.group(1))
    return Where(None, "top")


def _holds_children(lines: list[Line], opener: Line, here: Line | None) -> bool:
    """Whether the block `opener` starts holds child nodes (rather than a rule), as far as it is written."""
    def child(line: Line) -> bool:
        word = _first_word(line.code)
        return word in NODE_WORDS or (word != "" and near_keyword(word, NODE_WORDS) in NODE_WORDS)
    if here is not None and (here.code.lstrip().startswith("}") or child(here)):
        return True
    end = here.number - 1 if here is not None else len(lines)
    return any(child(line) for line in lines[opener.number:end])


def _top_level(lines: list[Line], here: Line | None, before: str) -> Where:
    word = _first_word(here.code) if here is not None else ""
    if word in _LINE_ITEMS:
        return Where(_("in the `{word}` line").format(word=word), word)
    if word in _WHERE and "{" not in before:
        return Where(_("in the heading of the `{word}` block").format(word=word), word)
    upto = here.number - 1 if here is not None else len(lines)
    for line in reversed(lines[:upto]):
        if line.indent == 0 and _first_word(line.code) in TOP_LEVEL:
            return Where(_("after {item}").format(item=_item_words(line)), "top")
    return Where(_("at the start of the file"), "top")


def _item_words(line: Line) -> str:
    heading = _heading(line.text)
    if heading is not None:
        return node_words(*heading)
    word = _first_word(line.code)
    if word in _LINE_ITEMS:
        return _("the `{word}` line").format(word=word)
    return _("the `{word}` block").format(word=word)


def context(text: str, line: int, column: int = 0) -> str | None:
    """What was being written at `line`, `column`: "in the rule of criterion 1.2", "in the inputs"."""
    return where_at(lines_of(text), line, column).words


# ---- decimal commas, before parsing ----------------------------------------------------------------


def decimal_commas(text: str, file: str) -> tuple[list[Diagnostic], str]:
    """Every `0,5` outside strings and comments, and the text with each written `0.5` (to read on)."""
    found: list[Diagnostic] = []
    repaired = text.split("\n")
    lines = lines_of(text)
    for line in lines:
        for match in _DECIMAL_COMMA.finditer(line.code):
            written = match.group()
            point = written.replace(",", ".")
            column = match.start() + 1
            before = line.code[:match.start()]
            if before.count("(") > before.count(")"):  # `min(1,5)` may be two numbers
                hint = _("a ruleset writes decimals with a point; if these are two numbers, put a space after the "
                         "comma: `{spaced}`").format(spaced=written.replace(",", ", "))
            else:
                hint = _("write `{point}`: a ruleset writes decimals with a point, even where the decision "
                         "writes a comma").format(point=point)
            message = _("`{written}` has a decimal comma: use a point, `{point}`").format(written=written, point=point)
            found.append(error("PAR106", _prefixed(where_at(lines, line.number, column).words, message), hint,
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
        padded = _padded(lines, item, body)
        diagnostic, fix = _described(first, padded, file, parse)
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
        # Mend the mistake when its fix is known, else set its line aside (its braces kept), and read on.
        index = where - item.start
        mended = padded[:fix[0]] + fix[2] + padded[fix[1]:] if fix is not None else None
        if mended is not None and mended.count("\n") == padded.count("\n"):
            body = mended.split("\n")[item.start - 1:]
        else:
            body = [*body[:index], _only_braces(lines_of(body[index])[0]), *body[index + 1:]]
        try:
            parse(_padded(lines, item, body))
            break
        except UnexpectedInput as exc:
            first = exc
    return found


def _only_braces(line: Line) -> str:
    code = line.code
    quote = _unclosed_quote(line.text)
    if quote is not None:  # the braces after a title left open are still the author's
        code = code[:quote] + line.text[quote:]
    return "".join(ch if ch in "{}" else " " for ch in code)


# ---- braces, read with the indentation ------------------------------------------------------------------


@attrs.frozen
class _Open:
    line: Line
    column: int  # of the `{`, from 1


def _braces(lines: list[Line], item: Item, file: str, parse: Parse) -> tuple[list[Diagnostic], list[str]]:
    """Missing and extra `}` of one item, each confirmed by reading the item again with it mended.

    A block is taken to end at the first line indented no deeper than the line that opened it (and
    not itself a `}`): that is where its `}` belongs, after the block's last line. A `}` that stands
    level with an outer block's line closes that block, and the blocks opened deeper inside it, left
    open, lack theirs.
    """
    own = lines[item.start - 1:item.end]
    body = [line.text for line in own]
    stack: list[_Open] = []
    found: list[Diagnostic] = []
    inserts: dict[int, int] = {}  # line number → how many `}` to add at its end
    removals: set[tuple[int, int]] = set()
    last: Line | None = None
    closed: tuple[_Open, Line] | None = None  # the block closed last, and the line of its `}`
    content = [line for line in own if line.content]
    following = {a.number: b for a, b in itertools.pairwise(content)}

    def missing(before: Line) -> None:
        found.append(_missing(stack.pop(), before, file))
        inserts[before.number] = inserts.get(before.number, 0) + 1

    for line in content:
        starts_closing = line.code.lstrip().startswith("}")
        while stack and last is not None and line.indent <= stack[-1].line.indent and not starts_closing:
            missing(last)
        if starts_closing and last is not None and stack and line.indent < stack[-1].line.indent \
                and any(opened.line.indent == line.indent for opened in stack[:-1]):
            while stack[-1].line.indent > line.indent:
                missing(last)
        after = following.get(line.number)
        for index, ch in enumerate(line.code):
            if ch == "{":
                stack.append(_Open(line, index + 1))
            elif ch == "}" and stack and _closes_too_early(stack[-1], line, after):
                removals.add((line.number, index))
                found.append(_extra(line, index + 1, file, stack[-1], closed))
            elif ch == "}" and stack:
                closed = (stack.pop(), line)
            elif ch == "}":
                removals.add((line.number, index))
                found.append(_extra(line, index + 1, file, None, closed))
        last = line
    while stack and last is not None:
        missing(last)
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
    heading = _heading(opened.line.text)
    if heading is not None:
        return node_words(*heading)
    block = _BLOCK.match(opened.line.text)
    if block is not None:
        return _("the `{word}` block").format(word=block.group(1))
    return _("the block")


def _missing(opened: _Open, last: Line, file: str) -> Diagnostic:
    end = len(last.text.rstrip()) + 1
    message, hint = _not_closed(opened, last.number)
    return error("PAR101", message, hint, Span(file, last.number, end, last.number, end + 1))


def _not_closed(opened: _Open, last: int) -> tuple[str, str]:
    """The message and hint for a block whose `}` is missing after line `last`."""
    block = _opener_words(opened)
    return (_("{block} is not closed: a `}}` is missing after line {line} (its `{{` is on line {opened})").format(
                block=block, line=last, opened=opened.line.number),
            _("add `}}` after line {line}, where {block} ends").format(line=last, block=block))


def _extra(line: Line, column: int, file: str, inside: _Open | None, closed: tuple[_Open, Line] | None) -> Diagnostic:
    if inside is not None:
        heading = _heading(inside.line.text)
        block = _BLOCK.match(inside.line.text)
        where = (_("in {node}").format(node=node_words(*heading)) if heading is not None
                 else _(_WHERE[block.group(1)]) if block is not None else None)
    elif closed is not None:
        where = _("after {item}").format(item=_opener_words(closed[0]))
    else:
        where = _("at the start of the file")
    if inside is not None and closed is not None and closed[0].line.number > inside.line.number:
        message = _("this `}}` closes no block: {block} was already closed on line {line}").format(
            block=_opener_words(closed[0]), line=closed[1].number)
    else:
        message = _("this `}` closes no block")
    return error("PAR107", _prefixed(where, message), _("delete it, or add the `{` it was meant to close"),
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
    signs = expected & _OPERATORS
    if len(signs) >= 3 and expected - _OPERATORS:  # `a`, `+`, `-`, `and`, … : the rest of a formula
        expected = (expected - _OPERATORS) | {"CMP_OP"}
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


@attrs.frozen
class _Found:
    """A mistake recognised: its code, message and hint, and where it is in the text."""

    code: str
    message: str
    hint: str
    start: int
    end: int
    fix: tuple[int, int, str] | None = None  # text[start:end] to write instead, if the fix is known
    placed: bool = True  # whether the message starts with what was being written (not if it names the block)


def describe(exc: UnexpectedInput, text: str, file: str, parse: Parse | None = None) -> Diagnostic:
    """One parser error as a rule author reads it: where, what was being written, what is wrong, the fix.

    With `parse`, the usual mistakes are recognised (each guess confirmed by reading the mended text).
    """
    return _described(exc, text, file, parse)[0]


def _described(exc: UnexpectedInput, text: str, file: str,
               parse: Parse | None) -> tuple[Diagnostic, tuple[int, int, str] | None]:
    """The diagnostic, and the fix that makes the text read past the mistake when it is known."""
    lines = lines_of(text)
    line = exc.line if isinstance(exc.line, int) and exc.line > 0 else 1
    if parse is not None and not isinstance(exc, UnexpectedEOF) \
            and not (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        found = _recognised(exc, text, parse, line)
        if found is not None:
            at_line, at_column = _line_column(text, found.start)
            width = max(1, min(found.end, _line_end(text, found.start)) - found.start)
            where = where_at(lines, at_line, at_column)
            return error(found.code, _prefixed(where.words if found.placed else None, found.message), found.hint,
                         Span(file, at_line, at_column, at_line, at_column + width)), found.fix
    return _plain(exc, text, file, lines), None


def _plain(exc: UnexpectedInput, text: str, file: str, lines: list[Line]) -> Diagnostic:
    """The parser's error in words, when no usual mistake explains it."""
    line = exc.line if isinstance(exc.line, int) and exc.line > 0 else 1
    column = exc.column if isinstance(exc.column, int) and exc.column > 0 else 1
    where = where_at(lines, line, column)
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream if isinstance(exc.pos_in_stream, int) else -1
        char = text[position] if 0 <= position < len(text) else "?"
        return error("PAR102", _prefixed(where.words, _("unexpected character `{char}`").format(char=char)),
                     _character_hint(char, text, position), Span(file, line, column, line, column + 1))
    if (isinstance(exc, UnexpectedToken) and exc.token.type == "$END") or isinstance(exc, UnexpectedEOF):
        expected = {str(name) for name in exc.expected}
        rows = text.split("\n")
        end_line = len(rows)
        while end_line > 1 and not rows[end_line - 1].strip():
            end_line -= 1
        end_col = len(rows[end_line - 1]) + 1
        last = re.search(r"(\S+)\s*$", _blank_strings_and_comments(rows[end_line - 1]))
        if last is not None and expected:
            hint = _("finish it: after `{last}` comes {words}").format(last=last.group(1),
                                                                       words=expected_words(expected))
        else:
            hint = _("expected {words}").format(words=expected_words(expected))
        return error("PAR101", _prefixed(where.words, _("the file ends in the middle of a statement")), hint,
                     Span(file, end_line, end_col, end_line, end_col + 1))
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    expected = set(exc.expected)
    message = _("unexpected {token}; expected {words}").format(token=_describe_token(token),
                                                              words=expected_words(expected))
    end_col = column + max(1, len(str(token)))
    return error("PAR100", _prefixed(where.words, message), _token_hint(token, expected, exc, where),
                 Span(file, line, column, line, end_col))


def _prefixed(where: str | None, message: str) -> str:
    return _("{where}: {message}").format(where=where, message=message) if where else message


def _line_column(text: str, position: int) -> tuple[int, int]:
    return text.count("\n", 0, position) + 1, position - (text.rfind("\n", 0, position) + 1) + 1


def _line_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end


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


def _token_hint(token: lark.Token, expected: set[str], exc: UnexpectedToken, where: Where) -> str:
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
    return _form(where)


def _form(where: Where) -> str:
    if where.kind == "heading":
        return _(_HEADING_FORM).format(kind=where.node)
    return _(_FORMS.get(where.kind, _FORMS["top"]))


# ---- the usual mistakes, each confirmed by reading the text mended ------------------------------------


@attrs.frozen
class _At:
    """A parse error and what is needed to try a fix: the text, the parser, the error's line."""

    text: str
    parse: Parse
    line: int

    def reads_further(self, start: int, end: int, new: str) -> bool:
        """Whether the text, with `text[start:end]` written `new`, reads past the line of the error.

        Past means beyond the first word of the next line too: a fix that swallows the rest of the
        line (a quote put in at the wrong place) reads to the end of it and stops right after.
        """
        shift = len(new) - (end - start)
        mended = self.text[:start] + new + self.text[end:]
        # Only the text up to the end of the next word's line can decide, so only that is read: on a
        # large file a guess then costs what comes before the mistake, not the whole file.
        stop = mended.find("\n", self._next_word() + shift)
        if (len(mended) if stop < 0 else stop) > _GUESS_BYTES:
            return False  # a mistake this far into one block: the plain message, not a guess read again
        try:
            self.parse(mended if stop < 0 else mended[:stop])
        except UnexpectedToken as again:
            if again.token.type == "$END":
                return True
            return isinstance(again.token.start_pos, int) and again.token.start_pos > self._next_word() + shift
        except UnexpectedInput as again:
            position = again.pos_in_stream
            return not isinstance(position, int) or position > self._next_word() + shift
        return True

    def _next_word(self) -> int:
        """Where the first word after the line of the error starts (comments and blank lines skipped)."""
        position = 0
        for _number in range(self.line):
            found = self.text.find("\n", position)
            if found < 0:
                return len(self.text)
            position = found + 1
        while position < len(self.text):
            end = _line_end(self.text, position)
            code = _blank_strings_and_comments(self.text[position:end])
            if code.strip():
                return position + len(code) - len(code.lstrip())
            position = end + 1
        return len(self.text)

    def shown(self, start: int, end: int, new: str) -> str:
        """The line of `start` as it should be written, `text[start:end]` replaced by `new`."""
        first, last = _line_start(self.text, start), _line_end(self.text, end)
        written = self.text[first:start] + new + self.text[end:last]
        comment = _blank_strings_and_comments(written).find("#")
        if comment >= 0:
            written = written[:comment]
        lead = len(written) - len(written.lstrip())
        shown = written.strip()
        focus = start - first - lead
        # Spaces that line up columns in the file only lengthen the line shown in a hint.
        focus -= len(shown[:focus]) - len(re.sub(r"[ \t]{2,}", " ", shown[:focus]))
        return _excerpt(re.sub(r"[ \t]{2,}", " ", shown), max(0, focus))


def _excerpt(line: str, focus: int, width: int = 90) -> str:
    """A long line cut after `focus` (and before it, if need be), at spaces, with `…` where it was cut."""
    if len(line) <= width:
        return line
    start = 0
    if focus > width - 30:
        space = line.rfind(" ", 0, focus - width // 2)
        start = space + 1 if space >= 0 else 0
    end = line.find(" ", min(len(line), max(start + width, focus + 30)) - 1)
    end = len(line) if end < 0 else end
    return ("…" if start > 0 else "") + line[start:end].strip() + (" …" if end < len(line) else "")


def _recognised(exc: UnexpectedInput, text: str, parse: Parse, line: int) -> _Found | None:
    at = _At(text, parse, line)
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream if isinstance(exc.pos_in_stream, int) else -1
        if not 0 <= position < len(text):
            return None
        for check in _CHARACTER_CHECKS:
            found = check(at, position)
            if found is not None:
                return found
        return None
    if not isinstance(exc, UnexpectedToken):
        return None
    token = exc.token
    previous = _previous(text, _span(token)[0])
    expected = {str(name) for name in exc.expected}
    for token_check in _TOKEN_CHECKS:
        found = token_check(at, token, previous, expected)
        if found is not None:
            return found
    return None


def _previous(text: str, position: int) -> lark.Token | None:
    """The token before `position`, read back from the text (the parser keeps no history of its own).

    Its type is the grammar's where the text says it plainly (`STRING`, `NUMBER`, `PERCENT`, `NAME`,
    a keyword as `MAX`, `LBRACE`, …); a word is a keyword by its spelling, whatever the parser made of it.
    """
    end = position
    while end > 0:
        first = _line_start(text, end)
        segment = text[first:end]
        comment = _blank_strings_and_comments(segment).find("#")
        if comment >= 0:
            segment = segment[:comment]
        segment = segment.rstrip()
        if segment:
            return _last_token(text, first, segment)
        end = first - 1
    return None


_PUNCTUATION = {"{": "LBRACE", "}": "RBRACE", "(": "LPAR", ")": "RPAR", ",": "COMMA", ":": "COLON", "+": "PLUS",
                "-": "MINUS", "*": "TIMES", "×": "TIMES", "/": "DIVIDE", "÷": "DIVIDE", "→": "_ARROW"}


def _last_token(text: str, first: int, segment: str) -> lark.Token:
    end = first + len(segment)
    if segment.endswith('"'):
        code = _blank_strings_and_comments(segment)
        kind, value_start = "STRING", first + segment.index('"', len(code.rstrip()))
    elif (found := re.search(r"\d+(?:\.\d+)?[ \t]*%$", segment)) is not None:
        kind, value_start = "PERCENT", first + found.start()
    elif segment.endswith("->"):
        kind, value_start = "_ARROW", end - 2
    elif (found := re.search(r"[\w.]+(?:-[\w.]+)*$", segment)) is not None:
        word = found.group()
        if re.fullmatch(r"\d+(\.\d+)?", word):
            kind = "NUMBER"
        elif re.fullmatch(r"[^\W\d]\w*", word):
            kind = word.upper() if word in keywords() else "NAME"
        else:
            kind = word.upper() if word in keywords() else "NODE_ID"
        value_start = first + found.start()
    elif (found := re.search(r"[<>=!≥≤≠]+$", segment)) is not None:
        kind, value_start = "CMP_OP", first + found.start()
    else:
        kind, value_start = _PUNCTUATION.get(segment[-1], "OTHER"), end - 1
    line, column = _line_column(text, value_start)
    end_line, end_column = _line_column(text, end)
    return lark.Token(kind, text[value_start:end], start_pos=value_start, line=line, column=column,
                      end_line=end_line, end_column=end_column, end_pos=end)


# -- a character that cannot be read


def _unclosed_title(at: _At, position: int) -> _Found | None:
    if at.text[position] != '"':
        return None
    first, last = _line_start(at.text, position), _line_end(at.text, position)
    if _unclosed_quote(at.text[first:last]) != position - first:
        return None
    rest = at.text[position:last]
    ends = re.search(r"\s+(?:max|from|above|below|to|when|otherwise|official|because|default|range|up)\b|\s*[{#]|\s*$",
                     rest[1:])
    close = position + 1 + (ends.start() if ends is not None else len(rest) - 1)
    fix = (close, close, '"') if at.reads_further(close, close, '"') else None
    if fix is not None:
        hint = _('end the title with `"` on the same line: `{fixed}`').format(fixed=at.shown(*fix))
    else:
        hint = _('end the title with `"` on the same line')
    return _Found("PAR102", _('this title has no closing `"`'), hint, position, position + 1, fix)


_CURLY = "“”„‟″"
_SINGLE = "‘’'`"


def _curly_quotes(at: _At, position: int) -> _Found | None:
    char = at.text[position]
    if char not in _CURLY + _SINGLE:
        return None
    last = _line_end(at.text, position)
    closing = next((i for i in range(position + 1, last) if at.text[i] in _CURLY + _SINGLE + '"'), None)
    if closing is None:
        return None
    title = at.text[position + 1:closing]
    hint = _('type the quotes again as straight ones ("): `{fixed}`')
    if not at.reads_further(position, closing + 1, f'"{title}"'):
        return None
    fixed = at.shown(position, closing + 1, f'"{title}"')
    if char in _CURLY:
        return _Found("PAR102", _("this title is in curly quotes (“ ”), as Word puts them"),
                      hint.format(fixed=fixed), position, closing + 1, (position, closing + 1, f'"{title}"'))
    return _Found("PAR102", _("this title is in single quotes"), hint.format(fixed=fixed), position, closing + 1,
                  (position, closing + 1, f'"{title}"'))


def _percent_character(at: _At, position: int) -> _Found | None:
    if at.text[position] != "%":
        return None
    first = _line_start(at.text, position)
    before = at.text[first:position]
    maximum = re.search(r"\bmax\s*(\d+(?:\.\d+)?)\s*$", before)
    if maximum is not None:
        number_end = first + maximum.end()
        if at.reads_further(number_end, position + 1, ""):
            return _Found("PAR102", _("a maximum cannot be a percentage"),
                          _("a maximum is in points: write `max {number}`").format(number=maximum.group(1)),
                          position, position + 1, (number_end, position + 1, ""))
    declared = re.fullmatch(r"\s*([^\W\d]\w*)\s+", before)
    line, column = _line_column(at.text, position)
    if declared is not None and where_at(lines_of(at.text), line, column).kind in ("inputs", "attributes") \
            and at.reads_further(position, position + 1, "percent"):
        return _Found("PAR102", _("a rate is declared with the word `percent`, not with `%`"),
                      _("write `{fixed}`").format(fixed=at.shown(position, position + 1, "percent")),
                      position, position + 1, (position, position + 1, "percent"))
    return None


def _semicolon(at: _At, position: int) -> _Found | None:
    if at.text[position] != ";" or not at.reads_further(position, position + 1, ","):
        return None
    fix = (position, position + 1, ",")
    return _Found("PAR102", _("`;` cannot separate the items of a list"),
                  _("write `,` instead (or put each item on its own line): `{fixed}`").format(fixed=at.shown(*fix)),
                  position, position + 1, fix)


def _dash(at: _At, position: int) -> _Found | None:
    if at.text[position] not in "–—−" or not at.reads_further(position, position + 1, "-"):
        return None
    return _Found("PAR102", _("`{char}` is a dash typed by Word, not the minus sign `-`").format(
                      char=at.text[position]),
                  _("type a plain hyphen: `{fixed}`").format(fixed=at.shown(position, position + 1, "-")),
                  position, position + 1, (position, position + 1, "-"))


def _spaced_id(at: _At, position: int) -> _Found | None:
    first, last = _line_start(at.text, position), _line_end(at.text, position)
    heading = _HEADING_ID.match(at.text[first:last])
    if heading is None:
        return None
    start, end = first + heading.start(2), first + heading.end(2)
    written = heading.group(2)
    joined = written.replace(" ", "")
    if not start <= position < end or not _spaced(written):
        return None
    if not at.reads_further(start, end, joined):
        return None
    return _Found("PAR102" if at.text[position] in "._-" else "PAR100",
                  _("the id `{written}` has a space in it").format(written=written),
                  _("write the id without spaces: `{fixed}`").format(fixed=at.shown(start, end, joined)), start, end,
                  (start, end, joined))


_CHARACTER_CHECKS: tuple[Callable[[_At, int], _Found | None], ...] = (
    _unclosed_title, _curly_quotes, _percent_character, _semicolon, _dash, _spaced_id)


# -- a word or a sign where it cannot be


TokenCheck = Callable[[_At, lark.Token, lark.Token | None, set[str]], _Found | None]


def _same_line(token: lark.Token, previous: lark.Token | None) -> bool:
    return previous is not None and previous.line == token.line and isinstance(previous.start_pos, int)


def _span(token: lark.Token) -> tuple[int, int]:
    start = token.start_pos if isinstance(token.start_pos, int) else 0
    end = token.end_pos if isinstance(token.end_pos, int) else start + len(str(token))
    return start, end


def _id_with_space(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    return _spaced_id(at, _span(token)[0])


def _missing_close_brace(at: _At, token: lark.Token, previous: lark.Token | None,
                         expected: set[str]) -> _Found | None:
    """A node or a block starts while the one above is still open: its `}` is missing before this line.

    The indentation usually tells where (see `_braces`); this is for a file laid out without it.
    """
    start, _end = _span(token)
    first = _line_start(at.text, start)
    code = _blank_strings_and_comments(at.text[first:_line_end(at.text, start)])
    if _first_word(code) not in NODE_WORDS + TOP_LEVEL or len(code[:start - first].split()) > 1:
        return None
    before = _previous(at.text, first)
    if before is None:
        return None
    end = _span(before)[1]
    if not at.reads_further(end, end, " }"):
        return None
    last = _line_column(at.text, end)[0]
    stack: list[_Open] = []
    for line in lines_of(at.text)[:last]:
        for index, ch in enumerate(line.code):
            if ch == "{":
                stack.append(_Open(line, index + 1))
            elif ch == "}" and stack:
                stack.pop()
    if not stack:
        return None
    message, hint = _not_closed(stack[-1], last)
    return _Found("PAR101", message, hint, end, end + 1, (end, end, " }"), placed=False)


def _quote_in_title(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    if previous is None or previous.type != "STRING" or not _same_line(token, previous):
        return None
    start, end = _span(previous)
    if _span(token)[0] != end:
        return None
    last = _line_end(at.text, end)
    code = _blank_strings_and_comments(at.text[end:last])
    rest = at.text[end:end + (code.find("#") if "#" in code else len(code))]
    closing = rest.rfind('"')
    if closing < 0:
        return None
    title_end = end + closing + 1
    inner = at.text[start + 1:title_end - 1]
    quotes = itertools.cycle("“”")
    fixed = '"' + "".join(next(quotes) if ch == '"' else ch for ch in inner) + '"'
    if not at.reads_further(start, title_end, fixed):
        return None
    fix = (start, title_end, fixed)
    return _Found("PAR100", _('this title has a `"` inside it, which ends the title too early'),
                  _("write the quotes inside a title as “ ”: `{fixed}`").format(fixed=at.shown(*fix)),
                  start, title_end, fix)


def _vietnamese_word(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    starts = [_span(previous)[0]] if previous is not None and previous.type == "NAME" and _same_line(token, previous) \
        else []
    for start in [*starts, _span(token)[0]]:
        found = vietnamese_keyword(at.text[start:_line_end(at.text, start)])
        if found is None:
            continue
        written, word = found
        end = start + len(written)
        if at.reads_further(start, end, word):
            message = _("`{written}` is written `{word}` in a ruleset").format(written=written, word=word)
            return _Found("PAR100", message,
                          _("write `{fixed}`: the words of a ruleset are English; Vietnamese goes in titles and "
                            "comments").format(fixed=at.shown(start, end, word)), start, end, (start, end, word))
    return None


def _word_around(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return start, end


def _misspelt_word(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    offered = sorted(name.lower() for name in expected if name.isalpha() and name.lower() in keywords())
    candidates: list[tuple[int, int, list[str] | None]] = []
    if previous is not None and _same_line(token, previous) \
            and (previous.type == "NAME" or str(previous).lower() in ALIASES):
        candidates.append((*_span(previous), None))
    start, end = _span(token)
    if str(token)[:1].isalnum():
        around = _word_around(at.text, start, end)
        if around != (start, end):
            candidates.append((*around, None))
    if token.type == "NAME" or str(token).lower() in ALIASES:
        candidates.append((start, end, offered or None))
    for first, last, pool in candidates:
        written = at.text[first:last]
        word = near_keyword(written, pool)
        if word is None or word == written.lower() or not at.reads_further(first, last, word):
            continue
        if written.lower() in keywords():
            message = _("`{written}` cannot be used here").format(written=written)
        else:
            message = _("the word `{written}` is not recognised").format(written=written)
        if written.lower() in ALIASES:
            hint = _("write `{word}` here instead of `{written}`").format(word=word, written=written)
        else:
            hint = _("did you mean `{word}`?").format(word=word)
        return _Found("PAR100", message, hint, first, last, (first, last, word))
    return None


_SIGNS = "<>=!≥≤≠"
_VALID_SIGNS = frozenset({">=", "<=", "!=", "=", "<", ">", "≥", "≤", "≠"})
_SIGN_FIXES = {">==": ">=", "<==": "<=", "==": "=", "===": "=", "=<": "<=", "<>": "!=", "!==": "!=", "=!": "!=",
               "≥=": "≥", "≤=": "≤", ">>": ">", "<<": "<", "=>=": ">="}


def _bad_sign(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    start, _end = _span(token)
    if start >= len(at.text) or at.text[start] not in _SIGNS:
        return None
    first, last = _line_start(at.text, start), _line_end(at.text, start)
    while start > first and at.text[start - 1] in _SIGNS:
        start -= 1
    end = start
    while end < last and at.text[end] in _SIGNS:
        end += 1
    written = at.text[start:end]
    if written in _VALID_SIGNS:
        return None
    if written == "=>":
        rest = at.text[end:last]
        sign = ">=" if "->" in rest or "→" in rest else "->"
    elif written in _SIGN_FIXES:
        sign = _SIGN_FIXES[written]
    else:
        return None
    if not at.reads_further(start, end, sign):
        return None
    fixed = at.shown(start, end, sign)
    if sign == "->":
        return _Found("PAR100", _("`{written}` stands where the arrow `->` goes").format(written=written),
                      _("write `->` (or `→`) between the condition and the points: `{fixed}`").format(fixed=fixed),
                      start, end, (start, end, sign))
    return _Found("PAR100", _("`{written}` is not a comparison sign").format(written=written),
                  _("write `{sign}`: `{fixed}`").format(sign=sign, fixed=fixed), start, end, (start, end, sign))


def _glued_words(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    words = [token] + ([previous] if previous is not None and _same_line(token, previous) else [])
    pool = sorted((word for word in keywords() if len(word) >= 3 and word.isalpha()), key=len, reverse=True)
    for written in words:
        if written.type != "NAME":
            continue
        start, end = _span(written)
        text = str(written)
        for word in pool:
            for cut in (len(text) - len(word), len(word)):
                if not 0 < cut < len(text) or word not in (text[:cut], text[cut:]):
                    continue
                if at.reads_further(start + cut, start + cut, " "):
                    left, right = text[:cut], text[cut:]
                    return _Found("PAR100", _("a space is missing between `{left}` and `{right}`").format(
                                      left=left, right=right),
                                  _("write `{fixed}`").format(fixed=at.shown(start + cut, start + cut, " ")),
                                  start, end, (start + cut, start + cut, " "))
    return None


def _around_maximum(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    start, end = _span(token)
    if previous is not None and previous.type == "MAX" and token.type == "COLON":
        following = re.match(r"\s*(\d+(?:\.\d+)?)", at.text[end:])
        if following is None or not at.reads_further(start, end, ""):
            return None
        return _Found("PAR100", _("no `:` after `max`: the maximum follows it directly"),
                      _("write `max {number}`").format(number=following.group(1)), start, end, (start, end, ""))
    if previous is not None and previous.type == "NUMBER" and token.type == "NAME":
        before = at.text[_line_start(at.text, start):_span(previous)[0]]
        if re.search(r"\bmax\s+$", before) and at.reads_further(_span(previous)[1], end, ""):
            return _Found("PAR100", _("a maximum is a number alone: `{written}` is not needed").format(
                              written=str(token)),
                          _("write `max {number}`: a maximum is always in points").format(number=str(previous)),
                          start, end, (_span(previous)[1], end, ""))
    heading = previous is not None and previous.type == "STRING" and _heading(
        at.text[_line_start(at.text, start):_line_end(at.text, start)]) is not None
    if not heading or "MAX" not in expected:
        return None
    if token.type == "NUMBER" and at.reads_further(start, start, "max "):
        return _Found("PAR100", _("the word `max` is missing before the maximum {number}").format(number=str(token)),
                      _("write `{fixed}`").format(fixed=at.shown(start, start, "max ")), start, end,
                      (start, start, "max "))
    if token.type == "LBRACE":
        return _Found("PAR100", _("the maximum is missing"),
                      _("write the node's maximum after its title, e.g. `max 2 {`"), start, end)
    return None


_TITLE_ENDS = re.compile(r"\s+(?:max|from|above|below|to|when|otherwise|official|because|default|range|up)\b"
                         r"|\s*[{}#]|\s*$")


def _unquoted_title(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    if "STRING" not in expected or not str(token)[:1].isalnum() or str(token) in keywords():
        return None
    start, _end = _span(token)
    last = _line_end(at.text, start)
    ends = _TITLE_ENDS.search(at.text, start, last)
    end = ends.start() if ends is not None and ends.start() > start else last
    title = at.text[start:end]
    if not title.strip() or '"' in title or not at.reads_further(start, end, f'"{title}"'):
        return None
    return _Found("PAR100", _("this title is not in quotes"),
                  _('write it between straight double quotes: `"{title}"`').format(title=title), start, end,
                  (start, end, f'"{title}"'))


def _yes_no_type(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    if "YES" not in expected:
        return None
    start, _end = _span(token)
    written = re.match(r"(?i)(có|không|yes|no)\s*/\s*(có|không|yes|no)(?!\w)", at.text[start:])
    if written is None or not at.reads_further(start, start + written.end(), "yes/no"):
        return None
    return _Found("PAR100", _("the type of a yes-or-no input is written `yes/no`"),
                  _("write `yes/no` here; the data may still say có or không"), start, start + written.end(),
                  (start, start + written.end(), "yes/no"))


def _missing_colon(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    if "COLON" not in expected or previous is None or previous.type != "NAME" or not _same_line(token, previous) \
            or token.type not in {"NAME", "_YES", "_NO"}:
        return None
    start, end = _span(previous)
    before = at.text[_line_start(at.text, start):start]
    if before.strip() not in ("", "{") and not before.rstrip().endswith("{"):
        return None
    if not at.reads_further(end, end, ":"):
        return None
    return _Found("PAR100", _("a `:` is missing after `{name}`").format(name=str(previous)),
                  _("write `:` after the input's name, before its choices: `{fixed}`").format(
                      fixed=at.shown(end, end, ":")), start, end, (end, end, ":"))


_POINTS = frozenset({"NUMBER", "PERCENT", "MAX", "MINUS", "FUNCTION", "LPAR", "PROPORTIONAL"})


def _arrow(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    if "_ARROW" not in expected or previous is None or str(previous) in TOP_LEVEL + NODE_WORDS:
        return None
    start, end = _span(token)
    if token.type == "COLON":
        new = "->" if at.text[start - 1:start].isspace() else " ->"
        if at.reads_further(start, end, new):
            return _Found("PAR100", _("a case gives its points after `->`, not after `:`"),
                          _("write `{fixed}`").format(fixed=at.shown(start, end, new)), start, end, (start, end, new))
        return None
    if _same_line(token, previous):
        points = re.match(r"[^\s,}]+", at.text[start:])
        if token.type in _POINTS and points is not None and at.reads_further(start, start, "-> "):
            return _Found("PAR100", _("`->` is missing before the points `{points}`").format(points=points.group()),
                          _("write `{fixed}`").format(fixed=at.shown(start, start, "-> ")), start, end,
                          (start, start, "-> "))
        return None
    # The case on the line before has no `->`: perhaps a sign stands where the arrow goes (`> 2`).
    first, after = _line_start(at.text, _span(previous)[0]), _span(previous)[1]
    signs = [m for m in re.finditer(r"[<>=≥≤]+|(?<=\s)-(?=\s)", at.text[first:after])]
    for sign in reversed(signs[-2:]):
        sign_start, sign_end = first + sign.start(), first + sign.end()
        if at.reads_further(sign_start, sign_end, "->"):
            return _Found("PAR100", _("`{written}` stands where the arrow `->` goes").format(written=sign.group()),
                          _("write `->` (or `→`) between the condition and the points: `{fixed}`").format(
                              fixed=at.shown(sign_start, sign_end, "->")), sign_start, sign_end,
                          (sign_start, sign_end, "->"))
    return _Found("PAR100", _("this case has no `->` before its points"),
                  _("write each case as a condition, `->` and the points: `when online_rate >= 30% -> 2`"),
                  after, after + 1)


def _missing_open_brace(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    if "LBRACE" not in expected or previous is None:
        return None
    if _same_line(token, previous):  # `max 2 deduct …`: the rule follows the heading, without its `{`
        start, end = _span(token)
        if token.type == "LBRACE" or not at.reads_further(start, start, "{ "):
            return None
        return _Found("PAR100", _("the `{{` that opens the rule is missing before `{word}`").format(word=str(token)),
                      _("write `{fixed}`").format(fixed=at.shown(start, start, "{ ")), start, end,
                      (start, start, "{ "))
    end = _span(previous)[1]
    if not at.reads_further(end, end, " {"):
        return None
    return _Found("PAR100", _("the `{` that opens the block is missing at the end of this line"),
                  _("write `{fixed}`").format(fixed=at.shown(end, end, " {")), end, end + 1, (end, end, " {"))


def _rank_scope(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    if token.type != "BY" or not expected & {"OVERALL", "WITHIN"} or expected - {"OVERALL", "WITHIN"}:
        return None
    start, end = _span(token)
    return _Found("PAR100", _("`overall` or `within group` is missing after `rank`"),
                  _("write `rank overall by …` (all units in one list) or `rank within group by …` (each group on "
                    "its own)"), start, end)


def _one_of_brackets(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    if previous is None or previous.type != "OF" or "LPAR" not in expected:
        return None
    start, end = _span(token)
    return _Found("PAR100", _("the choices after `one of` are written in brackets"),
                  _('write `one of (on_time "Đúng hạn", late "Chậm", none "Không ban hành")`'), start, end)


def _empty_body(at: _At, token: lark.Token, previous: lark.Token | None, expected: set[str]) -> _Found | None:
    if token.type != "RBRACE" or previous is None or previous.type != "LBRACE":
        return None
    start, end = _span(token)
    return _Found("PAR100", _("nothing is written between `{{` and `}}`").format(),
                  _("write between the braces the rule that scores it (e.g. `given`), or its sub-criteria"),
                  start, end)


_TOKEN_CHECKS: tuple[TokenCheck, ...] = (
    _id_with_space, _missing_close_brace, _quote_in_title, _vietnamese_word, _misspelt_word, _bad_sign,
    _glued_words, _around_maximum, _unquoted_title, _yes_no_type, _missing_colon, _arrow, _missing_open_brace,
    _rank_scope, _one_of_brackets, _empty_body)
