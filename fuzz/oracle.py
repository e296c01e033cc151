"""What every fuzz case must keep true, whatever it was given.

- no exception but parrules' own diagnostics (`ParrulesError`);
- every diagnostic is located (a ruleset's at a real line and column of its file, a data file's at a
  row and column, or at the file for a problem of the whole file), has a documented code and a message;
- every input unit is scored or reported: when scoring succeeds, each unit of the input is in the
  results; when it fails, no results exist at all;
- a ruleset that checks clean never gives a figure outside its bounds: every node within its minimum
  and its applicable maximum, the total within 0 and the unit's maximum, the index within 0 and 100 %
  (a bonus outside the scale may lift both), the same figures whatever the order of the rows;
- everything a person reads renders without error, and holds no escape sequence.

Time (5 s) and memory (1 GiB) are the runner's to watch (`pool.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import parrules
from parrules import codes
from parrules.api import CheckReport, Ruleset
from parrules.diagnostics import DataError, Diagnostic, ParrulesError, render_all
from parrules.exact import CONTEXT
from parrules.explainer import explain
from parrules.model import Model, Rounding
from parrules.results import NodeResult, Results

ROOT = Path(__file__).resolve().parents[1]
ZERO, HUNDRED = Decimal(0), Decimal(100)


DOCUMENTED = codes.documented()
# A data problem without a row is one of the whole file: unreadable, not a table, too large, a sheet.
FILE_LEVEL = frozenset({"DAT113", "DAT114", "DAT116", "DAT118", "DAT119"})


class Failure(Exception):  # noqa: N818 - what a fuzz case found, not an error of the fuzzer
    """A broken promise: `kind` names which one (crash, unlocated, bounds, lost unit, …)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


def expect(condition: bool, kind: str, detail: str) -> None:
    if not condition:
        raise Failure(kind, detail)


# ---- diagnostics ---------------------------------------------------------------------------------


def located_ruleset(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str]) -> None:
    for d in diagnostics:
        _common(d)
        expect(d.code.startswith("PAR"), "code", f"{d.code} from a ruleset")
        span = d.span
        expect(span is not None, "unlocated", f"{d.code} {d.message!r} has no span")
        assert span is not None
        expect(bool(span.file) and span.file != "<unknown>", "unlocated", f"{d.code} is in file {span.file!r}")
        if d.code == "PAR105":  # the file itself cannot be read: there is no line to point at
            continue
        expect(span.line >= 1 and span.column >= 1, "unlocated", f"{d.code} at {span.line}:{span.column}")
        source = sources.get(span.file)
        if source is not None:
            lines = source.count("\n") + 1
            expect(span.line <= lines, "unlocated", f"{d.code} at line {span.line} of a {lines}-line file")


def located_data(diagnostics: Iterable[Diagnostic]) -> None:
    for d in diagnostics:
        _common(d)
        expect(d.code.startswith("DAT"), "code", f"{d.code} from data")
        expect(bool(d.file), "unlocated", f"{d.code} names no file")
        expect(d.row is not None or d.code in FILE_LEVEL, "unlocated", f"{d.code} {d.message!r} has no row")
        expect(d.row is None or d.row >= 1, "unlocated", f"{d.code} at row {d.row}")


def _common(d: Diagnostic) -> None:
    expect(d.code in DOCUMENTED, "code", f"{d.code} is not in docs/diagnostics.md")
    expect(bool(d.message.strip()), "message", f"{d.code} has an empty message")
    expect(d.severity in ("error", "warning"), "message", f"{d.code} severity {d.severity!r}")


def printable_text(text: str, what: str) -> None:
    expect("\x1b" not in text and "\x07" not in text and "\x9b" not in text, "escape", f"{what} holds a control code")


# ---- rulesets ------------------------------------------------------------------------------------


def check_text(text: str, file: str = "<fuzz>") -> tuple[Ruleset | None, CheckReport | None]:
    """Build and check `.par` text; the ruleset (None if it cannot be built) and its report."""
    try:
        ruleset = parrules.load_text(text, file)
    except ParrulesError as exc:
        located_ruleset(exc.diagnostics, exc.sources)
        printable_text(exc.report(), "a build report")
        return None, None
    return ruleset, check(ruleset)


def check_path(path: Path) -> tuple[Ruleset | None, CheckReport]:
    report = parrules.check_file(path)
    located_ruleset(report.diagnostics, report.sources)
    printable_text(report.render(), "a check report")
    if not report.ok:
        return None, report
    return parrules.load(path), report


