"""The language's grammar as text, and its words (`max`, `when`, `otherwise`, …)."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path


@functools.cache
def grammar_text() -> str:
    """`grammars/par.lark`: shipped in the package as `par.lark`, or read from a source checkout."""
    packaged = resources.files("parrules").joinpath("par.lark")
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
}


def near_keyword(word: str, among: Iterable[str] | None = None) -> str | None:
    """The word of the language `word` was probably meant to be (`otherwsie` → `otherwise`), if any."""
    low = word.lower()
    if low in ALIASES:
        return ALIASES[low]
    pool = sorted(among) if among is not None else sorted(keywords())
    found = difflib.get_close_matches(low, pool, n=1, cutoff=0.75)
    return found[0] if found and found[0] != low else None
