"""The library's front door: load a ruleset, check it, score unit data.

    import parrules
    ruleset = parrules.load("rulesets/lai-chau/2020/departments.par")
    report = ruleset.check()            # every problem, never raises for a user's mistake
    results = ruleset.score(records)    # records: dicts, or rows read with ruleset.read_data(path)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from attrs import frozen

from parrules import check as checker
from parrules.build import build_source, read_ruleset_file
from parrules.diagnostics import (
    DataError,
    Diagnostic,
    Findings,
    RulesetError,
    data_order,
    render_all,
    sort_diagnostics,
    summarize,
)
from parrules.i18n import _
from parrules.model import Model

if TYPE_CHECKING:
    from parrules.compile import Plan
    from parrules.data import DataReport, UnitRecord
    from parrules.data.frames import DataFrameLike
    from parrules.data.headers import HeaderIndex
    from parrules.results import Results


@frozen
class CheckReport(Findings):
    """What `parrules check` says about one file."""

    file: str
    diagnostics: tuple[Diagnostic, ...]
    summary: str | None
    sources: dict[str, str]

    def render(self) -> str:
        """Every problem with its source line, then one summary line for the file."""
        parts: list[str] = []
        if self.diagnostics:
            parts.append(render_all(self.diagnostics, self.sources))
        if self.ok:
            # `ok`, the ruleset's summary if it could be built, and how many warnings if there are any.
            template = (_("{file}: ok — {summary} ({findings})") if self.summary and self.warnings else
                        _("{file}: ok — {summary}") if self.summary else
                        _("{file}: ok ({findings})") if self.warnings else _("{file}: ok"))
        else:
            template = _("{file}: {findings} — {summary}") if self.summary else _("{file}: {findings}")
        parts.append(template.format(file=self.file, summary=self.summary, findings=summarize(self.diagnostics)))
        return "\n".join(parts)


class Ruleset:
    """A built ruleset. Build problems are kept and reported again by `check()`."""

    def __init__(self, model: Model, file: str, sources: dict[str, str],
                 build_diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        self.model = model
        self.file = file
        self.sources = sources
        self._build_diagnostics = build_diagnostics

    def __repr__(self) -> str:
        return f"<Ruleset {self.model.meta.title!r} from {self.file}>"

    @functools.cached_property
    def _report(self) -> CheckReport:
        found = list(self._build_diagnostics) + checker.check(self.model)
        return CheckReport(self.file, tuple(sort_diagnostics(found)), checker.summary(self.model), self.sources)

    def check(self) -> CheckReport:
        return self._report

    @functools.cached_property
    def _headers(self) -> HeaderIndex:
        """Every header this ruleset answers to, built once: `score([unit])` called per unit reuses it."""
        from parrules.data.headers import HeaderIndex

        return HeaderIndex(self.model)

    @functools.cached_property
    def plan(self) -> Plan:
        """The compiled scoring plan; refuses a ruleset that has errors."""
        report = self.check()
        if not report.ok:
            raise RulesetError(report.errors, self.sources)
        from parrules.compile import compile_model

        return compile_model(self.model)

    def read_data(self, path: str | Path, *, decimal_comma: bool = False, sheet: str | None = None,
                  percent_fractions: bool = False) -> list[UnitRecord]:
        """Read and validate a CSV, JSON or XLSX data file; raises `DataError` listing every problem."""
        from parrules.data import read_data

        return read_data(Path(path), self.model, decimal_comma=decimal_comma, sheet=sheet,
                         percent_fractions=percent_fractions)

    def validate_file(self, path: str | Path, *, decimal_comma: bool = False, sheet: str | None = None,
                      percent_fractions: bool = False) -> DataReport:
        """Every problem and warning in a data file, including inputs a unit needs but lacks.

        Never raises for a problem in the file: the report says what is wrong.
        """
        from parrules.data import validate_data

        return self._complete(validate_data(Path(path), self.model, decimal_comma=decimal_comma, sheet=sheet,
                                            percent_fractions=percent_fractions))[0]

    def score_file(self, path: str | Path, *, decimal_comma: bool = False, sheet: str | None = None,
                   percent_fractions: bool = False, progress: Callable[[int, int], None] | None = None) -> Results:
        """Validate and score a data file (.csv, .json, .xlsx); raises `DataError` with every problem.

        Nothing is scored unless the whole file is clean. `sheet` names an `.xlsx` worksheet;
        `percent_fractions` says the file writes percentages as fractions of 1 (0.85 for 85 %).
        The results carry the warnings reading the file gave (`results.warnings`).
        `progress(done, total)`, if given, is called as units are scored (every hundred units and at
        the last), for a progress bar; it is not called for the reading of the file.
        """
        from parrules.data import validate_data

        return self._scored(validate_data(Path(path), self.model, decimal_comma=decimal_comma, sheet=sheet,
                                          percent_fractions=percent_fractions), progress)

    def score(self, records: Iterable[UnitRecord | Mapping[str, object]] | DataFrameLike, *,
              decimal_comma: bool = False, percent_fractions: bool = False,
              progress: Callable[[int, int], None] | None = None) -> Results:
        """Score every unit; raises `DataError` listing every problem and scoring nothing if any.

        `records` are dicts of column → value, or a pandas or polars DataFrame (its columns are the
        headers; NaN, None, `pd.NA` and nulls are blanks; an index named `unit` is the unit column).
        They are validated like a data file (a `UnitRecord` made by hand is checked again); the
        results carry the warnings that gave (`results.warnings`), as `score_file` does;
        `progress(done, total)` hears how far scoring is, as with `score_file`.
        """
        from parrules.data import validate_mappings

        return self._scored(validate_mappings(records, self.model, decimal_comma=decimal_comma,
                                              percent_fractions=percent_fractions, headers=self._headers), progress)

    def _scored(self, read: DataReport, progress: Callable[[int, int], None] | None = None) -> Results:
        report, results = self._complete(read, progress)
        if results is None or not report.ok:
            raise DataError(report.diagnostics)
        return attrs.evolve(results, warnings=tuple(report.warnings))

    def _complete(self, report: DataReport,
                  progress: Callable[[int, int], None] | None = None) -> tuple[DataReport, Results | None]:
        """Score the rows that read cleanly, adding what only scoring finds (a missing input a unit needs).

        Rows with a bad cell are not in `report.records`, so no problem is reported twice.
        """
        from parrules.data import DataReport
        from parrules.evaluate import evaluate

        try:
            results = evaluate(self.plan, list(report.records), progress)
        except DataError as exc:
            found = sorted([*report.diagnostics, *exc.diagnostics], key=data_order)
            return DataReport(report.records, tuple(found)), None
        return report, results


def _looks_like_text(source: str) -> bool:
    return "\n" in source or "{" in source


def load(source: str | Path) -> Ruleset:
    """Load a ruleset from a path or from `.par` text; raises `RulesetError` if it cannot be built."""
    if isinstance(source, Path) or not _looks_like_text(source):
        path = Path(source)
        text, problem = read_ruleset_file(path)
        if text is None:
            assert problem is not None
            raise RulesetError([problem])
        return _from_text(text, str(path), path.parent)
    return _from_text(source, "<text>", None)


def load_text(text: str, file: str = "<text>") -> Ruleset:
    return _from_text(text, file, None)


def _from_text(text: str, file: str, root: Path | None) -> Ruleset:
    built = build_source(text, file, root)
    if built.model is None:
        raise RulesetError(list(built.diagnostics), built.sources)
    return Ruleset(built.model, file, built.sources, built.diagnostics)


def check_file(path: str | Path) -> CheckReport:
    """Check one ruleset file; never raises for a problem in the file."""
    path = Path(path)
    text, problem = read_ruleset_file(path)
    if text is None:
        assert problem is not None
        return CheckReport(str(path), (problem,), None, {})
    built = build_source(text, str(path), path.parent)
    if built.model is None:
        return CheckReport(str(path), tuple(sort_diagnostics(built.diagnostics)), None, built.sources)
    return Ruleset(built.model, str(path), built.sources, built.diagnostics).check()
