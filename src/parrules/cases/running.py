"""Running the cases: scoring each case on its own, comparing it with what it expects, and saying why.

This module owns `run_file` and `run_cases`: a case whose data reads cleanly is scored alone; its
figures are compared exactly with the expected ones (points rounded as the ruleset rounds them, a
class or a group by its name); each expectation not met gets the lines of `parrules.explain` that
say why the case got what it got; and the scored cases are handed to the coverage when asked for.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from parrules import model as m
from parrules.api import Ruleset
from parrules.cases.coverage import measure
from parrules.cases.reading import Case, CaseFile, Expected, Target, read_cases
from parrules.cases.report import CaseReport, CaseResult, Failure
from parrules.data.records import UnitRecord
from parrules.diagnostics import DataError
from parrules.explainer import explain, show_value
from parrules.explanation import ExplainedNode, Explanation
from parrules.figures import plain, plain_max
from parrules.format import rule_text
from parrules.i18n import _
from parrules.results import Results, UnitResult


def run_file(ruleset: Ruleset, path: Path | str, *, decimal_comma: bool = False, sheet: str | None = None,
             percent_fractions: bool = False, coverage: bool = False) -> CaseReport:
    """Run the cases of a test file against a ruleset (whose `check()` must be clean)."""
    read = read_cases(path, ruleset, decimal_comma=decimal_comma, sheet=sheet, percent_fractions=percent_fractions)
    return run_cases(ruleset, read, coverage=coverage)


def run_cases(ruleset: Ruleset, read: CaseFile, *, coverage: bool = False) -> CaseReport:
    scored: list[tuple[Results, UnitResult]] = []
    results: list[CaseResult] = []
    for case in read.cases:
        problems = list(read.case_problems.get(case.row, ()))
        record = read.records.get(case.row)
        outcome = _score(ruleset, record) if record is not None else None
        if isinstance(outcome, DataError):
            problems += outcome.diagnostics
            outcome = None
        failures: tuple[Failure, ...] = ()
        if outcome is not None:
            scored.append(outcome)
            failures = _compare(case, *outcome)
        results.append(CaseResult(case.name, case.row, len(case.expected), failures, tuple(problems),
                                  outcome is not None))
    found = measure(ruleset, scored) if coverage else None
    return CaseReport(read.file, ruleset.file, tuple(results), read.problems, found)


def _score(ruleset: Ruleset, record: UnitRecord) -> tuple[Results, UnitResult] | DataError:
    from parrules.evaluate import evaluate

    try:
        results = evaluate(ruleset.plan, [record])
    except DataError as exc:
        return exc
    return results, results.units[0]


def _compare(case: Case, results: Results, unit: UnitResult) -> tuple[Failure, ...]:
    """The expectations a scored case does not meet, each with why it got what it got."""
    wrong = [(e, f) for e in case.expected if (f := _check(e, results, unit)) is not None]
    if not wrong:
        return ()
    why = explain(results, unit)
    return tuple(Failure(f.target, f.expected, f.got, _why(e.target, results, unit, why), f.kind) for e, f in wrong)


def _check(expected: Expected, results: Results, unit: UnitResult) -> Failure | None:
    target = expected.target
    if target.kind == "node":
        node = unit.node(target.id or "")
        assert node is not None  # targets are the ruleset's nodes
        if node.status != "scored":
            return None if expected.not_applicable else Failure(target.label, expected.shown, "n/a",
                                                                 kind="not_applicable")
        return _differs(expected, results.round_points(node.points), plain(results.round_points(node.points)))
    if target.kind in ("class", "group"):
        name = unit.class_ if target.kind == "class" else unit.group
        return None if name == expected.name else Failure(target.label, expected.shown, name or "—")
    if target.kind == "max":
        return _differs(expected, unit.max, plain_max(unit.max))
    figure = unit.extras[target.id or ""] if target.kind == "extra" else (
        unit.total if target.kind == "total" else unit.index)
    return _differs(expected, figure, plain(figure))


def _differs(expected: Expected, got: Decimal, shown: str) -> Failure | None:
    """A failure unless the expected number is the figure, compared as numbers (0.50 is 0.5)."""
    label = expected.target.label
    if expected.not_applicable:
        return Failure(label, expected.shown, shown, kind="applies")
    return None if got == expected.number else Failure(label, expected.shown, shown)


def _why(target: Target, results: Results, unit: UnitResult, why: Explanation) -> tuple[str, ...]:
    """Why the case got what it got, in explain's words."""
    if target.kind == "node":
        node = next(n for root in why.tree for n in root.walk() if n.id == target.id)
        return _node_why(node, results)
    if target.kind == "extra":
        model = unit.model
        extra = next((x for x in model.extras if x.id == target.id), None) if model is not None else None
        return _extra_why(extra, unit) if extra is not None else ()
    return (_headline(unit),)


def _node_why(node: ExplainedNode, results: Results) -> tuple[str, ...]:
    if node.status != "scored":
        status = _("does not apply") if node.status == "not_applicable" else _("excluded")
        return (f"{status} — {node.reason}" if node.reason else status,)
    if node.why:
        return (node.why,)
    return tuple(_child_line(child, results) for child in node.children)


def _child_line(node: ExplainedNode, results: Results) -> str:
    if node.status != "scored":
        status = _("does not apply") if node.status == "not_applicable" else _("excluded")
        return f"{node.id}: {status}"
    figure = f"{node.id}: {plain(results.round_points(node.points))} / {plain_max(node.max)}"
    return f"{figure} — {node.why}" if node.why else figure


def _extra_why(extra: m.Extra, unit: UnitResult) -> tuple[str, ...]:
    from parrules.compile import rule_reads

    model = unit.model
    assert model is not None
    declared = {d.name: d for d in (*model.attributes, *model.inputs)}
    values = [f"{n} = {show_value(model, n, unit.inputs[n])}" for n in rule_reads(extra.rule, declared)
              if n in unit.inputs]
    text = rule_text(extra.rule, extra.id)
    return (f"{', '.join(values)} → {text}" if values else text,)


def _headline(unit: UnitResult) -> str:
    figures = {"total": plain(unit.total), "max": plain_max(unit.max), "index": plain(unit.index)}
    if unit.class_:
        return _("Total {total} / {max} → index {index} % → {class_name}").format(**figures, class_name=unit.class_)
    return _("Total {total} / {max} → index {index} %").format(**figures)
