"""Matching headers to a ruleset's declarations and typing every cell."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Literal, TypeAlias

from attrs import frozen

from parrules.data.messages import CellError, M, Sink
from parrules.data.readers import Cell, RawRow, RawTable
from parrules.data.records import (
    GROUP_HEADERS,
    IGNORED_HEADERS,
    MAX_HEADERS,
    NO_WORDS,
    UNIT_HEADERS,
    YES_WORDS,
    UnitRecord,
)
from parrules.data.text import nfc, text_key
from parrules.display import has_control, printable
from parrules.i18n import N_, _
from parrules.limits import (
    MAX_CELL_CHARS,
    MAX_FRACTION_DIGITS,
    MAX_INTEGER_DIGITS,
    PLAIN_NUMBER,
    within_number_limits,
)
from parrules.model import Choice, Count, Declaration, Model, Percent, Points, Value, YesNo

Role: TypeAlias = Literal["unit", "group", "max", "skip", "value"]


@frozen
class _Target:
    """What a column fills: a reserved column, or a declaration (at a stage other than the official)."""

    role: Role
    name: str | None = None
    stage: str | None = None

    @property
    def key(self) -> str:
        if self.name is None:
            return self.role
        return self.name if self.stage is None else f"{self.name}@{self.stage}"


@frozen
class _Column:
    index: int
    header: str
    header_row: int | None
    target: _Target


@frozen
class _Layout:
    """One table's columns once resolved, shared by all its rows."""

    columns: list[_Column]
    unit: _Column | None
    headers: dict[str, str]  # target key → the user's header, blank or not: the evaluator names it
    fractions: dict[int, _FractionWatch]  # percent columns by index
    plan: list[tuple[_Column, Role, str, Declaration | None, str | None, _FractionWatch | None]]


