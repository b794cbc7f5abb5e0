"""Token authentication: `manage.py create_api_token`, `Authorization: Token …`, and the
throttle that limits token clients only (the pages' session calls are not limited)."""

import uuid
from io import StringIO

import pytest
import redis
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def clean_throttle():
    cache.clear()
    yield
    cache.clear()


def create_token(username: str, *args) -> str:
    out = StringIO()
    call_command("create_api_token", username, *args, stdout=out)
    return out.getvalue().strip()


def test_create_api_token_prints_the_users_token_and_reset_replaces_it(world, cast):
    key = create_token("staff_a")
    assert len(key) == 40 and Token.objects.get(user=cast.staff_a).key == key
    assert create_token("staff_a") == key  # idempotent: the same token again
    new = create_token("staff_a", "--reset")
    assert new != key and not Token.objects.filter(key=key).exists()
    with pytest.raises(CommandError, match="Không có người dùng"):
        create_token("no_such_user")


def test_the_printed_token_authenticates_with_the_users_reach(world, cast, tree):
    client = APIClient(HTTP_AUTHORIZATION=f"Token {create_token('leader_b')}")
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {tree.b.pk, tree.b1.pk}
    wrong = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = wrong.get("/api/v1/organizations/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Mã truy cập không hợp lệ."}


def test_token_clients_are_throttled_and_sessions_are_not(world, cast, settings, clean_throttle):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute"},
    }
    token_client = APIClient(HTTP_AUTHORIZATION=f"Token {create_token('staff_a')}")
    statuses = [token_client.get("/api/v1/cases/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = token_client.get("/api/v1/cases/")
    assert refused.json()["detail"].startswith("Quá nhiều yêu cầu")
    assert int(refused["Retry-After"]) > 0

    session_client = APIClient()
    session_client.force_login(cast.staff_a)
    assert {session_client.get("/api/v1/cases/").status_code for _ in range(6)} == {200}


def test_with_a_shared_cache_every_process_counts_the_same_requests(world, cast, settings):
    # What KTGS_CACHE_URL=redis://… configures (tests/ktgs/test_deploy_settings.py): the
    # throttle's history lives in Redis, where every web process reads and adds to it.
    prefix = f"ktgs-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute"},
    }
    client = APIClient(HTTP_AUTHORIZATION=f"Token {create_token('staff_a')}")
    assert [client.get("/api/v1/cases/").status_code for _ in range(2)] == [200, 200]
    shared = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        keys = shared.keys(f"{prefix}:*")
        assert [key.decode().rpartition(":")[2] for key in keys] == [
            f"throttle_token_{cast.staff_a.pk}"
        ]
        # Another process (a fresh connection) finds the two requests and refuses the 4th.
        settings.CACHES = {"default": {**settings.CACHES["default"]}}
        assert [client.get("/api/v1/cases/").status_code for _ in range(2)] == [200, 429]
    finally:
        for key in shared.keys(f"{prefix}:*"):
            shared.delete(key)
