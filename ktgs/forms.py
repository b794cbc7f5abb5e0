"""Forms of the core pages."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Ngôn ngữ giao diện"), choices=settings.LANGUAGES)