class Validator:
    """Types one table's cells against a model's declarations, reporting into a sink."""

    def __init__(self, model: Model, sink: Sink, *, decimal_comma: bool, percent_fractions: bool = False) -> None:
        self.sink = sink
        self.decimal_comma = decimal_comma
        self.percent_fractions = percent_fractions  # bare values in percent columns are fractions of 1
        self.declarations = {d.name: d for d in (*model.attributes, *model.inputs)}
        official = model.official_stage()
        self.official = official.name if official is not None else None
        self.stage_names = [s.name for s in model.stages]
        self.index: dict[str, set[_Target]] = defaultdict(set)
        self.shown: dict[str, str] = {}  # key → how to show it in a "did you mean"
        reserved: tuple[tuple[Role, tuple[str, ...]], ...] = (
            ("unit", UNIT_HEADERS), ("group", GROUP_HEADERS), ("max", MAX_HEADERS), ("skip", IGNORED_HEADERS))
        for role, aliases in reserved:
            for alias in aliases:
                self._enter(alias, _Target(role))
        for decl in self.declarations.values():
            self._enter(decl.name, _Target("value", decl.name))
            if decl.title:
                self._enter(decl.title, _Target("value", decl.name))
        self.stages: dict[str, set[str]] = defaultdict(set)
        for stage in model.stages:
            self.stages[text_key(stage.name)].add(stage.name)
            if stage.title:
                self.stages[text_key(stage.title)].add(stage.name)
        for decl in self.declarations.values():
            if isinstance(decl.type, Points):
                for stage in model.stages:
                    self.shown[text_key(f"{decl.name}@{stage.name}")] = f"{decl.name}@{stage.name}"
        self.expected = {name: _expected(decl) for name, decl in self.declarations.items()}
        self.bounds = {name: _bounds(decl) for name, decl in self.declarations.items()}
        self.defaults = {d.name: d.default for d in self.declarations.values() if d.default is not None}
        self.limits = {d.name: d.at_most for d in self.declarations.values() if d.at_most is not None}
        self.parsers = {name: self._parser(decl) for name, decl in self.declarations.items()}
        self._deletions: defaultdict[str, set[str]] | None = None
        self._suggestion_work = 0

    def _enter(self, text: str, target: _Target) -> None:
        key = text_key(text)
        self.index[key].add(target)
        self.shown.setdefault(key, nfc(text))

    # ---- headers ----

    def columns(self, table: RawTable) -> list[_Column]:
        found: list[_Column] = []
        # The declarations some column names (a staged column too): a misspelt header of one of these
        # is a stray copy, not the unit's only value.
        self.read = {t.name for raw in table.header if len(raw) <= MAX_CELL_CHARS
                     for t in self.index.get(text_key(raw).rpartition("@")[0] or text_key(raw), ())
                     if t.role == "value"}
        for i, raw in enumerate(table.header):
            header, where = nfc(raw), table.header_rows[i]
            if len(raw) > MAX_CELL_CHARS:
                self.sink.add(M.HEADER_TOO_LONG, row=where, length=len(raw))
                continue
            if not header:
                if any(not _blank(row.cells[i]) for row in table.rows):
                    self.sink.add(M.UNNAMED_COLUMN, row=where, column=_("column {position}").format(position=i + 1),
                                  position=i + 1)
                continue
            target = self._resolve(header, where)
            if target is not None:
                found.append(_Column(i, header, where, target))
        by_target: dict[_Target, list[_Column]] = defaultdict(list)
        for column in found:
            by_target[column.target].append(column)
        kept: list[_Column] = []
        for target, same in by_target.items():
            if target.role != "skip" and len(same) > 1:
                self.sink.add(M.REPEATED_COLUMN, row=same[1].header_row, column=same[1].header,
                              headers=", ".join(f"`{c.header}`" for c in same), target=f"`{target.key}`")
            kept.append(same[0])  # read the first, so its cells are still checked
        return sorted(kept, key=lambda c: c.index)

    def _resolve(self, header: str, where: int | None) -> _Target | None:
        key = text_key(header)
        found = self.index.get(key, set())
        if len(found) > 1 and header in self.declarations:
            found = {_Target("value", header)}  # the exact declared name is never ambiguous
        if len(found) == 1:
            return next(iter(found))
        if found:
            self._ambiguous(header, where, found)
            return None
        if "@" in key:
            return self._resolve_staged(header, key, where)
        self._unknown(header, key, where)
        return None

    def _resolve_staged(self, header: str, key: str, where: int | None) -> _Target | None:
        left, _at, right = key.rpartition("@")
        found = {t for t in self.index.get(left.strip(), set()) if t.role == "value"}
        if len(found) > 1:
            self._ambiguous(header, where, found)
            return None
        if not found:
            near = [self.shown[k] for k in self._one_edit_away(left.strip())
                    if any(t.role == "value" for t in self.index[k])]
            if near:  # a stage's points under a misspelt name would be lost
                self.sink.add(M.MISSPELT_COLUMN, row=where, column=header, header=header,
                              suggestion="`, `".join(f"{n}@{right.strip()}" for n in near))
                return None
            self._unknown(header, key, where)
            return None
        name = next(iter(found)).name
        assert name is not None
        decl = self.declarations[name]
        stages = self.stages.get(right.strip(), set())
        near_stages = sorted({s for k in self.stages if one_edit(k, right.strip()) for s in self.stages[k]})
        if not stages and near_stages and isinstance(decl.type, Points):
            self.sink.add(M.MISSPELT_COLUMN, row=where, column=header, header=header,
                          suggestion="`, `".join(f"{name}@{s}" for s in near_stages))
            return None
        if not stages:
            self.sink.add(M.UNKNOWN_STAGE if self.stage_names else M.UNKNOWN_STAGE_NONE, row=where, column=header,
                          header=header, stage=right.strip(), stages=", ".join(self.stage_names))
            return None
        if len(stages) > 1:
            self._ambiguous(header, where, {_Target("value", name, s) for s in stages})
            return None
        if not isinstance(decl.type, Points):
            self.sink.add(M.NOT_STAGED, row=where, column=header, header=header, name=name,
                          type=decl.type.describe())
            return None
        stage = next(iter(stages))
        # The official stage is what `values` holds, so `p@official` and a plain `p` are the same column.
        return _Target("value", name, None if stage == self.official else stage)

    def _ambiguous(self, header: str, where: int | None, found: set[_Target]) -> None:
        matches = ", ".join(sorted(f"`{t.key}`" for t in found))
        self.sink.add(M.AMBIGUOUS_COLUMN, row=where, column=header, header=header, matches=matches)

    def _unknown(self, header: str, key: str, where: int | None) -> None:
        """An unknown column: a warning, except one a letter away from an input no column gives.

        Ignoring `late_reprots` would let the default of `late_reports` stand in for the unit's real
        value and silently drop a penalty: that is an error, naming what it probably means.
        """
        misspelt = sorted({self.shown[k] for k in self._one_edit_away(key)
                           if any(t.name not in self.read for t in self.index[k] if t.role == "value")})
        if misspelt:
            self.sink.add(M.MISSPELT_COLUMN, row=where, column=header, header=header,
                          suggestion="`, `".join(misspelt))
            return
        near = []
        if self._suggestion_work < _SUGGESTION_BUDGET:  # a hint only: a sheet of thousands of stray columns stays quick
            self._suggestion_work += len(self.shown)
            near = difflib.get_close_matches(key, list(self.shown), n=1, cutoff=0.75)
        if near:
            self.sink.add(M.UNKNOWN_COLUMN_NEAR, row=where, column=header, header=header,
                          suggestion=self.shown[near[0]])
        else:
            self.sink.add(M.UNKNOWN_COLUMN, row=where, column=header, header=header)

    def _one_edit_away(self, key: str) -> list[str]:
        """The known keys one edit from `key`, found through their one-deletion variants (not by trying all)."""
        if self._deletions is None:  # built on the first unknown column only
            self._deletions = defaultdict(set)
            for known in self.index:
                for variant in _deletions(known) if len(known) <= _INDEXED_LENGTH else ():
                    self._deletions[variant].add(known)
        near = {k for variant in _deletions(key) for k in self._deletions.get(variant, ())}
        if len(key) >= _INDEXED_LENGTH:  # long titles are few: compared one by one
            near |= {k for k in self.index if len(k) > _INDEXED_LENGTH and abs(len(k) - len(key)) <= 1}
        return sorted(k for k in near if one_edit(k, key))

    # ---- rows ----

    def run(self, table: RawTable) -> list[UnitRecord]:
        if not table.header and not table.rows:
            self.sink.add(M.EMPTY)
            return []
        columns = self.columns(table)
        unit_column = next((c for c in columns if c.target.role == "unit"), None)
        if unit_column is None:
            self.sink.add(M.NO_UNIT_COLUMN, row=table.header_rows[0] if table.header_rows else None)
        elif not table.rows and not self.sink.file_broken:
            self.sink.add(M.EMPTY, row=unit_column.header_row)
        fractions = {c.index: _FractionWatch() for c in columns
                     if c.target.name is not None and isinstance(self.declarations[c.target.name].type, Percent)
                     and not self.percent_fractions}
        # What each column does, worked out once for the table rather than for every cell.
        plan = [(c, c.target.role, c.target.key,
                 self.declarations[c.target.name] if c.target.name is not None else None,
                 c.target.stage, fractions.get(c.index))
                for c in columns if c.target.role not in ("unit", "skip")]
        layout = _Layout(columns, unit_column,
                         {c.target.key: c.header for c in columns if c.target.role != "skip"}, fractions, plan)
        first_row: dict[str, int] = {}
        records: list[UnitRecord] = []
        for row in table.rows:
            record = self._row(row, layout, first_row)
            if record is not None:
                records.append(record)
        for column in columns:
            watch = layout.fractions.get(column.index)
            if watch is not None and watch.example is not None and watch.all_small:
                self.sink.add(M.PERCENT_AS_FRACTION, row=column.header_row, column=column.header,
                              header=column.header, value=_show(watch.example))
        return records

    def _row(self, row: RawRow, layout: _Layout, first_row: dict[str, int]) -> UnitRecord | None:
        unit = self._unit(row, layout.unit, first_row)
        values: dict[str, Value] = {}
        stage_values: dict[str, dict[str, Value]] = {}
        failed: set[str] = set()
        unit_max: Decimal | None = None
        group: str | None = None
        cells = row.cells
        for column, role, key, decl, stage, watch in layout.plan:
            cell = cells[column.index]
            if isinstance(cell, str):
                if len(cell) > MAX_CELL_CHARS:
                    self.sink.add(M.CELL_TOO_LONG, row=row.number, column=column.header, unit=unit,
                                  length=len(cell))
                    failed.add(key)
                    continue
                if not cell.isprintable() and has_control(cell):  # isprintable: the quick test, in C
                    self.sink.add(M.CONTROL_CHARACTER, row=row.number, column=column.header, unit=unit,
                                  value=_show(printable(cell)))
                    failed.add(key)
                    continue
                cell = nfc(cell) or None
            if cell is None:
                continue
            try:
                if decl is not None:
                    value = self._value(decl, cell)
                    (values if stage is None else stage_values.setdefault(stage, {}))[decl.name] = value
                    # Only a value written without `%` could be a fraction of 1.
                    if watch is not None and isinstance(value, Decimal) and not (
                            isinstance(cell, str) and cell.endswith("%")):
                        watch.see(value)
                elif role == "group":
                    group = _one_line(_text(cell))
                else:
                    unit_max = self._max(cell)
            except CellError as bad:
                self.sink.add_cell(bad, row.number, column.header, unit)
                failed.add(key)
        for name, default in self.defaults.items():
            # A declared default stands in for a blank cell or a missing column (never for a bad cell).
            if name not in values and name not in failed:
                values[name] = default
        if self.limits:
            self._check_at_most(row, unit, values, stage_values, layout.headers)
        if unit is None:
            return None
        return UnitRecord(unit, row.number, values, stage_values, unit_max, group, self.sink.file,
                          dict(layout.headers))

    def _unit(self, row: RawRow, column: _Column | None, first_row: dict[str, int]) -> str | None:
        if column is None:
            return None  # already reported once for the whole file
        cell = row.cells[column.index]
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            self.sink.add(M.CELL_TOO_LONG, row=row.number, column=column.header, length=len(cell))
            return None
        if isinstance(cell, str) and has_control(cell):
            self.sink.add(M.CONTROL_CHARACTER, row=row.number, column=column.header, value=_show(printable(cell)))
            return None
        # A line break typed in a name cell (Alt+Enter) is a space: "UBND huyện⏎Sìn Hồ" is one name.
        name = _one_line(nfc(_text(cell))) if cell is not None else ""
        if not name:
            self.sink.add(M.MISSING_UNIT, row=row.number, column=column.header)
            return None
        key = text_key(name)
        if key in first_row:
            self.sink.add(M.DUPLICATE_UNIT, row=row.number, column=column.header, value=_show(name),
                          first=first_row[key])
        else:
            first_row[key] = row.number
        return name

    def _check_at_most(self, row: RawRow, unit: str | None, values: dict[str, Value],
                       stage_values: dict[str, dict[str, Value]], headers: dict[str, str]) -> None:
        for name, other in self.limits.items():
            scopes: list[tuple[str | None, dict[str, Value]]] = [(None, values)]
            scopes += [(s, {**values, **given}) for s, given in stage_values.items()
                       if name in given or other in given]
            for stage, env in scopes:
                value, limit = env.get(name), env.get(other)
                if isinstance(value, Decimal) and isinstance(limit, Decimal) and value > limit:
                    key = name if stage is None else f"{name}@{stage}"
                    column = headers.get(key) or headers.get(name) or name
                    self.sink.add(M.ABOVE_OTHER, row=row.number, column=column, unit=unit, name=name,
                                  value=_show(value), other=other, other_value=_show(limit))

    # ---- cells ----

    def _value(self, decl: Declaration, cell: str | Decimal | bool) -> Value:
        return self.parsers[decl.name](cell)

    def _parser(self, decl: Declaration) -> Callable[[str | Decimal | bool], Value]:
        """How one declaration's cells are read, decided once (a few hundred thousand cells follow)."""
        kind = decl.type
        expected = self.expected[decl.name]
        if isinstance(kind, YesNo):
            return _yes_no
        if isinstance(kind, Choice):
            return lambda cell: _choice(kind, cell, expected)
        is_percent, is_count = isinstance(kind, Percent), isinstance(kind, Count)
        low, high = self.bounds[decl.name]
        out_of_range = M.PERCENT_OUT_OF_RANGE if is_percent else M.OUT_OF_RANGE
        fractions = is_percent and self.percent_fractions
        if fractions:
            out_of_range = M.FRACTION_OUT_OF_RANGE

        def number(cell: str | Decimal | bool) -> Value:
            value = self._number(cell, expected, percent=is_percent)
            if fractions and not (isinstance(cell, str) and cell.endswith("%")):
                value = value * 100  # a fraction of 1, as the file says: 0.85 is 85 %
            if is_count:
                whole = value.to_integral_value()
                if whole != value:
                    raise CellError(M.NOT_WHOLE, value=_show(cell), expected=expected)
                value = whole
            if (low is not None and value < low) or (high is not None and value > high):
                raise CellError(out_of_range, value=_show(cell), expected=expected)
            return value

        return number

    def _max(self, cell: str | Decimal | bool) -> Decimal:
        try:
            number = self._number(cell, _("a number above 0"), percent=False)
        except CellError as bad:
            if bad.problem is M.DECIMAL_COMMA:
                raise
            raise CellError(M.BAD_MAX, value=_show(cell)) from None
        if number <= 0:
            raise CellError(M.BAD_MAX, value=_show(cell))
        return number

    def _number(self, cell: str | Decimal | bool, expected: str, *, percent: bool) -> Decimal:
        if isinstance(cell, Decimal):  # a JSON number or a library value: exact, no separators to interpret
            if not within_number_limits(cell):
                raise CellError(M.NUMBER_TOO_LONG, value=_short(cell), **_DIGIT_LIMITS)
            return cell
        value = self._read_number(cell, expected, percent=percent)
        # Most cells are short, and 15 characters cannot break either limit: one length check for them.
        if isinstance(cell, str) and len(cell) > MAX_INTEGER_DIGITS and not within_number_limits(value):
            raise CellError(M.NUMBER_TOO_LONG, value=_show(cell), **_DIGIT_LIMITS)
        return value

    def _read_number(self, cell: str | bool, expected: str, *, percent: bool) -> Decimal:
        if isinstance(cell, bool):
            raise CellError(M.NOT_A_NUMBER, value=_show(cell), expected=expected)
        text = cell.replace("\u2212", "-")  # the typographic minus sign (−) is unambiguous
        if percent and text.endswith("%"):
            text = text[:-1].rstrip()
        if self.decimal_comma:
            if _COMMA_NUMBER.fullmatch(text):
                return Decimal(text.replace(",", "."))
        elif _DOT_NUMBER.fullmatch(text):
            return Decimal(text)
        elif _COMMA_NUMBER.fullmatch(text):
            raise CellError(M.DECIMAL_COMMA, value=_show(cell))
        if text.startswith("#"):
            raise CellError(M.SPREADSHEET_ERROR, value=_show(cell), expected=expected)
        problem = M.NOT_A_NUMBER_COMMA if self.decimal_comma else M.NOT_A_NUMBER
        raise CellError(problem, value=_show(cell), expected=expected)


