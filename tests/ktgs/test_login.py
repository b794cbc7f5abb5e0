"""Login, logout and the login rate limit (django-axes), through the real views."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

PASSWORD = "mat-khau-thu-nghiem"  # tests.factories.UserFactory


def login(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_login_page_is_vietnamese_and_open_to_anyone(client, db):
    response = client.get(reverse("login"), headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đăng nhập" in page and "Mật khẩu" in page
    assert '<html lang="vi">' in page


def test_a_wrong_password_is_refused_with_a_vietnamese_message(client, cast):
    response = login(client, "leader_p", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_an_unknown_user_gets_the_same_message(client, cast):
    response = login(client, "khong-ton-tai", PASSWORD)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_a_correct_login_lands_on_home(client, cast):
    response = login(client, "leader_p", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session[SESSION_KEY] == str(cast.leader_p.pk)


def test_a_login_follows_next_back_to_the_page_asked_for(client, cast, tree):
    target = reverse("organization_detail", args=[tree.b.pk])
    response = client.post(
        reverse("login"), {"username": "leader_p", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.url == target


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, cast):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "leader_p", "sai-mat-khau").status_code == 200
    # The limit-th failure already answers with the lockout page.
    assert login(client, "leader_p", "sai-mat-khau").status_code == 429

    response = login(client, "leader_p", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tạm khóa đăng nhập" in page
    assert "Bạn đã nhập sai mật khẩu quá nhiều lần." in page
    assert SESSION_KEY not in client.session


def test_the_lock_is_per_account_so_others_still_sign_in(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "leader_p", "sai-mat-khau")
    assert login(client, "leader_b", PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "leader_p", "sai-mat-khau")
    assert login(client, "leader_p", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "leader_p", "sai-mat-khau").status_code == 200
    assert login(client, "leader_p", PASSWORD).status_code == 302


def test_logout_is_post_only(client, cast):
    client.force_login(cast.leader_p)
    assert client.get(reverse("logout")).status_code == 405
    assert SESSION_KEY in client.session

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert SESSION_KEY not in client.session


def test_logout_needs_the_csrf_token(cast):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.leader_p)
    assert strict.post(reverse("logout")).status_code == 403
    assert SESSION_KEY in strict.session


@pytest.mark.parametrize(
    ("name", "needs_pk"),
    [
        ("home", False),
        ("profile", False),
        ("organization_search", False),
        ("organization_detail", True),
        ("organization_children", True),
    ],
)
def test_every_page_asks_an_anonymous_visitor_to_sign_in(client, tree, name, needs_pk):
    url = reverse(name, args=[tree.province.pk] if needs_pk else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_the_admin_asks_an_anonymous_visitor_to_sign_in(client, db):
    # The admin keeps its own login view (also guarded by axes).
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_healthz_is_open(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
