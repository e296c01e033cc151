"""Matching headers to a ruleset's declarations and typing every cell."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import cast

from attrs import frozen

from parrules import i18n
from parrules.data.headers import HeaderIndex, Role, Target
from parrules.data.messages import CellError, M, Sink
from parrules.data.readers import Cell, RawRow, RawTable
from parrules.data.records import (
    NO_WORDS,
    YES_WORDS,
    UnitRecord,
)
from parrules.data.rows import NotUnits
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

_UNSEEN: Value = cast(Value, object())  # "not in the memo": no value is this object
MEMO_CELLS = 1024  # distinct texts remembered per declaration: bounded memory on a million rows


@frozen
class _Column:
    index: int
    header: str
    header_row: int | None
    target: Target


# One column's part in reading a row: the column, its role, its key, its declaration, its stage, the
# watch for fractions of 1 of a percent column, and the memo of its declaration's texts.
_Step = tuple[_Column, Role, str, "Declaration | None", "str | None", "_FractionWatch | None",
              "dict[str, Value] | None"]


@frozen
class _Shape:
    """What a table's clean headers make of its columns, kept with the header index (`begin`)."""

    unit: _Column | None
    plan: list[_Step]  # without the watches, which are each table's own
    percent: list[tuple[int, _Column]]  # (place in the plan, column) of the percent columns
    headers: dict[str, str]
    skipped: list[int]  # columns of row numbers (stt)
    values: list[int]  # columns of inputs' values


@frozen
class _Layout:
    """One table's columns once resolved, shared by all its rows."""

    columns: list[_Column]
    unit: _Column | None
    headers: dict[str, str]  # target key → the user's header, blank or not: the evaluator names it
    plan: list[_Step]
    watched: list[tuple[_Column, _FractionWatch]]  # each percent column, and its watch for fractions of 1