# Plain decimals only: no exponents, no NaN, no thousands separators (re.ASCII: no other digits).
_DOT_NUMBER = PLAIN_NUMBER
_COMMA_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:,[0-9]*)?|,[0-9]+)", re.ASCII)
_DIGIT_LIMITS = {"integer": MAX_INTEGER_DIGITS, "fraction": MAX_FRACTION_DIGITS}  # NUMBER_TOO_LONG's hint
_YES = frozenset(text_key(w) for w in YES_WORDS)
_NO = frozenset(text_key(w) for w in NO_WORDS)


class _FractionWatch:
    """Whether a percent column's bare values (written without `%`) all lie in [0, 1], one above 0.

    Such a column reads two ways: 0.85 may be 85 % stored as a fraction (Excel's own way) or 0.85 %,
    and a column of 1s may be 100 % or 1 %. parrules never guesses: it is an error (DAT117).
    """

    def __init__(self) -> None:
        self.all_small = True
        self.example: Decimal | None = None

    def see(self, value: Decimal) -> None:
        if not 0 <= value <= 1:
            self.all_small = False
        elif value != 0 and (self.example is None or self.example == self.example.to_integral_value()):
            self.example = value  # a fraction such as 0.85 shows the problem best; 1 only if nothing else


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: str | Decimal | bool) -> str:
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)


