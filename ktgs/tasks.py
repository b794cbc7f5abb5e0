"""Background work of the core. Tasks take ids, load the row and call one service."""

from celery import shared_task

from ktgs import organization_import
from ktgs.models import OrganizationImport


@shared_task(ignore_result=True)
def run_organization_import(import_id: int) -> None:
    if not OrganizationImport.objects.filter(pk=import_id).exists():
        return  # deleted before the worker got to it
    organization_import.run_organization_import(import_id=import_id)
