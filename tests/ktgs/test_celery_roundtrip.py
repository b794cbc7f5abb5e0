"""The whole way through: an upload enqueues on commit, Redis delivers, a real worker runs
the import on the test database and records the outcome."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ktgs import services
from ktgs.models import Organization, OrganizationImport, Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CSV = (
    "code,parent_code,name,level,member_count,committee_member_count\n"
    "RT-1,RT,Đảng bộ cơ sở Thử 1,grassroots,80,7\n"
    "RT-1a,RT-1,Chi bộ Thử 1a,cell,20,3\n"
    "RT-2,RT,Chi bộ cơ sở Thử 2,grassroots,15,3\n"
).encode()


def test_an_uploaded_import_is_run_by_a_real_worker(celery_worker_process):
    root = services.create_organization(
        parent=None, code="RT", name="Tỉnh ủy Khứ Hồi", level=Organization.Level.PROVINCIAL
    )
    admin = UserFactory(username="admin_rt")
    services.grant_role(user=admin, organization=root, kind=Role.Kind.ADMIN)

    # No surrounding transaction in this test: the service's commit fires the enqueue.
    record = services.start_organization_import(
        user=admin, uploaded_file=SimpleUploadedFile("khu-hoi.csv", CSV)
    )

    def finished():
        record.refresh_from_db()
        return record.is_finished

    celery_worker_process.wait_for(finished, timeout=30, what="the import to finish")
    assert record.status == OrganizationImport.Status.DONE, (
        record.errors,
        celery_worker_process.log(),
    )
    assert (record.created_count, record.updated_count, record.moved_count) == (3, 0, 0)
    assert record.started_at and record.finished_at
    parents = dict(
        Organization.objects.filter(code__startswith="RT-").values_list("code", "parent__code")
    )
    assert parents == {"RT-1": "RT", "RT-1a": "RT-1", "RT-2": "RT"}
    assert "run_organization_import" in celery_worker_process.log()
