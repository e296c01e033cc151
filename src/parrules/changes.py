"""What changed between two years' criteria sets (`parrules diff OLD NEW`), in the decision's terms.

The decision that issues a year's criteria set states its change in counts — "40 tiêu chí và 93
tiêu chí thành phần, tăng 2 tiêu chí và 6 tiêu chí thành phần" — then each criterion added,
dropped, renumbered or rescored. `compare(old, new)` finds those from the two checked models:

* nodes are matched by id; a node left over on each side is matched by its title (same kind, a
  similar title) and reported as renumbered; the rest are added or removed;
* for a matched node: its title, maximum, minimum, `capped`, applicability, place in the tree and
  rule (a step or a table line at a time, so a changed threshold is one line);
* the declarations (inputs, attributes), exclusions, bonus and penalty, the scale, the classes, the
  groups, the rounding and the ranking.

`compare_results(old, new)` then says, for last year's units scored under both sets, who changes
class or rank and which nodes' points moved most. Every text is in the reader's language; the JSON
form keeps the machine words (`added`, `max`, node ids).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from attrs import frozen

from parrules import format as par
from parrules import model as m
from parrules.checks.tree import counted
from parrules.figures import plain_max
from parrules.i18n import N_, _
from parrules.results import Results, UnitResult
from parrules.vocabulary import kind as kind_word
from parrules.vocabulary import node as node_words

KINDS = ("field", "criterion", "sub", "part")  # the order a decision counts them in
TITLE_MATCH = 0.8  # how alike two titles must be for a renumbered node (difflib's ratio)

ACTIONS = {"added": N_("added"), "removed": N_("removed"), "renumbered": N_("renumbered"), "changed": N_("changed")}
# What of a node (or a setting) changed, in words.
ASPECTS = {
    "title": N_("the title"), "max": N_("the maximum"), "min": N_("the minimum"), "capped": N_("`capped`"),
    "applies": N_("where it applies"), "rule": N_("the rule"), "kind": N_("the kind"), "parent": N_("the place"),
    "cap": N_("the cap"), "in_scale": N_("`counts in scale`"), "reason": N_("the reason"),
    "declaration": N_("the declaration"), "scale": N_("the scale"), "full_scale": N_("the scale after exclusions"),
    "band": N_("the bounds"), "basis": N_("what the classes are on"), "source": N_("the source"),
    "note": N_("the note"), "follows": N_("the reading it follows"), "line": N_("the line"), "step": N_("the step"),
    "setting": N_("the setting"),
}
SECTIONS = {
    "node": N_("Criteria"), "input": N_("Inputs"), "attribute": N_("Attributes"), "exclusion": N_("Exclusions"),
    "extra": N_("Bonus and penalty"), "scale": N_("Scale"), "classes": N_("Classes"), "groups": N_("Groups"),
    "rounding": N_("Rounding"), "rank": N_("Ranking"),
}


@frozen
class Change:
    """One difference. `old`/`new` are `.par` text (a maximum, a rule, a line) or None where absent."""

    section: str  # a key of SECTIONS
    action: str  # added, removed, renumbered, changed
    subject: str  # a node id, an input's name, a class label, a group name, "" for a single setting
    kind: str | None = None  # a node's kind, "bonus"/"penalty" for an extra
    aspect: str | None = None  # a key of ASPECTS, for `changed`
    old: str | None = None
    new: str | None = None
    detail: str | None = None  # a step key or a line number, where the aspect is one of several

    def label(self) -> str:
        if self.kind is not None:
            return node_words(self.kind, self.subject)
        return f"`{self.subject}`" if self.section in ("input", "attribute") else self.subject

    def describe(self) -> str:
        """One line for a person: what changed, from what to what."""
        if self.action == "added":
            if not self.subject:
                return _("added: {new}").format(new=self.new)
            return _("{subject} added: {new}").format(subject=self.label(), new=self.new)
        if self.action == "removed":
            if not self.subject:
                return _("removed: {old}").format(old=self.old)
            return _("{subject} removed (was: {old})").format(subject=self.label(), old=self.old)
        if self.action == "renumbered":
            return _("{subject} renumbered {old} → {new}").format(subject=self.label(), old=self.old, new=self.new)
        aspect = _(ASPECTS[self.aspect or "setting"])
        if self.detail is not None:
            aspect = _("{aspect} {detail}").format(aspect=aspect, detail=self.detail)
        old, new = self.old or _("(none)"), self.new or _("(none)")
        if self.aspect == "kind":
            old, new = kind_word(old), kind_word(new)
        if self.subject:
            return _("{subject}: {aspect} {old} → {new}").format(subject=self.label(), aspect=aspect, old=old, new=new)
        return _("{aspect}: {old} → {new}").format(aspect=aspect, old=old, new=new)

    def to_dict(self) -> dict[str, object]:
        return {"section": self.section, "action": self.action, "subject": self.subject, "kind": self.kind,
                "aspect": self.aspect, "detail": self.detail, "old": self.old, "new": self.new}


@frozen
class RulesetDiff:
    old_title: str
    new_title: str
    old_year: int | None
    new_year: int | None
    old_counts: dict[str, int]
    new_counts: dict[str, int]
    changes: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return not self.changes

    def sections(self) -> Iterator[tuple[str, list[Change]]]:
        for section in SECTIONS:
            found = [c for c in self.changes if c.section == section]
            if found:
                yield section, found

    def count_line(self) -> str:
        """The decision's sentence: "2 tiêu chí và 6 tiêu chí thành phần (tăng 2 tiêu chí và 6 …)"."""
        kinds = [k for k in KINDS if self.old_counts.get(k) or self.new_counts.get(k)]
        now = and_words([counted(k, self.new_counts.get(k, 0)) for k in kinds]) or _("no criteria")
        up = [counted(k, d) for k in kinds if (d := self.new_counts.get(k, 0) - self.old_counts.get(k, 0)) > 0]
        down = [counted(k, -d) for k in kinds if (d := self.new_counts.get(k, 0) - self.old_counts.get(k, 0)) < 0]
        moves = [*([_("up by {items}").format(items=and_words(up))] if up else []),
                 *([_("down by {items}").format(items=and_words(down))] if down else [])]
        if not moves:
            return _("{counts}, as many as before").format(counts=now)
        return _("{counts} ({changes})").format(counts=now, changes="; ".join(moves))

    def to_dict(self) -> dict[str, object]:
        return {
            "old": {"title": self.old_title, "year": self.old_year, "counts": self.old_counts},
            "new": {"title": self.new_title, "year": self.new_year, "counts": self.new_counts},
            "count_line": self.count_line(),
            "changes": [c.to_dict() for c in self.changes],
        }


