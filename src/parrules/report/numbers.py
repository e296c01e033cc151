"""How decimals are written out: plain notation, never exponents, never floats."""

from __future__ import annotations

from decimal import Decimal


def plain(value: Decimal | None) -> str:
    """`Decimal` as written by the ruleset's rounding (62.30 stays 62.30); no scientific notation."""
    if value is None:
        return ""
    return format(value, "f")


def plain_max(value: Decimal) -> str:
    """A maximum as a person writes it: 98, 78.5."""
    text = format(value.normalize(), "f")
    return text


def safe_text(text: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (=, +, -, @ and control characters first)."""
    if text and text[0] in "=+-@\t\r\n|":
        return "'" + text
    return text


def signed(value: Decimal | None) -> str:
    """A change as published: +2.55, -8.81, 0.00; empty when there is nothing to compare."""
    if value is None:
        return ""
    text = format(value, "f")
    return "+" + text if value > 0 else text
