"""Compare computed results with a published results table (a transcription of the decision).

Rule authors transcribe the year's decision, score the units and want to see, line by line, where
the engine and the printed table differ. Published tables contain rounding artefacts and typos:
differences are reported, never hidden and never fatal.
"""

from __future__ import annotations

import csv
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

from attrs import frozen

from parrules.diagnostics import DataError, Diagnostic
from parrules.report.numbers import plain
from parrules.results import Results


@frozen
class PublishedRow:
    unit: str
    row: int
    total: Decimal | None = None
    index: Decimal | None = None
    class_: str | None = None


@frozen
class Difference:
    unit: str
    field: str  # "total", "index", "class", "missing", "extra"
    computed: str
    published: str

    def describe(self) -> str:
        if self.field == "missing":
            return f"{self.unit}: in the published table but not scored"
        if self.field == "extra":
            return f"{self.unit}: scored but not in the published table"
        delta = ""
        if self.field in ("total", "index"):
            change = Decimal(self.computed) - Decimal(self.published)
            delta = f" ({'+' if change > 0 else ''}{plain(change)})"
        return f"{self.unit}: {self.field} {self.computed} computed, {self.published} published{delta}"


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def read_published(path: Path) -> list[PublishedRow]:
    """Read `unit,total,index,class` (other columns ignored) from a UTF-8 CSV."""
    problems: list[Diagnostic] = []
    rows: list[PublishedRow] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([Diagnostic("DAT114", "error", f"cannot read the published table: {exc}",
                                    "give a UTF-8 CSV file", file=str(path))]) from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or "unit" not in reader.fieldnames:
        raise DataError([Diagnostic("DAT113", "error", "the published table has no `unit` column",
                                    "columns: unit,total,index,class", file=str(path), row=1)])
    for number, record in enumerate(reader, start=2):
        values: dict[str, Decimal | None] = {}
        for name in ("total", "index"):
            cell = (record.get(name) or "").strip()
            try:
                values[name] = Decimal(cell) if cell else None
            except InvalidOperation:
                problems.append(Diagnostic("DAT101", "error", f"`{cell}` is not a number",
                                           "write the figure as printed, e.g. 85.67",
                                           file=str(path), row=number, column=name))
                values[name] = None
        unit = unicodedata.normalize("NFC", (record.get("unit") or "").strip())
        class_ = unicodedata.normalize("NFC", (record.get("class") or "").strip()) or None
        rows.append(PublishedRow(unit, number, values["total"], values["index"], class_))
    if problems:
        raise DataError(problems)
    return rows


def compare_published(results: Results, published: list[PublishedRow]) -> list[Difference]:
    computed = {_key(u.unit): u for u in results.units}
    seen: set[str] = set()
    out: list[Difference] = []
    for row in published:
        key = _key(row.unit)
        seen.add(key)
        unit = computed.get(key)
        if unit is None:
            out.append(Difference(row.unit, "missing", "", ""))
            continue
        if row.total is not None and unit.total != row.total:
            out.append(Difference(unit.unit, "total", plain(unit.total), plain(row.total)))
        if row.index is not None and unit.index != row.index:
            out.append(Difference(unit.unit, "index", plain(unit.index), plain(row.index)))
        if row.class_ is not None and unit.class_ != row.class_:
            out.append(Difference(unit.unit, "class", unit.class_ or "", row.class_))
    out.extend(Difference(u.unit, "extra", "", "") for k, u in computed.items() if k not in seen)
    return out
