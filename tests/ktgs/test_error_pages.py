"""The error pages are the site's own, in the reader's language, never a debug page."""

from django.test import Client, override_settings
from django.urls import reverse
from django.views import defaults

from tests.factories import UserFactory


@override_settings(DEBUG=False)
def test_a_missing_page_answers_the_sites_404_in_vietnamese(client, cast):
    client.force_login(cast.leader_p)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page
    assert 'class="topbar"' in page  # the site's look, with its menu
    assert reverse("reports:home") in page
    assert "Page not found" not in page and "Traceback" not in page


@override_settings(DEBUG=False)
def test_the_404_speaks_the_users_language(client, db):
    user = UserFactory(language="en")
    client.force_login(user)
    page = client.get("/no-such-page/").content.decode()
    assert "Page not found" in page
    assert "Không tìm thấy trang" not in page


@override_settings(DEBUG=False)
def test_a_refusal_answers_the_sites_403(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:cases_recordlock_add"))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_missing_csrf_token_answers_a_page_that_says_what_to_do(cast):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.leader_p)
    response = strict.post(reverse("logout"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Phiên làm việc đã hết hạn" in page and "tải lại trang" in page


@override_settings(DEBUG=False)
def test_the_500_page_renders_without_a_request_context(rf, db):
    # Django renders 500.html with no context at all (the error may be in the context).
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Đã có lỗi ở máy chủ" in page and 'class="topbar"' in page