def and_words(words: list[str]) -> str:
    """"a, b and c" in the reader's language."""
    if len(words) < 2:
        return "".join(words)
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def counts(model: m.Model) -> dict[str, int]:
    found = dict.fromkeys(KINDS, 0)
    for node in model.nodes():
        if node.kind in found:
            found[node.kind] += 1
    return found


def compare(old: m.Model, new: m.Model) -> RulesetDiff:
    """Every difference between last year's model and this year's, in the order a decision lists them."""
    changes = [*_nodes(old, new), *_declarations("input", old.inputs, new.inputs),
               *_declarations("attribute", old.attributes, new.attributes), *_exclusions(old, new),
               *_extras(old, new), *_scale(old, new), *_classes(old, new), *_lines("groups", _groups(old),
                                                                                   _groups(new)),
               *_lines("rounding", par.rounding_lines(old.rounding), par.rounding_lines(new.rounding)),
               *_lines("rank", [par.ranking_text(old.ranking)] if old.ranking else [],
                       [par.ranking_text(new.ranking)] if new.ranking else [])]
    return RulesetDiff(old.meta.title, new.meta.title, old.meta.year, new.meta.year, counts(old), counts(new),
                       tuple(changes))


# ---- the tree ------------------------------------------------------------------------------------


def _placed(model: m.Model) -> dict[str, tuple[m.Node, str | None]]:
    """Every node by id, with its parent's id."""
    out: dict[str, tuple[m.Node, str | None]] = {}
    stack: list[tuple[m.Node, str | None]] = [(c, None) for c in reversed(model.components)]
    while stack:
        node, parent = stack.pop()
        out.setdefault(node.id, (node, parent))
        stack.extend((child, node.id) for child in reversed(node.children))
    return out


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def _renumbered(old: dict[str, tuple[m.Node, str | None]],
                new: dict[str, tuple[m.Node, str | None]]) -> dict[str, str]:
    """Old id → new id for nodes whose id changed but whose kind and title did not (much)."""
    left = [i for i in old if i not in new]
    right = [i for i in new if i not in old]
    pairs = sorted(((_similar(old[a][0].title, new[b][0].title), a, b) for a in left for b in right
                    if old[a][0].kind == new[b][0].kind), reverse=True)
    found: dict[str, str] = {}
    taken: set[str] = set()
    for score, a, b in pairs:
        if score >= TITLE_MATCH and a not in found and b not in taken:
            found[a] = b
            taken.add(b)
    return found


