"""Rule authors' test cases for a ruleset, and the branch coverage they reach (`parrules test`).

A test file is a data file like any other (CSV, JSON or an Excel workbook, read by the readers of
`parrules.data`): one row per case, the unit column naming the case, attributes and inputs as in
unit data, and expectation columns headed `expect TARGET`, where TARGET is a node id (`expect 1.2`),
a bonus or penalty id (`expect B1`), or one of `total`, `index`, `class`, `max` and `group` (also
in Vietnamese: `tổng điểm`, `chỉ số`, `xếp loại`, `điểm tối đa`, `nhóm`). An empty expectation cell
is not checked; `n/a` (or `không áp dụng`) expects the node not to apply. Columns headed `note`,
`ghi chú`, … hold the author's reasoning and are not read.

The expectation and note columns are taken out before the data is validated, so the rest of the
file is read exactly as `parrules score` reads unit data. Each case is then scored on its own: a case
whose data has a problem is reported, located, and counts as failed; the others still run.

Expected figures are compared exactly, as decimals, with the published ones: a node's points
rounded as the ruleset rounds points, the total and the index as published (`0.50` equals `0.5`);
a class or a group by its name (NFC). Why a node got its points is `parrules.explain`'s text.

Coverage counts the branches of the ruleset that the cases take: each step and line of a rule and
its `otherwise`, both sides of `zero below`, a deduction that takes nothing, takes some, or reaches
its `floor`, `full unless` full and each of its conditions, a rule with one way only (`given`, a
formula), both outcomes of `applies if`, a bonus or penalty given and not, each class and each
group line. Excluded nodes (`exclude … because`) are not counted: no unit can reach them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Literal, TypeAlias

from attrs import frozen

from parrules import model as m
from parrules import vocabulary as words
from parrules.api import Ruleset
from parrules.data.messages import M, Problem, Sink
from parrules.data.readers import Cell, RawRow, RawTable, read_csv, read_json, table_from_mappings
from parrules.data.records import UNIT_HEADERS, UnitRecord
from parrules.data.text import nfc, text_key
from parrules.data.validate import Validator, one_edit
from parrules.diagnostics import DataError, Diagnostic, Findings, render_all
from parrules.explain import explain, show_value
from parrules.explanation import ExplainedNode, Explanation
from parrules.format import expr as expr_text
from parrules.format import rule_text
from parrules.i18n import N_, _, n_, number
from parrules.limits import PLAIN_NUMBER
from parrules.report.numbers import plain, plain_max
from parrules.results import NodeResult, Results, UnitResult

TargetKind: TypeAlias = Literal["node", "extra", "total", "index", "class", "max", "group"]

# The figures of a unit an `expect` column may name besides nodes, in English and in Vietnamese.
WORDS: dict[str, TargetKind] = {
    "total": "total", "tổng điểm": "total", "index": "index", "chỉ số": "index", "class": "class",
    "xếp loại": "class", "max": "max", "điểm tối đa": "max", "group": "group", "nhóm": "group",
}
NOT_APPLICABLE_WORDS = ("n/a", "không áp dụng")
NOTE_HEADERS = ("note", "notes", "comment", "comments", "ghi chú", "diễn giải")
_EXPECT = re.compile(r"(?i)expect(?:ed)?(?:\s*:\s*|\s+)(.+)")  # expect 1.2, expect: 1.2
_COMMA_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:,[0-9]*)?|,[0-9]+)", re.ASCII)
HUNDRED = Decimal(100)

UNKNOWN_TARGET = Problem(
    "DAT132", "error",
    N_("column `{header}`: `{target}` is not a node of the ruleset, nor a bonus or penalty, nor total, index, "
       "class, max or group"),
    N_("did you mean `expect {suggestion}`?"))
UNKNOWN_TARGET_FAR = Problem(
    "DAT132", "error", UNKNOWN_TARGET.message,
    N_("write `expect` and a node id as the ruleset writes it (`expect 1.2`), or `expect total`, `expect index`, "
       "`expect class`, `expect max`, `expect group`"))
MISSPELT_EXPECT = Problem(
    "DAT132", "error", N_("column `{header}` looks like an expectation, but its first word is not `expect`"),
    N_("did you mean `{suggestion}`? As it is, the column would be ignored and nothing checked"))
NOT_AN_EXPECTED_NUMBER = N_("a number, or n/a where the node does not apply")


# ---- the test file ------------------------------------------------------------------------------------


@frozen
class Target:
    """What an `expect` column checks, and where its header is."""

    kind: TargetKind
    id: str | None  # the node's or the bonus's id
    header: str
    column: int
    header_row: int | None

    @property
    def label(self) -> str:
        """How a failure names the target: the id, or the word as the header writes it."""
        return self.id if self.id is not None else self.kind


@frozen
class Expected:
    """One expectation cell: a number, a name (class, group), or `n/a`."""

    target: Target
    shown: str  # as written in the cell
    number: Decimal | None = None
    name: str | None = None
    not_applicable: bool = False


@frozen
class Case:
    """One row of a test file: its name, where it is, and what it expects."""

    name: str
    row: int
    expected: tuple[Expected, ...]


@frozen
class CaseFile:
    """A test file once read: its cases, the records of those whose data reads cleanly, and problems.

    `problems` are the file's own (its shape, its headers); a case's own problems are in `case_problems`.
    """

    file: str
    cases: tuple[Case, ...]
    records: dict[int, UnitRecord]  # by row
    problems: tuple[Diagnostic, ...]
    case_problems: dict[int, tuple[Diagnostic, ...]]


def read_cases(path: Path | str, ruleset: Ruleset, *, decimal_comma: bool = False, sheet: str | None = None,
               percent_fractions: bool = False) -> CaseFile:
    """Read a test file (.csv, .json, .xlsx); never raises for a problem in the file."""
    path = Path(path)
    sink = Sink(str(path))
    table = _read_table(path, sink, sheet)
    return _cases(table, sink, ruleset.model, decimal_comma=decimal_comma, percent_fractions=percent_fractions)


def cases_from_rows(rows: Iterable[Mapping[str, object]], ruleset: Ruleset, *, decimal_comma: bool = False,
                    percent_fractions: bool = False) -> CaseFile:
    """Test cases given as rows (column → value), read exactly as a test file; rows are numbered from 1."""
    sink = Sink("<records>")
    table = table_from_mappings(rows, sink)
    return _cases(table, sink, ruleset.model, decimal_comma=decimal_comma, percent_fractions=percent_fractions)


def _read_table(path: Path, sink: Sink, sheet: str | None) -> RawTable | None:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from parrules.data.xlsx import read_xlsx  # openpyxl is loaded only for workbooks

        return read_xlsx(path, sink, sheet)
    if suffix == ".csv":
        return read_csv(path, sink)
    if suffix == ".json":
        return read_json(path, sink)
    if path.suffix:
        sink.add(M.UNKNOWN_FORMAT, suffix=path.suffix)
    else:
        sink.add(M.NO_EXTENSION)
    return None


def _cases(table: RawTable | None, sink: Sink, model: m.Model, *, decimal_comma: bool,
           percent_fractions: bool) -> CaseFile:
    if table is None:
        return CaseFile(sink.file, (), {}, tuple(sink.report([]).diagnostics), {})
    header_problems = Sink(sink.file)
    targets, kept = _columns(table, model, header_problems)
    data = RawTable(tuple(table.header[i] for i in kept), tuple(table.header_rows[i] for i in kept),
                    tuple(RawRow(r.number, tuple(r.cells[i] for i in kept)) for r in table.rows))
    validator = Validator(model, sink, decimal_comma=decimal_comma, percent_fractions=percent_fractions)
    read = sink.report(validator.run(data))
    cells = Sink(sink.file)
    unit = _unit_cell(table)
    cases = () if sink.file_broken else tuple(_case(row, unit, targets, cells, decimal_comma) for row in table.rows)
    cases = _with_unread_rows(cases, read.diagnostics, set(table.header_rows))
    problems, by_row = _apportion([*read.diagnostics, *cells.found], {case.row for case in cases})
    records = {r.row: r for r in read.records}
    return CaseFile(sink.file, cases, records, (*header_problems.found, *problems), by_row)


def _with_unread_rows(cases: tuple[Case, ...], found: Iterable[Diagnostic],
                      header_rows: set[int | None]) -> tuple[Case, ...]:
    """The cases, and a nameless one for each row the reader could not take apart (more cells than the
    header has): it is a case of the file too, and it fails."""
    if not cases:
        return cases
    rows = {c.row for c in cases}
    unread = sorted({d.row for d in found if d.is_error and d.row is not None and d.row not in rows
                     and d.row not in header_rows})
    return tuple(sorted([*cases, *(Case(_("(no name)"), row, ()) for row in unread)], key=lambda c: c.row))


def _apportion(found: Iterable[Diagnostic],
               rows: set[int]) -> tuple[list[Diagnostic], dict[int, tuple[Diagnostic, ...]]]:
    """The file's own problems (its shape, its headers, every warning), and each case's errors."""
    problems: list[Diagnostic] = []
    by_row: dict[int, list[Diagnostic]] = {}
    for diagnostic in found:
        if diagnostic.is_error and diagnostic.row is not None and diagnostic.row in rows:
            by_row.setdefault(diagnostic.row, []).append(diagnostic)
        else:
            problems.append(diagnostic)
    return problems, {row: tuple(items) for row, items in by_row.items()}


def _unit_cell(table: RawTable) -> int | None:
    keys = {text_key(h) for h in UNIT_HEADERS}
    return next((i for i, header in enumerate(table.header) if text_key(nfc(header)) in keys), None)


def _columns(table: RawTable, model: m.Model, problems: Sink) -> tuple[list[Target], list[int]]:
    """The expectation columns, and the indices of the columns left for the data's validation."""
    declared = {text_key(t) for d in (*model.attributes, *model.inputs) for t in (d.name, d.title) if t}
    notes = {text_key(h) for h in NOTE_HEADERS}
    targets: list[Target] = []
    kept: list[int] = []
    seen: dict[tuple[TargetKind, str | None], Target] = {}
    for i, raw in enumerate(table.header):
        header = " ".join(nfc(raw).split())
        key = text_key(header)
        where = table.header_rows[i]
        if key in declared:
            kept.append(i)
        elif key in notes:
            continue
        elif (found := _EXPECT.fullmatch(header)) is not None:
            target = _target(found.group(1), header, i, where, model=model, problems=problems)
            if target is not None and (target.kind, target.id) in seen:
                first = seen[(target.kind, target.id)]
                problems.add(M.REPEATED_COLUMN, row=where, column=header,
                             headers=f"`{first.header}`, `{header}`", target=f"`{target.label}`")
            elif target is not None:
                seen[(target.kind, target.id)] = target
                targets.append(target)
        elif (suggestion := _near_expect(header)) is not None:
            problems.add(MISSPELT_EXPECT, row=where, column=header, header=header, suggestion=suggestion)
        else:
            kept.append(i)
    return targets, kept


