"""Forms of the core pages."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Ngôn ngữ giao diện"), choices=settings.LANGUAGES)


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
