"""Template tags for forms: the errors of a failed save gathered for the error summary.

`{% load ktgs_forms %}{% error_items form formset as items %}` → one item per error, in the
order of the page: the form's own errors first, then each field's, then each formset row's;
each item is {"text", "href"}, href "#<the field's id>" ("" for an error of a whole form).
The partial ktgs/partials/error_summary.html lists them.
"""

from typing import Any

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext as _

register = template.Library()


def _form_items(form: forms.BaseForm, row: str = "") -> list[dict[str, str]]:
    items = []
    for error in form.non_field_errors():
        items.append({"text": f"{row}{error}", "href": ""})
    for bound in form:
        for error in bound.errors:
            label = bound.label or bound.name
            items.append({"text": f"{row}{label}: {error}", "href": f"#{bound.id_for_label or ''}"})
    return items


def _items(thing: Any) -> list[dict[str, str]]:
    if isinstance(thing, BaseFormSet):
        items = [{"text": str(error), "href": ""} for error in thing.non_form_errors()]
        for number, form in enumerate(thing.forms, start=1):
            if form.is_bound and form.errors:
                row = _("Dòng %(number)s") % {"number": number} + " — "
                items.extend(_form_items(form, row))
        return items
    if isinstance(thing, forms.BaseForm):
        return _form_items(thing) if thing.is_bound else []
    if isinstance(thing, list | tuple):
        return [item for part in thing for item in _items(part)]
    return []


@register.simple_tag
def error_items(*things: Any) -> list[dict[str, str]]:
    """Every error of the given forms, formsets or lists of them (empty values skipped)."""
    items = []
    for thing in things:
        items.extend(_items(thing))
    for item in items:
        if item["href"] == "#":
            item["href"] = ""
    return items
