"""Problems found in a ruleset or a data file, as data, rendered late.

A `Diagnostic` carries a stable code, a severity, where it is (file, line, column for a ruleset; file,
row and column name for data), a one-line message and a hint. The renderer prints, like rustc and ruff:

    rulesets/x.par:12:5: error PAR301: children of 1.1 add up to 1.5, not its maximum 2
       12 |     criterion 1.1 "Kế hoạch CCHC năm" max 2 {
          |     ^^^^^^^^^
      hint: change a child's maximum, or write `capped` after `max 2` if the parent caps on purpose

Codes are listed in `docs/diagnostics.md`; a code never changes meaning once released.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Literal

from attrs import frozen

from parrules.codes import doc_link
from parrules.display import printable
from parrules.i18n import N_, _, n_
from parrules.model import Span

Severity = Literal["error", "warning"]
SEVERITY = {"error": N_("error"), "warning": N_("warning")}  # as a message line names it


class Findings:
    """What a report of diagnostics answers: clean or not, its errors, its warnings.

    Mixed into the frozen report classes (a ruleset's check, a data file's reading).
    """

    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        """No error (warnings allowed)."""
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


@frozen
class Diagnostic:
    code: str
    severity: Severity
    message: str
    hint: str | None = None
    span: Span | None = None
    # Data problems are located by row and column name instead of line and column.
    file: str | None = None
    row: int | None = None
    column: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def location(self) -> str:
        if self.span is not None:
            return f"{self.span.file}:{self.span.line}:{self.span.column}"
        where = self.file or "<data>"
        if self.row is not None:
            where += ":" + _("row {row}").format(row=self.row)
        if self.column is not None:
            where += f":{self.column}"
        return where

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.span is not None:
            return (self.span.file, self.span.line, self.span.column, self.code)
        return (self.file or "", self.row or 0, 0, self.code)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }
        if self.span is not None:
            out.update(file=self.span.file, line=self.span.line, column=self.span.column,
                       end_line=self.span.end_line, end_column=self.span.end_column)
        else:
            out.update(file=self.file, row=self.row, column=self.column)
        out["doc"] = doc_link(self.code)
        return out


def error(code: str, message: str, hint: str | None = None, span: Span | None = None) -> Diagnostic:
    return Diagnostic(code, "error", message, hint, span)


def warning(code: str, message: str, hint: str | None = None, span: Span | None = None) -> Diagnostic:
    return Diagnostic(code, "warning", message, hint, span)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


def data_order(diagnostic: Diagnostic) -> tuple[int, str, str]:
    """A data file's problems, reading and scoring together, in the order of the file's rows."""
    return (diagnostic.row or 0, diagnostic.column or "", diagnostic.code)


def render(diagnostic: Diagnostic, sources: dict[str, str] | None = None) -> str:
    """The text a person reads: location, code, message, the source line with a caret, the hint."""
    severity = _(SEVERITY[diagnostic.severity])
    lines = [printable(f"{diagnostic.location}: {severity} {diagnostic.code}: {diagnostic.message}")]
    span = diagnostic.span
    if span is not None and sources is not None and span.file in sources and span.line > 0:
        # Lines as the parser counts them: only "\n" ends one (str.splitlines also splits on form
        # feeds and other separators, which would show the wrong line).
        source_lines = _lines(sources[span.file])
        if span.line <= len(source_lines):
            line = source_lines[span.line - 1]
            start = min(span.column, len(line) + 1) - 1  # characters before the span
            end = span.end_column - 1 if span.end_line == span.line and span.end_column > span.column else start + 1
            end = max(start + 1, min(end, len(line)))
            # Tabs are expanded, so the caret goes under the expanded text's columns.
            before = _excerpt(line[:start])
            marked = _excerpt(line[:end])
            number = str(span.line)
            lines.append(f" {number} | {_excerpt(line)}")
            lines.append(f" {' ' * len(number)} | {' ' * len(before)}{'^' * max(1, len(marked) - len(before))}")
    if diagnostic.hint:
        lines.append(printable("  " + _("hint: {hint}").format(hint=diagnostic.hint)))
    return "\n".join(lines)


@functools.lru_cache(maxsize=8)
def _lines(source: str) -> list[str]:
    """A source's lines, split once however many diagnostics point into it."""
    return source.split("\n")


def _excerpt(line: str) -> str:
    """A source line as shown under a message: tabs expanded, every other invisible character as `?`."""
    text = line.expandtabs(4)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def render_all(diagnostics: Sequence[Diagnostic], sources: dict[str, str] | None = None) -> str:
    return "\n".join(render(d, sources) for d in diagnostics)


def summarize(diagnostics: Sequence[Diagnostic]) -> str:
    """`1 error, 2 warnings`, in the reader's language."""
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return _("{errors}, {warnings}").format(
        errors=n_("{count} error", "{count} errors", errors).format(count=errors),
        warnings=n_("{count} warning", "{count} warnings", warnings).format(count=warnings))


class ParrulesError(Exception):
    """A user's ruleset or data has problems; `diagnostics` lists every one."""

    def __init__(self, diagnostics: Sequence[Diagnostic], sources: dict[str, str] | None = None) -> None:
        self.diagnostics = list(diagnostics)
        self.sources = sources or {}
        super().__init__(self.report())

    def report(self) -> str:
        return render_all(self.diagnostics, self.sources)


class RulesetError(ParrulesError):
    """The ruleset cannot be parsed, built or scored from."""


class DataError(ParrulesError):
    """The unit data has problems; nothing was scored."""
