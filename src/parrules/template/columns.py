"""What a fill-in template asks a unit for, worked out from the ruleset alone.

The order is the order a council fills a form in: first what describes the unit (its name, its
maximum or group when the data gives them, its attributes, which decide what applies), then the
inputs, each under the field (lĩnh vực) whose criteria read it first, in the tree's order. A `points`
input of a ruleset with stages is asked once per stage (`name@stage`); a bare `given` asks for the
criterion's own points under its id (`1.5.2`). What only excluded criteria read is not asked at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Literal, TypeAlias

from attrs import frozen

from parrules import i18n
from parrules.compile import references, rule_reads
from parrules.data.records import NO_WORDS, YES_WORDS
from parrules.data.text import text_key
from parrules.i18n import _
from parrules.model import Choice, Declaration, Extra, Model, Node, Percent, Points, Stage, YesNo

AskKind: TypeAlias = Literal["unit", "max", "group", "attribute", "input"]



@frozen
class Ask:
    """One thing a unit is asked for: a column of the wide layout, a cell of a unit's sheet.

    `key` is the machine name the data reader matches exactly (`unit`, `max`, `group`, a declared
    name, `name@stage`); `title` is what a person reads. `node` is the criterion (or the bonus or
    penalty) whose points a bare `given` asks for.
    """

    key: str
    kind: AskKind
    title: str
    decl: Declaration | None = None
    stage: Stage | None = None
    node: Node | Extra | None = None

    @property
    def name(self) -> str:
        """The declared name (the key without its stage)."""
        return self.decl.name if self.decl is not None else self.key


@frozen
class Section:
    """The asks under one heading: the unit's description, a field, the bonuses and penalties, …"""

    heading: str
    asks: tuple[Ask, ...]
    owner: Node | None = None  # the field or component, when the heading is one


def excluded_ids(model: Model) -> frozenset[str]:
    """Every node an `exclude` drops, with everything under it."""
    dropped = {e.node_id for e in model.exclusions}
    out: set[str] = set()
    for node in model.nodes():
        if node.id in dropped:
            out.update(n.id for n in node.walk())
    return frozenset(out)


def node_reads(node: Node | Extra, model: Model) -> list[str]:
    """The inputs (not attributes) a node reads itself, in the order the ruleset declares them."""
    declared = {d.name: d for d in model.inputs}
    names: set[str] = set()
    rule = node.rule
    if rule is not None:
        names.update(rule_reads(rule, declared))
    if isinstance(node, Node) and node.applies is not None:
        names.update(n for n in references(node.applies) if n in declared)
    order = {d.name: i for i, d in enumerate(model.inputs)}
    return sorted(names, key=order.__getitem__)


def walk_scored(model: Model) -> Iterator[tuple[Node, Node]]:
    """(node, the field or component it is under) for every node that is scored, in the tree's order.

    A node's heading is its field; a component without fields (Lai Châu's `appraisal`, one given
    figure) is its own.
    """
    dropped = excluded_ids(model)
    for component in model.components:
        if component.id not in dropped:
            yield component, component
        for child in component.children:
            owner = child if child.kind == "field" else component
            for node in child.walk():
                if node.id not in dropped:
                    yield node, owner


def first_readers(model: Model) -> dict[str, Node | Extra]:
    """Each input that something scored reads, with the first node (or bonus, penalty) that reads it."""
    first: dict[str, Node | Extra] = {}
    for node, _field in walk_scored(model):
        for name in node_reads(node, model):
            first.setdefault(name, node)
    for extra in model.extras:
        for name in node_reads(extra, model):
            first.setdefault(name, extra)
    return first


def measure(decl: Declaration) -> str | None:
    """How the input is measured, as its title's suffix says it: `%`, `points`, `Có/Không`."""
    if isinstance(decl.type, Percent):
        return "%"
    if isinstance(decl.type, YesNo):
        return "/".join(yes_no_words())
    if isinstance(decl.type, Points):
        return _("points")
    return None  # a count, a number or a choice: the title says it


def yes_no_words() -> tuple[str, str]:
    """Có / Không (yes / no in English): what a drop-down offers, words the data reader takes back."""
    yes, no = _("Yes"), _("No")
    if text_key(yes) not in {text_key(w) for w in YES_WORDS} or text_key(no) not in {text_key(w) for w in NO_WORDS}:
        return "Có", "Không"  # a translation the reader would not take back: the Vietnamese words
    return yes, no


