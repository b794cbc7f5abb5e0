"""No raw "---------" on a page: a form's empty choice says "— Chọn —", a filter's "Tất cả"."""

import pytest
from django.urls import reverse

PAGES = [
    "cases:create",
    "cases:list",
    "cases:letter_list",
    "cases:letter_create",
    "cases:denunciation_list",
    "cases:complaint_list",
    "cases:complaint_create",
    "cases:suspension_list",
    "cases:suspension_create",
    "plans:list",
    "reports:home",
]


@pytest.mark.parametrize("name", PAGES)
def test_no_page_shows_dashes_as_an_empty_choice(client, cast, name):
    client.force_login(cast.staff_a)
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "---------" not in page


def test_the_admin_says_choose_too(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:ktgs_role_add")).content.decode()
    assert "---------" not in page and "— Chọn —" in page