class Validator:
    """Types one table's cells against a model's declarations, reporting into a sink."""

    def __init__(self, model: Model, sink: Sink, *, decimal_comma: bool, percent_fractions: bool = False,
                 headers: HeaderIndex | None = None) -> None:
        self.sink = sink
        self.decimal_comma = decimal_comma
        self.percent_fractions = percent_fractions  # bare values in percent columns are fractions of 1
        self.headers = headers if headers is not None else HeaderIndex(model)
        self.index, self.shown, self.stages = self.headers.index, self.headers.shown, self.headers.stages
        # What depends on the ruleset alone is worked out once per header index: a `Ruleset` scoring
        # one unit per call keeps its index, and this was a third of each call's fixed cost.
        known = self.headers.remembered(("declarations",), lambda: _Declarations.of(model))
        self.declarations, self.official, self.stage_names = known.by_name, known.official, known.stage_names
        self.bounds, self.defaults, self.limits = known.bounds, known.defaults, known.limits
        language = i18n.current()
        self.expected = self.headers.remembered(("expected", language), lambda: {
            name: _expected(decl) for name, decl in self.declarations.items()})
        self.parsers = self.headers.remembered(("parsers", language, percent_fractions), lambda: {
            name: _parser(decl, self.expected[name], self.bounds[name], percent_fractions=percent_fractions)
            for name, decl in self.declarations.items()})
        # Per declaration, the texts already read cleanly: text → value. Councils' sheets repeat the
        # same few texts ("có", "0", "on_time", "100") down a column, and reading one is a chain of
        # checks; values are immutable (Decimal, bool, str), so a repeated cell shares the first one's
        # value. Kept with the header index, so that a `Ruleset` scoring one unit per call reads a
        # text it has seen as cheaply as the next row of a file would (at most MEMO_CELLS texts each).
        self.memo: dict[str, dict[str, Value]] = self.headers.remembered(
            ("memo", decimal_comma, percent_fractions), lambda: {name: {} for name in self.declarations})
        self.read: set[str | None] = set()  # the declarations some column names (see `_columns`)
        self._deletions: defaultdict[str, set[str]] | None = None
        self._suggestion_work = 0
        # Cells read with a decimal comma that cannot group thousands (23,37): listed once per column.
        self.commas: dict[int, _FirstCells] = defaultdict(_FirstCells)
        # Cells whose comma may group thousands (1,234): one error per column, not one per cell.
        self.ambiguous: dict[int, _FirstCells] = defaultdict(_FirstCells)
        # Numbers in (0, 1] in percent columns of a workbook whose cell formats are unseen (.xls, .ods).
        self.unseen_format: dict[int, _FirstCells] = defaultdict(_FirstCells)
        self.formats_known = True
        self.uncomputed: frozenset[tuple[int, int]] = frozenset()
        # Columns with no header (index → its row), and those a row fills in: an error (DAT1xx) at the end.
        self.unnamed: dict[int, int | None] = {}
        self.unnamed_filled: set[int] = set()
        self._column: _Column | None = None  # the cell being read, for the lists above
        self._row_number = 0

    # ---- headers ----

    def columns(self, header: tuple[str, ...], header_rows: tuple[int | None, ...]) -> list[_Column]:
        """The table's columns, resolved to what they give; the same clean headers are resolved once.

        A `Ruleset` scoring one unit per call sees the same headers each time: their resolution is
        remembered with its header index, but only where it found nothing to say (no diagnostic).
        """
        key = ("columns", tuple(header), tuple(header_rows))  # kept only with no message to say
        known = self.headers.known.get(key)
        if known is not None:
            read, columns = cast(tuple[set[str | None], tuple[_Column, ...]], known)
            self.read = read
            return list(columns)
        before = len(self.sink.found)
        kept = self._columns(header, header_rows)
        if len(self.sink.found) == before and all(header):
            self.headers.known[key] = (self.read, tuple(kept))
        return kept

    def _columns(self, header: tuple[str, ...], header_rows: tuple[int | None, ...]) -> list[_Column]:
        found: list[_Column] = []
        # The declarations some column names (a staged column too): a misspelt header of one of these
        # is a stray copy, not the unit's only value.
        self.read = {t.name for raw in header if len(raw) <= MAX_CELL_CHARS
                     for t in self.headers.lookup(text_key(raw).rpartition("@")[0] or raw).targets
                     if t.role == "value"}
        for i, raw in enumerate(header):
            name, where = nfc(raw), header_rows[i]
            if len(raw) > MAX_CELL_CHARS:
                self.sink.add(M.HEADER_TOO_LONG, row=where, length=len(raw))
                continue
            if not name:
                self.unnamed[i] = where  # a problem only if a row fills it in (said at the end)
                continue
            target = self._resolve(name, where)
            if target is not None:
                found.append(_Column(i, name, where, target))
        by_target: dict[Target, list[_Column]] = defaultdict(list)
        for column in found:
            by_target[column.target].append(column)
        for role, problem in (("note", M.NOTE_COLUMNS), ("result", M.RESULT_COLUMNS)):
            listed = [c for c in found if c.target.role == role]
            if listed:
                self.sink.add(problem, row=listed[0].header_row, column=listed[0].header,
                              headers=", ".join(f"`{c.header}`" for c in listed))
        kept: list[_Column] = []
        for target, same in by_target.items():
            if target.role in ("note", "result"):
                continue
            if target.role != "skip" and len(same) > 1:
                self.sink.add(M.REPEATED_COLUMN, row=same[1].header_row, column=same[1].header,
                              headers=", ".join(f"`{c.header}`" for c in same), target=f"`{target.key}`")
            kept.append(same[0])  # read the first, so its cells are still checked
        return sorted(kept, key=lambda c: c.index)

    def _resolve(self, header: str, where: int | None) -> Target | None:
        key = text_key(header)
        if "@" in key and key not in self.index:
            return self._resolve_staged(header, key, where)
        lookup = self.headers.lookup(header)
        found = set(lookup.targets)
        if len(found) > 1 and header in self.declarations:
            found = {Target("value", header)}  # the exact declared name is never ambiguous
        if len(found) == 1:
            if lookup.other_title is not None:
                self.sink.add(M.ID_TITLE_DIFFERS, row=where, column=header, header=header, id=lookup.node,
                              title=lookup.other_title)
            return next(iter(found))
        if found:
            self._ambiguous(header, where, found)
            return None
        if "@" in key:
            return self._resolve_staged(header, key, where)
        self._unknown(header, key, where)
        return None

    def _resolve_staged(self, header: str, key: str, where: int | None) -> Target | None:
        left, _at, right = key.rpartition("@")
        found = {t for t in self.headers.lookup(left.strip()).targets if t.role == "value"}
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
            self._ambiguous(header, where, {Target("value", name, s) for s in stages})
            return None
        if not isinstance(decl.type, Points):
            self.sink.add(M.NOT_STAGED, row=where, column=header, header=header, name=name,
                          type=decl.type.describe())
            return None
        stage = next(iter(stages))
        # The official stage is what `values` holds, so `p@official` and a plain `p` are the same column.
        return Target("value", name, None if stage == self.official else stage)

    def _ambiguous(self, header: str, where: int | None, found: set[Target]) -> None:
        matches = ", ".join(sorted(f"`{t.key}`" for t in found))
        self.sink.add(M.AMBIGUOUS_COLUMN, row=where, column=header, header=header, matches=matches)

    def _unknown(self, header: str, key: str, where: int | None) -> None:
        """An unknown column: a warning, except one a letter away from an input no column gives.

        Ignoring `late_reprots` would let the default of `late_reports` stand in for the unit's real
        value and silently drop a penalty: that is an error, naming what it probably means.
        """
        unread = [k for k in self.headers.folded(key)
                  if any(t.name not in self.read for t in self.index[k] if t.role == "value")]
        if unread:  # `Ty le hoan thanh` for `Tỷ lệ hoàn thành`: near, but never read as it
            self.sink.add(M.UNACCENTED_COLUMN, row=where, column=header, header=header,
                          suggestion="`, `".join(sorted({self.shown[k] for k in unread})))
            return
        misspelt = sorted({self.shown[k] for k in self._one_edit_away(key)
                           if any(t.name not in self.read for t in self.index[k] if t.role == "value")})
        if misspelt:
            self.sink.add(M.MISSPELT_COLUMN, row=where, column=header, header=header,
                          suggestion="`, `".join(misspelt))
            return
        near = [self.shown[k] for k in self.headers.folded(key)][:1]
        # A hint only: a sheet of thousands of stray columns stays quick.
        if not near and self._suggestion_work < _SUGGESTION_BUDGET:
            self._suggestion_work += len(self.shown)
            near = [self.shown[k] for k in difflib.get_close_matches(key, list(self.shown), n=1, cutoff=0.75)]
        if near:
            self.sink.add(M.UNKNOWN_COLUMN_NEAR, row=where, column=header, header=header, suggestion=near[0])
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
        self.formats_known = table.formats_known
        self.uncomputed = table.uncomputed
        reading = self.begin(table.header, table.header_rows)
        records = [record for row in table.rows if (record := reading.row(row)) is not None]
        reading.end()
        return records

    def begin(self, header: tuple[str, ...], header_rows: tuple[int | None, ...], *,
              bounded: bool = False) -> Reading:
        """Start reading a table's rows: `row(row)` for each, top to bottom, then `end()`.

        So a table too large to hold is read as it goes (stream.py, with `bounded`: nothing kept
        grows with the rows); `run` is this over a whole table.
        """
        columns = self.columns(header, header_rows)
        # What each column does, worked out once for the table rather than for every cell, and once
        # for the same clean headers (a `Ruleset` scoring one unit per call sees them every time).
        key = ("layout", tuple(header), tuple(header_rows), self.percent_fractions, self.decimal_comma)
        shape = cast("_Shape | None", self.headers.known.get(key))
        if shape is None:
            shape = self._shape(columns)
            if ("columns", tuple(header), tuple(header_rows)) in self.headers.known:  # clean headers
                self.headers.known[key] = shape
        if shape.unit is None:
            self.sink.add(M.NO_UNIT_COLUMN, row=header_rows[0] if header_rows else None)
        # The watches are the table's own: one per percent column, in its place in the plan.
        plan = list(shape.plan)
        watched = []
        for position, column in shape.percent:
            watch = _FractionWatch()
            watched.append((column, watch))
            step = plan[position]
            plan[position] = (*step[:5], watch, step[6])
        layout = _Layout(columns, shape.unit, shape.headers, plan, watched)
        others = None if shape.unit is None else NotUnits(shape.unit.index, shape.skipped, shape.values,
                                                          bounded=bounded)
        return Reading(self, layout, others)

    def _shape(self, columns: list[_Column]) -> _Shape:
        plan: list[_Step] = [(c, c.target.role, c.target.key,
                              self.declarations[c.target.name] if c.target.name is not None else None,
                              c.target.stage, None, self.memo[c.target.name] if c.target.name is not None else None)
                             for c in columns if c.target.role not in ("unit", "skip")]
        percent = [(i, step[0]) for i, step in enumerate(plan)
                   if step[3] is not None and isinstance(step[3].type, Percent) and not self.percent_fractions]
        return _Shape(next((c for c in columns if c.target.role == "unit"), None), plan, percent,
                      {c.target.key: c.header for c in columns if c.target.role != "skip"},
                      [c.index for c in columns if c.target.role == "skip"],
                      [c.index for c in columns if c.target.role == "value"])

    def end(self, layout: _Layout, rows: int) -> None:
        """What is said once the last row is read: an empty table, decimal commas, fractions of 1."""
        if layout.unit is not None and not rows and not self.sink.file_broken:
            self.sink.add(M.EMPTY, row=layout.unit.header_row)
        for index, where in self.unnamed.items():
            if index in self.unnamed_filled:
                self.sink.add(M.UNNAMED_COLUMN, row=where, column=_("column {position}").format(position=index + 1),
                              position=index + 1)
        self._column = None
        self._comma_columns(layout.columns)
        for column, watch in layout.watched:
            if watch.example is not None and watch.all_small:
                self.sink.add(M.PERCENT_AS_FRACTION, row=column.header_row, column=column.header,
                              header=column.header, value=_show(watch.example))

    def _comma_columns(self, columns: list[_Column]) -> None:
        if not (self.commas or self.unseen_format or self.ambiguous):
            return  # most tables: nothing to say, and no index of the columns to make
        by_index = {c.index: c for c in columns}
        for index, cells in sorted(self.commas.items()):
            column, (row, value) = by_index[index], cells[0]
            example = _show(value)
            self.sink.add(M.DECIMAL_COMMA_READ, row=row, column=column.header, header=column.header,
                          value=example, read=example.replace(",", "."), count=len(cells))
        for index, cells in sorted(self.unseen_format.items()):
            column, (row, value) = by_index[index], cells[0]
            self.sink.add(M.PERCENT_FORMAT_UNKNOWN, row=row, column=column.header, header=column.header,
                          value=value, percent=f"{(Decimal(value) * 100).normalize():f}", count=len(cells),
                          rows=_rows(cells))
        for index, cells in sorted(self.ambiguous.items()):
            column, (row, value) = by_index[index], cells[0]
            self.sink.add(M.DECIMAL_COMMA_COLUMN, row=row, column=column.header, header=column.header,
                          value=value, count=len(cells), rows=_rows(cells))

    def _row(self, row: RawRow, layout: _Layout, first_row: dict[str, int]) -> UnitRecord | None:
        self._row_number = row.number
        unit = self._unit(row, layout.unit, first_row)
        values: dict[str, Value] = {}
        stage_values: dict[str, dict[str, Value]] = {}
        failed: set[str] = set()
        unit_max: Decimal | None = None
        group: str | None = None
        cells = row.cells
        for column, role, key, decl, stage, watch, memo in layout.plan:
            cell = cells[column.index]
            raw = cell if memo is not None and type(cell) is str else None
            if raw is not None and memo is not None and decl is not None:
                known = memo.get(raw, _UNSEEN)
                if known is not _UNSEEN:
                    if stage is None:
                        values[decl.name] = known
                    else:
                        stage_values.setdefault(stage, {})[decl.name] = known
                    # Once a value is outside 0–1 the column is not fractions of 1: nothing more to see.
                    if watch is not None and watch.all_small and type(known) is Decimal and not raw.endswith("%"):
                        watch.see(known)
                    continue
                if not raw and not self.uncomputed:
                    continue  # a blank cell: no value, as below, without the checks a text gets
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
                if self.uncomputed and (row.number, column.index) in self.uncomputed:
                    self.sink.add(M.UNCOMPUTED_FORMULA, row=row.number, column=column.header)
                continue
            self._column = column
            if watch is not None and not self.formats_known and isinstance(cell, Decimal) and 0 < cell <= 1:
                self.unseen_format[column.index].append((row.number, _show(cell)))  # 0.85: 85 % or 0.85 %?
                self.sink.spoiled.add(row.number)
                failed.add(key)
                continue
            try:
                if decl is not None:
                    value = self._value(decl, cell)
                    (values if stage is None else stage_values.setdefault(stage, {}))[decl.name] = value
                    # A cell with a comma is read with a note of its row (decimal commas are said per
                    # column): not taken from the memo, so that every such row is still noted.
                    if raw is not None and memo is not None and "," not in raw and len(memo) < MEMO_CELLS:
                        memo[raw] = value
                    # Only a value written without `%` could be a fraction of 1.
                    if watch is not None and isinstance(value, Decimal) and not (
                            isinstance(cell, str) and cell.endswith("%")):
                        watch.see(value)
                elif role == "group":
                    group = _one_line(_text(cell))
                else:
                    unit_max = self._max(cell)
            except CellError as bad:
                failed.add(key)
                if bad.problem is M.DECIMAL_COMMA:  # said once for the column, at the end
                    self.ambiguous[column.index].append((row.number, _show(cell)))
                    self.sink.spoiled.add(row.number)
                    continue
                self.sink.add_cell(bad, row.number, column.header, unit)
        for name, default in self.defaults.items():
            # A declared default stands in for a blank cell or a missing column (never for a bad cell).
            if name not in values and name not in failed:
                values[name] = default
        if self.limits:
            self._check_at_most(row, unit, values, stage_values, layout.headers)
        if unit is None:
            return None
        # `columns` is the table's one header mapping, shared by its rows (read, never changed): a copy
        # per row was 1.6 KB a unit on the full ruleset.
        return UnitRecord(unit, row.number, values, stage_values, unit_max, group, self.sink.file,
                          layout.headers)

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
        return self.parsers[decl.name](self, cell)

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
            if _THOUSANDS.fullmatch(text) or not _DECIMAL_COMMA.fullmatch(text):
                raise CellError(M.DECIMAL_COMMA, value=_show(cell))
            # 23,37 or 0,5 cannot be a thousands separator: one reading only, listed once per column.
            if self._column is not None:
                self.commas[self._column.index].append((self._row_number, cell))
            return Decimal(text.replace(",", "."))
        if text.startswith("#"):
            raise CellError(M.SPREADSHEET_ERROR, value=_show(cell), expected=expected)
        problem = M.NOT_A_NUMBER_COMMA if self.decimal_comma else M.NOT_A_NUMBER
        raise CellError(problem, value=_show(cell), expected=expected)