def _nodes(old_model: m.Model, new_model: m.Model) -> list[Change]:
    old, new = _placed(old_model), _placed(new_model)
    moved = _renumbered(old, new)
    changes: list[Change] = []
    for old_id, (node, parent) in old.items():
        new_id = old_id if old_id in new else moved.get(old_id)
        if new_id is None:
            changes.append(Change("node", "removed", old_id, node.kind, old=_heading(node)))
            continue
        if new_id != old_id:
            changes.append(Change("node", "renumbered", old_id, node.kind, old=old_id, new=new_id))
        other, other_parent = new[new_id]
        back = {v: k for k, v in moved.items()}
        changes.extend(_node_changes(node, other, parent, back.get(other_parent or "", other_parent)))
    known = {moved.get(i, i) for i in old}
    changes.extend(Change("node", "added", i, n.kind, new=_heading(n)) for i, (n, _p) in new.items() if i not in known)
    return changes


def _heading(node: m.Node) -> str:
    text = f'"{node.title}" max {par.number_text(node.max)}'
    return text if node.rule is None else f"{text} {{ {par.rule_text(node.rule, node.id)} }}"


def _node_changes(old: m.Node, new: m.Node, old_parent: str | None, new_parent: str | None) -> Iterator[Change]:
    def change(aspect: str, before: str | None, after: str | None, detail: str | None = None) -> Change:
        return Change("node", "changed", new.id, new.kind, aspect, before, after, detail)

    if old.kind != new.kind:  # the machine words (`criterion`, `field`): `describe` says them in words
        yield change("kind", old.kind, new.kind)
    if old.title != new.title:
        yield change("title", f'"{old.title}"', f'"{new.title}"')
    for aspect, before, after in (("max", old.max, new.max), ("min", old.min, new.min)):
        if before != after:
            yield change(aspect, par.number_text(before), par.number_text(after))
    if old.capped != new.capped:
        yield change("capped", "yes" if old.capped else "no", "yes" if new.capped else "no")
    before_applies = par.expr(old.applies) if old.applies is not None else None
    after_applies = par.expr(new.applies) if new.applies is not None else None
    if before_applies != after_applies:
        yield change("applies", _applies(before_applies), _applies(after_applies))
    if old_parent != new_parent:
        yield change("parent", old_parent or _("the top"), new_parent or _("the top"))
    yield from _provenance_changes(old, new, change)
    yield from _rule_changes(old, new)


def _provenance_changes(old: m.Node, new: m.Node, change: Callable[[str, str | None, str | None], Change]
                        ) -> Iterator[Change]:
    """Where the rule comes from, its note and the reading it follows, as the files write them."""
    before, after = old.provenance or m.Provenance(), new.provenance or m.Provenance()
    for aspect, a, b in (("source", before.source, after.source), ("note", before.note, after.note)):
        if a != b:
            yield change(aspect, f'"{a}"' if a is not None else None, f'"{b}"' if b is not None else None)
    if (before.follows, before.other) != (after.follows, after.other):
        def said(p: m.Provenance) -> str | None:
            return f'`follows {p.follows} "{p.other}"`' if p.follows is not None else None
        yield change("follows", said(before), said(after))


def _applies(condition: str | None) -> str:
    return f"`applies if {condition}`" if condition is not None else _("every unit")


