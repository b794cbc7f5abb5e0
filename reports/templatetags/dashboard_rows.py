"""`{% child_rows child_lines %}`: the rows of the dashboard's children table; also those of
its lists of lagging units and of units without their programme (`lagging_rows`,
`without_programme_rows`: up to 20 and 50 rows).

Written here rather than in the template for speed (benchmark F6): a province has up to
~120 children and each row's twenty-odd template nodes cost ~7 ms per page. The lines
come formatted from the view (reports.views.dashboards.ChildLine); every value is escaped
as the template would escape it (django.utils.html.escape is html.escape with a
SafeString around it: the text is the same), with str.format on plain strings — format_html
per cell, with its SafeString and conditional_escape per argument, cost ~20 µs a cell —
except the figures: ktgs.figures writes them with digits, separators, "%" and "—" only,
and the bar's widths are numbers, in which escaping changes nothing (~1,200 calls a
province's page). The cells are those of partials/dashboard_body.html's table header."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_NAME = '\n    <tr><th scope="row"><a href="{}">{}</a>{}{}{}</th>\n      '
_CODE = ' <span class="muted">({})</span>'
_NO_PROGRAMME_NOTE = ' <span class="muted">({})</span>'
# One click to what the row counts: the unit's own targets, the cases of its subtree.
_LINKS = '<br><span class="row-links"><a href="{}">{}</a> · <a href="{}">{}</a></span>'
_NO_PROGRAMME_CELLS = '<td colspan="6" class="no-programme">{}</td>'
_DONE = '<a href="{}">{}/{}{}</a>'
_FIGURES = (
    '<td class="num">{}</td>\n'
    '      <td class="num">{}</td>\n'
    '      <td class="num">{}{}</td>\n'
    '      <td class="num">{}</td>\n'
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
_COUNT_LINK = '<a href="{}">{}</a>'
_MIXED = "<sup>*</sup>"


def _linked(url: str, count: str) -> str:
    """A count (ktgs.figures: nothing to escape) links to the list behind it; 0, or a
    count with no list, stays text."""
    if not url or count == "0":
        return count
    return _COUNT_LINK.format(escape(url), count)


@register.simple_tag
def child_rows(lines) -> SafeString:
    note = _NO_PROGRAMME_NOTE.format(escape(_("chưa có chương trình")))
    no_programme_cells = _NO_PROGRAMME_CELLS.format(escape(_("Chưa có chương trình")))
    targets_text, cases_text = escape(_("chỉ tiêu")), escape(_("cuộc"))
    rows = []
    for line in lines:
        no_programme = bool(line["without_programme"])
        code = _CODE.format(escape(line["code"])) if line["code"] else ""
        links = _LINKS.format(
            escape(line["targets_url"]), targets_text, escape(line["cases_url"]), cases_text
        )
        rows.append(
            _NAME.format(
                escape(line["url"]),
                escape(line["name"]),
                code,
                note if no_programme and not line["no_targets"] else "",
                links,
            )
        )
        if no_programme and line["no_targets"]:
            rows.append(no_programme_cells)
        else:
            unit = " " + escape(line["unit"]) if line["unit"] else ""
            done = (
                line["capped_done"],
                line["quantity"],
                unit or (_MIXED if line["mixed"] else ""),
            )
            rows.append(
                _FIGURES.format(
                    _DONE.format(escape(line["done_url"]), *done)
                    if line["done_url"] and not line["no_targets"]
                    else "{}/{}{}".format(*done),
                    line["completion"],
                    line["expected"],
                    unit,
                    line["gap"],
                    line["forecast"],
                    escape(line["bar_label"]),
                    line["bar_done"],
                    line["bar_expected"],
                )
            )
        rows.append(
            _COUNTS.format(
                _linked(line["lagging_url"], line["units_lagging"]),
                _linked(line["arising_url"], line["arising"]),
                _linked(line["without_programme_url"], line["units_without_programme"]),
            )
        )
    return mark_safe("".join(rows))


_LAGGING = (
    '\n    <tr><th scope="row"><a href="{}">{}</a>{}</th>\n'
    '      <td class="num"><a href="{}">{}/{}</a></td><td>{}</td>\n'
    '      <td><a href="{}">{}</a> · <a href="{}">{}</a></td></tr>'
)
_PARENT = ' <span class="parent">— {}</span>'


@register.simple_tag
def lagging_rows(lines) -> SafeString:
    """The rows of the lagging units (reports.views.dashboards.LaggingLine)."""
    targets_text, cases_text = escape(_("chỉ tiêu")), escape(_("cuộc"))
    return mark_safe(
        "".join(
            _LAGGING.format(
                escape(line["url"]),
                escape(line["name"]),
                _PARENT.format(escape(line["parent"])) if line["parent"] else "",
                escape(line["targets_url"]),
                line["capped_done"],  # ktgs.figures: nothing to escape
                line["quantity"],
                escape(line["reason"]),
                escape(line["targets_url"]),
                targets_text,
                escape(line["cases_url"]),
                cases_text,
            )
            for line in lines
        )
    )


_WITHOUT_PROGRAMME = '\n    <tr><td><a href="{}">{}</a></td>\n      <td>{}</td></tr>'


@register.simple_tag
def without_programme_rows(lines) -> SafeString:
    """The rows of the units without their programme (WithoutProgrammeLine)."""
    return mark_safe(
        "".join(
            _WITHOUT_PROGRAMME.format(
                escape(line["url"]), escape(line["name"]), escape(line["parent"])
            )
            for line in lines
        )
    )
