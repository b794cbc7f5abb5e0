"""Forms of the case pages. They only parse input; the rules live in cases.services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases import queries, services
from cases.models import Case, CaseSubject, DisciplineDecision
from ktgs import access
from ktgs.models import Organization
from plans.models import ActivityKind, Body, Target

TARGET_AUTO = "auto"


def date_field(label, **kwargs) -> forms.DateField:
    """A date typed as dd/mm/yyyy (the vi format module parses it; ISO is accepted too)."""
    widget = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    return forms.DateField(label=label, widget=widget, **kwargs)


def _unit_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class UnitPicker(forms.HiddenInput):
    """The chosen unit's id; the page shows a search box next to it (cases/subjects.js)."""


def _picked(form: forms.Form, name: str) -> Organization | None:
    """The unit currently chosen in a picker field (bound or initial), for its label."""
    value = form[name].value()
    if isinstance(value, Organization):
        return value
    if value in (None, "") or not str(value).isdigit():
        return None
    queryset = _unit_field(form, name).queryset
    return queryset.filter(pk=value).first() if queryset is not None else None


class CaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organization = forms.ModelChoiceField(
        label=_("Đơn vị tiến hành"),
        queryset=Organization.objects.none(),
        widget=UnitPicker,
        error_messages={
            "required": _("Hãy chọn đơn vị tiến hành."),
            "invalid_choice": _("Đơn vị không thuộc phạm vi của bạn."),
        },
    )
    body = forms.ChoiceField(label=_("Chủ thể"), choices=Body.choices)
    kind = forms.ChoiceField(label=_("Loại"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Nội dung"), max_length=255)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    target = forms.ChoiceField(label=_("Thực hiện chỉ tiêu"), required=False)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)
    decided_on = date_field(_("Ngày quyết định"), required=False)
    work_starts_on = date_field(_("Bắt đầu làm việc"), required=False)
    work_ends_on = date_field(_("Kết thúc làm việc"), required=False)

    def __init__(self, *args, user, organization: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _unit_field(self, "organization").queryset = access.writable_organizations(user)
        self.targets: dict[str, Target] = {}
        choices: list[tuple[str, Any]] = [
            (TARGET_AUTO, _("Tự động đề xuất")),
            ("", _("Không — phát sinh")),
        ]
        if organization is not None:
            self.targets = {str(t.pk): t for t in queries.target_choices(organization)}
            choices += [(pk, f"{t.programme.doc_number} · {t}") for pk, t in self.targets.items()]
        _choice_field(self, "target").choices = choices

    @property
    def picked_organization(self) -> Organization | None:
        return _picked(self, "organization")

    def clean_target(self):
        value = self.cleaned_data["target"]
        if value == TARGET_AUTO:
            return services.AUTO
        if not value:
            return None
        return self.targets[value]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in ("decision_number",):
            data[name] = data[name] or ""
        return data


class SubjectForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A blank first choice: a row added with the button and left untouched is ignored.
    kind = forms.ChoiceField(
        label=_("Loại đối tượng"), choices=[("", "—"), *CaseSubject.Kind.choices]
    )
    organization = forms.ModelChoiceField(
        label=_("Tổ chức đảng"),
        queryset=Organization.objects.none(),
        widget=UnitPicker,
        required=False,
        error_messages={"invalid_choice": _("Tổ chức đảng không thuộc phạm vi của bạn.")},
    )
    member_name = forms.CharField(label=_("Họ tên"), max_length=120, required=False)
    member_position = forms.CharField(label=_("Chức vụ"), max_length=160, required=False)
    is_committee_member = forms.BooleanField(label=_("Cấp ủy viên"), required=False)
    is_head = forms.BooleanField(label=_("Người đứng đầu"), required=False)
    is_probationary = forms.BooleanField(label=_("Dự bị"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _unit_field(self, "organization").queryset = access.visible_organizations(user)

    @property
    def picked_unit(self) -> Organization | None:
        return _picked(self, "organization")

    def subject_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("id", "DELETE")}


SubjectFormSet = forms.formset_factory(SubjectForm, extra=0, can_delete=True)


def subject_formset(data=None, *, user, initial=None):
    return SubjectFormSet(data, initial=initial, form_kwargs={"user": user}, prefix="subjects")


def initial_subjects(case: Case) -> list[dict]:
    return [
        {
            "id": s.pk,
            "kind": s.kind,
            "organization": s.organization_id,
            "member_name": s.member_name,
            "member_position": s.member_position,
            "is_committee_member": s.is_committee_member,
            "is_head": s.is_head,
            "is_probationary": s.is_probationary,
        }
        for s in case.subjects.order_by("pk")
    ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Case.Status.choices)
    version = forms.IntegerField()


class ConcludeForm(forms.Form):
    YES_NO = [("", "—"), ("true", _("Có")), ("false", _("Không"))]

    version = forms.IntegerField(widget=forms.HiddenInput)
    concluded_on = date_field(
        _("Ngày thông báo kết luận"),
        error_messages={"required": _("Hãy nhập ngày thông báo kết luận.")},
    )
    conclusion_number = forms.CharField(
        label=_("Số thông báo kết luận"), max_length=64, required=False
    )
    violation_found = forms.TypedChoiceField(
        label=_("Có vi phạm"),
        choices=YES_NO,
        required=False,
        empty_value=None,
        coerce=lambda v: v == "true",
    )
    shortcomings_found = forms.TypedChoiceField(
        label=_("Có khuyết điểm"),
        choices=YES_NO,
        required=False,
        empty_value=None,
        coerce=lambda v: v == "true",
    )
    summary = forms.CharField(label=_("Tóm tắt kết luận"), widget=forms.Textarea, required=False)


class DisciplineForm(forms.Form):
    """One decision on one subject: only the forms that fit the subject are offered; the
    service refuses any other anyway."""

    form = forms.ChoiceField(label=_("Hình thức"))
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64)
    decided_on = date_field(_("Ngày quyết định"))
    deciding_organization = forms.ModelChoiceField(
        label=_("Đơn vị quyết định"), queryset=Organization.objects.none()
    )
    deciding_body = forms.ChoiceField(label=_("Cơ quan quyết định"), choices=Body.choices)
    is_committee_member = forms.BooleanField(label=_("Là cấp ủy viên"), required=False)

    def __init__(self, *args, case: Case, subject: CaseSubject, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "is_committee_member": subject.is_committee_member,
                "deciding_organization": case.organization_id,
                "deciding_body": case.body,
            },
        )
        super().__init__(*args, **kwargs)
        _choice_field(self, "form").choices = [
            (value, label)
            for value, label in DisciplineDecision.Form.choices
            if value in services.forms_for(subject)
        ] or DisciplineDecision.Form.choices
        self.fields["form"].error_messages["invalid_choice"] = _(
            "Hình thức kỷ luật này không áp dụng cho đối tượng này."
        )
        _unit_field(self, "deciding_organization").queryset = queries.deciding_organizations(
            case.organization
        )


def apply_errors(form: forms.Form, error: ValidationError, formset=None, index_map=None) -> None:
    """Put a service's errors on the fields they name (subjects' on their own rows)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        if name.startswith("subjects.") and formset is not None:
            _, index, *field = name.split(".")
            target = formset.forms[(index_map or {}).get(int(index), int(index))]
            field_name = field[0] if field and field[0] in target.fields else None
            target.add_error(field_name, messages)
        elif name in form.fields:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)