def _rule_changes(old: m.Node, new: m.Node) -> Iterator[Change]:
    def change(before: str | None, after: str | None, aspect: str = "rule", detail: str | None = None) -> Change:
        return Change("node", "changed", new.id, new.kind, aspect, before, after, detail)

    if old.rule is None or new.rule is None:
        if (old.rule is None) != (new.rule is None):
            yield change(f"`{par.rule_text(old.rule, old.id)}`" if old.rule else _("its children"),
                         f"`{par.rule_text(new.rule, new.id)}`" if new.rule else _("its children"))
        return
    if par.rule_text(old.rule, old.id) == par.rule_text(new.rule, new.id):
        return
    if isinstance(old.rule, m.Steps) and isinstance(new.rule, m.Steps) and old.rule.input == new.rule.input:
        yield from (change(b, a, "step", f"`{key}`") for key, b, a in _step_changes(old.rule, new.rule))
        return
    if isinstance(old.rule, m.Table) and isinstance(new.rule, m.Table):
        old_lines, new_lines = par.table_lines(old.rule), par.table_lines(new.rule)
        for number, (b, a) in enumerate(_paired(old_lines, new_lines), start=1):
            if b != a:
                yield change(f"`{b}`" if b else None, f"`{a}`" if a else None, "line", str(number))
        return
    yield change(f"`{par.rule_text(old.rule, old.id)}`", f"`{par.rule_text(new.rule, new.id)}`")


def _paired(before: list[str], after: list[str]) -> Iterator[tuple[str | None, str | None]]:
    for index in range(max(len(before), len(after))):
        yield (before[index] if index < len(before) else None, after[index] if index < len(after) else None)


def _step_changes(old: m.Steps, new: m.Steps) -> Iterator[tuple[str, str | None, str | None]]:
    def table(rule: m.Steps) -> dict[str, str]:
        out = dict(par.step_text(s.key, s.outcome) for s in rule.steps)
        if rule.otherwise is not None:
            out["otherwise"] = par.outcome_text(rule.otherwise)
        return out

    before, after = table(old), table(new)
    for key in [*before, *(k for k in after if k not in before)]:
        if before.get(key) != after.get(key):
            yield key, before.get(key), after.get(key)


# ---- declarations, exclusions, bonus and penalty, the scale --------------------------------------


def _declarations(section: str, old: Iterable[m.Declaration], new: Iterable[m.Declaration]) -> Iterator[Change]:
    before = {d.name: par.declaration_text(d) for d in old}
    after = {d.name: par.declaration_text(d) for d in new}
    for name, text in before.items():
        if name not in after:
            yield Change(section, "removed", name, old=f"`{text}`")
        elif after[name] != text:
            yield Change(section, "changed", name, aspect="declaration", old=f"`{text}`", new=f"`{after[name]}`")
    yield from (Change(section, "added", n, new=f"`{t}`") for n, t in after.items() if n not in before)


def _exclusions(old: m.Model, new: m.Model) -> Iterator[Change]:
    before = {e.node_id: e.reason for e in old.exclusions}
    after = {e.node_id: e.reason for e in new.exclusions}
    for node_id, reason in before.items():
        if node_id not in after:
            yield Change("exclusion", "removed", node_id, old=f'"{reason}"')
        elif after[node_id] != reason:
            yield Change("exclusion", "changed", node_id, aspect="reason", old=f'"{reason}"',
                         new=f'"{after[node_id]}"')
    yield from (Change("exclusion", "added", i, new=f'"{r}"') for i, r in after.items() if i not in before)


def _extras(old: m.Model, new: m.Model) -> Iterator[Change]:
    before = {x.id: x for x in old.extras}
    after = {x.id: x for x in new.extras}
    for extra_id, extra in before.items():
        other = after.get(extra_id)
        if other is None:
            yield Change("extra", "removed", extra_id, extra.kind, old=_extra_text(extra))
            continue
        for aspect, b, a in (("title", f'"{extra.title}"', f'"{other.title}"'),
                             ("cap", par.number_text(extra.cap), par.number_text(other.cap)),
                             ("in_scale", str(extra.in_scale).lower(), str(other.in_scale).lower()),
                             ("rule", f"`{par.rule_text(extra.rule, extra.id)}`",
                              f"`{par.rule_text(other.rule, other.id)}`")):
            if b != a:
                yield Change("extra", "changed", extra_id, other.kind, aspect, b, a)
    yield from (Change("extra", "added", i, x.kind, new=_extra_text(x)) for i, x in after.items() if i not in before)


