"""The tree: ids, maxima that add up, the scale, the counts the decision states, exclusions.

PAR201 (an id used twice), PAR301 children's maxima ≠ the parent's, PAR302 components ≠ the scale,
PAR303 stated counts ≠ the tree, PAR304 a minimum above the maximum, PAR250 a bad `exclude`.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from parrules import model as m
from parrules import vocabulary as words
from parrules.checks.common import Context, num
from parrules.i18n import Np_, _, n_

KIND_OF_COUNT = {"fields": "field", "criteria": "criterion", "subcriteria": "sub", "parts": "part"}
# How many of a kind, in words: "3 fields", "93 sub-criteria" (the order is the decision's).
COUNT_WORDS = {"field": Np_("{count} field", "{count} fields"),
               "criterion": Np_("{count} criterion", "{count} criteria"),
               "sub": Np_("{count} sub-criterion", "{count} sub-criteria"),
               "part": Np_("{count} part", "{count} parts")}


def counted(kind: str, count: int) -> str:
    """`count` nodes of `kind` in words: "1 criterion", "40 criteria"."""
    one, many = COUNT_WORDS[kind]
    return n_(one, many, count).format(count=count)


def check_tree(ctx: Context) -> None:
    _ids(ctx)
    for node in ctx.nodes:
        _node(ctx, node)
    _scale(ctx)
    _expected(ctx)
    _exclusions(ctx)


def _ids(ctx: Context) -> None:
    seen: dict[str, m.Span] = {}
    items: list[tuple[str, m.Span]] = [(n.id, n.span) for n in ctx.nodes]
    items += [(x.id, x.span) for x in ctx.model.extras]
    for node_id, span in items:
        first = seen.get(node_id)
        if first is not None:
            message = (_("the id {id} is already used at line {line}") if first.file == span.file
                       else _("the id {id} is already used in {file}, line {line}"))
            ctx.error("PAR201", message.format(id=node_id, line=first.line, file=first.file),
                      _("give every node its own id, numbered as in the decision"), span)
        else:
            seen[node_id] = span


def _node(ctx: Context, node: m.Node) -> None:
    label = words.node(node.kind, node.id)
    if node.min > node.max:
        ctx.error("PAR304", _("{node} has a minimum {min} above its maximum {max}").format(
                      node=label, min=num(node.min), max=num(node.max)),
                  _("the minimum is for negative points (e.g. `min -1`); it must not exceed the maximum"), node.span)
    elif node.min > 0:
        # A parent whose children partly do not apply has a smaller applicable maximum than its own
        # minimum: it would be given more than it can be worth.
        ctx.error("PAR304", _("{node} has a minimum {min} above 0").format(node=label, min=num(node.min)),
                  _("the minimum is for negative points (e.g. `min -1`); a node's points start at 0"), node.span)
    if not node.children:
        return
    total = sum((c.max for c in node.children), Decimal(0))
    if total == node.max or (total > node.max and node.capped):
        return
    parts = " + ".join(num(c.max) for c in node.children)
    shown = f"{num(total)} ({parts})" if len(node.children) > 1 else num(total)
    if total < node.max:
        hint = _("a child may be missing, or a child's maximum is wrong: the children's maxima must add up "
                 "to {max}").format(max=num(node.max))
    else:
        hint = _("change a child's maximum, or write `capped` after `max {max}` if the decision caps {node} at "
                 "{max} on purpose").format(max=num(node.max), node=label)
    # In an extension of a framework, the sum breaks where the extension changed it: point there.
    changed = next((c.span for c in node.children if c.span.file != node.span.file), node.span)
    ctx.error("PAR301", _("the children of {node} add up to {total}, not its maximum {max}").format(
                  node=label, total=shown, max=num(node.max)), hint, changed)


def _scale(ctx: Context) -> None:
    scale = ctx.model.meta.scale
    components = ctx.model.components
    if scale is None or not components:
        return
    tree = sum((c.max for c in components), Decimal(0))
    bonus = sum((x.cap for x in ctx.model.extras if x.kind == "bonus" and x.in_scale), Decimal(0))
    # The stated scale may or may not count a bonus that `counts in scale`; both readings are in use.
    if scale in (tree, tree + bonus):
        return
    parts = [f"{c.id} {num(c.max)}" for c in components]
    parts += [f"{words.node('bonus', x.id)} {num(x.cap)}" for x in ctx.model.extras if x.kind == "bonus" and x.in_scale]
    total = tree + bonus
    shown = f"{num(total)} ({' + '.join(parts)})" if len(parts) > 1 else num(total)
    ctx.error("PAR302", _("the components add up to {total}, not the stated scale {scale}").format(
                  total=shown, scale=num(scale)),
              _("correct a component's maximum or the `scale`; the scale is stated before exclusions "
                "(`exclude` lowers the full scale by itself)"), ctx.anchor())


def _expected(ctx: Context) -> None:
    found: Counter[str] = Counter(n.kind for n in ctx.nodes)
    for expected in ctx.model.meta.expect:
        kind = KIND_OF_COUNT[expected.kind]
        have = found.get(kind, 0)
        if have == expected.count:
            continue
        ctx.error("PAR303", _("the decision states {count}, but the tree has {have}").format(
                      count=counted(kind, expected.count), have=have),
                  _("look for a missing or extra `{kind}` (or one written as another kind), or correct the "
                    "`expect` line").format(kind=kind), expected.span)


def _exclusions(ctx: Context) -> None:
    ids = {n.id for n in ctx.nodes}
    extras = {x.id: x for x in ctx.model.extras}
    seen: set[str] = set()
    for exclusion in ctx.model.exclusions:
        node_id = exclusion.node_id
        if node_id in seen:
            ctx.warning("PAR250", _("{id} is excluded twice").format(id=node_id), _("keep one `exclude` line"),
                        exclusion.span)
            continue
        seen.add(node_id)
        if node_id in ids:
            continue
        if node_id in extras:
            extra = extras[node_id]
            ctx.error("PAR250", _("`exclude {id}`: {node} is not a node of the tree").format(
                          id=node_id, node=words.node(extra.kind, node_id)),
                      _("remove {node} instead of excluding it").format(node=words.node(extra.kind, node_id)),
                      exclusion.span)
            continue
        # Ids are short: compare with ids of the same length only, or "S2" would suggest "2".
        near = ctx.suggest(node_id, (i for i in ids if len(i) == len(node_id)), cutoff=0.5)
        hint = (_("did you mean {id}?").format(id=near) if near else
                _("name the id of a node of the tree (e.g. `exclude S3`)"))
        ctx.error("PAR250", _("`exclude {id}`: there is no node {id}").format(id=node_id), hint, exclusion.span)
