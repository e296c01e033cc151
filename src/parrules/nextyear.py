"""Next year's ruleset from last year's (`parrules init --from LAST.par --year N`).

Every year the Sở Nội vụ copies last year's criteria set and edits it to the new decision. The copy
is made on the text, so that every comment and line the author wrote stays:

* the year is the new one, in `year` and in the title where the title names the old year;
* the exclusions (`exclude … because …`), which drop a node for one year only, are taken out and
  listed, so that nothing dropped last year is silently dropped again;
* the `expect` line is written again from the tree, for the author to correct to the new decision's
  counts (the checker then compares the tree with them);
* a header comment says where the file came from and leaves a place for the new decision's number.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import lark

from parrules import model as m
from parrules.build import build_source
from parrules.changes import counts
from parrules.diagnostics import Diagnostic
from parrules.i18n import _
from parrules.syntax import parse

EXPECT_WORDS = {"field": "fields", "criterion": "criteria", "sub": "subcriteria", "part": "parts"}


@attrs.frozen
class NextYear:
    text: str | None  # None when last year's file cannot be read
    removed: tuple[m.Exclusion, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


@attrs.frozen
class _Edit:
    start: int
    end: int
    text: str


def next_year(text: str, file: str, year: int, root: Path | None = None) -> NextYear:
    """`text` (last year's ruleset, in `file`) made into the ruleset of `year`."""
    parsed = parse(text, file)
    built = build_source(text, file, root)
    if parsed.tree is None or built.model is None:
        return NextYear(None, diagnostics=tuple(parsed.diagnostics or built.diagnostics))
    model, source = built.model, parsed.text
    old_year = model.meta.year
    edits: list[_Edit] = []
    block = next(parsed.tree.find_data("ruleset_block"))
    title = block.children[0]
    if old_year is not None and isinstance(title, lark.Token) and str(old_year) in title:
        edits.append(_Edit(title.start_pos or 0, title.end_pos or 0, str(title).replace(str(old_year), str(year))))
    year_tree = next(block.find_data("year"), None)
    expect_line = "expect " + ", ".join(f"{n} {EXPECT_WORDS[k]}" for k, n in counts(model).items() if n)
    expect_tree = next(block.find_data("expect"), None)
    if year_tree is not None:
        edits.append(_Edit(year_tree.meta.start_pos, year_tree.meta.end_pos, f"year {year}"))
    if expect_tree is not None:
        edits.append(_Edit(expect_tree.meta.start_pos, expect_tree.meta.end_pos, expect_line))
    elif expect_line != "expect ":
        anchor = year_tree.meta.end_pos if year_tree is not None else _after_brace(source, block)
        indent = _indent_at(source, year_tree.meta.start_pos) if year_tree is not None else "  "
        edits.append(_Edit(anchor, anchor, f"\n{indent}{expect_line}"))
    for tree in parsed.tree.find_data("exclude"):
        edits.append(_whole_lines(source, tree.meta.start_pos, tree.meta.end_pos))
    if year_tree is None:
        anchor = _after_brace(source, block)
        edits.append(_Edit(anchor, anchor, f"\n  year {year}"))
    body = _apply(source, edits)
    return NextYear(_header(file, old_year, year, model.exclusions) + body, model.exclusions)


def _apply(source: str, edits: list[_Edit]) -> str:
    out = source
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[:edit.start] + edit.text + out[edit.end:]
    return out


def _after_brace(source: str, block: lark.Tree[lark.Token]) -> int:
    return source.index("{", block.meta.start_pos) + 1


def _indent_at(source: str, position: int) -> str:
    start = source.rfind("\n", 0, position) + 1
    return source[start:position] if not source[start:position].strip() else "  "


def _whole_lines(source: str, start: int, end: int) -> _Edit:
    """The statement's text; with its line when nothing else is on it (and a blank line left doubled)."""
    line_start = source.rfind("\n", 0, start) + 1
    line_end = source.find("\n", end)
    line_end = len(source) if line_end < 0 else line_end + 1
    before, after = source[line_start:start], source[end:line_end]
    if before.strip() or (after.strip() and not after.strip().startswith("#")):
        return _Edit(start, end, "")
    # A blank line on each side would become two: take one of them too.
    if source[line_end:line_end + 1] == "\n" and source[line_start - 2:line_start] == "\n\n":
        line_end += 1
    return _Edit(line_start, line_end, "")


def _header(file: str, old_year: int | None, year: int, removed: tuple[m.Exclusion, ...]) -> str:
    lines = [_("Ruleset for {year}, made from {file} ({old_year}) by `parrules init`.").format(
                 year=year, file=Path(file).name, old_year=old_year or "?"),
             _("Source: the decision that issues the {year} criteria set (number, date, authority) — fill in.").format(
                 year=year)]
    if removed:
        lines.append(_("Exclusions of {old_year} taken out (add them again if they still hold):").format(
            old_year=old_year or "?"))
        lines += [f"  exclude {e.node_id} because \"{e.reason}\"" for e in removed]
    lines.append(_("Check the `expect` counts against the new decision."))
    return "".join(f"# {line}\n" for line in lines) + "\n"
