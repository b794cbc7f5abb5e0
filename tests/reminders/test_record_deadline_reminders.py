"""Reminders of the records' legal deadlines (issue 14): a denunciation to conclude within
90 days of receipt (day 90 in time, day 91 overdue), a suspension past its end without
being lifted. Each step (due soon, overdue, escalation) once per record and deadline;
an extension makes a new deadline; names of people only to the handling unit's staff.
Delivery through a real worker and SMTP server: test_record_deadline_delivery.py."""

import json
from datetime import date

import pytest
from django.core import mail

from cases import services as case_services
from cases.models import Case
from ktgs import services as ktgs_services
from ktgs.models import Role
from reminders import scan, sending
from reminders.models import OutboxMessage, ReminderRule
from tests.cases.factories import denunciation, suspension
from tests.factories import UserFactory

D = date
K = OutboxMessage.Kind
ACCUSED = "Trần Văn Bị"  # tests.cases.factories.MEMBER
SENDER = "Nguyễn Thị Gửi"
SUSPENDED = "Đỗ Văn Đình"
# Received 1 March 2025: 90 days end on 30 May (in time), 31 May is overdue.
DUE = D(2025, 5, 30)
# A member's suspension from 1 February 2025: 90 days, ends on 2 May.
ENDS = D(2025, 5, 2)


@pytest.fixture(autouse=True)
def _only_the_tests_rules(db, deadline_rules):
    # The data migration's rules would remind about everything here too.
    ReminderRule.objects.all().delete()


def rule(kind: str, **fields) -> ReminderRule:
    """Every day counts (quiet days are tested on their own)."""
    defaults = dict(name=kind, kind=kind, skip_weekends=False, skip_holidays=False,
                    escalate_after_days=14, escalation_levels=1)  # fmt: skip
    return ReminderRule.objects.create(**{**defaults, **fields})


@pytest.fixture
def staff_b1(tree):
    person = UserFactory(username="staff_b1", language="vi")
    ktgs_services.grant_role(user=person, organization=tree.b1, kind=Role.Kind.STAFF)
    return person


@pytest.fixture
def opened(tree, staff_b1):
    """A denunciation against a member, handled by B1, received 1 March 2025."""
    return denunciation(staff_b1, tree.b1)


@pytest.fixture
def suspended(tree, staff_b1):
    return suspension(staff_b1, tree.b1)


def steps(**filters) -> set[tuple[str, int]]:
    return set(OutboxMessage.objects.filter(**filters).values_list("step", "recipient_id"))


def run(day: date) -> scan.ScanResult:
    return scan.run_daily(day, enqueue=False)


# --- the edges, table-driven ---------------------------------------------------------


@pytest.mark.parametrize(
    "today, days_before, expected",
    [
        (D(2025, 5, 19), [], set()),  # 11 days left: not yet
        (D(2025, 5, 20), [], {("d10", "staff")}),  # 10 days left: the window's edge
        (D(2025, 5, 30), [], {("d10", "staff")}),  # day 90: the last day, not overdue
        (D(2025, 5, 31), [], {("over", "staff")}),  # day 91: overdue
        (D(2025, 6, 13), [], {("over", "staff")}),  # 14 days overdue: not escalated yet
        (D(2025, 6, 14), [], {("over", "staff"), ("e1", "leader_b")}),  # 14 after `over`
        (D(2025, 5, 16), [14, 3], {("d14", "staff")}),
        (D(2025, 5, 27), [14, 3], {("d3", "staff")}),  # both reached: the nearest only
    ],
)
def test_denunciation_steps_on_each_edge(tree, cast, staff_b1, opened, today, days_before,
                                         expected):  # fmt: skip
    assert opened.deadline == DUE
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE, days_before=days_before)
    run(today)
    who = {"staff": staff_b1.pk, "leader_b": cast.leader_b.pk}
    assert steps() == {(step, who[person]) for step, person in expected}
    period = f"denunciation:{opened.pk}:2025-05-30"
    assert set(OutboxMessage.objects.values_list("period", flat=True)) <= {period}


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2025, 4, 21), set()),  # 11 days left
        (D(2025, 4, 22), {("d10", "staff")}),
        (D(2025, 5, 2), {("d10", "staff")}),  # the last day of the suspension
        (D(2025, 5, 3), {("over", "staff")}),  # past its end, not lifted
        (D(2025, 5, 17), {("over", "staff"), ("e1", "leader_b")}),
    ],
)
def test_suspension_steps_on_each_edge(tree, cast, staff_b1, suspended, today, expected):
    assert suspended.ends_on == ENDS
    rule(ReminderRule.Kind.SUSPENSION_END)
    run(today)
    who = {"staff": staff_b1.pk, "leader_b": cast.leader_b.pk}
    assert steps() == {(step, who[person]) for step, person in expected}
    assert set(OutboxMessage.objects.values_list("period", flat=True)) <= {
        f"suspension:{suspended.pk}:2025-05-02"
    }