# Plain decimals only: no exponents, no NaN, no thousands separators (re.ASCII: no other digits).
_DOT_NUMBER = PLAIN_NUMBER
_COMMA_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:,[0-9]*)?|,[0-9]+)", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]*,[0-9]+", re.ASCII)
_THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2},[0-9]{3}", re.ASCII)  # 1,234: a thousand, or 1.234?
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


class _FirstCells:
    """A column's cells of one kind (row, text), as its one message shows them: how many, and the first few.

    Only the first few are kept, so that a column of decimal commas down a million rows costs nothing.
    """

    KEPT = 9  # the first eight shown, and one more to tell that there are more

    def __init__(self) -> None:
        self.first: list[tuple[int, str]] = []
        self.count = 0

    def append(self, cell: tuple[int, str]) -> None:
        self.count += 1
        if len(self.first) < self.KEPT:
            self.first.append(cell)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> tuple[int, str]:
        return self.first[index]


Parser = Callable[[Validator, str | Decimal | bool], Value]


@frozen
class _Declarations:
    """A ruleset's declarations as the validator reads them: worked out once per header index."""

    by_name: dict[str, Declaration]
    official: str | None
    stage_names: list[str]
    bounds: dict[str, tuple[Decimal | None, Decimal | None]]
    defaults: dict[str, Value]
    limits: dict[str, str]

    @classmethod
    def of(cls, model: Model) -> _Declarations:
        by_name = {d.name: d for d in (*model.attributes, *model.inputs)}
        official = model.official_stage()
        return cls(by_name, official.name if official is not None else None, [s.name for s in model.stages],
                   {name: bounds(decl) for name, decl in by_name.items()},
                   {d.name: d.default for d in by_name.values() if d.default is not None},
                   {d.name: d.at_most for d in by_name.values() if d.at_most is not None})


