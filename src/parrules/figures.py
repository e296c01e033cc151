"""How decimals are written out: plain notation, never exponents, never floats.

Two forms. `plain`, `signed`, `plain_max`: the machine's, with a decimal point, for CSV, JSON and
anything another program reads back. `shown`, `shown_signed`, `shown_max`: a person's, in the
reader's language (`i18n.current()`), as CLDR writes numbers there through Babel: 93,83 and
1.234,5 in Vietnamese documents, 93.83 and 1,234.5 in English ones. Either way every digit the
ruleset's rounding gave is kept (62,30 stays 62,30): the pattern is made from the value's own places.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext

from parrules.i18n import _, current


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


def places(value: Decimal) -> int:
    """How many digits the value has after the point (2 for 62.30, 0 for 98 and for 1E+2)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def shown(value: Decimal | None, lang: str | None = None) -> str:
    """A figure as the reader's language writes it, every digit kept: 93,83 (vi), 93.83 (en)."""
    if value is None:
        return ""
    if not value.is_finite():
        return str(value)
    from babel.numbers import format_decimal  # on first use: most commands print no figure for people

    digits = places(value)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    # Babel quantizes to the value's own places: exact, given room for every digit the value has
    # (a ruleset may publish up to 20 decimals of a 15-digit figure; the caller's context may be narrow).
    with localcontext() as context:
        context.prec = max(context.prec, len(value.as_tuple().digits) + abs(value.adjusted()) + digits + 2)
        return format_decimal(value, format=pattern, locale=lang or current())


def shown_max(value: Decimal, lang: str | None = None) -> str:
    """A maximum as a person writes it, in the reader's language: 98, 78,5."""
    return shown(value.normalize(), lang)


def shown_signed(value: Decimal | None, lang: str | None = None) -> str:
    """A change as published, in the reader's language: +2,55, -8,81, 0,00."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + shown(value, lang)


def long_date(day: date, lang: str | None = None) -> str:
    """A date as a document writes it: "ngày 15 tháng 7 năm 2021" (vi), "15 July 2021" (en).

    The pattern is a message of the catalogue (an LDML pattern, the words in quotes) because the
    form is an administrative convention (Nghị định 30/2020/NĐ-CP), not CLDR's "15 tháng 7, 2021".
    """
    from babel.dates import format_date

    return format_date(day, _("d MMMM y"), locale=lang or current())


def iso_date(text: str) -> date | None:
    """A calendar date written as ISO writes it, 2021-07-15 (the one form no reader takes for another
    day: 07/08/2021 is 7 August to some, 8 July to others), else None. Exactly ten characters:
    Python also reads 20210715 and other ISO forms, which a rule author does not mean to write."""
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
