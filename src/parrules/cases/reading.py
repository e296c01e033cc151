"""The test file: reading it into cases (`Target`, `Expected`, `Case`, `CaseFile`), and finding it.

This module owns what an `expect` column may name and how its header and cells are read, how the
expectation and note columns are taken out before the rest is validated as unit data, how a case's own
problems are told apart from the file's, and where a ruleset's test file is looked for by default.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
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
from parrules.diagnostics import Diagnostic
from parrules.figures import plain
from parrules.i18n import N_, _
from parrules.limits import PLAIN_NUMBER

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


def default_tests(ruleset: Path) -> Path | None:
    """The test file beside a ruleset: `<stem>.tests.csv`, else `<stem>.tests.xlsx`."""
    for suffix in (".csv", ".xlsx"):
        candidate = ruleset.with_name(f"{ruleset.stem}.tests{suffix}")
        if candidate.is_file():
            return candidate
    return None
