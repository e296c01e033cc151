"""A framework (khung) and its extension: `extends "…"`, `extend ID { … }`, `restate ID max N`.

The extension's items come after the framework's; what it restates as a whole replaces the
framework's; `extend` and `restate` are applied to the framework's tree, and a changed node keeps the
extension's location, so every check runs on the merged model and points into the right file.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import attrs
import lark

from parrules import model as m
from parrules.diagnostics import Diagnostic, error
from parrules.i18n import _
from parrules.limits import MAX_INCLUDE_DEPTH, MAX_INCLUDE_NAME
from parrules.parsetree import Tree, display_path, string, tokens, trees
from parrules.parsetree import span as span_of
from parrules.syntax import parse


class Builder(Protocol):
    """What the merge needs of the ruleset builder (`build._Builder`)."""

    diagnostics: list[Diagnostic]
    sources: dict[str, str]
    root: Path | None
    file: str
    extended: bool
    framework_failed: bool

    def expand(self, tree: Tree, file: str, chain: tuple[str, ...]) -> list[tuple[str, Tree]]: ...
    def read_include(self, target: Path, name: str, span: m.Span) -> str | None: ...
    def shown(self, key: str) -> str: ...
    def number(self, token: lark.Token, negative: bool = False) -> Decimal: ...
    def node(self, tree: Tree, kind: str) -> m.Node: ...


def merge(b: Builder, items: list[tuple[str, Tree]], file: str, chain: tuple[str, ...]) -> list[tuple[str, Tree]]:
    """The framework's items under this file's, when the file says `extends "…"` (first, once).

    What the extension restates as a whole — its `ruleset` block, `rounding`, `classes`, `groups`,
    `rank`, `stages` — replaces the framework's; declarations, components, exclusions, bonuses and
    penalties add to them; `extend` and `restate` are applied to the framework's tree by `model`.
    """
    said = [(i, item) for i, (where, item) in enumerate(items) if where == file and item.data == "extends"]
    if not said:
        return items
    b.extended = b.extended or len(chain) == 1
    first_own = next(i for i, (where, _item) in enumerate(items) if where == file)
    for position, (i, item) in enumerate(said):
        if position == 0 and i == first_own:
            continue
        message = (_("a second `extends`: a ruleset extends one framework") if position else
                   _("`extends` must be the first line of the ruleset"))
        b.diagnostics.append(error("PAR124", message, _("keep one `extends \"…\"` line, at the top of the file"),
                                      span_of(file, item)))
    own = [(where, item) for where, item in items if item.data != "extends"]
    first = said[0][1]
    token = tokens(first)[0]
    base = _framework_items(b, string(token), file, chain, span_of(file, token))
    if base is None:
        b.framework_failed = True
        return own
    restated = {REPLACED.get(item.data, item.data) for where, item in own if item.data in REPLACED}
    kept = [(where, item) for where, item in base if REPLACED.get(item.data) not in restated]
    return kept + own

def _framework_items(b: Builder, name: str, file: str, chain: tuple[str, ...],
                     span: m.Span) -> list[tuple[str, Tree]] | None:
    if not name.strip() or len(name) > MAX_INCLUDE_NAME or not name.isprintable() or not name.endswith(".par"):
        b.diagnostics.append(error(
            "PAR124", _("`extends` needs the name of a `.par` file: printable characters, at most {max}").format(
                max=MAX_INCLUDE_NAME),
            _('write the framework\'s file relative to this one, e.g. `extends "../khung-2024.par"`'), span))
        return None
    base = Path(file).parent if b.root is not None else None
    if base is None:
        b.diagnostics.append(error(
            "PAR124", _("`extends` needs the ruleset to be loaded from a file"),
            _("load the ruleset with its path, not as text"), span))
        return None
    try:
        target = (base / name).resolve()
        exists = target.is_file()
    except (OSError, ValueError):
        exists = False
    if not exists:
        b.diagnostics.append(error(
            "PAR124", _("the framework `{name}` does not exist").format(name=name),
            _("paths are relative to the file that extends the framework"), span))
        return None
    key = str(target)
    if key in chain or len(chain) >= MAX_INCLUDE_DEPTH:
        shown_chain = " → ".join(b.shown(k) for k in (*chain, key))
        b.diagnostics.append(error(
            "PAR124", _("`{name}` makes a cycle of frameworks: {chain}").format(name=name, chain=shown_chain),
            _("a framework cannot extend the ruleset that extends it"), span))
        return None
    text = b.read_include(target, name, span)
    if text is None:
        return None
    shown = display_path(target)
    result = parse(text, shown)
    b.sources[shown] = result.text
    b.diagnostics.extend(result.diagnostics)
    if result.tree is None:
        return None
    # The framework's own includes stay inside the framework's folder.
    root, b.root = b.root, target.parent
    try:
        items = b.expand(result.tree, shown, (*chain, key))
        return merge(b, items, shown, (*chain, key))
    finally:
        b.root = root

def patch(b: Builder, components: list[m.Node], patches: list[tuple[str, Tree]]) -> list[m.Node]:
    """Apply `extend ID { … }` (sub-criteria under a framework node) and `restate ID max N`."""
    known = {n.id for c in components for n in c.walk()}
    added: dict[str, list[m.Node]] = {}
    maxima: dict[str, Decimal] = {}
    spans: dict[str, m.Span] = {}  # a changed node is now where the extension changed it
    for file, item in patches:
        b.file = file
        id_token = tokens(item)[0]
        node_id = str(id_token)
        if node_id not in known:
            near = difflib.get_close_matches(node_id, sorted(known), n=1)
            hint = (_("did you mean `{name}`?").format(name=near[0]) if near else
                    _("name a node of the framework by its id, e.g. `extend 2.1 { … }`"))
            what = _("`{kind} {id}`: the framework has no node {id}").format(kind=item.data.removesuffix("_node"),
                                                                              id=node_id)
            b.diagnostics.append(error("PAR125", what, hint, span_of(file, id_token)))
            continue
        if item.data == "restate":
            if node_id in maxima:
                b.diagnostics.append(error(
                    "PAR125", _("the maximum of {id} is restated twice").format(id=node_id),
                    _("keep one `restate {id} max …` line").format(id=node_id), span_of(file, id_token)))
            maxima[node_id] = b.number(tokens(item)[1])
            spans[node_id] = span_of(file, item)
        else:
            added.setdefault(node_id, []).extend(b.node(t, "node") for t in trees(item))
            spans.setdefault(node_id, span_of(file, id_token))
    return [patched_node(c, added, maxima, spans) for c in components]


# The blocks an extension restates as a whole (the framework's are dropped), by the kind they count as.
REPLACED = {"ruleset_block": "ruleset_block", "rounding_block": "rounding_block", "classes_block": "classes_block",
             "groups_block": "groups", "groups_from_data": "groups", "rank": "rank", "stages_block": "stages_block"}


def patched_node(node: m.Node, added: dict[str, list[m.Node]], maxima: dict[str, Decimal],
             spans: dict[str, m.Span]) -> m.Node:
    children = tuple(patched_node(c, added, maxima, spans) for c in node.children)
    changes: dict[str, Any] = {}
    if node.id in added:
        # A framework leaf that a lower level itemises loses its rule: its sub-criteria score it now.
        changes.update(children=children + tuple(added[node.id]), rule=None)
    elif children != node.children:
        changes["children"] = children
    if node.id in maxima:
        changes["max"] = maxima[node.id]
    if node.id in spans:
        changes["span"] = spans[node.id]
    return attrs.evolve(node, **changes) if changes else node
