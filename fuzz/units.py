"""Unit rows for any ruleset: mostly values a council would write, sometimes blanks and nonsense."""

from __future__ import annotations

import random
from decimal import Decimal

from parrules import model as m

NAMES = ["Sở Nội vụ", "Sở Tư pháp", "Ban Dân tộc", "UBND huyện Sìn Hồ", "Thanh tra tỉnh", "Sở Y tế",
         "Văn phòng UBND tỉnh", "UBND xã Mường Tè", "Sở Giáo dục và Đào tạo", "BQL Khu KTCK Ma Lù Thàng"]
ODD = ["", " ", "n/a", "#DIV/0!", "1,5", "1.2.3", "−3", "85 %", "１２", "có", "không", "x", "true", "1e3",
       "\u00a0", "NaN", "-0", "0.000000000000000000001", "9" * 16, "=1+1"]


def _number(rng: random.Random, low: Decimal, high: Decimal, places: int) -> Decimal:
    if low == high:
        return low
    span = int((high - low) * 10**places)
    return low + Decimal(rng.randint(0, max(span, 0))) / 10**places


def _bounds(decl: m.Declaration) -> tuple[Decimal, Decimal]:
    if isinstance(decl.type, m.Percent):
        return (decl.low if decl.low is not None else Decimal(0), decl.high if decl.high is not None else Decimal(100))
    if isinstance(decl.type, m.Count):
        return (max(decl.low or Decimal(0), Decimal(0)), decl.high if decl.high is not None else Decimal(30))
    low = decl.low if decl.low is not None else Decimal(-5)
    high = decl.high if decl.high is not None else Decimal(20)
    return (low, max(low, high))


def value(rng: random.Random, decl: m.Declaration, odd: float) -> object:
    """A cell for `decl`: usually valid, blank with some chance, nonsense with chance `odd`."""
    roll = rng.random()
    if roll < odd:
        return rng.choice(ODD)
    if roll < odd + 0.05:
        return None
    kind = decl.type
    if isinstance(kind, m.YesNo):
        return rng.choice([True, False, "có", "không", "yes", "no", "1", "0"])
    if isinstance(kind, m.Choice):
        option = rng.choice(kind.options)
        return option.title if option.title and rng.random() < 0.3 else option.name
    low, high = _bounds(decl)
    if isinstance(kind, m.Count):
        return str(int(_number(rng, low, min(high, low + 40), 0)))
    number = _number(rng, low, high, rng.choice([0, 1, 2, 4]))
    if isinstance(kind, m.Percent):
        return f"{number:f}%" if rng.random() < 0.7 else number
    return f"{number:f}" if rng.random() < 0.6 else number


def rows(rng: random.Random, model: m.Model, count: int, odd: float = 0.02) -> list[dict[str, object]]:
    declarations = [*model.attributes, *model.inputs]
    out: list[dict[str, object]] = []
    for i in range(count):
        row: dict[str, object] = {"unit": f"{rng.choice(NAMES)} {i + 1}"}
        for decl in declarations:
            if rng.random() < 0.97:
                row[decl.name] = value(rng, decl, odd)
        if model.grouping is not None and model.grouping.from_data:
            row["group"] = rng.choice(["Nhóm I", "Nhóm II", ""])
        if model.meta.unit_max_from_data and rng.random() < 0.3:
            row["max"] = str(_number(rng, Decimal(1), model.full_scale or Decimal(1), rng.choice([0, 1, 2])))
        out.append(row)
    return out
