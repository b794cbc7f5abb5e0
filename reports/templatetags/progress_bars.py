"""Widths for the SVG progress bars (attributes, not inline styles: the CSP forbids those)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def bar_widths(item) -> dict:
    """done and expected as percentages of the target, for an SVG viewBox 0..100."""
    if not item.quantity:
        # An image needs a name for a screen reader (axe: svg-img-alt), even an empty bar.
        return {"done": "0", "expected": "0", "label": _("Chưa có chỉ tiêu")}
    done = min(100.0, 100.0 * item.capped_done / item.quantity)
    expected = min(99.2, 100.0 * float(item.expected) / item.quantity)
    return {
        "done": f"{done:.2f}",
        "expected": f"{expected:.2f}",
        "label": f"{item.capped_done}/{item.quantity}",
    }