def test_a_concluded_denunciation_and_a_lifted_suspension_send_nothing(
    tree, staff_b1, opened, suspended
):
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE)
    rule(ReminderRule.Kind.SUSPENSION_END)
    case_services.conclude_denunciation(user=staff_b1, denunciation=opened, conclusion="untrue",
                                        concluded_on=D(2025, 5, 10),
                                        version=opened.version)  # fmt: skip
    case_services.lift_suspension(user=staff_b1, suspension=suspended, lifted_on=D(2025, 4, 25),
                                  outcome="reinstated", version=suspended.version)  # fmt: skip
    for day in (D(2025, 4, 25), D(2025, 5, 20), D(2025, 5, 30), D(2025, 6, 30)):
        assert run(day).inserted == 0
    assert not OutboxMessage.objects.exists()


def test_a_cancelled_case_sends_nothing(tree, staff_b1, opened):
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE)
    case_services.change_status(user=staff_b1, case=opened.case, status=Case.Status.CANCELLED,
                                version=opened.case.version)  # fmt: skip
    assert run(D(2025, 6, 30)).inserted == 0


# --- exactly once ----------------------------------------------------------------------


def test_running_twice_and_on_the_next_days_writes_each_step_once(tree, staff_b1, opened):
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE)
    assert run(D(2025, 5, 20)).inserted == 1
    assert run(D(2025, 5, 20)).inserted == 0  # the same day again
    assert run(D(2025, 5, 21)).inserted == 0  # still d10 the next day
    assert run(D(2025, 5, 30)).inserted == 0  # and on the last day
    assert run(D(2025, 5, 31)).inserted == 1  # overdue: a new step
    assert run(D(2025, 6, 1)).inserted == 0
    assert OutboxMessage.objects.count() == 2
    sending.send_pending_now()
    assert run(D(2025, 6, 2)).inserted == 0
    assert len(mail.outbox) == 2


def test_a_weekend_holds_the_reminder_and_monday_catches_up(tree, staff_b1, opened):
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE, skip_weekends=True)
    assert run(D(2025, 5, 31)).inserted == 0  # day 91 is a Saturday
    assert run(D(2025, 6, 2)).inserted == 1  # Monday
    assert steps() == {("over", staff_b1.pk)}


def test_an_extension_moves_the_deadline_and_makes_a_new_due_soon(tree, staff_b1, opened):
    den_rule = rule(ReminderRule.Kind.DENUNCIATION_DEADLINE)
    run(D(2025, 5, 20))
    sending.send_pending_now()
    extended = case_services.extend_denunciation(user=staff_b1, denunciation=opened,
                                                 to=D(2025, 6, 29), reason="Cần xác minh thêm.",
                                                 version=opened.version)  # fmt: skip
    assert run(D(2025, 5, 31)).inserted == 0  # the old deadline no longer stands
    assert run(D(2025, 6, 19)).inserted == 1  # 10 days before the new one
    assert run(D(2025, 6, 30)).inserted == 1  # and overdue after it
    old, new = f"denunciation:{extended.pk}:2025-05-30", f"denunciation:{extended.pk}:2025-06-29"
    assert sorted(OutboxMessage.objects.filter(rule=den_rule).values_list("period", "step")) == [
        (old, "d10"),
        (new, "d10"),
        (new, "over"),
    ]