def _one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ").strip()


def _short(value: Decimal) -> str:
    """A number as quoted in a message, without printing a billion digits of 1e999999999."""
    if value.is_finite() and abs(value.adjusted()) < 60:
        return f"{value:f}"
    return str(value)


_SUGGESTION_BUDGET = 100_000  # names compared for "did you mean" hints, over one file
_INDEXED_LENGTH = 64  # keys up to this long are indexed by their one-deletion variants


def _deletions(text: str) -> set[str]:
    """`text` and every string one character shorter: two strings one edit apart share one of these."""
    return {text, *(text[:i] + text[i + 1:] for i in range(len(text)))}


def one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one change: a letter replaced, added, removed, or two swapped."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1:]


def _show(value: object) -> str:
    """A value as quoted in a message, cut short so one odd cell cannot flood the report."""
    text = _text(value) if isinstance(value, str | Decimal | bool) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _yes_no(cell: str | Decimal | bool) -> bool:
    if isinstance(cell, bool):
        return cell
    key = text_key(_text(cell))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(M.BAD_YES_NO, value=_show(cell))


def _choice(kind: Choice, cell: str | Decimal | bool, expected: str) -> str:
    key = text_key(_text(cell))
    for option in kind.options:  # names first: a title never hides another option's name
        if text_key(option.name) == key:
            return option.name
    for option in kind.options:
        if option.title is not None and text_key(option.title) == key:
            return option.name
    raise CellError(M.UNKNOWN_CHOICE, value=_show(cell), expected=expected)


