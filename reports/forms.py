"""Forms of the report round trip: the submission with its official header, the parent's
decisions, comments. Types and labels only; the rules live in reports.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.documents import DocumentHeader


class SubmitReportForm(forms.Form):
    number = forms.CharField(label=_("Số ký hiệu"), max_length=64, required=False)
    place = forms.CharField(label=_("Địa danh"), max_length=120, required=False)
    signed_on = forms.DateField(label=_("Ngày ký"), required=False)
    recipients = forms.CharField(
        label=_("Nơi nhận (mỗi dòng một nơi)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signer_capacity = forms.CharField(label=_("Thẩm quyền ký"), max_length=120, required=False)
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=120, required=False)
    signer_name = forms.CharField(label=_("Người ký"), max_length=120, required=False)
    summary = forms.CharField(
        label=_("Tóm tắt kết quả"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_from(cls, header: DocumentHeader, version: int | None = None) -> dict:
        return {
            "number": header.number,
            "place": header.place,
            "signed_on": header.signed_on,
            "recipients": "\n".join(header.recipients),
            "signer_capacity": header.signer_capacity,
            "signer_title": header.signer_title,
            "signer_name": header.signer_name,
            "summary": header.summary,
            "version": version,
        }


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnReportForm(DecisionForm):
    comment = forms.CharField(
        label=_("Ý kiến trả lại"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000
    )


class ReopenReportForm(DecisionForm):
    reason = forms.CharField(
        label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Góp ý"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000
    )
