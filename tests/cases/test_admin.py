"""The records' admin shows them and their history and writes none of them: every write
goes through cases.services (dates, versions, the locks of approved reports, the
progress refresh)."""

import pytest
from django.urls import reverse

from tests.cases import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(cast, tree, deadline_rules):
    staff = cast.staff_a
    case = factories.concluded(staff, tree.a)
    letter = factories.letter(staff, tree.a)
    suspension = factories.suspension(staff, tree.a)
    return {"case": case, "letter": letter, "suspension": suspension}


@pytest.mark.parametrize("name", ["case", "letter", "suspension"])
def test_the_records_admin_shows_a_record_and_changes_nothing(
    client, django_user_model, records, name
):
    record = records[name]
    before = type(record).objects.get(pk=record.pk)
    client.force_login(django_user_model.objects.create_superuser("root-admin", password="x"))
    model = type(record)._meta.model_name

    listing = client.get(reverse(f"admin:cases_{model}_changelist"))
    assert listing.status_code == 200
    page = client.get(reverse(f"admin:cases_{model}_change", args=[record.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    history = client.get(reverse(f"admin:cases_{model}_history", args=[record.pk]))
    assert history.status_code == 200

    assert client.get(reverse(f"admin:cases_{model}_add")).status_code == 403
    posted = client.post(reverse(f"admin:cases_{model}_change", args=[record.pk]), {})
    assert posted.status_code == 403
    deleted = client.post(reverse(f"admin:cases_{model}_delete", args=[record.pk]), {"post": "yes"})
    assert deleted.status_code == 403
    after = type(record).objects.get(pk=record.pk)
    assert after.version == before.version
