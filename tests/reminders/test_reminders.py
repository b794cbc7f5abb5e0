"""Reminder rules, the outbox and what the mails say — in this process (locmem mail).
Delivery through a real worker and SMTP server: test_reminder_delivery.py."""

from datetime import date, datetime, time, timedelta
from fractions import Fraction

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from ktgs import figures
from ktgs import services as ktgs_services
from ktgs.models import Role
from reminders import scan, sending, writer
from reminders.models import Holiday, LagEpisode, OutboxMessage, ReminderRule
from reminders.recipients import Directory
from reports import engine, progress
from tests.factories import UserFactory
from tests.reports.test_rollup import case, programme, target

K = OutboxMessage.Kind


def lag_rule(**fields) -> ReminderRule:
    defaults = dict(name="Nhắc chậm tiến độ", kind=ReminderRule.Kind.LAG, first_after_days=0,
                    repeat_every_days=7, escalate_after_days=14, escalation_levels=2)  # fmt: skip
    return ReminderRule.objects.create(**{**defaults, **fields})


@pytest.fixture(autouse=True)
def _only_the_tests_rules(db):
    # The data migration's default rules would remind about everything here too.
    ReminderRule.objects.all().delete()


@pytest.fixture
def staff_b1(tree):
    person = UserFactory(username="staff_b1", language="vi")
    ktgs_services.grant_role(user=person, organization=tree.b1, kind=Role.Kind.STAFF)
    return person


@pytest.fixture
def behind_b1(tree):
    """B1 must do 4 cases in 2026; from early April it is more than a case behind."""
    prog = programme(tree.province)
    return target(prog, tree.b1, quantity=4, kind="supervision_thematic")


def run_day(day: date) -> scan.ScanResult:
    """One day of production: the nightly rebuild, the morning scan, the sender."""
    with time_machine.travel(timezone.make_aware(datetime.combine(day, time(7))), tick=False):
        engine.rebuild(day)
        result = scan.run_daily(day, enqueue=False)
        sending.send_pending_now()
    return result


def rows(**filters):
    return list(OutboxMessage.objects.filter(**filters).order_by("created_at", "pk"))


