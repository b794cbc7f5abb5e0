"""Forms of the case pages. They only parse input; the rules live in cases.services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases import queries, services
from cases.models import Case, CaseSubject, DisciplineDecision
from cases.services.status import REASON_MAX_LENGTH
from ktgs import access
from ktgs.models import Organization
from plans.models import ActivityKind, Body, DecidingBody, Target

# The target choice: a target's id, or "arising" picked by the user. "auto" (the service
# proposes) is accepted from scripted posts but never offered: on the page the user sees
# the target the case will fulfil.
TARGET_AUTO = "auto"
TARGET_ARISING = "arising"


def date_field(label, **kwargs) -> forms.DateField:
    """A date typed as dd/mm/yyyy (the vi format module parses it; ISO is accepted too)."""
    widget = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    return forms.DateField(label=label, widget=widget, **kwargs)


def confirm_field() -> forms.BooleanField:
    """The "Tôi xác nhận" step of a one-way action: the page says what will follow next
    to it, and the form refuses the action until it is ticked (no script needed)."""
    return forms.BooleanField(
        label=_("Tôi xác nhận"),
        error_messages={"required": _("Hãy đánh dấu “Tôi xác nhận” để thực hiện bước này.")},
    )


def save_anyway_field() -> forms.BooleanField:
    """Shown with the warnings after a save attempt: ticked, the save goes through."""
    return forms.BooleanField(label=_("Tôi đã xem các cảnh báo và vẫn lưu"), required=False)


# The fields of the confirmation steps, never passed to a service.
CONFIRMATION_FIELDS = ("confirmed", "save_anyway")


def unit_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class UnitPicker(forms.HiddenInput):
    """The chosen unit's id; the page shows a search box next to it (a combobox:
    cases/partials/unit_picker.html, cases/subjects.js). The box is what a person reads and
    types in, so the field's label points to it (`id_for_label`) and the field's error
    describes it: the hidden input carries neither aria-describedby nor aria-invalid."""

    def id_for_label(self, id_):
        return f"{id_}_query" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for attr in ("aria-describedby", "aria-invalid"):
            context["widget"]["attrs"].pop(attr, None)
        return context


class UnitChoiceField(forms.ModelChoiceField):
    """A unit chosen by id that reads it once per form: the case form reads its unit early,
    to list the targets that match (CaseForm._lenient), and again when it is validated."""

    _last_read: tuple[str, Any]

    def already_read(self, unit: Organization) -> None:
        """`unit` was read from this field's queryset by the caller (the page's
        `?organization=`, through the same scope): chosen by its id, it is not read again."""
        self._last_read = (str(unit.pk), unit)

    def to_python(self, value):
        if value in self.empty_values:
            return super().to_python(value)
        key = str(value)
        last = getattr(self, "_last_read", None)
        if last is not None and last[0] == key:
            return last[1]
        found = super().to_python(value)
        self._last_read = (key, found)
        return found


def picked(form: forms.Form, name: str) -> Organization | None:
    """The unit currently chosen in a picker field (bound or initial), for its label."""
    value = form[name].value()
    if isinstance(value, Organization):
        return value
    if value in (None, "") or not str(value).isdigit():
        return None
    queryset = unit_field(form, name).queryset
    if queryset is None:
        return None
    return queryset.select_related("parent").filter(pk=value).first()


@dataclass(frozen=True)
class TargetOption:
    """One choice of the case form's target list, as the page shows it."""

    value: str
    match: services.Match | None  # None: "arising"
    proposed: bool
    checked: bool
    other_body: bool = False  # of the unit's programme of a body other than the case's


class CaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organization = UnitChoiceField(
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
    title = forms.CharField(
        label=_("Nội dung"), max_length=255, widget=forms.Textarea(attrs={"rows": 3})
    )
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)
    decided_on = date_field(_("Ngày quyết định"), required=False)
    work_starts_on = date_field(_("Bắt đầu làm việc"), required=False)
    work_ends_on = date_field(_("Kết thúc làm việc"), required=False)
    target = forms.ChoiceField(
        label=_("Thực hiện chỉ tiêu"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Hãy chọn chỉ tiêu mà cuộc này thực hiện, hoặc chọn “Phát sinh (ngoài "
                "chương trình)”."
            ),
            "invalid_choice": _(
                "Chỉ tiêu đã chọn không khớp với đơn vị, loại, năm và ngày của cuộc này: hãy "
                "chọn lại trong danh sách."
            ),
        },
    )
    # Shown with the target list when a listed target is of the unit's programme of
    # another body (the page shows it only while such a target is checked).
    confirm_body_mismatch = forms.BooleanField(
        label=_("Xác nhận cuộc này thực hiện chỉ tiêu thuộc chương trình của chủ thể khác"),
        required=False,
    )

    # The fields the target list depends on (the page refreshes the list when one changes).
    TARGET_INPUTS = ("organization", "body", "kind", "year", "decided_on", "work_starts_on")

    def __init__(
        self,
        *args,
        user,
        case: Case | None = None,
        writable_unit: Organization | None = None,
        **kwargs,
    ):
        """`writable_unit`: a unit the caller read through access.writable_organizations'
        scope for `user` (the page's `?organization=`): posted as the unit, it is taken
        without reading it again (benchmark F7)."""
        super().__init__(*args, **kwargs)
        field = cast(UnitChoiceField, unit_field(self, "organization"))
        field.queryset = access.writable_organizations(user)
        if writable_unit is not None:
            field.already_read(writable_unit)
        self.case = case
        self.matches = self._matching_targets()
        # The targets listed: the open ones that match, due first; on an edit, also the
        # one the case fulfils while it still fits (it may be complete now).
        self.listed: dict[str, services.Match] = {str(m.target.pk): m for m in self.matches}
        current = case.target if case is not None else None
        kept = current is not None and str(current.pk) not in self.listed and self._fits(current)
        if case is not None and current is not None and kept:
            work = services.work_on_targets([current], on=self._on, exclude_case=case.pk)
            self.listed[str(current.pk)] = services.Match(target=current, work=work[current.pk])
        self.listed = dict(
            sorted(self.listed.items(), key=lambda item: (item[1].target.due_on, int(item[0])))
        )
        self.targets: dict[str, Target] = {pk: m.target for pk, m in self.listed.items()}
        self.case_body = self._body_of_page()
        self.proposed = services.proposed_of(self.matches, self.case_body)
        if (
            not self.is_bound
            and "confirm_body_mismatch" not in self.initial
            and current is not None
            and str(current.pk) in self.targets
            and case is not None
            and services.other_body(current, case.body)
        ):
            self.initial["confirm_body_mismatch"] = True  # confirmed when it was linked
        choices: list[tuple[str, Any]] = [(pk, str(t)) for pk, t in self.targets.items()]
        choices += [
            (TARGET_ARISING, _("Phát sinh (ngoài chương trình)")),
            (TARGET_AUTO, TARGET_AUTO),
        ]
        _choice_field(self, "target").choices = choices
        if not self.is_bound and self.initial.get("target") not in [*self.targets, TARGET_ARISING]:
            self.initial["target"] = str(self.proposed.pk) if self.proposed else TARGET_ARISING

    def _lenient(self, name: str):
        """A field's current value (typed or initial), or None when it is not valid yet."""
        try:
            return self.fields[name].clean(self[name].value())
        except ValidationError:
            return None

    def _body_of_page(self) -> str:
        """The body typed; on a new page without one, the body whose programme sets the
        first open target of the unit's own programme (the select starts there, so the
        proposal and the body shown agree)."""
        body = self._lenient("body")
        if body is None and not self.is_bound:
            own = (
                m.target.programme.body
                for m in self.matches
                if m.target.organization_id == m.target.programme.organization_id
            )
            body = next(own, None)
            if body is not None:
                self.initial["body"] = body
        return body or ""

    def _matching_targets(self) -> list[services.Match]:
        unit, kind, year = (self._lenient(n) for n in ("organization", "kind", "year"))
        self._on = self._lenient("decided_on") or self._lenient("work_starts_on")
        self._key = (unit.pk, kind, year) if unit is not None and kind and year else None
        if unit is None or self._key is None:
            return []
        return services.open_targets(
            organization=unit,
            kind=kind,
            year=year,
            on=self._on,
            exclude_case=self.case.pk if self.case is not None else None,
        )

    def _fits(self, target: Target) -> bool:
        """The target is for the unit and kind typed, in a programme covering the year."""
        if self._key is None:
            return False
        unit, kind, year = self._key
        programme = target.programme
        return (
            target.organization_id == unit
            and target.kind == kind
            and programme.year <= year <= programme.end_year
        )

    @property
    def target_options(self) -> list[TargetOption]:
        """The listed targets, each with what it lacks, then "arising"; the one checked is
        the choice the user is making (the proposed one until they pick another)."""
        value = str(self["target"].value() or "")
        if value == TARGET_AUTO:
            value = str(self.proposed.pk) if self.proposed else TARGET_ARISING
        options = [
            TargetOption(
                value=pk,
                match=match,
                proposed=match.target == self.proposed,
                checked=value == pk,
                other_body=services.other_body(match.target, self.case_body),
            )
            for pk, match in self.listed.items()
        ]
        options.append(
            TargetOption(
                value=TARGET_ARISING, match=None, proposed=False, checked=value == TARGET_ARISING
            )
        )
        return options

    @property
    def asks_body_confirmation(self) -> bool:
        """A listed target is of another body's programme: the confirmation is offered."""
        return any(option.other_body for option in self.target_options)

    @property
    def targets_seen(self) -> str:
        """The ids of the targets listed on the page, sent back with the choice."""
        return ",".join(self.targets)

    @property
    def picked_organization(self) -> Organization | None:
        return picked(self, "organization")

    def clean_title(self) -> str:
        # A textarea sends CRLF line ends: kept as the single LF the page shows back.
        return self.cleaned_data["title"].replace("\r\n", "\n")

    def clean_target(self):
        value = self.cleaned_data["target"]
        if value == TARGET_AUTO:
            if self.case is None and self._key is not None:
                # A new case: the proposal is the service's own (services.proposed_of over
                # services.open_targets, for the same unit, body, kind, year and date),
                # already read to list the targets; the service need not read it again.
                return self.proposed
            return services.AUTO
        if value == TARGET_ARISING:
            seen = set(str(self.data.get("targets_seen", "")).split(","))
            if set(self.targets) - seen:
                # The list changed under the user (unit, kind or year changed without the
                # page refreshing it): "arising" was not chosen knowing these targets.
                raise ValidationError(
                    _(
                        "Có chỉ tiêu khớp với cuộc này mà bạn chưa thấy khi chọn: hãy xem "
                        "danh sách và chọn lại."
                    ),
                    code="targets_unseen",
                )
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
    # Asked when the unit is outside the conducting unit's subtree (services.outside_subtree):
    # the page shows it with a warning as soon as such a unit is picked (cases/subjects.js).
    confirm_outside = forms.BooleanField(
        label=_("Tôi xác nhận đơn vị này ngoài phạm vi của đơn vị tiến hành"), required=False
    )

    def __init__(self, *args, user, conducting: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        unit_field(self, "organization").queryset = access.visible_organizations(user)
        self.conducting = conducting

    @property
    def picked_unit(self) -> Organization | None:
        return picked(self, "organization")

    @property
    def outside(self) -> bool:
        """The unit picked is outside the conducting unit's subtree (as far as the form
        knows the conducting unit: a new row's is the page's, known to the script)."""
        unit = self.picked_unit
        return (
            unit is not None
            and self.conducting is not None
            and services.outside_subtree(unit, self.conducting)
        )

    @property
    def asks_outside_confirmation(self) -> bool:
        """The confirmation is shown: for a unit outside, or one confirmed before."""
        return self.outside or bool(self["confirm_outside"].value())

    def clean(self):
        data = super().clean() or {}
        unit = data.get("organization")
        if (
            data.get("kind") == CaseSubject.Kind.ORGANIZATION
            and unit is not None
            and self.conducting is not None
            and services.outside_subtree(unit, self.conducting)
            and not data.get("confirm_outside")
        ):
            self.add_error(
                "confirm_outside",
                ValidationError(
                    _(
                        "%(unit)s (%(code)s) không thuộc %(conducting)s hay đơn vị nào trực "
                        "thuộc: hãy chọn lại đơn vị, hoặc đánh dấu xác nhận nếu đúng là đơn "
                        "vị này."
                    ),
                    code="outside_subtree",
                    params={
                        "unit": unit.name,
                        "code": unit.code,
                        "conducting": self.conducting.name,
                    },
                ),
            )
        return data

    def subject_fields(self) -> dict:
        skipped = ("id", "DELETE", "confirm_outside")
        return {k: v for k, v in self.cleaned_data.items() if k not in skipped}


SubjectFormSet = forms.formset_factory(SubjectForm, extra=0, can_delete=True)


def subject_formset(data=None, *, user, initial=None):
    """The subject rows of the case form. Bound, each row knows the conducting unit posted
    with them (the case form's `organization`), to ask for the confirmation of a unit
    outside its subtree; a value the case form refuses asks nothing (its error is enough)."""
    conducting = None
    if data is not None:
        value = str(data.get("organization", ""))
        # Read only for rows to ask about (a case is often recorded without subjects).
        if value.isdigit() and str(data.get("subjects-TOTAL_FORMS", "")) != "0":
            visible = access.visible_organizations(user)
            conducting = visible.filter(pk=int(value)).first()
    return SubjectFormSet(
        data,
        initial=initial,
        form_kwargs={"user": user, "conducting": conducting},
        prefix="subjects",
    )


def initial_subjects(case: Case) -> list[dict]:
    subjects = case.subjects.select_related("organization").order_by("pk")
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
            # Saved outside the conducting unit's subtree: it was confirmed then (or
            # before the confirmation existed); a unit moved out by a change of the
            # conducting unit on this page is asked again.
            "confirm_outside": s.organization is not None
            and services.outside_subtree(s.organization, case.organization),
        }
        for s in subjects
    ]


