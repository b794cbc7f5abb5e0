"""The weekly digest tells each leader the comments written on their units since their
last digest (who, when, text) in both bodies: not their own, not older ones, and a
digest goes out for comments even when nothing lags."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from reminders import scan, sending
from reminders.models import OutboxMessage, ReminderRule
from reports import engine, services


@pytest.fixture(autouse=True)
def _only_the_tests_rules(db):
    ReminderRule.objects.all().delete()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def comment(user, unit, text: str, when: datetime):
    with time_machine.travel(when, tick=False):
        return services.add_comment(user=user, organization=unit, text=text)


def run_day(day: date) -> scan.ScanResult:
    with time_machine.travel(at(day, 7), tick=False):
        engine.rebuild(day)
        result = scan.run_daily(day, enqueue=False, quiet_days=False)
        sending.send_pending_now()
    return result


def html_of(message) -> str:
    return str(message.alternatives[0][0])


def test_the_digest_lists_the_comments_on_the_leaders_units_since_the_last_one(tree, cast):
    ReminderRule.objects.create(name="tổng hợp", kind="digest", weekday=0)
    comment(cast.admin, tree.b1, "Chi bộ B1 cần đẩy nhanh giám sát chuyên đề.",
            at(date(2026, 6, 5), 10, 30))  # fmt: skip
    comment(cast.staff_a, tree.a2, "Đã bổ sung hồ sơ <kiểm tra> tài chính.",
            at(date(2026, 6, 3), 15))  # fmt: skip
    comment(cast.leader_b, tree.b, "Đảng ủy xã B tự rà soát.", at(date(2026, 6, 4), 9))
    comment(cast.admin, tree.b1, "Góp ý của tháng trước.", at(date(2026, 5, 20), 9))

    comment(cast.leader_p, tree.a2, "Của chính lãnh đạo tỉnh.", at(date(2026, 6, 5), 11))
    # Monday 8 June: nothing lags, but there are comments.
    result = run_day(date(2026, 6, 8))
    assert result.candidates == {OutboxMessage.Kind.DIGEST: 2}  # leader_p and leader_b
    by_to = {m.to[0]: m for m in mail.outbox}

    province = by_to[cast.leader_p.email]
    assert (
        province.subject
        == "[ktgs] Tuần 24/2026: 3 góp ý mới về các đơn vị thuộc Tỉnh ủy Thử Nghiệm"
    )
    text, html = province.body, html_of(province)
    assert "đang chậm tiến độ" not in text and "đang chậm tiến độ" not in html
    assert "Góp ý mới về các đơn vị thuộc Tỉnh ủy Thử Nghiệm từ thư tổng hợp trước (3):" in text
    # Newest first: who, when (local time), what.
    assert text.index("Chi bộ B1 cần") < text.index("Đảng ủy xã B tự") < text.index("Đã bổ sung")
    assert (
        f"- Chi bộ B1 — Đảng ủy xã B · {cast.admin} · 10:30 05/06/2026\n  Chi bộ B1 cần đẩy nhanh"
        in text
    )
    assert f"Chi bộ cơ sở A2</a> — {tree.a.name} · {cast.staff_a} · 15:00 03/06/2026<br>" in html
    assert "Đã bổ sung hồ sơ <kiểm tra> tài chính." in text
    assert "Đã bổ sung hồ sơ &lt;kiểm tra&gt; tài chính." in html  # escaped in HTML
    assert f"/{tree.b1.pk}/" in text and 'href="http' in html
    assert "Góp ý của tháng trước" not in text + html  # before the week
    assert "Của chính lãnh đạo tỉnh." not in text + html  # their own

    # leader_b: the comments on B's subtree, not the one they wrote themselves.
    b = by_to[cast.leader_b.email]
    for body in (b.body, html_of(b)):
        assert "Chi bộ B1 cần đẩy nhanh giám sát chuyên đề." in body
        assert "Đảng ủy xã B tự rà soát." not in body and "Đã bổ sung" not in body

    # The next week: only what was written since this digest.
    comment(cast.admin, tree.b1, "Đã nhận báo cáo bổ sung.", at(date(2026, 6, 10), 14))
    mail.outbox.clear()
    run_day(date(2026, 6, 15))
    by_to = {m.to[0]: m for m in mail.outbox}
    for body in (by_to[cast.leader_b.email].body, html_of(by_to[cast.leader_b.email])):
        assert "Đã nhận báo cáo bổ sung." in body
        assert "cần đẩy nhanh" not in body
    assert "(1):" in by_to[cast.leader_p.email].body