@pytest.fixture
def holidays_of_2026(db):
    """The holidays this file counts on, as the data migration seeds them: a transactional
    test that ran before in the same database (--reuse-db) may have flushed them."""
    for day, name in (
        (date(2026, 4, 30), "Ngày Giải phóng miền Nam, thống nhất đất nước"),
        (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    ):
        Holiday.objects.get_or_create(day=day, defaults={"name": name})


def test_a_year_falls_behind_reminded_escalated_catches_up_and_stops(
    tree, cast, staff_b1, behind_b1, holidays_of_2026
):
    rule = lag_rule()
    day = date(2026, 3, 2)
    caught_up_on = date(2026, 5, 20)
    sent_on: dict[tuple[str, int], date] = {}
    while day <= date(2026, 7, 31):
        if day == caught_up_on:
            for _ in range(3):
                case(tree.b1, kind="supervision_thematic", target=behind_b1, concluded_on=day)
        before = OutboxMessage.objects.count()
        run_day(day)
        for message in OutboxMessage.objects.all()[: OutboxMessage.objects.count() - before]:
            sent_on.setdefault((message.step, message.recipient_id), day)
        if OutboxMessage.objects.count() > before:
            # Quiet days (weekends, 30/4 and 1/5) never send.
            assert day.weekday() < 5 and day not in (date(2026, 4, 30), date(2026, 5, 1))
        day += timedelta(days=1)

    episode = LagEpisode.objects.get(rule=rule, organization=tree.b1)
    start = episode.started_on
    assert date(2026, 3, 25) < start < date(2026, 4, 15)  # > 1 case behind from early April
    assert episode.ended_on == caught_up_on

    def working_day(day: date) -> date:  # on or after `day`, as the scan sends
        while day.weekday() >= 5 or day in (date(2026, 4, 30), date(2026, 5, 1)):
            day += timedelta(days=1)
        return day

    # First reminder to the unit's staff the first working day it lags, then weekly;
    # escalation to the parent's leader after 14 days, the province's after 28 (4/5 when
    # start is 3/4: day 28 is the 1/5 holiday, then a weekend).
    assert sent_on[("r0", staff_b1.pk)] == working_day(start)
    assert sent_on[("r1", staff_b1.pk)] == working_day(start + timedelta(days=7))
    assert sent_on[("e1", cast.leader_b.pk)] == working_day(start + timedelta(days=14))
    assert sent_on[("e2", cast.leader_p.pk)] == working_day(start + timedelta(days=28))
    assert not any(who == cast.staff_a.pk for _, who in sent_on)  # A's staff: not their unit
    # Caught up on 20/5: nothing written after it, and nothing left pending.
    assert max(sent_on.values()) < caught_up_on
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()
    repeats = {step for step, who in sent_on if who == staff_b1.pk}
    last = (caught_up_on - timedelta(days=1) - start).days // 7
    assert {"r0", "r1", "r2"} <= repeats <= {f"r{k}" for k in range(last + 1)}

    # Every row became exactly one mail, with its own stable Message-ID.
    assert len(mail.outbox) == OutboxMessage.objects.filter(status="sent").count()
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == len(mail.outbox)
    first_mail = next(m for m in mail.outbox if m.to == [staff_b1.email])
    assert first_mail.subject == "[ktgs] Chi bộ B1 đang chậm tiến độ kiểm tra, giám sát"
    assert "Chỉ tiêu Giám sát chuyên đề: còn thiếu 4 cuộc" in first_mail.body
    assert f"http://127.0.0.1:8000/progress/{tree.b1.pk}/" in first_mail.body
    html = first_mail.alternatives[0][0]
    assert "<strong>Chi bộ B1</strong>" in html and "còn thiếu 4 cuộc" in html
    escalation = next(m for m in mail.outbox if m.to == [cast.leader_p.email])
    assert escalation.subject.startswith("[ktgs] Báo cáo lãnh đạo: Chi bộ B1 vẫn chậm")


@time_machine.travel(date(2026, 6, 3), tick=False)
def test_running_twice_writes_nothing_twice_and_a_missed_day_is_caught_up(
    tree, cast, staff_b1, behind_b1
):
    rule = lag_rule(first_after_days=2)
    engine.rebuild(date(2026, 6, 1))
    assert scan.run_daily(date(2026, 6, 1), enqueue=False).inserted == 0  # day 0 of 2
    # 2/6 the worker was down; on 3/6 the first reminder (due "on or after" 3/6) goes.
    engine.rebuild(date(2026, 6, 3))
    first = scan.run_daily(date(2026, 6, 3), enqueue=False)
    again = scan.run_daily(date(2026, 6, 3), enqueue=False)
    assert first.inserted == 1 and again.inserted == 0
    assert [(m.step, m.recipient_id) for m in rows(rule=rule)] == [("r0", staff_b1.pk)]
    # Down for 20 days: one reminder for the latest repeat and both escalations, not a flood.
    engine.rebuild(date(2026, 6, 25))
    scan.run_daily(date(2026, 6, 25), enqueue=False)
    steps = sorted((m.step, m.recipient_id) for m in rows(rule=rule))
    assert steps == sorted([
        ("r0", staff_b1.pk), ("r3", staff_b1.pk), ("e1", cast.leader_b.pk),
    ])  # fmt: skip
    # B1's staff: r0 (never sent here) and r3 in one mail that names B1 once, as of today.
    assert sending.send_pending_now() == 2
    assert sending.send_pending_now() == 0
    assert len(mail.outbox) == 2
    assert {m.status for m in rows(rule=rule)} == {"sent"}
    (to_staff,) = [m for m in mail.outbox if m.to == [staff_b1.email]]
    assert to_staff.body.count("Chi bộ B1 — Đảng ủy xã B") == 1
    assert "Đến ngày 25/06/2026, 1 đơn vị do đồng chí theo dõi đang chậm" in to_staff.body


@time_machine.travel(date(2026, 6, 6), tick=False)
def test_a_weekend_writes_nothing_and_monday_catches_up(tree, staff_b1, behind_b1):
    lag_rule()
    engine.rebuild(date(2026, 6, 6))
    saturday = scan.run_daily(date(2026, 6, 6), enqueue=False)
    assert saturday.inserted == 0 and saturday.episodes_opened == 1
    engine.rebuild(date(2026, 6, 8))
    assert scan.run_daily(date(2026, 6, 8), enqueue=False).inserted == 1


@time_machine.travel(date(2026, 6, 3), tick=False)
def test_the_rule_tolerance_and_levels_decide_who_lags(tree, staff_b1, behind_b1):
    engine.rebuild(date(2026, 6, 3))  # B1: 1.68 cases expected, 0 done → 2 behind
    lenient = lag_rule(name="lenient", tolerance_cases=2)
    grassroots = lag_rule(name="grassroots only", levels=["grassroots"])
    cells = lag_rule(name="cells", levels=["cell"], tolerance_points=25)  # 25% of 4 = 1 case
    scan.run_daily(date(2026, 6, 3), enqueue=False)
    assert not rows(rule=lenient) and not rows(rule=grassroots)
    assert [m.organization_id for m in rows(rule=cells)] == [tree.b1.pk]


def test_rule_validation_messages_are_on_the_field():
    from django.core.exceptions import ValidationError

    rule = ReminderRule(name="x", kind=ReminderRule.Kind.TARGET_DUE, levels=["county"],
                        days_before=[])  # fmt: skip
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "Cấp không hợp lệ" in str(error.value.message_dict["levels"])
    assert "ít nhất một mốc ngày" in str(error.value.message_dict["days_before"])


@time_machine.travel(date(2026, 6, 10), tick=False)
def test_target_due_and_case_overdue_reminders(tree, staff_b1):
    rule = ReminderRule.objects.create(name="hạn", kind="target_due", days_before=[14, 3])
    overdue_rule = ReminderRule.objects.create(name="quá hạn", kind="case_overdue")
    prog = programme(tree.province)
    soon = target(prog, tree.b1, quantity=2, due_on=date(2026, 6, 20))
    done = target(prog, tree.b1, quantity=1, due_on=date(2026, 6, 21), kind="inspection_finance")
    case(tree.b1, kind="inspection_finance", target=done, concluded_on=date(2026, 6, 1))
    target(prog, tree.b1, quantity=1, due_on=date(2026, 8, 1))  # far away
    late = Case.objects.create(
        organization=tree.b1, body="inspection_commission", kind="inspection_finance",
        year=2026, title="Kiểm tra tài chính thử", status=Case.Status.IN_PROGRESS,
        decided_on=date(2026, 5, 1), work_starts_on=date(2026, 5, 4),
        work_ends_on=date(2026, 6, 5),
    )  # fmt: skip
    scan.run_daily(date(2026, 6, 10), enqueue=False)
    assert [(m.period, m.step) for m in rows(rule=rule)] == [
        (f"target:{soon.pk}:2026-06-20", "d14")
    ]
    assert [(m.period, m.step) for m in rows(rule=overdue_rule)] == [
        (f"case:{late.pk}:2026-06-05", "over")
    ]
    scan.run_daily(date(2026, 6, 17), enqueue=False)  # 3 days before: the second one
    assert [m.step for m in rows(rule=rule)] == ["d14", "d3"]
    assert len(rows(rule=overdue_rule)) == 1
    sending.send_pending_now()
    subjects = sorted(m.subject for m in mail.outbox)
    assert '[ktgs] Cuộc "Kiểm tra tài chính thử" đã quá thời gian làm việc dự kiến' in subjects
    assert "[ktgs] Chi bộ B1: chỉ tiêu còn 3 ngày đến hạn" in subjects
    due_mail = next(m for m in mail.outbox if "còn 3 ngày" in m.subject)
    assert "Chỉ tiêu Giám sát" not in due_mail.body and "20/06/2026" in due_mail.body
    assert "Đã thực hiện 0/2, còn thiếu 2." in due_mail.body
    assert "Đã thực hiện 0/2" in due_mail.alternatives[0][0]


def test_the_overdue_scan_reads_cases_without_the_case_lists_order(tree, staff_b1):
    """A server-side cursor ordered as the case list is planned to walk
    case_list_order_idx over every case (reminders.scan.scan_case_overdue): the read
    must not ask for an order it does not use."""
    rule = ReminderRule.objects.create(name="quá hạn", kind="case_overdue")
    Case.objects.create(
        organization=tree.b1, body="inspection_commission", kind="inspection_finance",
        year=2026, title="Kiểm tra quá hạn", status=Case.Status.IN_PROGRESS,
        decided_on=date(2026, 5, 1), work_starts_on=date(2026, 5, 4),
        work_ends_on=date(2026, 6, 5),
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        scan.scan_case_overdue(
            rule, date(2026, 6, 10), Directory(), scan.ScanResult(today=date(2026, 6, 10))
        )
    reads = [q["sql"] for q in queries if 'FROM "cases_case"' in q["sql"]]
    assert len(reads) == 1 and "ORDER BY" not in reads[0]
    assert [m.period for m in rows(rule=rule)] == [
        f"case:{Case.objects.get(title='Kiểm tra quá hạn').pk}:2026-06-05"
    ]


@pytest.fixture
def english_leader(tree):
    person = UserFactory(username="leader_en", language="en")
    ktgs_services.grant_role(user=person, organization=tree.province, kind=Role.Kind.LEADER)
    return person


@time_machine.travel(date(2026, 6, 8), tick=False)  # a Monday
def test_weekly_digest_lists_lagging_units_by_gap_and_honours_the_preference(
    client, tree, cast, english_leader
):
    rule = ReminderRule.objects.create(name="tổng hợp", kind="digest", weekday=0)
    prog = programme(tree.province)
    target(prog, tree.b1, quantity=4)  # ~1.73 expected
    target(prog, tree.a2, quantity=12)  # ~5.2 expected: the bigger gap, listed first
    engine.rebuild(date(2026, 6, 8))
    scan.run_daily(date(2026, 6, 8), enqueue=False)
    scan.run_daily(date(2026, 6, 9), enqueue=False)  # same week: nothing more
    got = {m.recipient_id: m for m in rows(rule=rule)}
    # leader_p and the English leader lead the province: both units; leader_b: B1 only.
    assert set(got) == {cast.leader_p.pk, cast.leader_b.pk, english_leader.pk}
    sending.send_pending_now()
    by_to = {m.to[0]: m for m in mail.outbox}
    province_mail = by_to[cast.leader_p.email]
    assert province_mail.subject == (
        "[ktgs] Tuần 24/2026: 2 đơn vị chậm tiến độ thuộc Tỉnh ủy Thử Nghiệm"
    )
    body = province_mail.body
    assert body.index("Chi bộ cơ sở A2") < body.index("Chi bộ B1")
    assert "còn thiếu 12 cuộc" in body
    assert province_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    english = by_to[english_leader.email]
    assert "12 cases short" in english.body and "Chi bộ cơ sở A2" in english.alternatives[0][0]
    assert "1/2" not in by_to[cast.leader_b.email].body and "Chi bộ B1" in by_to[
        cast.leader_b.email].body  # fmt: skip

    # The one-click link: GET asks, POST turns the digest off, without logging in.
    link = next(line for line in body.splitlines() if "/reminders/unsubscribe/" in line)
    path = link[link.index("/progress/") :].strip()
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    cast.leader_p.refresh_from_db()
    assert cast.leader_p.digest_enabled is False
    assert client.post(path[:-3] + "xx/").status_code == 404  # tampered token
    scan.run_daily(date(2026, 6, 15), enqueue=False)  # next Monday
    assert {m.recipient_id for m in rows(rule=rule, period="week:2026-W25")} == {
        cast.leader_b.pk, english_leader.pk,
    }  # fmt: skip


@time_machine.travel(date(2026, 6, 8), tick=False)
def test_no_digest_when_nothing_lags(tree, cast):
    ReminderRule.objects.create(name="tổng hợp", kind="digest", weekday=0)
    target(programme(tree.province), tree.b1, quantity=1)  # 0.44 expected: not lagging
    engine.rebuild(date(2026, 6, 8))
    assert scan.run_daily(date(2026, 6, 8), enqueue=False).inserted == 0


def test_profile_turns_the_digest_off_and_on_and_language_still_saves(client, cast):
    client.force_login(cast.leader_p)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="digest_enabled"' in page and "không thể tắt" in page
    assert client.post(reverse("profile"), {"save_digest": "1"}).status_code == 302
    cast.leader_p.refresh_from_db()
    assert cast.leader_p.digest_enabled is False
    client.post(reverse("profile"), {"save_digest": "1", "digest_enabled": "on"})
    client.post(reverse("profile"), {"language": "en"})
    cast.leader_p.refresh_from_db()
    assert (cast.leader_p.digest_enabled, cast.leader_p.language) == (True, "en")


# --- the sender in this process ------------------------------------------------------


def outbox_row(rule, unit, person, step="r0", **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        rule=rule, organization=unit, period="lag:2026-06-01", step=step, recipient=person,
        kind=K.LAG, email=person.email, context={
            "unit": unit.name, "unit_id": unit.pk, "url": "http://x/", "quantity": 4,
            "capped_done": 0, "expected": "2", "behind": 2, "reasons": [],
            "as_of": "2026-06-03", "escalation": 0,
        },
        message_id=writer.message_id_for(rule.pk, unit.pk, "lag:2026-06-01", step, person.pk),
        **fields,
    )  # fmt: skip


def test_a_claimed_row_is_not_sent_by_another_sender_and_a_stale_claim_is_swept(
    tree, staff_b1, settings, django_capture_on_commit_callbacks
):
    rule = lag_rule()
    row = outbox_row(rule, tree.b1, staff_b1)
    assert [m.pk for m in sending.claim([row.pk])] == [row.pk]
    assert sending.send_batch([row.pk]) == [] and mail.outbox == []  # someone else holds it
    settings.KTGS_OUTBOX_CLAIM_TIMEOUT = 60
    assert sending.sweep()["reset"] == 0  # a fresh claim is left alone
    later = timezone.now() + timedelta(seconds=61)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        swept = sending.sweep(now=later)
    assert swept["reset"] == 1 and swept["enqueued"] == 1 and len(callbacks) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert sending.send_batch([row.pk]) == []
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.SENT, 2)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [row.message_id]


def test_a_row_out_of_attempts_is_failed_and_kept_with_its_error(tree, staff_b1, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    settings.KTGS_OUTBOX_MAX_ATTEMPTS = 2
    row = outbox_row(lag_rule(), tree.b1, staff_b1)
    assert sending.send_batch([row.pk]) == [row.pk]
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.PENDING and "connect" in row.last_error
    assert sending.send_batch([row.pk]) == []
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.FAILED, 2)


# --- the log page ----------------------------------------------------------------------


def test_the_reminder_log_is_linked_for_those_who_oversee(client, cast, tree):
    log_url = reverse("reminders:log")
    client.force_login(cast.leader_p)
    page = client.get(reverse("reports:dashboard", args=[tree.a.pk])).content.decode()
    assert log_url in page
    client.force_login(cast.staff_a)
    page = client.get(reverse("reports:dashboard", args=[tree.a.pk])).content.decode()
    assert log_url not in page
    assert client.get(log_url).status_code == 404


@pytest.mark.parametrize(("who", "status", "units"), [
    ("admin", 200, {"b1", "a2"}), ("leader_p", 200, {"b1", "a2"}), ("leader_b", 200, {"b1"}),
    ("staff_a", 404, set()), ("outsider", 404, set()),
])  # fmt: skip
def test_reminder_log_shows_each_person_their_subtree(client, tree, cast, staff_b1, who, status,
                                                      units):  # fmt: skip
    rule = lag_rule()
    outbox_row(rule, tree.b1, staff_b1, status=OutboxMessage.Status.SENT)
    outbox_row(rule, tree.a2, staff_b1, status=OutboxMessage.Status.FAILED, last_error="boom 451")
    client.force_login(getattr(cast, who))
    response = client.get(reverse("reminders:log"))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        shown = {name for name in ("b1", "a2") if getattr(tree, name).name in body}
        assert shown == units
        if "a2" in units:
            assert "boom 451" in body
            failed = client.get(reverse("reminders:log"), {"status": "failed"})
            assert tree.b1.name not in failed.content.decode()


def test_the_log_pages_keep_the_filters(client, tree, cast, staff_b1):
    rule = lag_rule()
    for step in range(51):  # one more than a page
        outbox_row(rule, tree.b1, staff_b1, step=f"r{step}", status=OutboxMessage.Status.SENT)
    client.force_login(cast.admin)
    first = client.get(reverse("reminders:log"), {"status": "sent", "q": "B1"}).content.decode()
    assert 'href="?status=sent&amp;q=B1&amp;page=2"' in first
    second = client.get(reverse("reminders:log"), {"status": "sent", "q": "B1", "page": "2"})
    assert 'href="?status=sent&amp;q=B1&amp;page=1"' in second.content.decode()


@time_machine.travel(date(2026, 6, 8), tick=False)  # a Monday
def test_the_digest_gives_the_year_end_forecast_in_both_bodies(tree, cast, english_leader):
    """The leader's whole unit and each lagging unit, at the run rate from 1 January to
    the day of the digest, labelled as a forecast, in the text and the HTML body."""
    ReminderRule.objects.create(name="tổng hợp", kind="digest", weekday=0)
    today = date(2026, 6, 8)
    prog = programme(tree.province)
    target(prog, tree.b1, quantity=4)
    a2 = target(prog, tree.a2, quantity=12)
    case(tree.a2, target=a2, concluded_on=date(2026, 3, 2))
    case(tree.a2, target=a2, concluded_on=date(2026, 5, 4))
    engine.rebuild(today)
    scan.run_daily(today, enqueue=False)
    sending.send_pending_now()
    by_to = {m.to[0]: m for m in mail.outbox}
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    whole = progress.forecast(2, 16, start, today, end)  # the province: 2 of 4 + 12
    unit = progress.forecast(2, 12, start, today, end)  # A2, lagging
    assert whole is not None and unit is not None and 0 < whole < unit < 1
    province_mail = by_to[cast.leader_p.email]
    html = province_mail.alternatives[0][0]
    for body in (province_mail.body, html):
        assert (
            f"Dự báo cuối năm của Tỉnh ủy Thử Nghiệm: {figures.format_percent(whole)} chỉ "
            f"tiêu hoàn thành nếu giữ tốc độ thực hiện từ đầu năm (hiện đạt "
            f"{figures.format_percent(Fraction(2, 16))})"
        ) in body
        assert f"dự báo cuối năm {figures.format_percent(unit)}" in body
    english = by_to[english_leader.email]
    for body in (english.body, english.alternatives[0][0]):
        assert (
            f"Year-end forecast for Tỉnh ủy Thử Nghiệm: {figures.format_percent(whole, 'en')}"
            in body
        )
        assert f"year-end forecast {figures.format_percent(unit, 'en')}" in body
