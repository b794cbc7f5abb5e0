"""Import the organisation tree from a CSV or XLSX file, synchronously.

    manage.py import_organizations units.xlsx [--dry-run]

Prints the counts, or every bad row with its reason and exits with status 1 (nothing is
written then). The web page does the same through the worker.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ktgs.organization_import import import_organizations


class Command(BaseCommand):
    help = "Nhập cây tổ chức đảng từ tệp CSV hoặc XLSX (có dòng tiêu đề)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="tệp .csv hoặc .xlsx")
        parser.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra và đếm, không ghi gì"
        )

    def handle(self, *args, path: str, dry_run: bool, **options):
        try:
            result = import_organizations(path, dry_run=dry_run)
        except OSError as exc:
            msg = _("Không mở được tệp %(path)s: %(e)s") % {"path": path, "e": exc}
            raise CommandError(msg) from exc
        if not result.ok:
            for error in result.errors:
                where = _("Dòng %(row)s") % {"row": error.row} if error.row else _("Tệp")
                column = f", {_('cột')} «{error.column}»" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.reason}")
            raise CommandError(
                _("Tệp có %(n)d lỗi; không có thay đổi nào được ghi.") % {"n": len(result.errors)}
            )
        summary = _(
            "Tạo mới: %(created)d, cập nhật: %(updated)d, chuyển cấp trên: %(moved)d, "
            "không đổi: %(unchanged)d."
        ) % {
            "created": result.created,
            "updated": result.updated,
            "moved": result.moved,
            "unchanged": result.unchanged,
        }
        if dry_run:
            summary = _("Chạy thử, không ghi gì. ") + summary
        self.stdout.write(self.style.SUCCESS(summary))