def _extra_text(extra: m.Extra) -> str:
    return f'"{extra.title}" up to {par.number_text(extra.cap)} {{ {par.rule_text(extra.rule, extra.id)} }}'


def _scale(old: m.Model, new: m.Model) -> Iterator[Change]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else par.number_text(value)

    if old.meta.scale != new.meta.scale:
        yield Change("scale", "changed", "", aspect="scale", old=text(old.meta.scale), new=text(new.meta.scale))
    if old.full_scale != new.full_scale:
        yield Change("scale", "changed", "", aspect="full_scale", old=text(old.full_scale), new=text(new.full_scale))


# ---- classes, groups, rounding, ranking ----------------------------------------------------------


def _classes(old: m.Model, new: m.Model) -> Iterator[Change]:
    def bands(model: m.Model) -> dict[tuple[str | None, str], str]:
        return {(t.group, b.label): par.band_text(b, t.basis == "points") for t in model.classes for b in t.bands}

    def bases(model: m.Model) -> dict[str | None, str]:
        return {t.group: t.basis for t in model.classes}

    for group, basis in bases(new).items():
        was = bases(old).get(group)
        if was is not None and was != basis:
            yield Change("classes", "changed", "" if group is None else f'"{group}"', aspect="basis",
                         old=f"`classes by {was}`", new=f"`classes by {basis}`")
    before, after = bands(old), bands(new)
    for key, text in before.items():
        subject = _class_subject(key)
        if key not in after:
            yield Change("classes", "removed", subject, old=f"`{text}`")
        elif after[key] != text:
            yield Change("classes", "changed", subject, aspect="band", old=f"`{text}`", new=f"`{after[key]}`")
    yield from (Change("classes", "added", _class_subject(k), new=f"`{t}`") for k, t in after.items()
                if k not in before)


def _class_subject(key: tuple[str | None, str]) -> str:
    group, label = key
    return f'"{label}"' if group is None else _('"{label}" of "{group}"').format(label=label, group=group)


def _groups(model: m.Model) -> list[str]:
    return par.grouping_lines(model.grouping) if model.grouping is not None else []


def _lines(section: str, before: list[str], after: list[str]) -> Iterator[Change]:
    """A setting written as lines: the lines removed and added (rounding, groups, ranking)."""
    if before == after:
        return
    gone = [line for line in before if line not in after]
    came = [line for line in after if line not in before]
    if len(gone) == len(came):  # as many lines as before: each one rewritten in its place
        for old_line, new_line in zip(gone, came, strict=True):
            yield Change(section, "changed", "", aspect="line", old=f"`{old_line}`", new=f"`{new_line}`")
        return
    yield from (Change(section, "removed", "", old=f"`{line}`") for line in gone)
    yield from (Change(section, "added", "", new=f"`{line}`") for line in came)


# ---- last year's units under both sets -----------------------------------------------------------


@frozen
class UnitChange:
    """A unit whose class or rank is not the same under the new set, and the nodes that moved most."""

    unit: str
    old_class: str | None
    new_class: str | None
    old_rank: int | None
    new_rank: int | None
    old_index: Decimal
    new_index: Decimal
    causes: tuple[tuple[str, Decimal], ...]  # (node label, change of points), largest first

    def describe(self) -> str:
        parts = []
        if self.old_class != self.new_class:
            parts.append(_("class {old} → {new}").format(old=self.old_class or "—", new=self.new_class or "—"))
        if self.old_rank != self.new_rank:
            parts.append(_("rank {old} → {new}").format(old=self.old_rank or "—", new=self.new_rank or "—"))
        parts.append(_("index {old} → {new}").format(old=self.old_index, new=self.new_index))
        why = ", ".join(f"{label} {'+' if change > 0 else '−'}{plain_max(abs(change))}"
                        for label, change in self.causes)
        line = _("{unit}: {changes}").format(unit=self.unit, changes="; ".join(parts))
        return _("{line}; mostly {causes}").format(line=line, causes=why) if why else line

    def to_dict(self) -> dict[str, object]:
        return {"unit": self.unit, "class": [self.old_class, self.new_class], "rank": [self.old_rank, self.new_rank],
                "index": [str(self.old_index), str(self.new_index)],
                "causes": [{"node": label, "points": str(change)} for label, change in self.causes]}


