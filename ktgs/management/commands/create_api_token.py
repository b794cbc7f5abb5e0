"""Print the API token of a user (creating it if needed).

    manage.py create_api_token USERNAME [--reset]

The client sends it as `Authorization: Token <key>`; it reaches what the user's roles
reach, no more. `--reset` replaces the token (the old one stops working at once).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "In mã truy cập API của một người dùng (tạo mới nếu chưa có)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="tên đăng nhập")
        parser.add_argument(
            "--reset", action="store_true", help="thay mã cũ bằng mã mới (mã cũ hết hiệu lực)"
        )

    @transaction.atomic
    def handle(self, *args, username: str, reset: bool, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(
                _("Không có người dùng đang hoạt động tên %(name)s.") % {"name": username}
            )
        if reset:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
