"""Programmes (chương trình kiểm tra, giám sát), their amendments and targets (chỉ tiêu)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ktgs.models import Organization
from ktgs.search import Searchable, search_column


class ActivityKind(models.TextChoices):
    """Stable codes of DESIGN §2; used by plans, cases and reports."""

    INSPECTION_COMPLIANCE = "inspection_compliance", _("Kiểm tra chấp hành (chuyên đề)")
    INSPECTION_VIOLATION = "inspection_violation", _("Kiểm tra khi có dấu hiệu vi phạm")
    INSPECTION_KTGS_DUTY = (
        "inspection_ktgs_duty",
        _("Kiểm tra việc thực hiện nhiệm vụ kiểm tra, giám sát, thi hành kỷ luật"),
    )
    INSPECTION_FINANCE = "inspection_finance", _("Kiểm tra tài chính đảng")
    INSPECTION_DUES = "inspection_dues", _("Kiểm tra thu, nộp, quản lý đảng phí")
    INSPECTION_ASSETS = "inspection_assets", _("Kiểm tra, giám sát kê khai tài sản, thu nhập")
    SUPERVISION_THEMATIC = "supervision_thematic", _("Giám sát chuyên đề")
    SUPERVISION_REGULAR = "supervision_regular", _("Giám sát thường xuyên")
    DENUNCIATION = "denunciation", _("Giải quyết tố cáo")
    DISCIPLINE_COMPLAINT = "discipline_complaint", _("Giải quyết khiếu nại kỷ luật")


class Body(models.TextChoices):
    """Who inspects (chủ thể): a body of a unit. The party-building boards (các ban xây
    dựng Đảng) supervise on the committee's behalf and report as a body of their own;
    they decide no discipline (see DecidingBody)."""

    COMMITTEE = "committee", _("Cấp ủy")
    STANDING_COMMITTEE = "standing_committee", _("Ban thường vụ")
    INSPECTION_COMMISSION = "inspection_commission", _("Ủy ban kiểm tra")
    CELL = "cell", _("Chi bộ")
    PARTY_BOARDS = "party_boards", _("Các ban xây dựng Đảng")


class DecidingBody(models.TextChoices):
    """The bodies that decide discipline: every Body but the party-building boards."""

    COMMITTEE = Body.COMMITTEE.value, Body.COMMITTEE.label
    STANDING_COMMITTEE = Body.STANDING_COMMITTEE.value, Body.STANDING_COMMITTEE.label
    INSPECTION_COMMISSION = Body.INSPECTION_COMMISSION.value, Body.INSPECTION_COMMISSION.label
    CELL = Body.CELL.value, Body.CELL.label


class Versioned(models.Model):
    """Optimistic locking: services refuse a save whose version is not the current one,
    so the second of two editors is told instead of silently overwriting the first."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class DocumentNumbered(models.Model):
    """A document number such as `103-KH/ĐUK` or `516a-QĐ/ĐUK`, kept whole for display and
    split (serial, type, issuer) so that uniqueness per issuing body and year can be
    checked. The parts are filled by the services from `doc_number`, never typed."""

    doc_number = models.CharField(_("số ký hiệu"), max_length=64)
    doc_serial = models.CharField(max_length=16, editable=False)
    doc_type = models.CharField(max_length=16, editable=False)
    doc_issuer = models.CharField(max_length=48, editable=False)
    # Numbers restart every year per issuing body (a unit's body; the issuer text after the
    # slash is the same for every grassroots commission): uniqueness is (organisation,
    # body, serial, year issued), across programmes and their amendments.
    doc_year = models.PositiveSmallIntegerField(editable=False)
    issued_on = models.DateField(_("ngày ban hành"))

    class Meta:
        abstract = True


