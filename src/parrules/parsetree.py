"""Reading Lark's parse tree: spans, quoted strings, a node's tokens and subtrees (for build and frameworks)."""

from __future__ import annotations

from pathlib import Path

import lark

from parrules import model as m

Tree = lark.Tree[lark.Token]


def display_path(path: Path) -> str:
    """An included file as people type it: relative to the working folder when it is inside it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def span(file: str, item: Tree | lark.Token) -> m.Span:
    if isinstance(item, lark.Token):
        line = item.line or 0
        column = item.column or 0
        return m.Span(file, line, column, item.end_line or line, item.end_column or column + len(item))
    meta = item.meta
    if getattr(meta, "empty", True):
        return m.Span.unknown(file)
    return m.Span(file, meta.line, meta.column, meta.end_line, meta.end_column)


def string(token: lark.Token) -> str:
    body = str(token)[1:-1]
    out: list[str] = []
    escaped = False
    for ch in body:
        if escaped:
            out.append({"n": "\n", "t": "\t"}.get(ch, ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append(ch)
    return "".join(out)


def tokens(tree: Tree) -> list[lark.Token]:
    return [c for c in tree.children if isinstance(c, lark.Token)]


def trees(tree: Tree) -> list[Tree]:
    return [c for c in tree.children if isinstance(c, lark.Tree)]
