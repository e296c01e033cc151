"""The units a template is made for (`--units FILE`): their names, and their maximum and group if given.

A data file (`.csv`, `.json`, `.xlsx`, last year's or a list) is read by the data readers, so its unit
column is found as `score` finds it, and two rows of one unit are caught the same way; only the unit,
`max` and `group` columns are read, every other column is passed over without a word (a data file
has inputs, perhaps of another year's ruleset). A `.txt` file is one unit name a line.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
from attrs import frozen

from parrules.data import validate_data
from parrules.data.messages import M, Sink
from parrules.data.readers import RawRow, RawTable, read_file
from parrules.data.validate import Validator
from parrules.diagnostics import Diagnostic, Findings
from parrules.model import Model


@frozen
class UnitEntry:
    """A unit the template is pre-filled with: its number (STT), name, and maximum and group if given."""

    number: int
    name: str
    max: Decimal | None = None
    group: str | None = None


@frozen
class UnitList(Findings):
    entries: tuple[UnitEntry, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_units(path: Path, model: Model) -> UnitList:
    """The units a file names, in its order; its errors (a unit twice, a row without a name) if any."""
    # Nothing but the unit, max and group columns can match: every other column is passed over.
    names_only = attrs.evolve(model, attributes=(), inputs=(), stages=(), components=(), exclusions=(), extras=())
    if path.suffix.lower() == ".txt":
        sink = Sink(str(path))
        table = _lines(path, sink)
        records = Validator(names_only, sink, decimal_comma=False).run(table) if table is not None else []
        report = sink.report(records)
    else:
        report = validate_data(path, names_only)
    errors = tuple(d for d in report.diagnostics if d.is_error)
    entries = tuple(UnitEntry(number, r.name, r.max, r.group) for number, r in enumerate(report.records, start=1))
    return UnitList(() if errors else entries, errors)


def _lines(path: Path, sink: Sink) -> RawTable | None:
    data = read_file(path, sink)
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        sink.add(M.NOT_UTF8, byte=f"0x{data[exc.start]:02X}", line=data.count(b"\n", 0, exc.start) + 1)
        return None
    rows = tuple(RawRow(number, (line,)) for number, line in enumerate(text.splitlines(), start=1) if line.strip())
    return RawTable(("unit",), (None,), rows)
