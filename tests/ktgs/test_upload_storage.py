"""Uploaded files live in a storage chosen by the environment, which every worker reads by
name: a worker on another machine (its own working directory, its own var/, the shared
volume mounted elsewhere) runs an import the web process took."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ktgs import services, tasks
from ktgs.models import Organization, OrganizationImport, Role
from tests.factories import UserFactory
from tests.worker import start_celery_worker, stop_celery_worker

CSV = (
    "code,parent_code,name,level,member_count,committee_member_count\n"
    "SV-1,SV,Đảng bộ cơ sở Chung 1,grassroots,80,7\n"
    "SV-1a,SV-1,Chi bộ Chung 1a,cell,20,3\n"
    "SV-1b,SV-1,Chi bộ Chung 1b,cell,18,3\n"
    "SV-2,SV,Chi bộ cơ sở Chung 2,grassroots,15,3\n"
).encode()


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py args` in a fresh process with only `env` for ktgs's variables."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KTGS_", "AWS_"))
    }
    environment.update({"DJANGO_DEBUG": "1", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


STORAGE = (
    "from django.core.files.storage import default_storage as s; s._setup(); w = s._wrapped; "
    "print(type(w).__module__ + '.' + type(w).__name__); print(getattr(w, 'location', ''));"
    "print(getattr(w, 'bucket_name', '-'), getattr(w, 'endpoint_url', '-'),"
    " getattr(w, 'file_overwrite', '-'))"
)


def last_lines(result: subprocess.CompletedProcess, n: int) -> list[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    # Django 5.2's shell may first say what it imported.
    return result.stdout.strip().splitlines()[-n:]


def test_uploads_go_to_var_media_by_default():
    kind, location, _ = last_lines(manage("shell", "-c", STORAGE), 3)
    assert kind == "django.core.files.storage.filesystem.FileSystemStorage"
    assert location == str(settings.BASE_DIR / "var" / "media")


def test_the_uploads_folder_is_set_by_the_environment(tmp_path):
    shared = tmp_path / "mnt" / "ktgs-shared"
    kind, location, _ = last_lines(manage("shell", "-c", STORAGE, KTGS_MEDIA_ROOT=str(shared)), 3)
    assert kind == "django.core.files.storage.filesystem.FileSystemStorage"
    assert location == str(shared)


def test_an_s3_compatible_store_is_set_by_the_environment():
    # The storage is built (django-storages, boto3 installed) but never connects here:
    # there is no S3 server on this machine.
    env = {
        "KTGS_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "ktgs-uploads",
        "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
        "AWS_ACCESS_KEY_ID": "ktgs",
        "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
    }
    kind, location, details = last_lines(manage("shell", "-c", STORAGE, **env), 3)
    assert kind == "storages.backends.s3.S3Storage"
    assert location == ""
    assert details.split() == ["ktgs-uploads", "http://minio.internal:9000", "False"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KTGS_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"KTGS_STORAGE": "nfs"}, "KTGS_STORAGE must be 'local' or 's3', not 'nfs'"),
    ],
)
def test_a_storage_that_is_not_fully_set_stops_the_start(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
    assert "System check" not in result.stdout


def test_production_with_an_s3_store_still_passes_check_deploy():
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(45),
        "DJANGO_ALLOWED_HOSTS": "ktgs.example.test",
        "KTGS_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "ktgs-uploads",
    }
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KTGS_", "AWS_"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env={**environment, **env}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_elsewhere_reads_the_upload_through_the_shared_storage(client, settings, tmp_path):
    # One volume, mounted at a different path on each "machine" (symlinks stand for the
    # mounts): the web process keeps the upload under its mount, the worker only knows its
    # own, and runs from another working directory with a var/ of its own.
    volume = tmp_path / "volume"
    volume.mkdir()
    web_mount, worker_mount = tmp_path / "web-mnt", tmp_path / "worker-mnt"
    web_mount.symlink_to(volume, target_is_directory=True)
    worker_mount.symlink_to(volume, target_is_directory=True)
    settings.MEDIA_ROOT = web_mount

    root = services.create_organization(
        parent=None, code="SV", name="Tỉnh ủy Chung", level=Organization.Level.PROVINCIAL
    )
    admin = UserFactory(username="admin_sv")
    services.grant_role(user=admin, organization=root, kind=Role.Kind.ADMIN)
    client.force_login(admin)

    # The page, as an administrator uploads: the task is enqueued once the row is committed
    # and waits in Redis, since no worker runs yet.
    response = client.post(
        reverse("organization_import"), {"file": SimpleUploadedFile("chung.csv", CSV)}
    )
    record = OrganizationImport.objects.get()
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    assert not os.path.isabs(record.file.name)  # the row keeps a name, never a path
    kept = volume / record.file.name
    assert kept.read_bytes() == CSV
    assert default_storage.path(record.file.name) == str(web_mount / record.file.name)

    # The uploader's path is gone before the worker starts: only the worker's mount leads
    # to the file now.
    web_mount.unlink()
    worker_cwd, worker_var = tmp_path / "worker-cwd", tmp_path / "worker-var"
    worker_cwd.mkdir()
    worker_var.mkdir()
    env = {"KTGS_VAR_DIR": str(worker_var), "KTGS_STORAGE": "local",
           "KTGS_MEDIA_ROOT": str(worker_mount)}  # fmt: skip
    worker = start_celery_worker(tmp_path / "worker.log", env, cwd=worker_cwd)
    try:

        def finished():
            record.refresh_from_db()
            return record.is_finished

        worker.wait_for(finished, timeout=60, what="the import to finish")
    finally:
        stop_celery_worker(worker)

    assert record.status == OrganizationImport.Status.DONE, (record.errors, worker.log())
    assert (record.created_count, record.updated_count, record.moved_count) == (4, 0, 0)
    assert record.errors == []
    parents = dict(
        Organization.objects.filter(code__startswith="SV-").values_list("code", "parent__code")
    )
    assert parents == {"SV-1": "SV", "SV-1a": "SV-1", "SV-1b": "SV-1", "SV-2": "SV"}
    assert kept.read_bytes() == CSV  # kept, so a failed import can be looked at again
    assert "Task ktgs.tasks.run_organization_import[" in worker.log()
    assert not (worker_var / "media").exists()  # nothing read from the worker's own var/


@pytest.mark.django_db
def test_a_file_missing_from_the_storage_fails_the_import_with_a_reason(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = UserFactory(username="admin_missing")
    record = services.start_organization_import(
        user=admin, uploaded_file=SimpleUploadedFile("mat.csv", CSV)
    )
    default_storage.delete(record.file.name)  # deleted by hand, or a folder not shared

    # The task itself, as a worker runs it: it records the failure and raises nothing, so
    # the broker has nothing to redeliver.
    outcome = tasks.run_organization_import.apply(args=[record.pk])
    assert outcome.successful(), outcome.traceback
    record.refresh_from_db()
    assert record.status == OrganizationImport.Status.FAILED
    assert record.finished_at is not None
    assert record.errors == [
        {
            "row": None,
            "column": "",
            "reason": "Không tìm thấy tệp đã tải lên trong kho lưu trữ (tệp đã bị xóa, hoặc "
            "máy xử lý không dùng chung kho lưu trữ với máy chủ web). Hãy tải tệp lên lại.",
        }
    ]
    # Delivered again (a redelivery after a lost acknowledgement): nothing changes.
    finished_at = record.finished_at
    assert tasks.run_organization_import.apply(args=[record.pk]).successful()
    record.refresh_from_db()
    assert (record.status, record.finished_at) == (OrganizationImport.Status.FAILED, finished_at)
