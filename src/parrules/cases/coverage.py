"""Branch coverage: the branches of a ruleset (`Branch`), which of them scored cases take, and the share.

This module owns what counts as a branch of each kind of rule, of `applies if`, of a bonus or
penalty, of a class table and of the groups; where each is written and how it is quoted; which
branches one scored unit takes (`taken`); and what an uncovered branch is said to lack (`NEVER`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Literal, TypeAlias

from attrs import frozen

from parrules import model as m
from parrules import vocabulary as words
from parrules.api import Ruleset
from parrules.compile import PROPORTIONAL_BELOW, PROPORTIONAL_FULL, PROPORTIONAL_ZERO
from parrules.figures import plain_max
from parrules.format import expr as expr_text
from parrules.format import rule_text
from parrules.i18n import N_, _
from parrules.results import NodeResult, Results, UnitResult

HUNDRED = Decimal(100)

BranchKind: TypeAlias = Literal[
    "step", "line", "otherwise", "rule", "at_or_above", "below", "nothing_deducted", "deducted",
    "deducted_above_floor", "floor", "full", "condition", "applies", "not_applies", "extra_given",
    "extra_zero", "class", "group", "reaches", "under", "zero_denominator",
]
Key: TypeAlias = tuple[str, str, int]  # (owner, kind, index)

# What an uncovered branch is said to lack; every message takes the same fields.
NEVER = {
    "step": N_("the step `{text}` of {node} is never used by a case"),
    "line": N_("the line `{text}` of {node} is never used by a case"),
    "otherwise": N_("the line `{text}` of {node} is never used by a case"),
    "rule": N_("the rule `{text}` of {node} is never used by a case"),
    "at_or_above": N_("`{text}` of {node} never gives points: every case is below {value}"),
    "below": N_("`{text}` of {node} never gives 0: no case is below {value}"),
    "nothing_deducted": N_("`{text}` of {node}: no case has nothing deducted"),
    "deducted": N_("`{text}` of {node}: no case has points deducted"),
    "deducted_above_floor": N_("`{text}` of {node}: no case has points deducted and stays above the floor"),
    "floor": N_("`{text}` of {node}: no case reaches the floor {value}"),
    "full": N_("`{text}` of {node}: no case gets full marks (none of the conditions holding)"),
    "condition": N_("the condition `{text}` of {node} never gives 0 in a case"),
    "applies": N_("{node} never applies to a case (`applies if {text}`)"),
    "not_applies": N_("{node} applies to every case: no case has `applies if {text}` false"),
    "extra_given": N_("no case gets {node} (`{text}` is 0 in every case)"),
    "extra_zero": N_("every case gets {node}: no case has `{text}` at 0"),
    "reaches": N_("`{text}` of {node}: no case reaches {value} (full points)"),
    "under": N_("`{text}` of {node}: every case reaches {value}; none is scored below it"),
    "zero_denominator": N_("`{text}` of {node}: no case has a denominator of 0"),
    "class": N_("no case is classed {value} (the line `{text}`)"),
    "group": N_("no case falls in the group {value} (the line `{text}`)"),
}


@frozen
class Branch:
    """One way through the ruleset that a case can take, and where it is written."""

    key: Key
    kind: BranchKind
    owner_kind: str  # a node kind, bonus, penalty, or classes/groups
    span: m.Span
    text: str
    value: str = ""  # a bound, a floor, a class label, a group's name

    @property
    def location(self) -> str:
        return f"{self.span.file}:{self.span.line}:{self.span.column}"

    def message(self) -> str:
        """What the cases never do, as `parrules test --coverage` lists it."""
        return _(NEVER[self.kind]).format(text=self.text, value=self.value,
                                          node=words.node(self.owner_kind, self.key[0]))


@frozen
class Coverage:
    branches: tuple[Branch, ...]
    covered: frozenset[Key]

    @property
    def count(self) -> int:
        return len(self.branches)

    @property
    def hits(self) -> int:
        return sum(1 for b in self.branches if b.key in self.covered)

    @property
    def uncovered(self) -> tuple[Branch, ...]:
        return tuple(b for b in self.branches if b.key not in self.covered)

    @property
    def percent(self) -> Decimal:
        """The share of branches covered, in percent, cut (never rounded up) to one decimal."""
        if not self.branches:
            return HUNDRED
        return (Decimal(self.hits) * HUNDRED / self.count).quantize(Decimal("0.1"), rounding=ROUND_DOWN)

    def below(self, percent: Decimal) -> bool:
        """Whether the exact share is below `percent` (99.96 % is below 100)."""
        return Decimal(self.hits) * HUNDRED < percent * self.count


def measure(ruleset: Ruleset, scored: Iterable[tuple[Results, UnitResult]]) -> Coverage:
    """The ruleset's branches, and which of them the scored cases took."""
    covered: set[Key] = set()
    for results, unit in scored:
        covered |= taken(ruleset.model, results, unit)
    return Coverage(tuple(branches(ruleset.model, ruleset.sources)), frozenset(covered))


