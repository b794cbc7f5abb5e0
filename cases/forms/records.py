"""Forms of the pages of the commission's other records: letters, denunciations,
disciplinary complaints, suspensions. They only parse input; the rules (and every
Vietnamese refusal) live in cases.services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cases import queries
from cases.forms.cases import (
    CONFIRMATION_FIELDS,
    ConcludeForm,
    UnitPicker,
    confirm_field,
    date_field,
    picked,
    unit_field,
)
from cases.models import (
    Case,
    Denunciation,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
    Suspension,
)
from ktgs import access
from ktgs.models import Organization
from plans.models import Body, DecidingBody

UNIT_ERRORS = {
    "required": _("Hãy chọn đơn vị."),
    "invalid_choice": _("Đơn vị không thuộc phạm vi của bạn."),
}


class RecordForm(forms.Form):
    """A form of one record's page: knows the user (and the record, for an action)."""

    def __init__(self, data=None, *, user, record=None, **kwargs):
        self.user, self.record = user, record
        super().__init__(data, **kwargs)

    def service_fields(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k != "version" and k not in CONFIRMATION_FIELDS
        }

    def moved_on(self, version: int | None) -> RecordForm:
        """The same input at the current version (a stale form: saving again after
        reading the changes is a deliberate overwrite)."""
        data = cast(QueryDict, self.data).copy()
        data[self.add_prefix("version")] = str(version)
        form = type(self)(data, user=self.user, record=self.record, prefix=self.prefix)
        form.is_valid()
        return form


class ActionForm(RecordForm):
    """An action on a record at the version the page showed. Every action is a one-way
    step: the form says what will follow (`follows`) and asks for "Tôi xác nhận"."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    confirmed = confirm_field()
    follows: tuple[Any, ...] = ()

    def __init__(self, data=None, *, user, record, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", record.version)
        super().__init__(data, user=user, record=record, **kwargs)


# --- letters ----------------------------------------------------------------------------


class LetterForm(RecordForm):
    """One screen for a letter received; an edit carries the version it was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organization = forms.ModelChoiceField(
        label=_("Đơn vị nhận"),
        queryset=Organization.objects.none(),
        widget=UnitPicker,
        error_messages=UNIT_ERRORS,
    )
    body = forms.ChoiceField(label=_("Cơ quan nhận"), choices=Body.choices)
    received_on = date_field(_("Ngày nhận"))
    reference = forms.CharField(label=_("Số đến"), max_length=32, required=False)
    sender_kind = forms.ChoiceField(label=_("Người gửi"), choices=Letter.SenderKind.choices)
    sender_name = forms.CharField(
        label=_("Họ tên người gửi"),
        max_length=120,
        required=False,
        help_text=_("Chỉ ghi khi đơn có họ tên, địa chỉ người gửi."),
    )
    kind = forms.ChoiceField(label=_("Loại đơn"), choices=Letter.Kind.choices)
    about_kind = forms.ChoiceField(
        label=_("Đối tượng bị phản ánh"), choices=Letter.AboutKind.choices
    )
    about_organization = forms.ModelChoiceField(
        label=_("Tổ chức đảng bị phản ánh"),
        queryset=Organization.objects.none(),
        widget=UnitPicker,
        required=False,
        error_messages={"invalid_choice": _("Tổ chức đảng không thuộc phạm vi của bạn.")},
    )
    about_member_name = forms.CharField(
        label=_("Họ tên đảng viên bị phản ánh"), max_length=120, required=False
    )
    about_member_position = forms.CharField(label=_("Chức vụ"), max_length=160, required=False)
    about_is_committee_member = forms.BooleanField(label=_("Là cấp ủy viên"), required=False)
    summary = forms.CharField(label=_("Nội dung tóm tắt"), widget=forms.Textarea)

    # Laid out by hand (unit pickers); the rest in this order.
    PICKERS = ("organization", "about_organization")

    def __init__(self, data=None, *, user, record=None, **kwargs):
        super().__init__(data, user=user, record=record, **kwargs)
        unit_field(self, "organization").queryset = access.writable_organizations(user)
        unit_field(self, "about_organization").queryset = access.visible_organizations(user)
        if record is None:
            del self.fields["version"]
        else:
            self.fields["version"].required = True
            # The receiving unit is the row's own: a letter for another unit is forwarded.
            del self.fields["organization"]

    @property
    def picked_organization(self) -> Organization | None:
        return picked(self, "organization") if "organization" in self.fields else None

    @property
    def picked_about(self) -> Organization | None:
        return picked(self, "about_organization")

    @property
    def plain_fields(self):
        return [f for f in self if f.name not in ("version", *self.PICKERS)]


