"""The domain's words as messages use them, in the reader's language (see `i18n`).

A node is named as a decision names it: "criterion 1.2" is "tiêu chí 1.2", "sub-criterion 1.2.1"
is "tiêu chí thành phần 1.2.1". A type of value is said as a rule author would: "a percent" is
"tỷ lệ phần trăm". These are whole noun phrases, each one message of the catalogue.
"""

from __future__ import annotations

from parrules.i18n import N_, _

NODE = {
    "component": N_("component {id}"),
    "field": N_("field {id}"),
    "criterion": N_("criterion {id}"),
    "sub": N_("sub-criterion {id}"),
    "part": N_("part {id}"),
    "bonus": N_("bonus {id}"),
    "penalty": N_("penalty {id}"),
}

KIND = {
    "component": N_("component"),
    "field": N_("field"),
    "criterion": N_("criterion"),
    "sub": N_("sub-criterion"),
    "part": N_("part"),
    "bonus": N_("bonus"),
    "penalty": N_("penalty"),
    "attribute": N_("attribute"),
    "input": N_("input"),
}


def node(kind: str, node_id: str) -> str:
    """A node (or a bonus, a penalty) as messages name it: "criterion 1.2"."""
    return _(NODE.get(kind, "{id}")).format(id=node_id)


def kind(word: str) -> str:
    """The word for a kind of node or declaration: "criterion", "input"."""
    return _(KIND[word]) if word in KIND else word


def yes_no(value: bool) -> str:
    """Yes or no as a ruleset writes them (the keywords stay English: `yes`, `no`)."""
    return "yes" if value else "no"