# ---- the branches of a ruleset ----


def branches(model: m.Model, sources: Mapping[str, str]) -> list[Branch]:
    """Every branch of the ruleset, in the order written; excluded nodes have none."""
    excluded = {e.node_id for e in model.exclusions}
    found: list[Branch] = []
    for component in model.components:
        found += _node_branches(component, excluded, sources)
    for extra in model.extras:
        text = _excerpt(sources, extra.rule.span) or rule_text(extra.rule, extra.id)
        found += [Branch((extra.id, kind, 0), kind, extra.kind, extra.span, text)
                  for kind in ("extra_given", "extra_zero")]
    for table in model.classes:
        for b, band in enumerate(table.bands):
            text = _excerpt(sources, band.span) or band.label
            found.append(Branch((_classes(table), "class", b), "class", "classes", band.span, text, band.label))
    if model.grouping is not None:
        for g, rule in enumerate(model.grouping.rules):
            text = _excerpt(sources, rule.span) or rule.name
            found.append(Branch(("groups", "group", g), "group", "groups", rule.span, text, rule.name))
    return found


def _classes(table: m.ClassTable) -> str:
    """How a class table is named as a branch's owner: `classes`, or `classes for "Nhóm I"`."""
    return "classes" if table.group is None else f'classes for "{table.group}"'


def _node_branches(node: m.Node, excluded: set[str], sources: Mapping[str, str]) -> list[Branch]:
    if node.id in excluded:
        return []
    found: list[Branch] = []
    if node.applies is not None:
        text = _excerpt(sources, node.applies.span) or expr_text(node.applies)
        found += [Branch((node.id, kind, 0), kind, node.kind, node.applies.span, text)
                  for kind in ("applies", "not_applies")]
    if node.rule is not None:
        found += _rule_branches(node, node.rule, sources)
    for child in node.children:
        found += _node_branches(child, excluded, sources)
    return found


def _rule_branches(node: m.Node, rule: m.Rule, sources: Mapping[str, str]) -> list[Branch]:
    def branch(kind: BranchKind, span: m.Span, text: str, index: int = 0, value: str = "") -> Branch:
        return Branch((node.id, kind, index), kind, node.kind, span, _excerpt(sources, span) or text, value)

    whole = rule_text(rule, node.id)
    if isinstance(rule, m.Steps):
        found = [branch("step", s.span, _step_text(s), i) for i, s in enumerate(rule.steps)]
        return found + _otherwise(node, rule.otherwise, sources)
    if isinstance(rule, m.Table):
        found = [branch("line", b.span, f"when {expr_text(b.condition)}", i) for i, b in enumerate(rule.branches)]
        return found + _otherwise(node, rule.otherwise, sources)
    if isinstance(rule, m.Proportional) and rule.branches:
        found = []
        if rule.zero_below is not None:
            bound = f"{plain_max(rule.zero_below)}%"
            found += [branch("at_or_above", rule.span, whole, value=bound),
                      branch("below", rule.span, whole, value=bound)]
        if rule.full_from is not None:
            bound = f"{plain_max(rule.full_from)}%"
            found += [branch("reaches", rule.span, whole, value=bound), branch("under", rule.span, whole, value=bound)]
        if rule.if_zero is not None:
            found.append(branch("zero_denominator", rule.if_zero.span, whole))
        return found
    if isinstance(rule, m.Deduct):
        if rule.floor is None:
            return [branch("nothing_deducted", rule.span, whole), branch("deducted", rule.span, whole)]
        floor = plain_max(rule.floor)
        return [branch("nothing_deducted", rule.span, whole), branch("deducted_above_floor", rule.span, whole),
                branch("floor", rule.span, whole, value=floor)]
    if isinstance(rule, m.FullUnless):
        return [branch("full", rule.span, whole),
                *(branch("condition", c.span, expr_text(c), i) for i, c in enumerate(rule.conditions))]
    return [branch("rule", rule.span, whole)]


def _step_text(step: m.Step) -> str:
    key = step.key if isinstance(step.key, str) else words.yes_no(step.key)
    return f"{key} -> …"