def _parser(decl: Declaration, expected: str, bound: tuple[Decimal | None, Decimal | None], *,
            percent_fractions: bool) -> Parser:
    """How one declaration's cells are read, decided once (a few hundred thousand cells follow). The
    reading of a number itself is the validator's (`_number`: decimal commas are its to note)."""
    kind = decl.type
    if isinstance(kind, YesNo):
        return lambda _validator, cell: _yes_no(cell)
    if isinstance(kind, Choice):
        return lambda _validator, cell: _choice(kind, cell, expected)
    is_percent, is_count = isinstance(kind, Percent), isinstance(kind, Count)
    low, high = bound
    out_of_range = M.PERCENT_OUT_OF_RANGE if is_percent else M.OUT_OF_RANGE
    fractions = is_percent and percent_fractions
    if fractions:
        out_of_range = M.FRACTION_OUT_OF_RANGE

    def number(validator: Validator, cell: str | Decimal | bool) -> Value:
        value = validator._number(cell, expected, percent=is_percent)
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


def _rows(cells: _FirstCells) -> str:
    """The rows of a column's cells, as one message lists them: the first eight."""
    return ", ".join(str(r) for r, _v in cells.first[:8]) + (", …" if len(cells) > 8 else "")


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


def bounds(decl: Declaration) -> tuple[Decimal | None, Decimal | None]:
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
    return expected_number(decl, *bounds(decl))


