import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KtgsConfig(AppConfig):
    name = "ktgs"
    verbose_name = _("Tổ chức và người dùng")


class AxesConfig(axes.apps.AppConfig):
    """django-axes under a Vietnamese name in the admin (its own config has none)."""

    verbose_name = _("Đăng nhập và khoá tài khoản")
