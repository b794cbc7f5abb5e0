"""Forms of the staff pages. They only parse and shape input; rules live in services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ktgs.models import Organization
from plans.models import ActivityKind, Amendment, Programme, Target


class ProgrammeForm(forms.ModelForm):
    """Header of a programme. Dates typed dd/mm/yyyy (the vi input formats)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Programme
        fields = [
            "body",
            "scope",
            "year",
            "end_year",
            "title",
            "doc_number",
            "issued_on",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
            "starts_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
            "ends_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("end_year", "starts_on", "ends_on"):
            self.fields[name].required = False
            self.fields[name].help_text = _("Để trống: theo năm (hoặc nhiệm kỳ 5 năm).")

    def _post_clean(self):
        # Model validation (document number, period) happens in the services, which put
        # their errors on these same fields.
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class ReopenForm(forms.Form):
    """Why a closed programme is opened again: kept in its history."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Lý do mở lại"),
        max_length=100,  # plans.services.programmes.REASON_MAX_LENGTH
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Ghi vào lịch sử của chương trình; tối đa 100 ký tự."),
    )


class CopyForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    doc_number = forms.CharField(label=_("Số ký hiệu"), max_length=64)
    issued_on = forms.DateField(
        label=_("Ngày ban hành"), widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )


def parse_quota(text: str):
    """ "2" → 2; "30%" → "30%" (a share, kept as text for the service); "" → None."""
    text = (text or "").strip()
    if not text:
        return None
    if text.endswith("%"):
        try:
            share = Decimal(text[:-1].strip().replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Nhập một số (ví dụ 2) hoặc một tỷ lệ (ví dụ 30%).")) from None
        if not (0 < share <= 100):
            raise ValidationError(_("Tỷ lệ phải lớn hơn 0% và không quá 100%."))
        return f"{share}%"
    try:
        value = int(text)
    except ValueError:
        raise ValidationError(_("Nhập một số (ví dụ 2) hoặc một tỷ lệ (ví dụ 30%).")) from None
    if value < 1:
        raise ValidationError(_("Số lượng phải từ 1 trở lên."))
    return value


class QuotaForm(forms.Form):
    """ "Each unit of this level below: N of each kind" — one text box per activity kind
    accepting a number (2) or a share of members (30%)."""

    level = forms.ChoiceField(
        label=_("Áp dụng cho mỗi đơn vị cấp"), choices=Organization.Level.choices
    )
    due_on = forms.DateField(
        label=_("Thời hạn"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )

    def __init__(self, *args, units_by_level: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if units_by_level is not None:
            # Each level says how many units below the owner it reaches, and the first level
            # that reaches any is the default (was: the first level, reaching none).
            level_field = cast(forms.ChoiceField, self.fields["level"])
            level_field.choices = [
                (level, _("%(level)s (%(count)s đơn vị)") % {"level": label, "count": count})
                for level, label in Organization.Level.choices
                for count in [units_by_level.get(level, 0)]
            ]
            reached = [level for level in Organization.Level.values if units_by_level.get(level)]
            if reached:
                level_field.initial = reached[0]
        for kind, label in ActivityKind.choices:
            self.fields[kind] = forms.CharField(
                label=label,
                required=False,
                max_length=8,
                widget=forms.TextInput(attrs={"size": 5, "inputmode": "decimal"}),
            )

    def kind_fields(self):
        return [self[kind] for kind in ActivityKind.values]

    def clean(self):
        data = super().clean() or {}
        quota: dict[str, int | str] = {}
        for kind in ActivityKind.values:
            try:
                value = parse_quota(data.get(kind, ""))
            except ValidationError as exc:
                self.add_error(kind, exc)
                continue
            if value is not None:
                quota[kind] = value
        if not quota and not self.errors:
            raise ValidationError(_("Hãy nhập ít nhất một chỉ tiêu."))
        data["quota"] = quota
        return data


class AmendmentForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Amendment
        fields = ["doc_number", "issued_on", "effective_on", "summary"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
            "effective_on": forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self):
        pass  # the service validates and puts errors on these fields


class AddTargetForm(forms.Form):
    """A target added by an amendment (or to a draft): unit by code, kind, count rule,
    quantity or share, an optional named subject, a due date."""

    organization = forms.CharField(label=_("Mã đơn vị thực hiện"), max_length=32)
    kind = forms.ChoiceField(label=_("Loại"), choices=ActivityKind.choices)
    counts = forms.ChoiceField(
        label=_("Đếm theo"), choices=Target.Counts.choices, initial=Target.Counts.CASES
    )
    quantity = forms.CharField(
        label=_("Số lượng hoặc tỷ lệ"), max_length=8, widget=forms.TextInput(attrs={"size": 5})
    )
    subject_text = forms.CharField(label=_("Đối tượng / nội dung"), max_length=255, required=False)
    due_on = forms.DateField(
        label=_("Thời hạn"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )

    def __init__(self, *args, owner: Organization, **kwargs):
        self.owner = owner
        super().__init__(*args, **kwargs)
        # The fields sit in a table row under column headings: each names its row too.
        row = (self.prefix or "").rsplit("-", 1)[-1]
        number = int(row) + 1 if row.isdigit() else None
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = (
                _("%(field)s, dòng bổ sung %(row)s") % {"field": field.label, "row": number}
                if number
                else str(field.label)
            )

    def has_changed(self):
        # The selects always post a value; a row is filled in when a unit or a number is.
        return bool(
            (self.data.get(self.add_prefix("organization")) or "").strip()
            or (self.data.get(self.add_prefix("quantity")) or "").strip()
        )

    def clean_organization(self):
        code = self.cleaned_data["organization"].strip()
        unit = Organization.objects.filter(code=code, path__startswith=self.owner.path).first()
        if unit is None:
            raise ValidationError(
                _("Không có đơn vị mã %(code)s thuộc %(owner)s.")
                % {"code": code, "owner": self.owner}
            )
        return unit

    def clean_quantity(self):
        return parse_quota(self.cleaned_data["quantity"])

    def target_values(self) -> dict:
        data = self.cleaned_data
        values = {
            "organization": data["organization"],
            "kind": data["kind"],
            "counts": data["counts"],
            "subject_text": data.get("subject_text", ""),
            "due_on": data.get("due_on"),
        }
        quantity = data["quantity"]
        if isinstance(quantity, str):  # a share
            values["member_share"] = Decimal(quantity[:-1])
            values["quantity"] = 1
        else:
            values["quantity"] = quantity
        return values


AddTargetFormSet = forms.formset_factory(AddTargetForm, extra=3, max_num=50)


def grid_field_name(unit_id: int, kind: str) -> str:
    return f"q-{unit_id}-{kind}"


# A number of cases per unit and kind far above any real programme; above it a typo
# (a pasted year, a digit held down) is refused on its cell instead of reaching the
# database's integer limit.
GRID_MAX = 9999


def parse_grid(data, units, kinds) -> tuple[dict[tuple[int, str], int | None], dict[str, str]]:
    """Read the grid's cells: (cells, errors by input name), every wrong cell at once.
    Empty or 0 means none; anything but a whole number from 0 to GRID_MAX ("1e", "2.5",
    "-1") is refused on its cell, never dropped."""
    cells: dict[tuple[int, str], int | None] = {}
    errors: dict[str, str] = {}
    for unit in units:
        for kind in kinds:
            name = grid_field_name(unit.pk, kind)
            if name not in data:
                continue
            text = (data.get(name) or "").strip()
            if not text:
                cells[(unit.pk, kind)] = None
                continue
            if text.startswith("-") and text[1:].isdigit():
                errors[name] = str(_("Số lượng không được âm."))
                continue
            if not (text.isascii() and text.isdigit()):
                errors[name] = str(
                    _(
                        "“%(text)s” không phải số nguyên: nhập số cuộc, ví dụ 2 "
                        "(để trống nếu không có)."
                    )
                    % {"text": text[:12]}
                )
                continue
            value = int(text)
            if value > GRID_MAX:
                errors[name] = str(
                    _("Số lượng quá lớn (tối đa %(max)s).")
                    % {"max": formats.number_format(GRID_MAX, force_grouping=True)}
                )
                continue
            cells[(unit.pk, kind)] = value or None
    return cells, errors


class ProgrammeListForm(forms.Form):
    """The programme list's filters. The unit is found by what is typed of its name or
    code, without diacritics (ktgs.search); a bad year is said on its field."""

    q = forms.CharField(
        label=_("Tìm (số ký hiệu, trích yếu)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    unit = forms.CharField(
        label=_("Đơn vị (tên hoặc mã)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("vd. tai chinh")}),
    )
    year = forms.IntegerField(
        label=_("Năm"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"min": 2000, "max": 2100}),
        error_messages={"invalid": _("Năm là một số, ví dụ 2025.")},
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *Programme.Status.choices],
    )