def _otherwise(node: m.Node, outcome: m.Outcome | None, sources: Mapping[str, str]) -> list[Branch]:
    """The `otherwise` line, located at the word `otherwise` (the model keeps where its outcome is)."""
    if outcome is None:
        return []
    span = outcome.span
    source = sources.get(span.file)
    lines = source.split("\n") if source is not None else []
    if 0 < span.line <= len(lines) and span.end_line == span.line:
        line = lines[span.line - 1]
        start = line.rfind("otherwise", 0, max(span.column - 1, 0))
        if start >= 0:
            span = m.Span(span.file, span.line, start + 1, span.end_line, span.end_column)
    text = _excerpt(sources, span) or "otherwise"
    return [Branch((node.id, "otherwise", 0), "otherwise", node.kind, span, text)]


def _excerpt(sources: Mapping[str, str], span: m.Span, width: int = 80) -> str:
    """The text a span covers, on one line, cut short past `width` characters."""
    source = sources.get(span.file)
    if source is None or span.line <= 0:
        return ""
    lines = source.split("\n")[span.line - 1:span.end_line]
    if not lines:
        return ""
    if len(lines) == 1:
        lines[0] = lines[0][span.column - 1:span.end_column - 1]
    else:
        lines[0], lines[-1] = lines[0][span.column - 1:], lines[-1][:span.end_column - 1]
    text = " ".join(" ".join(lines).split())
    return text if len(text) <= width else text[:width - 1] + "…"


# ---- the branches a case takes ----


def taken(model: m.Model, results: Results, unit: UnitResult) -> set[Key]:
    """The branches one scored unit takes."""
    nodes = {n.id: n for n in model.nodes()}
    found: set[Key] = set()
    for root in unit.nodes:
        for result in root.walk():
            found |= _node_taken(nodes[result.id], result)
    for extra in model.extras:
        given = unit.exact.extras.get(extra.id, Decimal(0)) > 0
        found.add((extra.id, "extra_given" if given else "extra_zero", 0))
    table = results.class_table(unit.group)
    band = next((b for b, band in enumerate(table.bands) if band.contains(unit.index)), None) if table else None
    if table is not None and band is not None:
        found.add((_classes(table), "class", band))
    if model.grouping is not None and unit.group is not None:
        group = next((g for g, rule in enumerate(model.grouping.rules) if rule.name == unit.group), None)
        if group is not None:
            found.add(("groups", "group", group))
    return found


def _node_taken(node: m.Node, result: NodeResult) -> set[Key]:
    found: set[Key] = set()
    if node.applies is not None:
        if result.status == "scored" or result.cause == "children":
            found.add((node.id, "applies", 0))
        elif result.cause == "condition":
            found.add((node.id, "not_applies", 0))
    if node.rule is not None and result.status == "scored" and result.branch is not None:
        if isinstance(node.rule, m.Proportional):
            found |= _proportional_taken(node, node.rule, result.branch)
        else:
            found.add(_rule_taken(node, node.rule, result))
    elif node.rule is not None and result.cause == "zero":  # `if zero -> not applicable` taken
        found.add((node.id, "zero_denominator", 0))
    return found


def _proportional_taken(node: m.Node, rule: m.Proportional, branch: int) -> set[Key]:
    """Which of a proportional rule's ways a case took: below `zero below`, at or above it, the threshold."""
    if not rule.branches:
        return {(node.id, "rule", 0)}
    if branch == PROPORTIONAL_ZERO:
        return {(node.id, "zero_denominator", 0)}
    if branch == PROPORTIONAL_BELOW:
        return {(node.id, "below", 0)}
    found: set[Key] = set()
    if rule.zero_below is not None:
        found.add((node.id, "at_or_above", 0))
    if rule.full_from is not None:
        found.add((node.id, "reaches" if branch == PROPORTIONAL_FULL else "under", 0))
    return found


def _rule_taken(node: m.Node, rule: m.Rule, result: NodeResult) -> Key:
    branch = result.branch or 0
    if isinstance(rule, m.Steps):
        return (node.id, "step", branch) if branch < len(rule.steps) else (node.id, "otherwise", 0)
    if isinstance(rule, m.Table):
        return (node.id, "line", branch) if branch < len(rule.branches) else (node.id, "otherwise", 0)
    if isinstance(rule, m.Deduct):
        if branch == 0:
            return (node.id, "nothing_deducted", 0)
        if rule.floor is None:
            return (node.id, "deducted", 0)
        return (node.id, "floor" if result.points == rule.floor else "deducted_above_floor", 0)
    if isinstance(rule, m.FullUnless):
        return (node.id, "full", 0) if branch == 0 else (node.id, "condition", branch - 1)
    return (node.id, "rule", 0)
