"""Programme services: creation with defaults, validation on the right field, status
moves, stale versions, history users and the progress refresh enqueued on commit."""

import datetime
import json

import pytest
import redis
from django.conf import settings
from django.core.exceptions import ValidationError

from ktgs import versioning
from plans import services
from plans.models import Programme
from tests.plans.factories import INSPECT, add_grid, make_programme

D = datetime.date


def test_create_programme_fills_the_period_of_a_year(cast, tree):
    programme = make_programme(tree.a, year=2025, user=cast.staff_a, doc_number="103-KH/ĐUK")
    assert programme.status == Programme.Status.DRAFT
    assert (programme.starts_on, programme.ends_on) == (D(2025, 1, 1), D(2025, 12, 31))
    assert programme.end_year == 2025
    assert (programme.doc_serial, programme.doc_type, programme.doc_issuer, programme.doc_year) == (
        "103",
        "KH",
        "ĐUK",
        2025,
    )
    assert programme.history.get().history_user == cast.staff_a


def test_a_term_programme_spans_five_years(cast, tree):
    programme = make_programme(tree.a, year=2025, scope=Programme.Scope.TERM)
    assert programme.end_year == 2029
    assert programme.ends_on == D(2029, 12, 31)


@pytest.mark.parametrize("number", ["103/ĐUK", "KH-103/ĐUK", "103-KH", "abc"])
def test_a_malformed_document_number_is_refused_on_its_field(tree, number):
    with pytest.raises(ValidationError) as caught:
        make_programme(tree.a, doc_number=number)
    assert "Số ký hiệu không đúng dạng" in caught.value.message_dict["doc_number"][0]


def test_letter_suffixed_numbers_are_accepted(tree):
    assert make_programme(tree.a, doc_number="516a-QĐ/ĐUK").doc_serial == "516a"


def test_dates_out_of_order_are_refused_on_ends_on(tree):
    with pytest.raises(ValidationError) as caught:
        make_programme(tree.a, starts_on=D(2025, 6, 1), ends_on=D(2025, 3, 1))
    assert "Ngày kết thúc phải sau" in caught.value.message_dict["ends_on"][0]


def test_issue_then_close_and_not_the_other_way(cast, tree):
    programme = make_programme(tree.a)
    with pytest.raises(ValidationError) as caught:
        services.close_programme(programme=programme, user=cast.staff_a)
    assert "Chỉ chương trình đã ban hành" in caught.value.message_dict["status"][0]
    services.issue_programme(programme=programme, version=programme.version, user=cast.staff_a)
    assert Programme.objects.get(pk=programme.pk).status == Programme.Status.ISSUED
    with pytest.raises(ValidationError):
        services.issue_programme(programme=programme, user=cast.staff_a)
    services.close_programme(programme=programme, user=cast.staff_a)
    assert Programme.objects.get(pk=programme.pk).status == Programme.Status.CLOSED
    with pytest.raises(ValidationError, match="đã kết thúc"):
        services.update_programme(programme=programme, title="Khác", user=cast.staff_a)


def test_update_records_the_change_and_the_user(cast, tree):
    programme = make_programme(tree.a, user=cast.staff_a)
    services.update_programme(
        programme=programme, version=programme.version, title="Chương trình sửa", user=cast.admin
    )
    programme.refresh_from_db()
    assert programme.title == "Chương trình sửa"
    assert programme.version == 2
    assert programme.history.latest("history_date").history_user == cast.admin


def test_a_stale_version_is_refused_with_what_changed(cast, tree):
    programme = make_programme(tree.a, user=cast.staff_a, title="Bản đầu")
    loaded = programme.version
    services.update_programme(
        programme=programme, version=loaded, title="Bản của admin", user=cast.admin
    )
    with pytest.raises(versioning.StaleObjectError) as caught:
        services.update_programme(
            programme=programme, version=loaded, title="Bản của tôi", user=cast.staff_a
        )
    message = caught.value.messages[0]
    assert "sau khi bạn mở biểu mẫu" in message
    assert "Bản đầu → Bản của admin" in message
    assert str(cast.admin) in message
    assert ("trích yếu", "Bản đầu", "Bản của admin") in caught.value.changes
    assert Programme.objects.get(pk=programme.pk).title == "Bản của admin"


def test_a_stale_grid_save_names_the_target_changes(cast, tree):
    programme = make_programme(tree.a)
    loaded = programme.version
    services.set_targets(
        programme=programme, cells={(tree.a1.pk, INSPECT): 2}, version=loaded, user=cast.admin
    )
    with pytest.raises(versioning.StaleObjectError) as caught:
        services.set_targets(
            programme=programme, cells={(tree.a1.pk, INSPECT): 5}, version=loaded, user=cast.staff_a
        )
    assert "Chỉ tiêu: thêm 1, sửa 0, xóa 0" in caught.value.messages[0]
    assert programme.targets.get().quantity == 2


def test_writes_enqueue_one_refresh_on_commit(cast, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        programme = make_programme(tree.a)
        add_grid(programme, {(tree.a1, INSPECT): 2, (tree.a2, INSPECT): 1})
    assert len(callbacks) == 1  # creating a draft changes no figure; the grid does
    with django_capture_on_commit_callbacks() as callbacks:
        services.issue_programme(programme=programme)
    assert len(callbacks) == 1


def test_the_refresh_reaches_the_broker_by_task_name(tree, django_capture_on_commit_callbacks):
    programme = make_programme(tree.a)
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = "celery"
    before = client.lrange(queue, 0, -1)
    with django_capture_on_commit_callbacks(execute=True):
        add_grid(programme, {(tree.a1, INSPECT): 2})
    new = [raw for raw in client.lrange(queue, 0, -1) if raw not in before]
    try:
        assert len(new) == 1
        message = json.loads(new[0])
        assert message["headers"]["task"] == "reports.tasks.refresh_progress"
        assert message["headers"]["argsrepr"] == repr([sorted([tree.a.pk, tree.a1.pk])])
    finally:
        for raw in new:  # leave the shared broker as we found it
            client.lrem(queue, 1, raw)