def check(ruleset: Ruleset) -> CheckReport:
    report = ruleset.check()
    located_ruleset(report.diagnostics, report.sources)
    printable_text(report.render(), "a check report")
    return report


# ---- scoring -------------------------------------------------------------------------------------


def score_rows(ruleset: Ruleset, rows: Sequence[Mapping[str, object]], *,
               shuffle_seed: int | None = None) -> Results | None:
    """Score in-memory rows: every unit scored or every problem located, results within bounds."""
    try:
        results = ruleset.score(rows)
    except DataError as exc:
        located_data(exc.diagnostics)
        printable_text(render_all(exc.diagnostics), "a data report")
        return None
    expect(len(results.units) == len(rows), "lost", f"{len(rows)} rows gave {len(results.units)} units")
    bounds(ruleset.model, results)
    if shuffle_seed is not None and len(rows) > 1:
        import random

        shuffled = list(rows)
        random.Random(shuffle_seed).shuffle(shuffled)
        again = ruleset.score(shuffled)
        expect(_figures(again) == _figures(results), "order", "shuffled rows gave other figures")
    return results


def _figures(results: Results) -> list[tuple[object, ...]]:
    return sorted((u.unit, u.group, u.total, u.index, u.class_, u.rank, u.max, tuple(u.components.items()))
                  for u in results.units)


_MODES = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN, "truncate": ROUND_DOWN}


def _rounded(value: Decimal, rounding: Rounding | None) -> Decimal:
    """Rounding written out here, apart from parrules.rounding, as the oracle's own reading."""
    if rounding is None:
        return value
    return value.quantize(Decimal(1).scaleb(-rounding.digits), rounding=_MODES[rounding.mode])


def bounds(model: Model, results: Results) -> None:
    """The promises of a ruleset that checks clean, for every unit."""
    outside = sum((x.cap for x in model.extras if x.kind == "bonus" and not x.in_scale), ZERO)
    declared = {n.id: n for n in model.nodes()}
    for unit in results.units:
        expect(unit.max > 0, "bounds", f"{unit.unit}: maximum {unit.max}")
        top = unit.max + outside
        for value, what in ((unit.exact.total, "exact total"), (unit.total, "published total")):
            expect(ZERO <= value <= top, "bounds", f"{unit.unit}: {what} {value} outside 0–{top}")
        with localcontext(CONTEXT):  # computed as the index is, so that rounding agrees to the last digit
            limit = top / unit.max * HUNDRED
        expect(ZERO <= unit.exact.index <= limit, "bounds",
               f"{unit.unit}: exact index {unit.exact.index} outside 0–{limit}")
        # Published, the ceiling rounds as the index does: 107.67 % may be published as 108 %.
        ceiling = _rounded(limit, model.rounding.index)
        expect(ZERO <= unit.index <= ceiling, "bounds",
               f"{unit.unit}: published index {unit.index} outside 0–{ceiling}")
        if not outside:
            expect(unit.index <= HUNDRED, "bounds", f"{unit.unit}: index {unit.index} above 100 without a bonus")
        for root in unit.nodes:
            for node in _walk(root):
                spec = declared[node.id]
                if node.status != "scored":
                    expect(node.points == 0, "bounds", f"{unit.unit}: {node.id} does not apply but has points")
                    continue
                expect(spec.min <= node.points <= node.max <= spec.max, "bounds",
                       f"{unit.unit}: {node.id} has {node.points} of {node.max} (declared {spec.min}–{spec.max})")
                published = results.round_points(node.points)
                expect(spec.min <= published <= node.max, "bounds",
                       f"{unit.unit}: {node.id} would be published as {published} of {node.max}")
        for name, value in unit.components.items():
            root = next(r for r in unit.nodes if r.id == name)
            if root.status == "scored":
                expect(declared[name].min <= value <= root.max, "bounds",
                       f"{unit.unit}: component {name} published {value} of {root.max}")


def _walk(node: NodeResult) -> Iterable[NodeResult]:
    yield node
    for child in node.children:
        yield from _walk(child)


def render_everything(results: Results, *, workbook: bool = False) -> None:
    """Every renderer runs, and what a person reads on a terminal holds no escape sequence."""
    from parrules.report import render_csv, render_html, render_json, render_markdown, render_table

    printable_text(render_table(results), "the results table")
    render_csv(results)
    render_json(results)
    render_markdown(results)
    render_html(results)
    if results.units:
        unit = results.units[0]
        printable_text(explain(results, unit).render(), "an explanation")
    if workbook:
        from parrules.report import render_xlsx

        render_xlsx(results)
