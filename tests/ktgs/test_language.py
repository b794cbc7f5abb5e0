"""The interface language comes from the user's profile, never from the browser."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.cases.factories import letter

ENGLISH_BROWSER = {"accept-language": "en-US,en;q=0.9"}


def test_a_vietnamese_user_gets_vietnamese_from_an_english_browser(client, cast):
    assert cast.leader_p.language == "vi"
    client.force_login(cast.leader_p)
    response = client.get(reverse("profile"), headers=ENGLISH_BROWSER)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"
    assert '<html lang="vi">' in page
    assert "Hồ sơ cá nhân" in page and "Đăng xuất" in page


def test_a_user_who_picks_english_gets_english_pages(client, cast, tree):
    client.force_login(cast.leader_p)
    response = client.post(reverse("profile"), {"language": "en"}, follow=True)
    assert response.redirect_chain == [(reverse("profile"), 302)]
    cast.leader_p.refresh_from_db()
    assert cast.leader_p.language == "en"

    page = response.content.decode()
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page
    assert "Profile" in page and "Sign out" in page
    assert "Hồ sơ cá nhân" not in page

    # And every later page too, whatever the browser says.
    detail = client.get(
        reverse("organization_detail", args=[tree.a1.pk]), headers={"accept-language": "vi"}
    ).content.decode()
    assert "Members" in detail and "Số đảng viên" not in detail


def test_switching_back_to_vietnamese(client, cast):
    cast.leader_p.language = "en"
    cast.leader_p.save(update_fields=["language"])
    client.force_login(cast.leader_p)
    response = client.post(reverse("profile"), {"language": "vi"}, follow=True)
    assert '<html lang="vi">' in response.content.decode()


def test_an_anonymous_visitor_gets_the_vietnamese_login_page(client, db):
    response = client.get(reverse("home"), headers=ENGLISH_BROWSER, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert response.headers["Content-Language"] == "vi"
    assert "Đăng nhập" in page and "Sign in" not in page


def test_an_unknown_language_is_refused_on_the_profile_page(client, cast):
    client.force_login(cast.leader_p)
    response = client.post(reverse("profile"), {"language": "fr"})
    assert response.status_code == 200
    cast.leader_p.refresh_from_db()
    assert cast.leader_p.language == "vi"


def test_an_english_request_does_not_leave_english_active_afterwards(client, cast):
    cast.leader_p.language = "en"
    cast.leader_p.save(update_fields=["language"])
    client.force_login(cast.leader_p)
    with translation.override("vi"):
        assert client.get(reverse("profile")).headers["Content-Language"] == "en"
        assert translation.get_language() == "vi"


def test_an_english_user_reads_a_services_refusal_in_english(cast, tree, deadline_rules):
    """The services mark their messages with `_g` (ktgs' makemessages collects it): a
    refusal reaches an English user in English, not in the Vietnamese of the source."""
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        letter(cast.staff_a, tree.a1, received_on=datetime.date(2999, 1, 1))
    assert refused.value.message_dict["received_on"] == ["The date received cannot be after today."]