def test_a_pending_reminder_is_cancelled_once_extended_concluded_or_lifted(
    tree, staff_b1, opened, suspended
):
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE)
    rule(ReminderRule.Kind.SUSPENSION_END)
    run(D(2025, 5, 31))  # both overdue; written, not yet sent
    assert OutboxMessage.objects.filter(status="pending").count() == 2
    case_services.extend_denunciation(user=staff_b1, denunciation=opened, to=D(2025, 6, 29),
                                      reason="Cần xác minh thêm.",
                                      version=opened.version)  # fmt: skip
    case_services.lift_suspension(user=staff_b1, suspension=suspended, lifted_on=D(2025, 5, 31),
                                  outcome="disciplined", version=suspended.version)  # fmt: skip
    assert run(D(2025, 5, 31)).cancelled == 2
    assert not OutboxMessage.objects.filter(status="pending").exists()
    sending.send_pending_now()
    assert mail.outbox == []


# --- what the mails say, and to whom ---------------------------------------------------


def test_the_staff_are_told_with_the_names_and_the_parent_without_any(
    tree, cast, staff_b1, opened, suspended
):
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE)
    rule(ReminderRule.Kind.SUSPENSION_END)
    run(D(2025, 6, 16))  # the denunciation 17 days overdue, the suspension 45
    sending.send_pending_now()
    to_staff = [m for m in mail.outbox if m.to == [staff_b1.email]]
    to_parent = [m for m in mail.outbox if m.to == [cast.leader_b.email]]
    assert len(to_staff) == 2 and len(to_parent) == 2
    assert not any(m.to == [cast.leader_p.email] for m in mail.outbox)  # one level only
    assert not any(m.to == [cast.staff_a.email] for m in mail.outbox)  # not their unit

    den = next(m for m in to_staff if "tố cáo" in m.subject)
    assert den.subject == "[ktgs] Chi bộ B1: một tố cáo đã quá hạn giải quyết 17 ngày"
    assert den.body.startswith(f"Kính gửi {staff_b1},")
    assert (
        f'Việc "Giải quyết tố cáo đối với {ACCUSED}" của Chi bộ B1 (nhận tố cáo ngày 01/03/2025) '
        "phải kết luận chậm nhất ngày 30/05/2025; đến ngày 16/06/2025 đã quá hạn 17 ngày mà chưa "
        "có kết luận." in den.body
    )
    assert f"/cases/{opened.case_id}/" in den.body
    assert ACCUSED in den.alternatives[0][0]
    sus = next(m for m in to_staff if "đình chỉ" in m.subject)
    assert sus.subject == (
        "[ktgs] Chi bộ B1: một việc đình chỉ đã hết thời hạn 45 ngày mà chưa chấm dứt"
    )
    assert (
        f"Đình chỉ sinh hoạt đảng đối với {SUSPENDED} do Chi bộ B1 quyết định từ ngày 01/02/2025 "
        "đã hết thời hạn ngày 02/05/2025" in sus.body
    )

    # The parent's leaders: the unit's name and counts, no person's name anywhere — not
    # in the mail, and not in the outbox row it is rendered from.
    subjects = sorted(m.subject for m in to_parent)
    assert subjects == [
        "[ktgs] Báo cáo lãnh đạo: Chi bộ B1 có tố cáo quá hạn giải quyết",
        "[ktgs] Báo cáo lãnh đạo: Chi bộ B1 có việc đình chỉ quá thời hạn chưa chấm dứt",
    ]
    escalated = next(m for m in to_parent if "tố cáo" in m.subject)
    assert escalated.body.startswith(f"Kính gửi đồng chí {cast.leader_b},")
    assert (
        "Chi bộ B1 (trực thuộc Đảng ủy xã B) đã được nhắc nhưng đến ngày 16/06/2025 vẫn có một tố "
        "cáo chưa kết luận dù đã quá hạn giải quyết 17 ngày." in escalated.body
    )
    assert "Đơn vị hiện có 1 tố cáo quá hạn giải quyết." in escalated.body
    for message in to_parent:
        text = " ".join([message.subject, message.body, message.alternatives[0][0]])
        for name in (ACCUSED, SENDER, SUSPENDED, "Chuyên viên", "Phó Giám đốc"):
            assert name not in text
        assert "Giải quyết tố cáo" not in text  # the case's title names the accused
    for row in OutboxMessage.objects.filter(kind=K.DEADLINE_ESCALATION):
        stored = json.dumps(row.context, ensure_ascii=False)
        assert ACCUSED not in stored and SUSPENDED not in stored


