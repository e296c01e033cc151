"""The language's grammar as text, and its words (`max`, `when`, `otherwise`, …)."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from pathlib import Path


@functools.cache
def grammar_text() -> str:
    """`grammars/par.lark`: shipped in the package as `par.lark`, or read from a source checkout."""
    packaged = Path(__file__).parent / "par.lark"  # installed as files: no importlib.resources (i18n.py says why)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammars" / "par.lark").read_text(encoding="utf-8")


@functools.cache
def keywords() -> frozenset[str]:
    """The words of the language, read from the grammar itself: they cannot name things."""
    return frozenset(re.findall(r'"([a-z][a-z-]*)"', grammar_text()))


# Words newcomers write for the language's own.
ALIASES = {
    "subcriterion": "sub", "sub-criterion": "sub", "subcriteria": "sub", "criteria": "criterion",
    "fields": "field", "components": "component", "parts": "part", "else": "otherwise", "elif": "when",
    "if": "when", "maximum": "max", "minimum": "min", "input": "inputs", "attribute": "attributes",
    "class": "classes", "group": "groups", "percentage": "percent", "integer": "count", "boolean": "yes/no",
    "bool": "yes/no", "proportion": "proportional", "deduction": "deduct", "deducts": "deduct",
    "sub_criterion": "sub", "subcriterium": "sub", "criterium": "criterion", "maxi": "max", "mini": "min",
    "apply": "applies", "applied": "applies", "elseif": "when", "yesno": "yes/no", "yes_no": "yes/no",
}

# Vietnamese words a rule author writes for the language's own (`tối đa 2` for `max 2`), longest
# first where one starts another. Only a parse error looks them up, and only a guess that then reads
# further is kept, so `từ` or `trên` stay plain words everywhere else.
VIETNAMESE = {
    "điểm tối đa": "max", "tối đa": "max", "điểm tối thiểu": "min", "tối thiểu": "min",
    "trường hợp còn lại": "otherwise", "các trường hợp khác": "otherwise", "còn lại": "otherwise",
    "ngược lại": "otherwise", "khác": "otherwise", "khi": "when", "nếu": "when",
    "tiêu chí thành phần": "sub", "tiêu chí": "criterion", "lĩnh vực": "field", "nội dung": "part",
    "trừ điểm": "deduct", "trừ": "deduct", "mỗi": "per", "sàn": "floor", "mức sàn": "floor",
    "áp dụng nếu": "applies if", "áp dụng khi": "applies if", "chỉ áp dụng nếu": "applies if",
    "theo tỷ lệ": "proportional", "tỷ lệ thuận": "proportional", "và": "and", "hoặc": "or",
    "từ": "from", "dưới": "below", "trên": "above", "đến": "to",
    "xếp loại": "classes", "xếp hạng": "rank", "làm tròn": "rounding", "điểm thưởng": "bonus",
    "điểm trừ": "penalty", "phần trăm": "percent", "số liệu": "inputs", "thuộc tính": "attributes",
}
_VIETNAMESE_LONGEST = sorted(VIETNAMESE, key=len, reverse=True)


def near_keyword(word: str, among: Iterable[str] | None = None) -> str | None:
    """The word of the language `word` was probably meant to be (`otherwsie` → `otherwise`), if any."""
    low = word.lower()
    if low in ALIASES:
        return ALIASES[low]
    pool = sorted(among) if among is not None else sorted(keywords())
    found = difflib.get_close_matches(low, pool, n=1, cutoff=0.75)
    return found[0] if found and found[0] != low else None


def vietnamese_keyword(text: str) -> tuple[str, str] | None:
    """The Vietnamese words `text` starts with and the word of the language they stand for, if any.

    `vietnamese_keyword("tối đa 2 {")` is `("tối đa", "max")`.
    """
    low = text.lower()
    for phrase in _VIETNAMESE_LONGEST:
        after = low[len(phrase):len(phrase) + 1]
        if low.startswith(phrase) and not (after.isalnum() or after == "_"):
            return text[:len(phrase)], VIETNAMESE[phrase]
    return None
