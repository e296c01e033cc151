"""Filling a `parrules template` workbook by program, the way a council fills it by hand.

A CSV cell is typed as a person types it in Excel: a number as a number, yes/no as Có/Không, a choice
as the word its drop-down offers (the option's title), a percentage written `75.5%` as a percent
cell. The cells are found through the template's key row (wide) or key column (sheets), never by
position, so a change of layout cannot make a test fill the wrong cell and still pass.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from parrules.data.records import YES_WORDS
from parrules.data.sheets import KEY, STAGE, TITLE, VALUE
from parrules.data.text import text_key
from parrules.model import Choice, Model, Points, YesNo
from parrules.results import Results
from parrules.template.columns import choice_words

YES = {text_key(w) for w in YES_WORDS}


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def typed(model: Model, key: str, text: str) -> tuple[object, str | None]:
    """The value a council types for a CSV cell, and the cell's number format (for a percent cell)."""
    text = text.strip()
    if not text:
        return None, None
    decl = model.declaration(key.partition("@")[0])
    if decl is not None and isinstance(decl.type, YesNo):
        return ("Có" if text_key(text) in YES else "Không"), None
    if decl is not None and isinstance(decl.type, Choice):
        words = dict(zip(decl.type.names(), choice_words(decl.type), strict=True))
        option = next(o for o in decl.type.options if text_key(text) in {text_key(o.name), text_key(o.title or "")})
        return words[option.name], None
    if text.endswith("%"):  # Excel turns a typed 75.5% into 0.755 shown as a percentage
        return float(Decimal(text[:-1].strip()) / 100), "0.00%"
    value = Decimal(text)
    return (int(value) if value == value.to_integral_value() else float(value)), None


def template_key(model: Model, header: str, keys: set[str]) -> str | None:
    """Where a CSV column goes in the template: its own key, or the official stage's for a plain points column."""
    if header in keys:
        return header
    official = model.official_stage()
    if official is not None and f"{header}@{official.name}" in keys:
        return f"{header}@{official.name}"
    return None


def expected_unplaced(model: Model, headers: list[str]) -> set[str]:
    """CSV columns a template has no place for, on purpose: the row number, and `max` when the rules
    compute each unit's maximum (the CSV's `max` is then only a check of it)."""
    return {h for h in headers if h == "stt" or (h == "max" and not model.meta.unit_max_from_data)}


def _put(ws: Any, row: int, column: int, value: object, number_format: str | None) -> None:
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if number_format is not None:
        cell.number_format = number_format


def fill_wide(path: Path, rows: list[dict[str, str]], model: Model, out: Path) -> set[str]:
    """Type every CSV row into the unit's row of a wide template; the CSV columns it placed."""
    book = openpyxl.load_workbook(path)
    ws, key_row, columns = next(_wide_sheets(book))
    placed: set[str] = set()
    first_free = key_row + 1
    for data in rows:
        target = next((r for r in range(key_row + 1, ws.max_row + 1)
                       if ws.cell(row=r, column=columns["unit"]).value == data["unit"]), None)
        if target is None:  # a unit the template was not pre-filled with: the next empty row
            while ws.cell(row=first_free, column=columns["unit"]).value is not None:
                first_free += 1
            target = first_free
            ws.cell(row=target, column=columns["unit"]).value = data["unit"]
        for header, text in data.items():
            key = template_key(model, header, set(columns))
            if key is None or key in ("unit", "stt"):
                continue
            _put(ws, target, columns[key], *typed(model, key, text))
            placed.add(header)
    book.save(out)
    return placed | {"unit"}


def _wide_sheets(book: Any) -> Iterator[tuple[Any, int, dict[str, int]]]:
    for ws in book.worksheets:
        for row in range(1, 31):
            values = [c.value for c in ws[row]]
            if "unit" in values and "stt" in values:
                yield ws, row, {v: i for i, v in enumerate(values, start=1) if isinstance(v, str)}
                break


def key_row(ws: Any) -> tuple[int, dict[str, int]] | None:
    """The row of a unit sheet's column keys (`#key`, `#value`, `@self`…), and where each is."""
    for row in range(1, 61):
        values = [c.value for c in ws[row]]
        if KEY in values:
            return row, {v: i for i, v in enumerate(values, start=1) if isinstance(v, str)}
    return None


def keyed_rows(ws: Any) -> dict[str, int]:
    """Each key of a unit sheet's key column, with its row."""
    found = key_row(ws)
    assert found is not None
    _row, columns = found
    return {str(ws.cell(row=r, column=columns[KEY]).value): r for r in range(1, ws.max_row + 1)
            if ws.cell(row=r, column=columns[KEY]).value not in (None, KEY)}


def fill_sheets(path: Path, rows: list[dict[str, str]], model: Model, out: Path) -> set[str]:
    """Type every CSV row into its unit's sheet (found by the name at the top); the CSV columns placed."""
    book = openpyxl.load_workbook(path)
    by_unit = {data["unit"]: data for data in rows}
    placed: set[str] = set()
    filled = 0
    official = model.official_stage()
    for ws in book.worksheets:
        found = key_row(ws)
        if found is None:
            continue
        _row, columns = found
        keys = keyed_rows(ws)
        name = ws.cell(row=keys["unit"], column=columns[TITLE]).value
        data = by_unit.get(str(name))
        if data is None:
            continue
        filled += 1
        stages = [c for c in columns if c.startswith(STAGE)]
        for key, row in keys.items():
            if key == "unit":
                continue
            decl = model.declaration(key)
            if decl is not None and isinstance(decl.type, Points) and stages:
                for stage in stages:
                    header = f"{key}{stage}"
                    if official is not None and stage == f"{STAGE}{official.name}" and header not in data:
                        header = key  # the CSV's plain column is the official stage
                    if header in data:
                        _put(ws, row, columns[stage], *typed(model, key, data[header]))
                        placed.add(header)
            elif key in data:
                _put(ws, row, columns[VALUE], *typed(model, key, data[key]))
                placed.add(key)
    assert filled == len(rows), f"{len(rows) - filled} units have no sheet"
    book.save(out)
    return placed | {"unit"}


def summary(results: Results) -> list[tuple[object, ...]]:
    """Everything a round trip must keep: per unit in order, its figures and every node's points."""
    return [(u.unit, u.group, u.max, u.total, u.index, u.class_, u.rank, u.components, u.extras, u.stage_totals,
             [(n.id, n.status, n.points, n.max, dict(n.stage_points)) for root in u.nodes for n in root.walk()])
            for u in results.units]