def compare_results(old: Results, new: Results, causes: int = 3) -> list[UnitChange]:
    """The units (scored under both sets) whose class or rank differs, in the old publication order."""
    after = {u.unit: u for u in new.units}
    out: list[UnitChange] = []
    for unit in old.units:
        other = after.get(unit.unit)
        if other is None or (unit.class_ == other.class_ and unit.rank == other.rank):
            continue
        out.append(UnitChange(unit.unit, unit.class_, other.class_, unit.rank, other.rank, unit.index, other.index,
                              _moved(unit, other)[:causes]))
    return out


def _moved(old: UnitResult, new: UnitResult) -> tuple[tuple[str, Decimal], ...]:
    def points(unit: UnitResult) -> dict[str, tuple[str, Decimal]]:
        return {n.id: (n.kind, n.points) for root in unit.nodes for n in root.leaves()}

    before, after = points(old), points(new)
    moves = []
    for node_id in {*before, *after}:
        kind = (after.get(node_id) or before[node_id])[0]
        change = (after[node_id][1] if node_id in after else Decimal(0)) - (
            before[node_id][1] if node_id in before else Decimal(0))
        if change:
            moves.append((node_words(kind, node_id), change))
    moves.sort(key=lambda item: (-abs(item[1]), item[0]))
    return tuple(moves)


# ---- as text, Markdown and JSON ------------------------------------------------------------------


@frozen
class DataComparison:
    """Last year's data scored under both sets: the units that change, or why they could not be scored."""

    data: str
    units: int
    changed: tuple[UnitChange, ...] = ()
    problem: str | None = None  # why the data could not be scored under one of the sets

    def lines(self) -> list[str]:
        if self.problem is not None:
            return [self.problem]
        if not self.changed:
            return [_("none of its {count} units changes class or rank").format(count=self.units)]
        return [c.describe() for c in self.changed]

    def to_dict(self) -> dict[str, object]:
        return {"data": self.data, "units": self.units, "problem": self.problem,
                "changed": [c.to_dict() for c in self.changed]}


def _title(diff: RulesetDiff, old_name: str, new_name: str) -> str:
    return _("{old} ({old_year}) → {new} ({new_year})").format(
        old=old_name, old_year=diff.old_year or "?", new=new_name, new_year=diff.new_year or "?")


def render_text(diff: RulesetDiff, old_name: str, new_name: str, data: DataComparison | None = None) -> str:
    lines = [_title(diff, old_name, new_name), _("Counts: {line}").format(line=diff.count_line())]
    if diff.empty:
        lines.append(_("Nothing else differs."))
    for section, found in diff.sections():
        lines += ["", _("{section}:").format(section=_(SECTIONS[section]))]
        lines += [f"  {change.describe()}" for change in found]
    if data is not None:
        lines += ["", _("Last year's units ({data}) under both sets:").format(data=data.data)]
        lines += [f"  {line}" for line in data.lines()]
    return "\n".join(lines) + "\n"


def render_markdown(diff: RulesetDiff, old_name: str, new_name: str, data: DataComparison | None = None) -> str:
    lines = [f"# {_title(diff, old_name, new_name)}", "",
             f"**{_('Counts: {line}').format(line=diff.count_line())}**"]
    if diff.empty:
        lines += ["", _("Nothing else differs.")]
    for section, found in diff.sections():
        lines += ["", f"## {_(SECTIONS[section])}", ""]
        lines += [f"- {change.describe()}" for change in found]
    if data is not None:
        lines += ["", f"## {_('Last year’s units under both sets')}", "", f"`{data.data}`", ""]
        lines += [f"- {line}" for line in data.lines()]
    return "\n".join(lines) + "\n"


def to_json(diff: RulesetDiff, old_name: str, new_name: str, data: DataComparison | None = None) -> dict[str, object]:
    out = diff.to_dict()
    out["old"] = {"file": old_name, **out["old"]}  # type: ignore[dict-item]
    out["new"] = {"file": new_name, **out["new"]}  # type: ignore[dict-item]
    if data is not None:
        out["data"] = data.to_dict()
    return out
