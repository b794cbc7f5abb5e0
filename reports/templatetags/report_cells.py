"""`{% discipline_cells line cases_url query form %}`, `{% done_cells line cases_url query %}`:
the cells of a row of the period report's discipline table, and those of what was done
in its table of activities (partials/period_report_table.html), each count linked to the
case list of what it counts.

Written here rather than in the template for speed: the discipline table's 81 cells of
about eight template nodes each were ~40% of the nodes of a grassroots unit's report page
(~1,000), the activities' 44 cells of about five another ~20%.
Every value is escaped as the template would escape it (django.utils.html.escape is
html.escape with a SafeString around it: the text is the same), with str.format on plain
strings."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from ktgs.templatetags.ktgs_format import number

register = template.Library()

_CELL = '<td class="num"><a href="{}?{}&amp;discipline={}&amp;subject={}{}">{}</a></td>'
_DECIDER = "&amp;decider={}"
_DONE = '<td class="num"><a href="{}?{}&amp;kind={}{}">{}</a></td>'
# (the case list's `subject` filter, the line's count) per cell, in the table's order.
_DONE_COUNTS = (
    ("", "cases"),
    ("&amp;subject=organization", "organizations"),
    ("&amp;subject=member", "members"),
    ("&amp;subject=committee_member", "committee_members"),
)


@register.simple_tag
def discipline_cells(line, cases_url: str, query: str, form: str) -> SafeString:
    """The cells of `line` (reports.queries.period_reports.DeciderDiscipline): per column
    group, per decider then all deciders."""
    url, query, form = escape(str(cases_url)), escape(str(query)), escape(str(form))
    return mark_safe(
        "".join(
            _CELL.format(
                url,
                query,
                form,
                escape(subject),
                _DECIDER.format(escape(decider)) if decider else "",
                escape(number(value)),
            )
            for subject, cells in line.cells
            for decider, value in cells
        )
    )


@register.simple_tag
def done_cells(line, cases_url: str, query: str) -> SafeString:
    """The cases and their subjects of `line` (reports.queries.period_reports.ReportLine)."""
    url, query, kind = escape(str(cases_url)), escape(str(query)), escape(str(line.kind))
    return mark_safe(
        "".join(
            _DONE.format(url, query, kind, subject, escape(number(getattr(line, name))))
            for subject, name in _DONE_COUNTS
        )
    )