def expected_number(decl: Declaration, low: Decimal | None, high: Decimal | None,
                    show: Callable[[Decimal], str] = lambda d: f"{d:f}") -> str:
    """What a number input expects, as messages (and the template's input messages) say it."""
    kind = decl.type
    what = ("percent" if isinstance(kind, Percent) else "count" if isinstance(kind, Count)
            else "points" if isinstance(kind, Points) else "number")
    bound = ("both" if low is not None and high is not None else "low" if low is not None
             else "high" if high is not None else "none")
    return _(_EXPECTED[what][bound]).format(low=show(low) if low is not None else "",
                                            high=show(high) if high is not None else "")


class Reading:
    """One table being read row by row (`Validator.begin`): its layout, what the rows so far were."""

    def __init__(self, validator: Validator, layout: _Layout, others: NotUnits | None) -> None:
        self.validator = validator
        self.layout = layout
        self.others = others  # totals, headings: rows that are not units
        self.first_row: dict[str, int] = {}  # each unit's name (folded) → the row it is first on
        self.rows = 0
        self.unnamed = tuple(validator.unnamed)

    def row(self, row: RawRow) -> UnitRecord | None:
        """The row's record, or None: not a unit (said as a warning), or a unit with a problem."""
        self.rows += 1
        validator = self.validator
        for index in self.unnamed:
            if not _blank(row.cells[index]):
                validator.unnamed_filled.add(index)
        if self.others is not None:
            why = self.others.verdict(row)
            if why is not None:
                unit = self.layout.unit
                assert unit is not None
                validator.sink.add(why, row=row.number, column=unit.header,
                                   value=_show(_text(row.cells[unit.index] or "")))
                return None
        return validator._row(row, self.layout, self.first_row)

    def end(self) -> None:
        self.validator.end(self.layout, self.rows)
