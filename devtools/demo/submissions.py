"""The demo's period reports sent up the tree (`seed_demo`, profile demo), after the
figures step: the 9-month report (of this year once its deadline has passed, else of
last year) through reports.services, each call by the demo account whose role allows it:

- the bloc committee's report, submitted by its staff (canbo.khoi) and approved by the
  province's leader (lanhdao.tinh): locked;
- the first commune's, submitted by its staff (canbo.xa): waiting for the province;
- the bloc's first grassroots committee's, submitted by the bloc's staff and returned by
  the bloc's leader (lanhdao.khoi) with a comment, plus a comment on the submission;
- the second commune's: never sent, overdue (as are the other units that have not sent
  it: the province's and the bloc's pages list them);
- a comment of the province's leader on the bloc's progress.

Idempotent: nothing is done when the bloc has a submission for the period.
"""

from __future__ import annotations

import datetime
import time

from django.utils import timezone

from devtools.demo.programmes import seeding_transaction
from devtools.demo.province import DemoTree
from ktgs.models import Organization, User
from reports import services
from reports.engine import periods
from reports.models import ReportPeriod, ReportSubmission
from reports.queries.submissions import due_on

RETURN_COMMENT = (
    "Đề nghị bổ sung số liệu giải quyết tố cáo và làm rõ nguyên nhân chưa hoàn thành "
    "chỉ tiêu giám sát chuyên đề trước khi gửi lại."
)
SUBMISSION_COMMENT = "Đảng ủy Khối sẽ hướng dẫn đơn vị hoàn thiện trong tuần."
PROGRESS_COMMENT = (
    "Đề nghị Đảng ủy Khối đôn đốc các đảng bộ cơ sở còn chậm tiến độ giám sát chuyên đề."
)


def demo_period(today: datetime.date) -> ReportPeriod:
    """This year's 9-month period once its report is overdue (past its deadline), else
    last year's."""
    for year in (today.year, today.year - 1):
        periods.ensure_periods(year)
        period = ReportPeriod.objects.get(kind=ReportPeriod.Kind.M9, year=year, month=0)
        due = due_on(period)
        if due is not None and due < today:
            return period
    return period


def seed_demo(*, tree, seed: int, stdout) -> None:
    if not isinstance(tree, DemoTree):
        return
    today = timezone.localdate()
    period = demo_period(today)
    if ReportSubmission.objects.filter(organization=tree.bloc, period=period).exists():
        return
    started = time.monotonic()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    committee = (
        Organization.objects.filter(parent=tree.bloc, numchild__gt=0).order_by("path").first()
    )
    assert committee is not None
    with seeding_transaction():

        def submit(user: str, unit: Organization, number: str) -> ReportSubmission:
            return services.submit_report(
                user=users[user],
                organization=unit,
                period=period,
                today=today,
                number=number,
                signed_on=today,
                recipients=f"- {unit.parent.name if unit.parent else ''},\n- Lưu.",
                signer_capacity="T/M BAN THƯỜNG VỤ",
                signer_title="Phó Bí thư",
                signer_name="Nguyễn Văn Mẫu",
            )

        bloc = submit("canbo.khoi", tree.bloc, "45-BC/ĐUK")
        services.approve_report(user=users["lanhdao.tinh"], submission=bloc, version=bloc.version)
        submit("canbo.xa", tree.communes[0], "12-BC/ĐU")
        returned = submit("canbo.khoi", committee, "08-BC/ĐU")
        returned = services.return_report(
            user=users["lanhdao.khoi"],
            submission=returned,
            comment=RETURN_COMMENT,
            version=returned.version,
        )
        services.add_comment(
            user=users["lanhdao.khoi"],
            organization=committee,
            text=SUBMISSION_COMMENT,
            submission=returned,
        )
        services.add_comment(
            user=users["lanhdao.tinh"], organization=tree.bloc, text=PROGRESS_COMMENT
        )
    stdout.write(
        f"Demo reports {period.title}: {tree.bloc.name} approved, {tree.communes[0].name} "
        f"submitted, {committee.name} returned, {tree.communes[1].name} overdue "
        f"in {time.monotonic() - started:.1f} s."
    )


DEMO_USERS = ("canbo.khoi", "canbo.xa", "lanhdao.khoi", "lanhdao.tinh")