class StatusForm(forms.Form):
    """A step to the next state: posted first by the case page's button (the confirmation
    page answers), then from the confirmation page with `confirmed` ticked."""

    status = forms.ChoiceField(choices=Case.Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Lý do (không bắt buộc)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(forms.Form):
    """Undo a cancellation: an administrator of the unit, with a reason for the history."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Lý do mở lại"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy nhập lý do mở lại.")},
    )
    confirmed = confirm_field()


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
    confirmed = confirm_field()
    save_anyway = save_anyway_field()

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        # Concluding is a one-way step; correcting a conclusion already recorded is not.
        self.first_conclusion = case.status != Case.Status.CONCLUDED
        if not self.first_conclusion:
            del self.fields["confirmed"]

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in CONFIRMATION_FIELDS}


class DisciplineForm(forms.Form):
    """One decision on one subject: only the forms that fit the subject are offered; the
    service refuses any other anyway."""

    form = forms.ChoiceField(label=_("Hình thức"))
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64)
    decided_on = date_field(_("Ngày quyết định"))
    deciding_organization = forms.ModelChoiceField(
        label=_("Đơn vị quyết định"), queryset=Organization.objects.none()
    )
    deciding_body = forms.ChoiceField(label=_("Cơ quan quyết định"), choices=DecidingBody.choices)
    is_committee_member = forms.BooleanField(label=_("Là cấp ủy viên"), required=False)
    confirmed = confirm_field()
    save_anyway = save_anyway_field()

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
        unit_field(self, "deciding_organization").queryset = queries.deciding_organizations(
            case.organization
        )

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in CONFIRMATION_FIELDS}


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