def input_title(decl: Declaration, node: Node | Extra | None = None) -> str:
    """`Tỷ lệ hoàn thành kế hoạch (%)`; for a bare `given`, the criterion's id and title."""
    base = f"{node.id} {node.title}" if decl.implicit and node is not None else decl.title or decl.name
    unit = measure(decl)
    return f"{base} ({unit})" if unit else base


def asks_for(decl: Declaration, model: Model, node: Node | Extra | None) -> list[Ask]:
    """One ask for an input, or one per stage for a `points` input of a ruleset with stages."""
    title = input_title(decl, node)
    if isinstance(decl.type, Points) and model.stages:
        return [Ask(f"{decl.name}@{stage.name}", "input", f"{title} – {stage.title or stage.name}", decl, stage,
                    node) for stage in model.stages]
    return [Ask(decl.name, "input", title, decl, None, node)]


def describing(model: Model) -> list[Ask]:
    """What describes a unit: its name, its maximum and group when the data gives them, its attributes."""
    asks = [Ask("unit", "unit", _("Name of the agency or unit"))]
    if model.meta.unit_max_from_data:
        asks.append(Ask("max", "max", _("The unit's maximum (points)")))
    if model.grouping is not None and model.grouping.from_data:
        asks.append(Ask("group", "group", _("Group")))
    asks.extend(Ask(d.name, "attribute", d.title or d.name, d) for d in model.attributes)
    return asks


def sections(model: Model) -> list[Section]:
    """Every ask, under its heading: the unit first, then each field's inputs, then the rest."""
    declared = {d.name: d for d in model.inputs}
    first = first_readers(model)
    out = [Section(_("The unit"), tuple(describing(model)))]
    by_owner: dict[str, list[Ask]] = {}
    owners: dict[str, Node] = {}
    for node, owner in walk_scored(model):
        for name in node_reads(node, model):
            if first[name] is node:
                by_owner.setdefault(owner.id, []).extend(asks_for(declared[name], model, node))
                owners[owner.id] = owner
    for owner_id, asks in by_owner.items():
        owner = owners[owner_id]
        out.append(Section(heading(owner), tuple(asks), owner))
    extras = [ask for extra in model.extras for name in node_reads(extra, model) if first[name] is extra
              for ask in asks_for(declared[name], model, extra)]
    if extras:
        out.append(Section(_("Bonus and penalty points"), tuple(extras)))
    rest = [ask for d in unread_inputs(model) for ask in asks_for(d, model, None)]
    if rest:
        out.append(Section(_("Other inputs"), tuple(rest)))
    return out


def unread_inputs(model: Model) -> list[Declaration]:
    """Inputs no scored node reads: read by a group rule only, or by nothing (the checker warns then).

    Still asked, so that a value the data carries has its place; what only excluded criteria read is not.
    """
    first = first_readers(model)
    dropped = excluded_ids(model)
    out = []
    for decl in model.inputs:
        if decl.name in first:
            continue
        readers = [n for n in model.nodes() if decl.name in node_reads(n, model)]
        if not readers or not all(n.id in dropped for n in readers):
            out.append(decl)
    return out


def heading(owner: Node) -> str:
    """A field's heading: `1. Công tác chỉ đạo, điều hành CCHC (11 points)`."""
    label = f"{owner.id}. {owner.title}" if owner.kind == "field" else owner.title
    return _("{heading} ({points} points)").format(heading=label, points=shown_number(owner.max))


def choice_words(kind: Choice) -> tuple[str, ...]:
    """What a drop-down offers for a choice: the options' titles, or their names where untitled.

    A title is offered only where it reads back as its own option: the reader tries names before
    titles, so a title that is another option's name (or another option's title too) would be read
    as something else; that option is offered by its name.
    """
    names = {text_key(o.name): o.name for o in kind.options}
    titles = Counter(text_key(o.title) for o in kind.options if o.title)
    return tuple(o.title if o.title and titles[text_key(o.title)] == 1
                 and names.get(text_key(o.title), o.name) == o.name else o.name for o in kind.options)


def shown_number(value: Decimal) -> str:
    """A figure of the ruleset as a person reads it in this language: 0,5 in Vietnamese, 0.5 in English."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if i18n.current() == "vi" else text
