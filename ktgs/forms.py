"""Forms of the core pages."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Ngôn ngữ giao diện"), choices=settings.LANGUAGES)


class DigestForm(forms.Form):
    digest_enabled = forms.BooleanField(
        label=_("Nhận thư tổng hợp hằng tuần về các đơn vị chậm tiến độ"), required=False
    )


class LoginForm(AuthenticationForm):
    # Django's Vietnamese catalogue words these awkwardly ("Vui lòng điền vào…"); ours are
    # the wording users expect, and English comes from our own catalogue.
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa và "
            "chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên."),
    }


class OrganizationImportForm(forms.Form):
    MAX_SIZE = 20 * 1024 * 1024  # a national file of ~300k rows is ~15 MB as CSV

    file = forms.FileField(
        label=_("Tệp danh sách đơn vị (.xlsx hoặc .csv)"),
        validators=[FileExtensionValidator(["xlsx", "csv"])],
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > self.MAX_SIZE:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
        return uploaded