def test_the_parent_mail_counts_the_units_overdue_records(tree, cast, staff_b1, opened):
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE)
    denunciation(staff_b1, tree.b1, letter_fields={"about_member_name": "Phạm Thị Khác"})
    run(D(2025, 6, 16))
    sending.send_pending_now()
    to_parent = [m for m in mail.outbox if m.to == [cast.leader_b.email]]
    assert len(to_parent) == 2  # one per record reaching its escalation
    assert all("Đơn vị hiện có 2 tố cáo quá hạn giải quyết." in m.body for m in to_parent)
    assert not any("Phạm Thị Khác" in m.body for m in to_parent)


def test_the_mails_are_in_the_recipients_language(tree, cast, staff_b1, opened, suspended):
    staff_b1.language = "en"
    staff_b1.save()
    cast.leader_b.language = "en"
    cast.leader_b.save()
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE)
    rule(ReminderRule.Kind.SUSPENSION_END)
    run(D(2025, 4, 22))  # the suspension: 10 days left
    run(D(2025, 5, 29))  # the denunciation: 1 day left; the suspension 27 days past its end
    run(D(2025, 6, 16))
    sending.send_pending_now()
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted([
        "[ktgs] Chi bộ B1: a suspension ends in 10 days",
        "[ktgs] Chi bộ B1: a denunciation is due in 1 day",
        "[ktgs] Chi bộ B1: a denunciation is 17 days overdue",
        "[ktgs] Chi bộ B1: a suspension is 27 days past its end and not ended",
        "[ktgs] For leaders: Chi bộ B1 has a denunciation past its deadline",
        "[ktgs] For leaders: Chi bộ B1 has a suspension past its end",
    ])  # fmt: skip
    due = next(m for m in mail.outbox if "due in 1 day" in m.subject)
    assert "must be concluded by 05/30/2025: 1 day left." in due.body
    sus = next(m for m in mail.outbox if "ends in 10 days" in m.subject)
    assert f": {SUSPENDED}, decided by Chi bộ B1 from 02/01/2025, ends on 05/02/2025" in sus.body
    assert "The unit now has 1 denunciation past its deadline." in " ".join(
        m.body for m in mail.outbox
    )


def test_the_last_day_says_today(tree, staff_b1, opened):
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE, days_before=[0])
    run(D(2025, 5, 30))
    sending.send_pending_now()
    (message,) = mail.outbox
    assert message.subject == "[ktgs] Chi bộ B1: một tố cáo đến hạn giải quyết hôm nay"
    assert "phải kết luận chậm nhất hôm nay, ngày 30/05/2025." in message.body


def test_the_rule_levels_decide_which_units_are_reminded(tree, staff_b1, opened):
    rule(ReminderRule.Kind.DENUNCIATION_DEADLINE, levels=["grassroots"])  # B1 is a cell
    assert run(D(2025, 5, 31)).inserted == 0