class HandledOnForm(ActionForm):
    handled_on = date_field(_("Ngày xử lý"))
    follows: tuple[Any, ...] = (
        _("Đơn được ghi là đã xử lý và không còn chờ xử lý; không hoàn tác được."),
    )

    def service_fields(self):
        return {"on": self.cleaned_data["handled_on"]}


class ForwardForm(HandledOnForm):
    follows = (
        _("Đơn được ghi là đã chuyển; đơn vị nhận có một bản của đơn để tự xử lý."),
        _("Không hoàn tác được."),
    )
    forwarded_to = forms.ModelChoiceField(
        label=_("Chuyển đến đơn vị"),
        queryset=Organization.objects.none(),
        error_messages=UNIT_ERRORS,
    )
    body = forms.ChoiceField(
        label=_("Cơ quan nhận"), choices=[("", _("Như đơn này")), *Body.choices], required=False
    )

    def __init__(self, data=None, *, user, record, **kwargs):
        super().__init__(data, user=user, record=record, **kwargs)
        unit_field(self, "forwarded_to").queryset = queries.forward_destinations(
            record, user
        ).order_by("path")

    def service_fields(self):
        data = self.cleaned_data
        return {"on": data["handled_on"], "to": data["forwarded_to"], "body": data["body"] or None}


class LinkCaseForm(HandledOnForm):
    follows = (
        _("Đơn được gắn với cuộc kiểm tra đã chọn và không còn chờ xử lý."),
        _("Không hoàn tác được."),
    )
    case = forms.ModelChoiceField(
        label=_("Cuộc kiểm tra"),
        queryset=Case.objects.none(),
        error_messages={
            "required": _("Hãy chọn cuộc kiểm tra."),
            "invalid_choice": _("Cuộc kiểm tra không thuộc phạm vi của bạn."),
        },
    )

    def __init__(self, data=None, *, user, record, **kwargs):
        super().__init__(data, user=user, record=record, **kwargs)
        # The cases the user records for the letter's unit and the units below it.
        unit_field(self, "case").queryset = (
            access.scope(Case.objects.all(), user, write=True)
            .filter(organization__path__startswith=record.organization.path)
            .exclude(status=Case.Status.CANCELLED)
            .order_by("-year", "-pk")
        )

    def service_fields(self):
        return {"on": self.cleaned_data["handled_on"], "case": self.cleaned_data["case"]}


class OpenDenunciationForm(ActionForm):
    """Open the handling of the denunciation a letter makes: who handles it, and its
    decision when known (the case is then under way at once)."""

    follows = (
        _("Một hồ sơ giải quyết tố cáo và cuộc kiểm tra để giải quyết được mở."),
        _("Thời hạn giải quyết bắt đầu tính; đơn không còn chờ xử lý."),
    )

    body = forms.ChoiceField(label=_("Cơ quan giải quyết"), choices=DecidingBody.choices)
    title = forms.CharField(
        label=_("Nội dung"),
        max_length=255,
        required=False,
        help_text=_("Để trống: “Giải quyết tố cáo đối với …”."),
    )
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)
    decided_on = date_field(_("Ngày quyết định"), required=False)

    def __init__(self, data=None, *, user, record, **kwargs):
        kwargs.setdefault("initial", {})
        if record.body in DecidingBody.values:
            kwargs["initial"].setdefault("body", record.body)
        super().__init__(data, user=user, record=record, **kwargs)


# --- denunciations ----------------------------------------------------------------------


class ExtendDenunciationForm(ActionForm):
    follows = (
        _("Thời hạn giải quyết được dời đến ngày đã nhập."),
        _("Mỗi tố cáo chỉ được gia hạn một lần."),
    )
    extended_to = date_field(_("Gia hạn đến ngày"))
    extension_reason = forms.CharField(label=_("Lý do gia hạn"), widget=forms.Textarea)

    def service_fields(self):
        return {
            "to": self.cleaned_data["extended_to"],
            "reason": self.cleaned_data["extension_reason"],
        }


