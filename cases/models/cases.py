"""Cases (cuộc kiểm tra / cuộc giám sát), their subjects and discipline decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast, ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ktgs.models import Organization
from ktgs.search import Searchable, search_column
from plans.models import ActivityKind, Body, DecidingBody, Target, Versioned

# The year of a decision, in the decision-number constraints. The cast is a no-op on the
# column but types the NULL that Django's constraint check (full_clean) puts in its place
# for a case without a decision date: PostgreSQL cannot choose EXTRACT's type for an
# untyped NULL.
DECISION_YEAR = ExtractYear(Cast("decided_on", models.DateField()))
# What the services' full_clean() leaves out: the decision-number constraints above are
# checked by cases.services.decision_numbers (across both tables, under the number's lock)
# before every write that can change them, and Django's own check of a constraint over an
# expression costs ~5 ms of query building a save, a fifth of the demo's seeding time. The
# serial is filled from the number, never typed; the database still holds the rule.
CHECKED_IN_SERVICES = ("decision_serial",)


class Case(Searchable, Versioned):
    """One inspection or supervision actually carried out. It fulfils at most one target;
    with none it is *arising* (phát sinh). It counts toward completion from `concluded` on,
    as of `concluded_on` (the date of the conclusion notice)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        DECIDED = "decided", _("Đã có quyết định")
        IN_PROGRESS = "in_progress", _("Đang tiến hành")
        CONCLUDED = "concluded", _("Đã kết luận")
        CLOSED = "closed", _("Đã kết thúc")
        CANCELLED = "cancelled", _("Đã hủy")

    # The only moves allowed; services check them (cases.services.change_status).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.DRAFT: (Status.DECIDED, Status.CANCELLED),
        Status.DECIDED: (Status.IN_PROGRESS, Status.CANCELLED),
        Status.IN_PROGRESS: (Status.CONCLUDED, Status.CANCELLED),
        Status.CONCLUDED: (Status.CLOSED,),
        Status.CLOSED: (),
        Status.CANCELLED: (),
    }
    COUNTING = (Status.CONCLUDED, Status.CLOSED)
    SEARCH_FIELDS = ("title", "decision_number", "conclusion_number")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị tiến hành"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    body = models.CharField(_("chủ thể"), max_length=24, choices=Body.choices)
    kind = models.CharField(_("loại"), max_length=32, choices=ActivityKind.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    target = models.ForeignKey(
        Target,
        verbose_name=_("thực hiện chỉ tiêu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    title = models.CharField(_("nội dung"), max_length=255)
    # Decision (quyết định kiểm tra/giám sát): number split like plans' documents.
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decision_serial = models.CharField(max_length=16, blank=True, editable=False)
    decision_issuer = models.CharField(max_length=48, blank=True, editable=False)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    work_starts_on = models.DateField(_("bắt đầu làm việc"), null=True, blank=True)
    work_ends_on = models.DateField(_("kết thúc làm việc"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # Conclusion (kết luận / thông báo kết luận).
    concluded_on = models.DateField(_("ngày thông báo kết luận"), null=True, blank=True)
    conclusion_number = models.CharField(_("số thông báo kết luận"), max_length=64, blank=True)
    violation_found = models.BooleanField(_("có vi phạm"), null=True, blank=True)
    shortcomings_found = models.BooleanField(_("có khuyết điểm"), null=True, blank=True)
    summary = models.TextField(_("tóm tắt kết luận"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    search_text = search_column()
    # How many of its subjects are party organisations, members, and committee members
    # among the members: what a target counted in organisations or members is done by.
    # Kept by the subjects' services in the same transaction as the subjects
    # (cases.services.subjects.subject_counts, the rule), so that the figures add them up
    # from the cases alone: the join of every case with its subjects and COUNT(DISTINCT …)
    # cost that statement of the nation's period report ~3× as much (314 → 95 ms at 10%
    # scale). The SQLite engine (reports.engine.counting) still counts the subjects
    # themselves; the tests that compare both engines compare the two.
    subject_organizations = models.PositiveIntegerField(default=0, editable=False)
    subject_members = models.PositiveIntegerField(default=0, editable=False)
    subject_committee_members = models.PositiveIntegerField(default=0, editable=False)

    SUBJECT_COUNTS = ("subject_organizations", "subject_members", "subject_committee_members")

    history = HistoricalRecords(excluded_fields=["search_text", *SUBJECT_COUNTS])

    class Meta:
        verbose_name = _("cuộc kiểm tra, giám sát")
        verbose_name_plural = _("cuộc kiểm tra, giám sát")
        ordering = ["-year", "-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(work_ends_on__isnull=True)
                | models.Q(work_starts_on__isnull=True)
                | models.Q(work_ends_on__gte=models.F("work_starts_on")),
                name="case_work_period_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["concluded", "closed"])
                | models.Q(concluded_on__isnull=False),
                name="case_counting_has_conclusion_date",
            ),
            # A decision number belongs to the issuing body of one unit and restarts every
            # year; cases and discipline decisions share the numbering, which the services
            # check across both tables (cases.services.decision_numbers). Also the index of
            # that check.
            models.UniqueConstraint(
                "organization",
                "body",
                "decision_serial",
                DECISION_YEAR,
                condition=~models.Q(decision_serial=""),
                name="case_decision_unique",
            ),
        ]
        indexes = [
            # The leaf aggregate of the progress engine: concluded cases per (unit, kind).
            models.Index(fields=["organization", "year", "kind"], name="case_org_year_kind_idx"),
            models.Index(fields=["target", "status"], name="case_target_status_idx"),
            # The case list's default order (cases.queries.cases_for): a page of a large
            # subtree is read in order and stops at its last row instead of sorting all.
            models.Index(fields=["-year", "-decided_on", "-id"], name="case_list_order_idx"),
            # What the records read of a denunciation's case (reports.queries.records): its
            # unit, body and status from the index alone, for the cases of that kind only
            # (a case handling a denunciation keeps its kind: cases.services.recording).
            # Read from the table (random reads of 1,000,000 cases), the nation's records
            # at the national profile took 132 ms, 84 ms from this index.
            models.Index(
                fields=["id", "organization", "body", "status"],
                condition=models.Q(kind="denunciation"),
                name="case_denunciation_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def is_arising(self) -> bool:
        return self.target_id is None

    @property
    def counts_toward_completion(self) -> bool:
        return self.status in self.COUNTING


class CaseSubject(Searchable, models.Model):
    """Who or what a case inspects: a unit from the tree, or a member by name and position
    (no other personal data is kept)."""

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Tổ chức đảng")
        MEMBER = "member", _("Đảng viên")

    SEARCH_FIELDS = ("member_name",)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(_("loại đối tượng"), max_length=12, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("tổ chức đảng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspected_in",
    )
    member_name = models.CharField(_("họ tên"), max_length=120, blank=True)
    member_position = models.CharField(_("chức vụ"), max_length=160, blank=True)
    is_committee_member = models.BooleanField(_("là cấp ủy viên"), default=False)
    is_head = models.BooleanField(_("là người đứng đầu"), default=False)
    is_probationary = models.BooleanField(_("đảng viên dự bị"), default=False)
    search_text = search_column()

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("đối tượng kiểm tra, giám sát")
        verbose_name_plural = _("đối tượng kiểm tra, giám sát")
        ordering = ["case", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="organization") & models.Q(organization__isnull=False))
                | (models.Q(kind="member") & ~models.Q(member_name="")),
                name="subject_kind_has_identity",
            ),
        ]
        indexes = [
            # The records' discipline figures ask of each decision whether its subject is
            # an organisation (reports.queries.records): most subjects are members, and a
            # miss in this small index reads nothing of the table.
            models.Index(
                fields=["id"],
                name="subject_organization_idx",
                condition=models.Q(kind="organization"),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.ORGANIZATION and self.organization_id:
            return str(self.organization)
        return (
            f"{self.member_name} ({self.member_position})"
            if self.member_position
            else (self.member_name)
        )


class DisciplineDecision(models.Model):
    """A discipline decision (thi hành kỷ luật) on one subject of a case. A complaint that
    changes or annuls it ends it on the day of that decision (`ended_on`, and the decision
    that `replaced_by` it when the form changed) instead of deleting it: the figures of a
    period count the decisions in force then (cases.queries.disciplines_in_force)."""

    class Form(models.TextChoices):
        REPRIMAND = "reprimand", _("Khiển trách")
        WARNING = "warning", _("Cảnh cáo")
        REMOVAL_FROM_POST = "removal_from_post", _("Cách chức")
        EXPULSION = "expulsion", _("Khai trừ")
        DISSOLUTION = "dissolution", _("Giải tán")
        STRUCK_OFF = "struck_off", _("Xóa tên")

    # Which forms fit which subject (Điều lệ Đảng; GLOSSARY discipline forms).
    FORMS_FOR_MEMBER = (Form.REPRIMAND, Form.WARNING, Form.REMOVAL_FROM_POST, Form.EXPULSION)
    FORMS_FOR_PROBATIONARY = (Form.REPRIMAND, Form.WARNING)
    FORMS_FOR_ORGANIZATION = (Form.REPRIMAND, Form.WARNING, Form.DISSOLUTION)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disciplines")
    subject = models.ForeignKey(
        CaseSubject,
        verbose_name=_("đối tượng"),
        on_delete=models.CASCADE,
        related_name="disciplines",
    )
    form = models.CharField(_("hình thức"), max_length=20, choices=Form.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decision_serial = models.CharField(max_length=16, editable=False)
    decision_issuer = models.CharField(max_length=48, editable=False)
    decided_on = models.DateField(_("ngày quyết định"))
    deciding_organization = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị quyết định"),
        on_delete=models.PROTECT,
        related_name="discipline_decisions",
    )
    deciding_body = models.CharField(
        _("cơ quan quyết định"), max_length=24, choices=DecidingBody.choices
    )
    is_committee_member = models.BooleanField(_("là cấp ủy viên"), default=False)
    ended_on = models.DateField(_("hết hiệu lực từ ngày"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("được thay bằng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quyết định kỷ luật")
        verbose_name_plural = _("quyết định kỷ luật")
        ordering = ["decided_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "form", "decision_number"], name="discipline_once_per_subject"
            ),
            # Shared with the cases' decisions of the same body (see Case.Meta).
            models.UniqueConstraint(
                "deciding_organization",
                "deciding_body",
                "decision_serial",
                DECISION_YEAR,
                name="discipline_decision_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("decided_on")),
                name="discipline_ends_after_decision",
            ),
            models.CheckConstraint(
                condition=models.Q(replaced_by__isnull=True) | models.Q(ended_on__isnull=False),
                name="discipline_replaced_is_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} · {self.subject}"
