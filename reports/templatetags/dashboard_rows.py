"""`{% child_rows child_lines %}`: the rows of the dashboard's children table.

Written here rather than in the template for speed (benchmark F6): a province has up to
~120 children and each row's twenty-odd template nodes cost ~7 ms per page, where one
format_html per row costs under 1 ms. The lines come formatted from the view
(reports.views.dashboards.ChildLine); every value is escaped as the template would escape it. The
markup is that of partials/dashboard_body.html's table, kept byte for byte."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_NAME = '\n    <tr><td><a href="{}">{}</a>{}</td>\n      '
_NO_PROGRAMME_NOTE = ' <span class="muted">({})</span>'
_NO_PROGRAMME_CELLS = '<td colspan="5" class="no-programme">{}</td>'
_FIGURES = (
    '<td class="num">{}/{}{}</td>\n'
    '      <td class="num">{}</td>\n'
    '      <td class="num">{}{}</td>\n'
    '      <td class="num">{}</td>\n'
    '      <td><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img"'
    ' aria-label="{}">\n'
    '  <rect x="0" y="0" width="100" height="10" class="bar-target"/>\n'
    '  <rect x="0" y="0" width="{}" height="10" class="bar-done"/>\n'
    '  <rect x="{}" y="0" width="0.8" height="10" class="bar-expected"/>\n'
    "</svg>\n"
    "</td>"
)
_COUNTS = (
    '\n      <td class="num">{}</td>\n'
    '      <td class="num">{}</td>\n'
    '      <td class="num">{}</td></tr>'
)
_MIXED = mark_safe("<sup>*</sup>")


@register.simple_tag
def child_rows(lines) -> SafeString:
    note_text = _("chưa có chương trình")
    cells_text = _("Chưa có chương trình")
    rows = []
    for line in lines:
        no_programme = bool(line["without_programme"])
        note = ""
        if no_programme and not line["no_targets"]:
            note = format_html(_NO_PROGRAMME_NOTE, note_text)
        rows.append(format_html(_NAME, line["url"], line["name"], note))
        if no_programme and line["no_targets"]:
            rows.append(format_html(_NO_PROGRAMME_CELLS, cells_text))
        else:
            unit = format_html(" {}", line["unit"]) if line["unit"] else ""
            rows.append(
                format_html(
                    _FIGURES,
                    line["capped_done"],
                    line["quantity"],
                    unit or (_MIXED if line["mixed"] else ""),
                    line["completion"],
                    line["expected"],
                    unit,
                    line["forecast"],
                    line["bar_label"],
                    line["bar_done"],
                    line["bar_expected"],
                )
            )
        rows.append(
            format_html(
                _COUNTS, line["units_lagging"], line["arising"], line["units_without_programme"]
            )
        )
    return mark_safe("".join(rows))
