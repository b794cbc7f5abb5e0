"""How figures are written: counts with thousands separators and percentages rounded
half-up to 2 decimals (`57,58%`, `100%`). Pure Python, no Django: the one place every
page, export, email and the progress engine take their percentages from."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

NO_PERCENTAGE = "—"


@lru_cache(maxsize=64)
def _is_english(language: str) -> bool:
    """`en`, `en-us`, `en_GB` are English; anything else gets the default, Vietnamese.
    (Asked of the same few codes for every figure of a page: a province's dashboard
    formats ~1,000 figures.)"""
    return language.replace("_", "-").split("-")[0].lower() == "en"


def _group_thousands(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(groups)


def format_count(value: int, language: str = "vi") -> str:
    """An integer with thousands separators: `1.234.567` (vi), `1,234,567` (en)."""
    if type(value) is int and 0 <= value < 1000:
        return str(value)  # no separator to place (most figures of a page)
    separator = "," if _is_english(language) else "."
    sign = "-" if value < 0 else ""
    return sign + _group_thousands(str(abs(value)), separator)


def round_percent(ratio: Fraction) -> Decimal:
    """`ratio` as a percentage rounded half-up (away from zero) to 2 decimals.

    Rounded with integers on the exact fraction: dividing into a Decimal first would round
    twice, and e.g. 12.3449999…(30 nines) would become 12.345 and then 12.35.
    """
    negative, whole = _hundredths(ratio)
    return Decimal(-whole if negative else whole).scaleb(-2)


def _ratio(value: Fraction | int) -> tuple[int, int]:
    """`value` as (numerator, denominator > 0), without building a Fraction for the
    usual ones (a page formats hundreds of figures; each Fraction operation costs a gcd)."""
    if type(value) is int:
        return value, 1
    if type(value) is Fraction:
        return value.numerator, value.denominator
    exact = Fraction(value)
    return exact.numerator, exact.denominator


def _rounded(numerator: int, denominator: int) -> int:
    """|numerator / denominator| rounded half-up (away from zero) to an integer. The same
    for any equal fraction, reduced or not (the remainder scales with the denominator)."""
    whole, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        whole += 1
    return whole


def _hundredths(ratio: Fraction) -> tuple[bool, int]:
    """round_percent's rounding in integers: whether `ratio` is negative, and its
    percentage's absolute value in hundredths, rounded half-up."""
    numerator, denominator = _ratio(ratio)
    return numerator < 0, _rounded(numerator * 10_000, denominator)


def format_percent(ratio: Fraction | None, language: str = "vi") -> str:
    """`57,58%`, `66,67%`, `12,50%`, `100%`, `0%`; `—` for None (no percentage).

    Rule: round half-up to 2 decimals; always show 2 decimals unless the rounded value is
    a whole number, which shows none. Vietnamese uses a decimal comma and thousands dots;
    English (`en*`) a decimal point and thousands commas.
    """
    if ratio is None:
        return NO_PERCENTAGE
    english = _is_english(language)
    # round_percent's value, without the Decimal (a page formats hundreds of them).
    negative, hundredths = _hundredths(ratio)
    sign = "-" if negative and hundredths else ""
    whole, cents = divmod(hundredths, 100)
    text = format_count(whole, language)
    if cents:
        text += ("." if english else ",") + f"{cents:02d}"
    return f"{sign}{text}%"


def format_amount(value: Fraction | int, language: str = "vi", places: int = 1) -> str:
    """A count that may be fractional, such as an expected figure (`1,5`, `2`, `1.234,5`):
    rounded half-up to `places` decimals, trailing zero decimals dropped."""
    numerator, denominator = _ratio(value)
    whole = _rounded(numerator * 10**places, denominator)
    sign = "-" if numerator < 0 and whole else ""
    units, decimals = divmod(whole, 10**places)
    text = format_count(units, language)
    if decimals:
        text += ("." if _is_english(language) else ",") + f"{decimals:0{places}d}".rstrip("0")
    return sign + text
