"""What the pages of the commission's other records share: the unit a list is narrowed
to, a paginated filtered list, and running a form through a service (a refusal on the
form's fields; a stale form moved on to the current version with what changed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from cases.forms.cases import apply_errors
from cases.forms.records import RecordForm
from ktgs import access, versioning
from ktgs.models import Organization

PER_PAGE = 50
F = TypeVar("F", bound=RecordForm)


def organization_param(request: HttpRequest, *, write: bool = False) -> Organization | None:
    """The unit of `?organization=`, if the user reaches it (else 404); None without it."""
    pk = request.GET.get("organization")
    if pk and pk.isdigit():
        return access.get_organization_for_user(request.user, int(pk), write=write)
    return None


def paginate(request: HttpRequest, queryset) -> Page:
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


class Outcome(Generic[F]):
    """What became of a submitted form: the service's result, or the form to show again
    (with the refusal on its fields, or moved on past a stale version)."""

    def __init__(self, form: F):
        self.form = form
        self.result: Any = None
        self.stale: versioning.StaleObjectError | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


def submit(form: F, call: Callable[..., Any], **kwargs) -> Outcome[F]:
    """Validate `form` and call the service with its fields, `version` included when the
    form has one (and `kwargs`). Nothing is written on a refusal: the services run in one
    transaction."""
    outcome = Outcome(form)
    if not form.is_valid():
        return outcome
    fields = form.service_fields()
    if "version" in form.fields:
        fields["version"] = form.cleaned_data["version"]
    try:
        outcome.result = call(**fields, **kwargs)
    except versioning.StaleObjectError as error:
        outcome.stale = error
        outcome.form = cast(F, form.moved_on(error.current_version))
    except ValidationError as error:
        apply_errors(form, error)
    return outcome
