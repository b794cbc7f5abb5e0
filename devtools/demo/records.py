"""The commission's other records in the demo (`seed_demo`, profile demo): letters,
denunciations, disciplinary complaints and suspensions of the bloc committee (Đảng ủy
Khối các cơ quan tỉnh), written through cases.services with the demo administrator
`quantri` as author, each call made "as of" the day it happened (the services take
`today`), so validation, deadlines and history apply as they would have.

All dates are counted back from the demo's today, so the deadline figures always show
something: of the bloc's denunciations (DENUNCIATIONS) one is due soon
(cases.deadlines.DUE_SOON_DAYS) and one overdue as of today, one was extended (with its
reason) and is in time again, one in time, one concluded true with a discipline on the
accused (add_discipline on the case's subject, like the case page's form) and one
concluded untrue. The letters are of every kind: named denunciations (each opened as
one of those), anonymous and false-name ones kept for information, complaints (each
lodged), petitions and feedback (settled, linked to a case, one still pending), and
letters the province's commission received and forwarded to the bloc — one of them
forwarded on to a grassroots committee, where it waits (a chain of three rows that
counts as one letter). Disciplinary complaints against decisions of grassroots
committees (recorded here, through a concluded case of their own) are settled by the
bloc's commission: upheld, form changed, annulled, and one still under way. Suspensions
of members: prosecuted or detained, one extended within the cap, one lifted.

People are synthetic: "<family> <middle> Mẫu <n>" like the cases' subjects, numbered
from PEOPLE_FROM so that they never share a name with those. Idempotent: nothing is done
when the bloc (or a unit below it) already has a letter or a suspension.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    CaseSubject,
    Denunciation,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
    Suspension,
)
from devtools.demo.cases import FAMILY, MIDDLE, Numbers
from devtools.demo.programmes import demo_user, issuer_of, seeding_transaction
from devtools.demo.province import DemoTree
from ktgs.models import Organization
from plans.models import ActivityKind, Body

IC = Body.INSPECTION_COMMISSION
Kind = Letter.Kind
Sender = Letter.SenderKind
Form = DisciplineDecision.Form
Result = DisciplineComplaint.Result
Verdict = Denunciation.Conclusion

PEOPLE_FROM = 9001
BLOC_ISSUER = "UBKTĐUK"  # the bloc's inspection commission, as in its other decisions


@dataclass(frozen=True)
class DenunciationPlan:
    """One named denunciation of the bloc: received `received` days before today (its
    decision a few days later), and what became of it. The rule in force gives 90 days
    (cases.migrations.0006), so 84 days ago is due in 6 days and 97 days ago overdue."""

    received: int
    outcome: str  # "open", "extended", "true" (concluded with discipline), "untrue"
    summary: str


DENUNCIATIONS = (
    DenunciationPlan(84, "open", "Tố cáo việc lợi dụng chức vụ để trục lợi trong mua sắm."),
    DenunciationPlan(97, "open", "Tố cáo việc kê khai tài sản, thu nhập không trung thực."),
    DenunciationPlan(88, "extended", "Tố cáo việc bổ nhiệm cán bộ không đúng quy trình."),
    DenunciationPlan(30, "open", "Tố cáo việc vi phạm những điều đảng viên không được làm."),
    DenunciationPlan(70, "true", "Tố cáo việc sử dụng tài sản công vào mục đích cá nhân."),
    DenunciationPlan(64, "untrue", "Tố cáo việc thiếu trách nhiệm trong quản lý cán bộ."),
)
# Kept for information: anonymous and false-name denunciations are not handled as such.
UNHANDLED = (
    (Sender.ANONYMOUS, 45, "Đơn không ký tên tố cáo việc thu chi sai quy định."),
    (Sender.FALSE_NAME, 33, "Đơn mạo tên tố cáo việc nhận quà biếu trái quy định."),
    (Sender.ANONYMOUS, 12, "Đơn không ký tên tố cáo việc sử dụng xe công sai quy định."),
)
PETITIONS = (
    (Kind.PETITION, 58, "Kiến nghị xem xét lại việc đánh giá, xếp loại đảng viên."),
    (Kind.PETITION, 26, "Kiến nghị làm rõ việc chậm chuyển sinh hoạt đảng."),
    (Kind.FEEDBACK, 40, "Phản ánh việc chi bộ không sinh hoạt định kỳ hằng tháng."),
    (Kind.FEEDBACK, 5, "Phản ánh việc công khai tài chính chưa đầy đủ."),
)
# Complaints against a grassroots committee's discipline: (days ago the discipline was
# decided, the form it gave, the result of the complaint or "" while under way).
COMPLAINTS = (
    (95, Form.WARNING, Result.UPHELD),
    (80, Form.WARNING, Result.CHANGED),
    (66, Form.REPRIMAND, Result.ANNULLED),
    (18, Form.WARNING, ""),
)
CHANGED_TO = Form.REPRIMAND
# Suspensions of members: (kind, reason, days ago it started, extended, lifted days ago);
# the rule gives 90 days, 180 at most in all.
SUSPENSIONS = (
    (Suspension.Kind.PARTY_ACTIVITY, Suspension.Reason.PROSECUTED, 40, False, None),
    (Suspension.Kind.PARTY_ACTIVITY, Suspension.Reason.DETAINED, 100, True, None),
    (Suspension.Kind.COMMITTEE_ACTIVITY, Suspension.Reason.PROSECUTED, 70, False, 15),
    (Suspension.Kind.PARTY_ACTIVITY, Suspension.Reason.DETAINED, 20, False, None),
)
POSITIONS = ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên", "Phó Giám đốc", "Kế toán")


def seed_demo(*, tree, seed: int, stdout) -> None:
    if not isinstance(tree, DemoTree):
        return
    bloc = tree.bloc
    below = Q(organization__path__startswith=bloc.path)
    if Letter.objects.filter(below).exists() or Suspension.objects.filter(below).exists():
        return
    started = time.monotonic()
    today = timezone.localdate()
    with seeding_transaction():
        DemoRecords(tree=tree, seed=seed, today=today).run()
    letters = Letter.objects.filter(below)
    stdout.write(
        f"Demo records of {bloc.name}: {letters.count()} letters "
        f"({letters.filter(forwarded_from__isnull=False).count()} forwarded in), "
        f"{Denunciation.objects.filter(case__organization=bloc).count()} denunciations, "
        f"{DisciplineComplaint.objects.filter(case__organization=bloc).count()} disciplinary "
        f"complaints, {Suspension.objects.filter(organization=bloc).count()} suspensions "
        f"in {time.monotonic() - started:.1f} s."
    )


class DemoRecords:
    def __init__(self, *, tree: DemoTree, seed: int, today: datetime.date):
        self.tree = tree
        self.bloc = tree.bloc
        self.today = today
        self.rng = random.Random(f"records-{seed}")
        self.user = demo_user()
        self.numbers = Numbers()
        self.people = PEOPLE_FROM - 1
        self.references = 0
        grassroots = Organization.objects.filter(parent=self.bloc).order_by("path")
        self.committees = [unit for unit in grassroots if unit.numchild]

    # -- people, days, numbers

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def by_today(self, day: datetime.date, days: int) -> datetime.date:
        """`days` after `day`, but not after today."""
        return min(self.today, day + datetime.timedelta(days=days))

    def person(self) -> str:
        self.people += 1
        return f"{self.rng.choice(FAMILY)} {self.rng.choice(MIDDLE)} Mẫu {self.people}"

    def member_of(self, unit: Organization, *, committee: bool = False) -> dict:
        """A member of `unit`, as a letter names the one it is about."""
        position = "Ủy viên Ban Chấp hành" if committee else self.rng.choice(POSITIONS)
        return {
            "about_kind": Letter.AboutKind.MEMBER,
            "about_member_name": self.person(),
            "about_member_position": f"{position} ({unit.name})",
            "about_is_committee_member": committee,
        }

    def bloc_number(self, day: datetime.date, doc_type: str = "QĐ") -> str:
        return self.numbers.take(self.bloc, IC, BLOC_ISSUER, day.year, doc_type)

    def letter(self, *, unit=None, body=IC, received_on, kind, summary, **fields) -> Letter:
        unit = unit or self.bloc
        self.references += 1
        return services.record_letter(
            user=self.user,
            organization=unit,
            body=body,
            received_on=received_on,
            reference=f"{self.references:02d}/ĐT",
            kind=kind,
            summary=summary,
            today=received_on,
            **fields,
        )

    # -- the records

    def run(self) -> None:
        self.denunciations()
        self.unhandled()
        self.complaints()
        self.petitions()
        self.forwarded()
        self.suspensions()

    def denunciations(self) -> None:
        """The bloc commission's named denunciations, each from its letter."""
        for plan in DENUNCIATIONS:
            unit = self.rng.choice(self.committees)
            received = self.ago(plan.received)
            letter = self.letter(
                received_on=received,
                kind=Kind.DENUNCIATION,
                sender_name=self.person(),
                summary=plan.summary,
                **self.member_of(unit, committee=plan.outcome == "true"),
            )
            self.open(letter, decided=received + datetime.timedelta(days=4), plan=plan)

    def open(self, letter: Letter, *, decided: datetime.date, plan: DenunciationPlan):
        user = self.user
        denunciation = services.open_denunciation(
            user=user,
            letter=letter,
            version=letter.version,
            body=IC,
            today=decided,
            decision_number=self.bloc_number(decided),
            decided_on=decided,
        )
        if plan.outcome == "extended":
            due = denunciation.due_on
            denunciation = services.extend_denunciation(
                user=user,
                denunciation=denunciation,
                to=due + datetime.timedelta(days=denunciation.extension_days),
                reason="Nội dung tố cáo phức tạp, cần xác minh thêm tại nhiều đơn vị.",
                version=denunciation.version,
            )
        elif plan.outcome in ("true", "untrue"):
            concluded = self.by_today(decided, 40)
            denunciation = services.conclude_denunciation(
                user=user,
                denunciation=denunciation,
                conclusion=Verdict.TRUE if plan.outcome == "true" else Verdict.UNTRUE,
                concluded_on=concluded,
                conclusion_number=self.bloc_number(concluded, "TB"),
                shortcomings_found=plan.outcome == "true",
                summary=(
                    "Nội dung tố cáo là đúng; đề nghị thi hành kỷ luật."
                    if plan.outcome == "true"
                    else "Nội dung tố cáo là sai."
                ),
                version=denunciation.version,
            )
            if plan.outcome == "true":
                case = denunciation.case
                subject = case.subjects.get()
                day = self.by_today(concluded, 7)
                services.add_discipline(
                    user=user,
                    case=case,
                    subject=subject,
                    form=Form.WARNING,
                    decision_number=self.bloc_number(day),
                    decided_on=day,
                    deciding_organization=self.bloc,
                    deciding_body=IC,
                )
        return denunciation

    def unhandled(self) -> None:
        """Anonymous and false-name letters, kept for information a few days later."""
        for sender, days, summary in UNHANDLED:
            unit = self.rng.choice(self.committees)
            letter = self.letter(
                received_on=self.ago(days),
                kind=Kind.DENUNCIATION,
                sender_kind=sender,
                summary=summary,
                **self.member_of(unit),
            )
            services.keep_letter(
                user=self.user,
                letter=letter,
                on=self.by_today(letter.received_on, 3),
                version=letter.version,
            )

    def petitions(self) -> None:
        """Petitions and feedback: settled by the bloc, the first linked to the inspection
        it led to (a case of a unit below with signs of violation, when there is one), the
        last (received days ago) still pending."""
        for number, (kind, days, summary) in enumerate(PETITIONS):
            unit = self.rng.choice(self.committees)
            letter = self.letter(
                received_on=self.ago(days),
                kind=kind,
                sender_name=self.person(),
                about_kind=Letter.AboutKind.ORGANIZATION,
                about_organization=unit,
                summary=summary,
            )
            on = self.by_today(letter.received_on, 10)
            if number == len(PETITIONS) - 1:
                continue
            # The inspection it led to: one decided after it came (complaints() records some).
            linked = (
                Case.objects.filter(
                    organization__path__startswith=self.bloc.path,
                    kind=ActivityKind.INSPECTION_VIOLATION,
                    decided_on__gte=letter.received_on,
                )
                .order_by("decided_on", "pk")
                .first()
            )
            if number == 0 and linked is not None:
                assert linked.decided_on is not None
                services.link_letter_case(
                    user=self.user,
                    letter=letter,
                    case=linked,
                    on=max(on, linked.decided_on),
                    version=letter.version,
                )
            else:
                services.handle_letter(user=self.user, letter=letter, on=on, version=letter.version)

    def forwarded(self) -> None:
        """Letters the province's commission received about the bloc's members and sent
        down to the bloc: a denunciation the bloc opened, one the bloc sent on to the
        grassroots committee of the accused (pending there), a petition it settled."""
        province = self.tree.province
        user = self.user
        # The denunciation: opened 3 days after it reached the bloc, in time.
        unit = self.rng.choice(self.committees)
        letter = self.letter(
            unit=province,
            received_on=self.ago(52),
            kind=Kind.DENUNCIATION,
            sender_name=self.person(),
            summary="Tố cáo việc can thiệp vào công tác tuyển dụng.",
            **self.member_of(unit),
        )
        copy = services.forward_letter(
            user=user, letter=letter, to=self.bloc, on=self.ago(47), version=letter.version
        )
        self.open(
            copy,
            decided=self.ago(44),
            plan=DenunciationPlan(47, "open", letter.summary),
        )
        # Sent on to the accused's grassroots committee.
        unit = self.rng.choice(self.committees)
        letter = self.letter(
            unit=province,
            received_on=self.ago(25),
            kind=Kind.DENUNCIATION,
            sender_name=self.person(),
            summary="Tố cáo việc không chấp hành sự phân công của tổ chức.",
            **self.member_of(unit),
        )
        copy = services.forward_letter(
            user=user, letter=letter, to=self.bloc, on=self.ago(22), version=letter.version
        )
        services.forward_letter(
            user=user, letter=copy, to=unit, on=self.ago(18), version=copy.version
        )
        # A petition the bloc settled itself.
        unit = self.rng.choice(self.committees)
        letter = self.letter(
            unit=province,
            received_on=self.ago(75),
            kind=Kind.PETITION,
            sender_name=self.person(),
            about_kind=Letter.AboutKind.ORGANIZATION,
            about_organization=unit,
            summary="Kiến nghị về việc kết nạp đảng viên chưa đúng quy trình.",
        )
        copy = services.forward_letter(
            user=user, letter=letter, to=self.bloc, on=self.ago(70), version=letter.version
        )
        services.handle_letter(user=user, letter=copy, on=self.ago(60), version=copy.version)

    def complaints(self) -> None:
        """Complaints against grassroots committees' discipline, lodged with the bloc's
        commission by letter. Each discipline comes from a concluded inspection of the
        committee's own commission on the member (recorded here)."""
        user = self.user
        for days, form, result in COMPLAINTS:
            unit = self.rng.choice(self.committees)
            discipline = self.grassroots_discipline(unit, form=form, decided=self.ago(days))
            received = discipline.decided_on + datetime.timedelta(days=2)
            lodged = self.by_today(received, self.rng.randint(5, 20))
            letter = self.letter(
                received_on=self.by_today(lodged, 2),
                kind=Kind.DISCIPLINE_COMPLAINT,
                sender_name=discipline.subject.member_name,
                about_kind=Letter.AboutKind.ORGANIZATION,
                about_organization=unit,
                summary="Khiếu nại quyết định thi hành kỷ luật đối với bản thân.",
            )
            opened = self.by_today(letter.received_on, 3)
            complaint = services.lodge_complaint(
                user=user,
                discipline=discipline,
                organization=self.bloc,
                body=IC,
                decision_received_on=received,
                lodged_on=lodged,
                today=opened,
                letter=letter,
                letter_version=letter.version,
                decision_number=self.bloc_number(opened),
                decided_on=opened,
            )
            if not result:
                continue
            day = self.by_today(opened, 30)
            services.decide_complaint(
                user=user,
                complaint=complaint,
                result=result,
                decided_on=day,
                new_form=CHANGED_TO if result == Result.CHANGED else "",
                decision_number=self.bloc_number(day) if result == Result.CHANGED else "",
                conclusion_number=self.bloc_number(day, "TB"),
                summary=str(Result(result).label),
                version=complaint.version,
            )

    def grassroots_discipline(
        self, unit: Organization, *, form: str, decided: datetime.date
    ) -> DisciplineDecision:
        """A discipline decided by `unit`'s commission on `decided`, after its inspection
        (arising) of one of its members found a violation."""
        user, issuer = self.user, issuer_of(unit, IC)
        started = decided - datetime.timedelta(days=35)
        case = services.record_case(
            user=user,
            organization=unit,
            body=IC,
            kind=ActivityKind.INSPECTION_VIOLATION,
            title="Kiểm tra khi có dấu hiệu vi phạm đối với đảng viên",
            year=started.year,
            target=None,
            decision_number=self.numbers.take(unit, IC, issuer, started.year),
            decided_on=started,
            work_starts_on=started + datetime.timedelta(days=5),
            work_ends_on=started + datetime.timedelta(days=20),
            subjects=[
                {
                    "kind": CaseSubject.Kind.MEMBER,
                    "member_name": self.person(),
                    "member_position": self.rng.choice(POSITIONS),
                }
            ],
        )
        for status in (Case.Status.DECIDED, Case.Status.IN_PROGRESS):
            case = services.change_status(user=user, case=case, status=status, version=case.version)
        concluded = started + datetime.timedelta(days=25)
        case = services.conclude_case(
            user=user,
            case=case,
            version=case.version,
            concluded_on=concluded,
            conclusion_number=self.numbers.take(unit, IC, issuer, concluded.year, "TB"),
            violation_found=True,
            shortcomings_found=True,
            summary="Có vi phạm, đề nghị xem xét xử lý kỷ luật.",
        )
        return services.add_discipline(
            user=user,
            case=case,
            subject=case.subjects.get(),
            form=form,
            decision_number=self.numbers.take(unit, IC, issuer, decided.year),
            decided_on=decided,
            deciding_organization=unit,
            deciding_body=IC,
        )

    def suspensions(self) -> None:
        """Members of the bloc's units suspended by the bloc's standing committee."""
        user = self.user
        for number, (kind, reason, days, extended, lifted) in enumerate(SUSPENSIONS, start=1):
            unit = self.rng.choice(self.committees)
            committee = kind == Suspension.Kind.COMMITTEE_ACTIVITY
            starts = self.ago(days)
            suspension = services.record_suspension(
                user=user,
                organization=self.bloc,
                body=Body.STANDING_COMMITTEE,
                kind=kind,
                reason=reason,
                starts_on=starts,
                decided_on=starts,
                decision_number=f"{300 + number}-QĐ/ĐUK",
                member_name=self.person(),
                member_position=(
                    f"{'Ủy viên Ban Chấp hành' if committee else self.rng.choice(POSITIONS)}"
                    f" ({unit.name})"
                ),
                is_committee_member=committee,
                reason_detail=(
                    "Bị cơ quan điều tra khởi tố bị can."
                    if reason == Suspension.Reason.PROSECUTED
                    else "Bị bắt tạm giam để điều tra."
                ),
            )
            if extended:
                assert suspension.cap_days is not None
                suspension = services.extend_suspension(
                    user=user,
                    suspension=suspension,
                    to=starts + datetime.timedelta(days=min(150, suspension.cap_days)),
                    reason="Cơ quan điều tra gia hạn thời hạn tạm giam.",
                    version=suspension.version,
                )
            if lifted is not None:
                services.lift_suspension(
                    user=user,
                    suspension=suspension,
                    lifted_on=self.ago(lifted),
                    outcome=Suspension.Outcome.DISCIPLINED,
                    outcome_note="Đã thi hành kỷ luật sau khi có bản án.",
                    version=suspension.version,
                )
