"""Template filters for figures: percentages and numbers in the active language.

`{% load ktgs_format %}` then `{{ ratio|percent }}` → `57,58%` (vi) / `57.58%` (en), and
`{{ count|number }}` → `1.234.567` (vi) / `1,234,567` (en).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats

register = template.Library()

EMPTY = "—"
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def _to_decimal(value) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    try:
        # Through str so a float such as 0.5758 is taken as written, not as its binary
        # approximation 0.57579999…, which would round the wrong way at the half.
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def percent(value) -> str:
    """A ratio (0..1, more when a target is over-achieved) as a percentage.

    Rounded half-up to 2 decimals, as the official reports do. Whole percentages drop the
    decimals (`100%`, `0%`); otherwise both decimals stay (`57,50%`, never `57,5%`), so a
    column of figures lines up and reads like the printed reports. None → `—`.
    """
    if value is None or value == "":
        return EMPTY
    ratio = _to_decimal(value)
    if ratio is None or not ratio.is_finite():
        return ""
    pct = (ratio * _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP)
    decimals = 0 if pct == pct.to_integral_value() else 2
    return formats.number_format(pct, decimal_pos=decimals, use_l10n=True) + "%"


@register.filter
def number(value, decimal_pos=None) -> str:
    """A number with the active language's separators: `1.234.567`, `1.234.567,89` (vi).

    `{{ value|number:2 }}` fixes the decimals (rounded half-up); None → `—`.
    """
    if value is None or value == "":
        return EMPTY
    amount = _to_decimal(value)
    if amount is None or not amount.is_finite():
        return ""
    if decimal_pos is not None:
        decimal_pos = int(decimal_pos)
        amount = amount.quantize(Decimal(1).scaleb(-decimal_pos), rounding=ROUND_HALF_UP)
    return formats.number_format(
        amount, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True
    )
