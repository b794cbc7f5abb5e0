from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KtgsConfig(AppConfig):
    name = "ktgs"
    verbose_name = _("Tổ chức và người dùng")