class Programme(Searchable, Versioned, DocumentNumbered):
    """A unit body's programme for one year or for a whole term."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")
        CLOSED = "closed", _("Đã kết thúc")

    class Scope(models.TextChoices):
        YEAR = "year", _("Năm")
        TERM = "term", _("Nhiệm kỳ")

    SEARCH_FIELDS = ("doc_number", "title")

    organization = models.ForeignKey(
        Organization, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="programmes"
    )
    body = models.CharField(_("chủ thể"), max_length=24, choices=Body.choices)
    scope = models.CharField(_("phạm vi"), max_length=8, choices=Scope.choices, default=Scope.YEAR)
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("năm kết thúc"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("trích yếu"), max_length=255)
    starts_on = models.DateField(_("bắt đầu"))
    ends_on = models.DateField(_("kết thúc"))
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    search_text = search_column()

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("chương trình kiểm tra, giám sát")
        verbose_name_plural = _("chương trình kiểm tra, giám sát")
        ordering = ["-year", "organization__path"]
        constraints = [
            # Within this table; plans.services.doc_numbers also checks the amendments.
            models.UniqueConstraint(
                fields=["organization", "body", "doc_serial", "doc_year"],
                name="programme_doc_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("year")), name="programme_years_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="programme_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["organization", "year"], name="programme_org_year_idx")]

    def __str__(self) -> str:
        return f"{self.doc_number} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])


class Amendment(DocumentNumbered):
    """An amendment (điều chỉnh, bổ sung) of a programme. Targets it adds point to it via
    `added_by`; targets it removes or replaces point to it via `removed_by`. The original
    programme is therefore always reconstructible: the targets with no `added_by`."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình"),
        on_delete=models.CASCADE,
        related_name="amendments",
    )
    effective_on = models.DateField(_("có hiệu lực từ"))
    summary = models.TextField(_("nội dung điều chỉnh"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("điều chỉnh, bổ sung chương trình")
        verbose_name_plural = _("điều chỉnh, bổ sung chương trình")
        ordering = ["effective_on", "pk"]
        constraints = [
            # An amendment is issued by its programme's unit and body, which this table does
            # not hold: the part of the rule it can hold is per programme; the services
            # check the rest (plans.services.doc_numbers).
            models.UniqueConstraint(
                fields=["programme", "doc_serial", "doc_year"], name="amendment_doc_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.doc_number


class Target(Versioned):
    """One target: a named planned case (quantity 1, a subject) or a quota (N, or a share
    of the unit's members turned into N when set)."""

    class Counts(models.TextChoices):
        CASES = "cases", _("Số cuộc")
        ORGANIZATIONS = "organizations", _("Số tổ chức đảng")
        MEMBERS = "members", _("Số đảng viên")
        COMMITTEE_MEMBERS = "committee_members", _("Số cấp ủy viên")

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị thực hiện"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    kind = models.CharField(_("loại"), max_length=32, choices=ActivityKind.choices)
    counts = models.CharField(
        _("đếm theo"), max_length=20, choices=Counts.choices, default=Counts.CASES
    )
    quantity = models.PositiveIntegerField(_("số lượng"), validators=[MinValueValidator(1)])
    member_share = models.DecimalField(
        _("tỷ lệ đảng viên (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Ví dụ 30 nghĩa là giám sát ít nhất 30% đảng viên của đơn vị."),
    )
    subject_organization = models.ForeignKey(
        Organization,
        verbose_name=_("đối tượng (tổ chức)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="planned_as_subject",
    )
    subject_text = models.CharField(_("đối tượng / nội dung"), max_length=255, blank=True)
    due_on = models.DateField(_("thời hạn"))
    added_by = models.ForeignKey(
        Amendment,
        verbose_name=_("bổ sung theo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="added_targets",
    )
    removed_by = models.ForeignKey(
        Amendment,
        verbose_name=_("bãi bỏ / thay thế theo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="removed_targets",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay thế chỉ tiêu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    # The first target of a chain of replacements with the same unit and kind, or null for
    # a target that starts its own (every target not made by an amendment's change). The
    # concluded cases linked to any target of a lineage count for the one in force on the
    # day, so raising 2 → 3 keeps the 2 done; the cases stay linked to the target they
    # were recorded for, so a past date still shows the old target with them. Set by
    # plans.services.create_amendment only; read as COALESCE(lineage_id, id).
    lineage = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["programme", "organization__path", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="target_quantity_ge_1"
            ),
            models.CheckConstraint(
                condition=models.Q(member_share__isnull=True)
                | (models.Q(member_share__gt=0) & models.Q(member_share__lte=100)),
                name="target_share_range",
            ),
        ]
        indexes = [
            # Proposing the target for a new case: open targets of (unit, kind) in a year.
            models.Index(fields=["organization", "kind"], name="target_org_kind_idx"),
            # A target's line (the lineage it belongs to, or itself when it starts one):
            # "is any target of this case's line in force?" (reports.engine.counting
            # orphaned_cases, cases.queries.arising_on) looks the line up per case instead
            # of hashing every target in force (an upper-grassroots unit's period report:
            # 57 → 13 ms for that statement at 10% scale).
            models.Index(Coalesce("lineage_id", "id"), name="target_line_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.organization} · {self.quantity}"

    @property
    def lineage_key(self) -> int:
        """The lineage this target belongs to: its first target's id."""
        return self.lineage_id or self.pk

    @property
    def origin(self) -> str:
        return "amendment" if self.added_by_id else "original"


class ProgrammeRequirement(models.Model):
    """Which units must have issued their year's programme, and by when: one rule per
    level, edited by administrators in the admin. A unit of an active rule's level that
    has no programme of the year issued (status issued or closed, issued on or before the
    day) once the day after the deadline has come counts as "chưa có chương trình" on the
    dashboard, in the period report and in a reminder (reports.engine computes it)."""

    level = models.CharField(
        _("cấp"), max_length=20, choices=Organization.Level.choices, unique=True
    )
    body = models.CharField(
        _("chủ thể ban hành"),
        max_length=24,
        choices=Body.choices,
        blank=True,
        help_text=_("Để trống: chương trình của chủ thể nào của đơn vị cũng được tính."),
    )
    due_month = models.PositiveSmallIntegerField(
        _("hạn ban hành: tháng"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    due_day = models.PositiveSmallIntegerField(
        _("hạn ban hành: ngày"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("yêu cầu ban hành chương trình")
        verbose_name_plural = _("yêu cầu ban hành chương trình")
        ordering = ["due_month", "due_day", "level"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_month__gte=1, due_month__lte=12, due_day__gte=1)
                & (
                    models.Q(due_month=2, due_day__lte=28)
                    | models.Q(due_month__in=[4, 6, 9, 11], due_day__lte=30)
                    | models.Q(due_month__in=[1, 3, 5, 7, 8, 10, 12], due_day__lte=31)
                ),
                # 29 February is refused: the deadline must exist every year (the SQL
                # roll-up builds it with make_date).
                name="programme_requirement_day_exists",
            ),
        ]

    def __str__(self) -> str:
        return _("%(level)s: ban hành trước hết ngày %(day)02d/%(month)02d") % {
            "level": self.get_level_display(),
            "day": self.due_day,
            "month": self.due_month,
        }

    def due_on(self, year: int) -> date:
        """The last day on which the year's programme may still be issued in time."""
        return date(year, self.due_month, self.due_day)

    def clean(self) -> None:
        if self.due_month and self.due_day:
            try:
                date(2001, self.due_month, self.due_day)  # a common year: no 29 February
            except ValueError:
                raise ValidationError(
                    {"due_day": _("Ngày không có trong tháng (không dùng ngày 29/02).")}
                ) from None
