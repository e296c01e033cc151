"""Workbooks as councils keep them, and as they break: built from a data file's rows with openpyxl.

Numbers become Excel numbers (percentages as fractions in a `0.00%` format), text stays text, and
the layout varies: title rows, a header merged down (read) or across (refused), blank rows, a
formula with no saved value, a date where a number belongs, a far-away note, a second sheet.
Returns the bytes and how many units the sheet holds (-1 when it is meant to be refused).
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal, InvalidOperation

import openpyxl

PERCENT_WORDS = ("rate", "percent", "done", "satisfaction", "ty_le", "hai_long")


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().rstrip("%").strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() and abs(value) < 10**9 else None


def workbook(rng: random.Random, rows: list[dict[str, object]]) -> tuple[bytes, int]:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = rng.choice(["Kết quả", "Sheet1", "Tổng hợp"])
    header = list(dict.fromkeys(k for row in rows for k in row))
    titles = rng.choice([0, 0, 1, 2])
    for n in range(titles):
        ws.append([f"BẢNG TỔNG HỢP ĐIỂM CHỈ SỐ CCHC ({n + 1})"])
    ws.append(header)
    header_row = titles + 1
    refused = False
    if rng.random() < 0.05 and len(header) > 2:
        ws.merge_cells(start_row=header_row, start_column=2, end_row=header_row, end_column=3)
        refused = True
    units = 0
    for row in rows:
        if rng.random() < 0.05:
            ws.append([])  # a blank row between units: skipped
        cells: list[object] = []
        for key in header:
            raw = row.get(key)
            cells.append(_cell(rng, key, raw))
        ws.append(cells)
        units += 1
    line = ws.max_row
    for column, key in enumerate(header, start=1):
        if any(word in key for word in PERCENT_WORDS) and rng.random() < 0.6:
            for r in range(header_row + 1, line + 1):
                cell = ws.cell(row=r, column=column)
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.value = cell.value / 100  # a percent cell holds the fraction
                    cell.number_format = rng.choice(["0.00%", "0%", "0.0%"])
    if rng.random() < 0.05:
        ws["XFD1048576"] = "ghi chú"
    if rng.random() < 0.1:
        book.create_sheet("Ghi chú", 0)  # the first sheet is then not the data: refused without --sheet
        refused = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), -1 if refused else units


def _cell(rng: random.Random, key: str, raw: object) -> object:
    if raw is None or raw == "":
        return None
    text = str(raw)
    roll = rng.random()
    number = _number(text)
    if number is not None and roll < 0.7:
        as_float = float(number)
        return int(number) if number == number.to_integral_value() and rng.random() < 0.5 else as_float
    if roll < 0.72:
        return "=1+1"  # a formula never computed (openpyxl saves no value): reported
    if roll < 0.73 and number is not None:
        return datetime.date(2024, 1, 1)  # Excel turned the number into a date: reported
    return text