class ConcludeDenunciationForm(ActionForm):
    follows = (
        _("Cuộc giải quyết tố cáo chuyển sang “Đã kết luận” và được tính vào chỉ tiêu."),
        _("Kết luận còn sửa được sau đó, nhưng cuộc không trở lại “Đang tiến hành”."),
    )
    YES_NO = ConcludeForm.YES_NO

    conclusion = forms.ChoiceField(
        label=_("Kết luận nội dung tố cáo"),
        choices=[("", "—"), *Denunciation.Conclusion.choices],
        error_messages={"required": _("Hãy chọn kết luận: đúng, đúng một phần hoặc sai.")},
    )
    concluded_on = date_field(
        _("Ngày kết luận"), error_messages={"required": _("Hãy nhập ngày kết luận.")}
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
        help_text=_("Để trống: tố cáo đúng hoặc đúng một phần là có vi phạm."),
    )
    shortcomings_found = forms.TypedChoiceField(
        label=_("Có khuyết điểm"),
        choices=YES_NO,
        required=False,
        empty_value=None,
        coerce=lambda v: v == "true",
    )
    summary = forms.CharField(label=_("Tóm tắt kết luận"), widget=forms.Textarea, required=False)


# --- disciplinary complaints ------------------------------------------------------------


class DisciplineChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return (
            f"{obj.decision_number} ({obj.decided_on:%d/%m/%Y}) · {obj.get_form_display()} · "
            f"{obj.subject}"
        )


class ComplaintForm(RecordForm):
    """One screen for a complaint against a discipline decision, lodged with a body of a
    unit at or above the one that decided."""

    discipline = DisciplineChoice(
        label=_("Quyết định kỷ luật bị khiếu nại"),
        queryset=DisciplineDecision.objects.none(),
        error_messages={
            "required": _("Hãy chọn quyết định kỷ luật bị khiếu nại."),
            "invalid_choice": _("Quyết định kỷ luật không thuộc phạm vi của bạn."),
        },
    )
    organization = forms.ModelChoiceField(
        label=_("Đơn vị giải quyết"),
        queryset=Organization.objects.none(),
        widget=UnitPicker,
        error_messages=UNIT_ERRORS,
    )
    body = forms.ChoiceField(label=_("Cơ quan giải quyết"), choices=DecidingBody.choices)
    complainant = forms.CharField(
        label=_("Người (tổ chức) khiếu nại"),
        max_length=255,
        required=False,
        help_text=_("Để trống: người (tổ chức) bị kỷ luật."),
    )
    decision_received_on = date_field(_("Ngày nhận quyết định kỷ luật"))
    lodged_on = date_field(_("Ngày gửi khiếu nại"))
    late_reason = forms.CharField(
        label=_("Lý do nhận khiếu nại quá hạn"), widget=forms.Textarea, required=False
    )
    letter = forms.ModelChoiceField(
        label=_("Đơn khiếu nại"),
        queryset=Letter.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    title = forms.CharField(label=_("Nội dung"), max_length=255, required=False)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)
    decided_on = date_field(_("Ngày quyết định"), required=False)

    def __init__(self, data=None, *, user, record=None, **kwargs):
        super().__init__(data, user=user, record=record, **kwargs)
        unit_field(self, "organization").queryset = access.writable_organizations(user)
        unit_field(self, "discipline").queryset = queries.open_disciplines(user)
        unit_field(self, "letter").queryset = access.scope(
            Letter.objects.filter(
                kind=Letter.Kind.DISCIPLINE_COMPLAINT, handling=Letter.Handling.PENDING
            ),
            user,
            write=True,
        )

    @property
    def picked_organization(self) -> Organization | None:
        return picked(self, "organization")

    @property
    def plain_fields(self):
        return [f for f in self if f.name not in ("organization", "letter")]

    def service_fields(self):
        data = dict(self.cleaned_data)
        letter = data.get("letter")
        data["letter_version"] = letter.version if letter is not None else None
        return data