def _near_expect(header: str) -> str | None:
    """The `expect …` header a header probably meant (`expct 1.2`, `expect1.2`), or None."""
    first, _space, rest = header.partition(" ")
    if rest and (one_edit(text_key(first), "expect") or one_edit(text_key(first), "expected")):
        return f"expect {rest}"
    rest = header[len("expect"):].lstrip(":").strip()
    if text_key(header).startswith("expect") and rest and not rest[0].isalpha():
        return f"expect {rest}"
    return None


def _target(text: str, header: str, column: int, where: int | None, *, model: m.Model,
            problems: Sink) -> Target | None:
    nodes = [n.id for n in model.nodes()]
    extras = [x.id for x in model.extras]
    named: tuple[tuple[TargetKind, list[str]], ...] = (("node", nodes), ("extra", extras))
    for kind, ids in named:
        if text in ids:
            return Target(kind, text, header, column, where)
    word = WORDS.get(text_key(text))
    if word is not None:
        return Target(word, None, header, column, where)
    for kind, ids in named:  # `expect s1` for S1: the only id it can be
        same = [i for i in ids if text_key(i) == text_key(text)]
        if len(same) == 1:
            return Target(kind, same[0], header, column, where)
    near = difflib.get_close_matches(text, [*nodes, *extras, "total", "index", "class", "max", "group"], n=1,
                                     cutoff=0.6)
    if near:
        problems.add(UNKNOWN_TARGET, row=where, column=header, header=header, target=text, suggestion=near[0])
    else:
        problems.add(UNKNOWN_TARGET_FAR, row=where, column=header, header=header, target=text)
    return None


