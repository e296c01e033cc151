"""Figures for people (93,83 in Vietnamese) keep every digit of the figure for machines (93.83)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from parrules.figures import long_date, plain, shown, shown_max, shown_signed
from parrules.i18n import language

# As rulesets may write them: up to 15 digits before the point and 20 after (docs/limits.md).
figures = st.builds(lambda units, places: Decimal(units).scaleb(-places),
                    st.integers(min_value=-(10**35), max_value=10**35), st.integers(min_value=0, max_value=20))


@given(figures)
def test_a_vietnamese_figure_reads_back_to_the_same_decimal(value: Decimal) -> None:
    text = shown(value, "vi")
    assert Decimal(text.replace(".", "").replace(",", ".")) == value
    assert text.replace(".", "").replace(",", ".") == plain(value)  # every digit, no exponent, no rounding


@given(figures)
def test_an_english_figure_is_the_plain_one_grouped_by_thousands(value: Decimal) -> None:
    assert shown(value, "en").replace(",", "") == plain(value)


@given(figures)
def test_a_narrow_decimal_context_does_not_change_a_figure(value: Decimal) -> None:
    with localcontext() as context:
        context.prec = 6
        assert shown(value, "vi") == shown(value.copy_abs().copy_sign(value), "vi")


def test_the_forms_of_the_published_tables() -> None:
    assert shown(Decimal("93.83"), "vi") == "93,83"
    assert shown(Decimal("62.30"), "vi") == "62,30"  # the ruleset's decimals are kept
    assert shown(Decimal("1234.5"), "vi") == "1.234,5"
    assert shown_max(Decimal("78.50"), "vi") == "78,5" and shown_max(Decimal("98.00"), "vi") == "98"
    assert shown_signed(Decimal("2.55"), "vi") == "+2,55" and shown_signed(Decimal("-8.81"), "vi") == "-8,81"
    assert shown(None) == ""


def test_a_date_as_a_vietnamese_document_writes_it() -> None:
    with language("vi"):
        assert long_date(date(2021, 7, 15)) == "ngày 15 tháng 7 năm 2021"
        assert long_date(date(2021, 12, 1)) == "ngày 1 tháng 12 năm 2021"
    with language("en"):
        assert long_date(date(2021, 7, 15)) == "15 July 2021"
