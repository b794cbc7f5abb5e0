"""An uploaded import run by the worker: claim the row, import the file, record the
outcome on the row the page polls."""

from __future__ import annotations

import io
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from ktgs.models import OrganizationImport
from ktgs.organization_import.importer import import_organizations
from ktgs.organization_import.parsing import RowError

logger = logging.getLogger(__name__)


def run_organization_import(*, import_id: int) -> OrganizationImport | None:
    """Run an uploaded import and record its outcome; None when the row is gone.

    Not one transaction on purpose: the "running" status is committed first so the page
    shows it, and the import itself is all-or-nothing in its own transaction. Running an
    import again (a redelivered task) is harmless: the same file changes nothing twice.
    """
    claimed = OrganizationImport.objects.filter(
        pk=import_id,
        status__in=[OrganizationImport.Status.PENDING, OrganizationImport.Status.RUNNING],
    ).update(status=OrganizationImport.Status.RUNNING, started_at=timezone.now())
    record = OrganizationImport.objects.filter(pk=import_id).first()
    if record is None or not claimed:
        return record
    try:
        data = _read_upload(record)
        result = import_organizations(
            io.BytesIO(data), name=record.original_name or record.file.name, user=record.uploaded_by
        )
    except UploadMissing:
        # Deleted from the storage, or this worker's storage is not the one the web process
        # wrote to (a local folder that is not shared). Recorded, not retried: the same
        # task run again would find the same nothing.
        logger.error(
            "organisation import %s: %r is not in the storage", import_id, record.file.name
        )
        reason = _(
            "Không tìm thấy tệp đã tải lên trong kho lưu trữ (tệp đã bị xóa, hoặc máy xử lý "
            "không dùng chung kho lưu trữ với máy chủ web). Hãy tải tệp lên lại."
        )
        errors = [RowError(None, "", reason)]
        record.status = OrganizationImport.Status.FAILED
    except Exception as exc:  # the row must not stay "running" whatever went wrong
        logger.exception("organisation import %s failed", import_id)
        errors = [RowError(None, "", _("Lỗi khi xử lý tệp: %(e)s") % {"e": exc})]
        record.status = OrganizationImport.Status.FAILED
    else:
        errors = result.errors
        record.status = (
            OrganizationImport.Status.DONE if result.ok else OrganizationImport.Status.FAILED
        )
        record.created_count = result.created
        record.updated_count = result.updated
        record.moved_count = result.moved
        record.unchanged_count = result.unchanged
    record.errors = [error.as_dict() for error in errors]
    record.finished_at = timezone.now()
    record.save(
        update_fields=[
            "status",
            "created_count",
            "updated_count",
            "moved_count",
            "unchanged_count",
            "errors",
            "finished_at",
        ]
    )
    return record


class UploadMissing(Exception):
    """The row's file is not in the storage (only reading it raises this, not importing)."""


def _read_upload(record: OrganizationImport) -> bytes:
    """The uploaded file's bytes, read through the configured storage by the name kept on
    the row: never a path, which would exist only on the machine that took the upload."""
    storage = record.file.storage
    try:
        with storage.open(record.file.name, "rb") as handle:
            return handle.read()
    except FileNotFoundError as exc:  # FileSystemStorage, and S3Storage on a 404
        raise UploadMissing(record.file.name) from exc