class DecideComplaintForm(ActionForm):
    follows = (
        _("Cuộc giải quyết khiếu nại chuyển sang “Đã kết luận” và được tính vào chỉ tiêu."),
        _(
            "Thay đổi hình thức hoặc xóa bỏ kỷ luật: quyết định kỷ luật cũ hết hiệu lực từ "
            "ngày quyết định giải quyết."
        ),
    )
    result = forms.ChoiceField(
        label=_("Kết quả giải quyết"),
        choices=[("", "—"), *DisciplineComplaint.Result.choices],
        error_messages={
            "required": _("Hãy chọn kết quả: chuẩn y, thay đổi hình thức hoặc xóa bỏ kỷ luật.")
        },
    )
    decided_on = date_field(_("Ngày quyết định giải quyết"))
    new_form = forms.ChoiceField(
        label=_("Hình thức kỷ luật mới"),
        choices=[("", "—"), *DisciplineDecision.Form.choices],
        required=False,
    )
    decision_number = forms.CharField(
        label=_("Số quyết định thay đổi hình thức kỷ luật"), max_length=64, required=False
    )
    conclusion_number = forms.CharField(
        label=_("Số thông báo kết luận"), max_length=64, required=False
    )
    summary = forms.CharField(label=_("Tóm tắt"), widget=forms.Textarea, required=False)


# --- suspensions ------------------------------------------------------------------------


class SuspensionForm(RecordForm):
    """One screen for a suspension: who decided, of whom, why, from when."""

    organization = forms.ModelChoiceField(
        label=_("Đơn vị quyết định"),
        queryset=Organization.objects.none(),
        widget=UnitPicker,
        error_messages=UNIT_ERRORS,
    )
    body = forms.ChoiceField(label=_("Cơ quan quyết định"), choices=DecidingBody.choices)
    kind = forms.ChoiceField(label=_("Hình thức đình chỉ"), choices=Suspension.Kind.choices)
    member_name = forms.CharField(label=_("Họ tên đảng viên"), max_length=120, required=False)
    member_position = forms.CharField(label=_("Chức vụ"), max_length=160, required=False)
    is_committee_member = forms.BooleanField(label=_("Là cấp ủy viên"), required=False)
    subject_organization = forms.ModelChoiceField(
        label=_("Tổ chức đảng bị đình chỉ"),
        queryset=Organization.objects.none(),
        widget=UnitPicker,
        required=False,
        error_messages={"invalid_choice": _("Tổ chức đảng không thuộc phạm vi của bạn.")},
    )
    reason = forms.ChoiceField(label=_("Lý do"), choices=Suspension.Reason.choices)
    reason_detail = forms.CharField(
        label=_("Chi tiết lý do"), widget=forms.Textarea, required=False
    )
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)
    decided_on = date_field(_("Ngày quyết định"), required=False)
    starts_on = date_field(_("Đình chỉ từ ngày"))

    PICKERS = ("organization", "subject_organization")

    def __init__(self, data=None, *, user, record=None, **kwargs):
        super().__init__(data, user=user, record=record, **kwargs)
        unit_field(self, "organization").queryset = access.writable_organizations(user)
        unit_field(self, "subject_organization").queryset = access.visible_organizations(user)

    @property
    def picked_organization(self) -> Organization | None:
        return picked(self, "organization")

    @property
    def picked_subject(self) -> Organization | None:
        return picked(self, "subject_organization")

    @property
    def plain_fields(self):
        return [f for f in self if f.name not in self.PICKERS]


class ExtendSuspensionForm(ActionForm):
    follows = (_("Thời hạn đình chỉ được kéo dài đến ngày đã nhập; không rút ngắn lại được."),)
    ends_on = date_field(_("Gia hạn đến ngày"))
    extension_reason = forms.CharField(label=_("Lý do gia hạn"), widget=forms.Textarea)

    def service_fields(self):
        return {"to": self.cleaned_data["ends_on"], "reason": self.cleaned_data["extension_reason"]}


class LiftSuspensionForm(ActionForm):
    follows = (_("Đình chỉ chấm dứt từ ngày đã nhập, với kết quả đã chọn; không hoàn tác được."),)
    lifted_on = date_field(_("Ngày chấm dứt đình chỉ"))
    outcome = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[("", "—"), *Suspension.Outcome.choices],
        error_messages={"required": _("Hãy chọn kết quả.")},
    )
    outcome_note = forms.CharField(
        label=_("Ghi chú kết quả"), widget=forms.Textarea, required=False
    )
