"""Column headers a list can be sorted by, for the lists a leader reads.

`{% load ktgs_lists %}` then `{% sort_header "title" _("Nội dung") %}` in a `<tr>`: a
header cell whose link sorts the list by that column (`?sort=title`), the other filters
kept and the page reset; a second click reverses it (`?sort=-title`). The cell says the
order it is in (aria-sort) and shows an arrow.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, css_class: str = ""):
    request = context["request"]
    current = request.GET.get("sort", "")
    query = request.GET.copy()
    for name in ("page", "export"):
        query.pop(name, None)
    if current == key:
        state, arrow, query["sort"] = "ascending", " ▲", f"-{key}"
    elif current == f"-{key}":
        state, arrow, query["sort"] = "descending", " ▼", key
    else:
        state, arrow, query["sort"] = "none", "", key
    title = _("Sắp xếp theo “%(column)s”") % {"column": label}
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="?{}" title="{}">{}</a>{}</th>',
        css_class,
        state,
        query.urlencode(),
        title,
        label,
        arrow,
    )