def _bounds(decl: Declaration) -> tuple[Decimal | None, Decimal | None]:
    if isinstance(decl.type, Percent):
        return (Decimal(0) if decl.low is None else decl.low, Decimal(100) if decl.high is None else decl.high)
    if isinstance(decl.type, Count):
        return (Decimal(0) if decl.low is None else max(decl.low, Decimal(0)), decl.high)
    return decl.low, decl.high


# What a column expects, as its messages say it: one whole phrase per kind of value and bound.
_EXPECTED = {
    "percent": {"both": N_("a percentage from {low} to {high}"), "low": N_("a percentage of {low} or more"),
                "high": N_("a percentage of at most {high}"), "none": N_("a percentage")},
    "count": {"both": N_("a whole number from {low} to {high}"), "low": N_("a whole number of {low} or more"),
              "high": N_("a whole number of at most {high}"), "none": N_("a whole number")},
    "points": {"both": N_("points from {low} to {high}"), "low": N_("points of {low} or more"),
               "high": N_("points of at most {high}"), "none": N_("points")},
    "number": {"both": N_("a number from {low} to {high}"), "low": N_("a number of {low} or more"),
               "high": N_("a number of at most {high}"), "none": N_("a number")},
}


def _expected(decl: Declaration) -> str:
    kind = decl.type
    if isinstance(kind, YesNo):
        return _("yes or no")
    if isinstance(kind, Choice):
        return _("one of {choices}").format(choices=", ".join(
            f"{o.name} ({o.title})" if o.title else o.name for o in kind.options))
    low, high = _bounds(decl)
    what = ("percent" if isinstance(kind, Percent) else "count" if isinstance(kind, Count)
            else "points" if isinstance(kind, Points) else "number")
    bound = ("both" if low is not None and high is not None else "low" if low is not None
             else "high" if high is not None else "none")
    return _(_EXPECTED[what][bound]).format(low=f"{low:f}" if low is not None else "",
                                            high=f"{high:f}" if high is not None else "")
