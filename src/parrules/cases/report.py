"""What running a test file found (`Failure`, `CaseResult`, `CaseReport`), and how it reads.

This module owns the report and both its forms: the text `parrules test` prints (the failing cases,
the summary line, the coverage) and the data `--format json` writes. Like `parrules.explanation`, it
holds what the report is and how it is shown, so that showing it needs nothing of the running.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from attrs import frozen

from parrules.cases.coverage import Coverage
from parrules.diagnostics import Diagnostic, Findings, render_all
from parrules.figures import plain_max
from parrules.i18n import _, n_, number


@frozen
class Failure:
    """An expectation not met: what was expected, what the case got, and why (explain's text)."""

    target: str
    expected: str
    got: str
    why: tuple[str, ...] = ()
    kind: Literal["value", "not_applicable", "applies"] = "value"

    def describe(self) -> str:
        if self.kind == "not_applicable":
            return _("{target}: expected {expected}, but it does not apply to this case").format(
                target=self.target, expected=self.expected)
        if self.kind == "applies":
            return _("{target}: expected not to apply, got {got}").format(target=self.target, got=self.got)
        return _("{target}: expected {expected}, got {got}").format(
            target=self.target, expected=self.expected, got=self.got)


@frozen
class CaseResult:
    name: str
    row: int
    checked: int  # expectation cells filled in
    failures: tuple[Failure, ...] = ()
    problems: tuple[Diagnostic, ...] = ()  # the case's data (or an expectation cell) could not be read
    scored: bool = True

    @property
    def passed(self) -> bool:
        return not self.failures and not any(p.is_error for p in self.problems)


@frozen
class CaseReport(Findings):
    """What running a test file found. `diagnostics`: the file's own problems and warnings."""

    file: str
    ruleset: str
    results: tuple[CaseResult, ...]
    diagnostics: tuple[Diagnostic, ...]
    coverage: Coverage | None = None

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    def all_passed(self, fail_under: Decimal | None = None) -> bool:
        """Every case passed, the file has no error, and the coverage is at least `fail_under` percent."""
        if self.failed or not self.ok or not self.results:
            return False
        return fail_under is None or self.coverage is None or not self.coverage.below(fail_under)

    def render(self, fail_under: Decimal | None = None) -> str:
        """The failing cases, a summary line, and the coverage: the text `parrules test` prints."""
        return render_report(self, fail_under)

    def to_dict(self) -> dict[str, object]:
        return report_to_dict(self)


def render_report(report: CaseReport, fail_under: Decimal | None = None) -> str:
    lines: list[str] = []
    for result in report.results:
        if not result.passed:
            lines += [*_case_lines(report.file, result), ""]
    lines.append(_summary(report))
    silent = [r.name for r in report.results if r.passed and not r.checked]
    if silent:
        lines.append(n_("{count} case checks nothing (no `expect` cell filled in): {names}",
                        "{count} cases check nothing (no `expect` cell filled in): {names}", len(silent)).format(
            count=number(len(silent)), names=", ".join(silent)))
    if report.coverage is not None:
        lines += ["", *_coverage_lines(report.coverage, fail_under)]
    return "\n".join(lines) + "\n"


def _case_lines(file: str, result: CaseResult) -> list[str]:
    where = f"{file}:" + _("row {row}").format(row=result.row)
    if not result.scored:
        head = _("{location}: {case}: the case could not be scored").format(location=where, case=result.name)
    elif not result.failures:
        head = _("{location}: {case}: an expectation cell could not be read").format(location=where, case=result.name)
    else:
        head = n_("{location}: {case}: {count} of {checked} expectation not met",
                  "{location}: {case}: {count} of {checked} expectations not met", result.checked).format(
            location=where, case=result.name, count=number(len(result.failures)), checked=number(result.checked))
    lines = [head]
    if result.problems:
        lines += ["  " + line for line in render_all(result.problems).split("\n")]
    for failure in result.failures:
        lines.append("  " + failure.describe())
        lines += ["      " + why for why in failure.why]
    return lines


def _summary(report: CaseReport) -> str:
    cases = n_("{count} case", "{count} cases", len(report.results)).format(count=number(len(report.results)))
    return _("{cases}: {passed} passed, {failed} failed").format(
        cases=cases, passed=number(report.passed), failed=number(report.failed))


def _coverage_lines(coverage: Coverage, fail_under: Decimal | None) -> list[str]:
    lines = [n_("Branch coverage: {percent} % ({covered} of {count} branch)",
                "Branch coverage: {percent} % ({covered} of {count} branches)", coverage.count).format(
        percent=plain_max(coverage.percent), covered=number(coverage.hits), count=number(coverage.count))]
    ordered = sorted(coverage.uncovered, key=lambda b: (b.span.file, b.span.line, b.span.column))
    lines += [f"{b.location}: {b.message()}" for b in ordered]
    if fail_under is not None and coverage.below(fail_under):
        lines.append(_("coverage {percent} % is below the required {required} %").format(
            percent=plain_max(coverage.percent), required=plain_max(fail_under)))
    return lines


def report_to_dict(report: CaseReport) -> dict[str, object]:
    """The report as JSON data for tools: figures as strings, as the cells wrote them or as published."""
    out: dict[str, object] = {
        "ruleset": report.ruleset,
        "tests": report.file,
        "cases": [_case_dict(r) for r in report.results],
        "problems": [d.to_dict() for d in report.diagnostics],
        "summary": {"cases": len(report.results), "passed": report.passed, "failed": report.failed},
    }
    if report.coverage is not None:
        coverage = report.coverage
        out["coverage"] = {
            "percent": plain_max(coverage.percent), "branches": coverage.count, "covered": coverage.hits,
            "uncovered": [{"file": b.span.file, "line": b.span.line, "column": b.span.column, "owner": b.key[0],
                           "kind": b.kind, "text": b.text, "message": b.message()} for b in coverage.uncovered],
        }
    return out


def _case_dict(result: CaseResult) -> dict[str, object]:
    return {
        "case": result.name, "row": result.row, "passed": result.passed, "scored": result.scored,
        "checked": result.checked,
        "failures": [{"target": f.target, "expected": f.expected, "got": f.got, "why": list(f.why)}
                     for f in result.failures],
        "problems": [p.to_dict() for p in result.problems],
    }