def _case(row: RawRow, unit_column: int | None, targets: Sequence[Target], problems: Sink,
          decimal_comma: bool) -> Case:
    cell = row.cells[unit_column] if unit_column is not None else None
    name = " ".join(_cell_text(cell).split()) or _("(no name)")
    expected: list[Expected] = []
    for target in targets:
        found = _expected(row.cells[target.column], target, row.number, name, problems=problems,
                          decimal_comma=decimal_comma)
        if found is not None:
            expected.append(found)
    return Case(name, row.number, tuple(expected))


def _cell_text(cell: Cell) -> str:
    """A cell as text: as written, a number in plain notation, yes or no."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return words.yes_no(cell)
    return nfc(cell) if isinstance(cell, str) else plain(cell)


def _expected(cell: Cell, target: Target, row: int, case: str, *, problems: Sink,
              decimal_comma: bool) -> Expected | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    shown = _cell_text(cell)
    if target.kind in ("class", "group"):
        return Expected(target, shown, name=" ".join(shown.split()))
    if target.kind in ("node", "extra") and text_key(shown) in NOT_APPLICABLE_WORDS:
        return Expected(target, shown, not_applicable=True)
    value = _number(cell, decimal_comma, percent=target.kind == "index")
    if value is not None:
        return Expected(target, shown, number=value)
    if isinstance(cell, str) and not decimal_comma and _COMMA_NUMBER.fullmatch(cell.strip()):
        problems.add(M.DECIMAL_COMMA, row=row, column=target.header, unit=case, value=shown)
    else:
        problems.add(M.NOT_A_NUMBER, row=row, column=target.header, unit=case, value=shown,
                     expected=_(NOT_AN_EXPECTED_NUMBER) if target.kind == "node" else _("a number"))
    return None


def _number(cell: Cell, decimal_comma: bool, *, percent: bool) -> Decimal | None:
    """An expected figure: plain digits (an unrounded index may have 40 of them), never an exponent."""
    if isinstance(cell, Decimal):
        return cell
    if not isinstance(cell, str):
        return None
    text = cell.strip().replace("\u2212", "-")
    if percent and text.endswith("%"):
        text = text[:-1].rstrip()
    if decimal_comma:
        if not _COMMA_NUMBER.fullmatch(text):
            return None
        text = text.replace(",", ".")
    if len(text) > _LONGEST_FIGURE or not PLAIN_NUMBER.fullmatch(text):
        return None
    return Decimal(text)


_LONGEST_FIGURE = 60  # characters: the evaluator's 40 significant digits, a sign, a point and some zeros


# ---- running the cases ----------------------------------------------------------------------------------


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


# ---- coverage ----------------------------------------------------------------------------------------

BranchKind: TypeAlias = Literal[
    "step", "line", "otherwise", "rule", "at_or_above", "below", "nothing_deducted", "deducted",
    "deducted_above_floor", "floor", "full", "condition", "applies", "not_applies", "extra_given",
    "extra_zero", "class", "group",
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
    if isinstance(rule, m.Proportional) and rule.zero_below is not None:
        bound = f"{plain_max(rule.zero_below)}%"
        return [branch("at_or_above", rule.span, whole, value=bound), branch("below", rule.span, whole, value=bound)]
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
        found.add(_rule_taken(node, node.rule, result))
    return found


def _rule_taken(node: m.Node, rule: m.Rule, result: NodeResult) -> Key:
    branch = result.branch or 0
    if isinstance(rule, m.Steps):
        return (node.id, "step", branch) if branch < len(rule.steps) else (node.id, "otherwise", 0)
    if isinstance(rule, m.Table):
        return (node.id, "line", branch) if branch < len(rule.branches) else (node.id, "otherwise", 0)
    if isinstance(rule, m.Proportional) and rule.zero_below is not None:
        return (node.id, "below" if branch == 1 else "at_or_above", 0)
    if isinstance(rule, m.Deduct):
        if branch == 0:
            return (node.id, "nothing_deducted", 0)
        if rule.floor is None:
            return (node.id, "deducted", 0)
        return (node.id, "floor" if result.points == rule.floor else "deducted_above_floor", 0)
    if isinstance(rule, m.FullUnless):
        return (node.id, "full", 0) if branch == 0 else (node.id, "condition", branch - 1)
    return (node.id, "rule", 0)


# ---- as text and as data ------------------------------------------------------------------------------


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


def default_tests(ruleset: Path) -> Path | None:
    """The test file beside a ruleset: `<stem>.tests.csv`, else `<stem>.tests.xlsx`."""
    for suffix in (".csv", ".xlsx"):
        candidate = ruleset.with_name(f"{ruleset.stem}.tests{suffix}")
        if candidate.is_file():
            return candidate
    return None
