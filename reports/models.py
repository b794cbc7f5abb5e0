"""The roll-up table: progress per unit × year × activity kind, own and whole subtree."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ktgs.models import Organization, UnitKind, unit_kind

# Kinds of unit whose coverage a row carries (see FIGURES), each as "<kind>_planned"
# (units with targets) and "<kind>_completed".
COVERAGE_KINDS = (
    "grassroots_committees",
    "grassroots_cells",
    "committee_cells",
    "below_grassroots",
)
COVERAGE_FIGURES = tuple(
    f"{kind}_{figure}" for kind in COVERAGE_KINDS for figure in ("planned", "completed")
)


def coverage_kinds(level: str, grassroots_form: str, has_cell_committee: bool) -> tuple[str, ...]:
    """The COVERAGE_KINDS a unit counts in: its kind of unit (ktgs.models.unit_kind), and
    for a grassroots cell with a cell committee also committee_cells. The same rule in
    SQL is reports.rollup_sql.COVERAGE_SQL."""
    kind = unit_kind(level, grassroots_form)
    if kind == UnitKind.GRASSROOTS_COMMITTEE:
        return ("grassroots_committees",)
    if kind == UnitKind.GRASSROOTS_CELL:
        if has_cell_committee:
            return ("grassroots_cells", "committee_cells")
        return ("grassroots_cells",)
    if kind == UnitKind.BELOW_GRASSROOTS:
        return ("below_grassroots",)
    return ()


# The figures a row carries twice: for the unit's own targets (own_*) and for its whole
# subtree (sub_*, the unit included). Counts only; ratios are computed when shown.
FIGURES = (
    "quantity",
    "capped_done",
    "done",
    "arising",
    "units_with_targets",
    "units_completed",
    "units_lagging",
    # Units that should have issued the year's programme by now and have none (a rule per
    # level: plans.models.ProgrammeRequirement); only on the all-kinds row (kind "").
    "units_without_programme",
    # Coverage by kind of unit (DESIGN §2, "19/33 tổ chức"; "17/29 chi bộ cơ sở có chi
    # ủy"; "18/152 đảng bộ bộ phận và chi bộ dưới cơ sở"): units_with_targets and
    # units_completed again, counted only for units of one kind (ktgs.models.UnitKind).
    # A unit's own row has them for its own kind; the subtree figures minus the own ones
    # are the unit's descendants of that kind. committee_cells_* is the part of
    # grassroots_cells_* that has a cell committee (chi bộ cơ sở có chi ủy).
    *COVERAGE_FIGURES,
)
ALL_KINDS = ""  # the `kind` of the row that sums every activity kind of a unit
ALL_BODIES = ""  # the `body` of the row that sums every body (chủ thể) of a unit


class ProgressFigures(models.Model):
    """The own_* and sub_* figures of a roll-up row; shared by the live table and the
    period snapshots so that both are read by the same code."""

    own_quantity = models.PositiveIntegerField(default=0)
    own_capped_done = models.PositiveIntegerField(default=0)
    own_done = models.PositiveIntegerField(default=0)
    own_arising = models.PositiveIntegerField(default=0)
    own_units_with_targets = models.PositiveSmallIntegerField(default=0)
    own_units_completed = models.PositiveSmallIntegerField(default=0)
    own_units_lagging = models.PositiveSmallIntegerField(default=0)
    own_units_without_programme = models.PositiveSmallIntegerField(default=0)
    own_grassroots_committees_planned = models.PositiveSmallIntegerField(default=0)
    own_grassroots_committees_completed = models.PositiveSmallIntegerField(default=0)
    own_grassroots_cells_planned = models.PositiveSmallIntegerField(default=0)
    own_grassroots_cells_completed = models.PositiveSmallIntegerField(default=0)
    own_committee_cells_planned = models.PositiveSmallIntegerField(default=0)
    own_committee_cells_completed = models.PositiveSmallIntegerField(default=0)
    own_below_grassroots_planned = models.PositiveSmallIntegerField(default=0)
    own_below_grassroots_completed = models.PositiveSmallIntegerField(default=0)
    # Σ expected-by-the-day over the unit's own targets, to 4 decimals (for display and
    # for the "expected" bar); lag itself is decided per target by reports.progress.lag.
    own_expected = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    # When the unit is lagging: why, per target (reports.progress.LagReason as dicts), so
    # the dashboard and the reminders say it in words without reading the targets again.
    # Kept on the all-bodies rows (body "") only: nothing reads them on a body's row.
    own_lag_reasons = models.JSONField(default=list, blank=True)

    sub_quantity = models.PositiveIntegerField(default=0)
    sub_capped_done = models.PositiveIntegerField(default=0)
    sub_done = models.PositiveIntegerField(default=0)
    sub_arising = models.PositiveIntegerField(default=0)
    sub_units_with_targets = models.PositiveIntegerField(default=0)
    sub_units_completed = models.PositiveIntegerField(default=0)
    sub_units_lagging = models.PositiveIntegerField(default=0)
    sub_units_without_programme = models.PositiveIntegerField(default=0)
    sub_grassroots_committees_planned = models.PositiveIntegerField(default=0)
    sub_grassroots_committees_completed = models.PositiveIntegerField(default=0)
    sub_grassroots_cells_planned = models.PositiveIntegerField(default=0)
    sub_grassroots_cells_completed = models.PositiveIntegerField(default=0)
    sub_committee_cells_planned = models.PositiveIntegerField(default=0)
    sub_committee_cells_completed = models.PositiveIntegerField(default=0)
    sub_below_grassroots_planned = models.PositiveIntegerField(default=0)
    sub_below_grassroots_completed = models.PositiveIntegerField(default=0)
    sub_expected = models.DecimalField(max_digits=16, decimal_places=4, default=0)

    # How far the unit's own targets are behind: stored by the database so that a partial
    # index can hand the dashboard its most lagging units in order (see the indexes of
    # ProgressRow and PeriodSnapshot) instead of sorting every lagging row of a subtree.
    # Writers never set it; it is not in FIGURES.
    own_gap = models.GeneratedField(
        expression=models.F("own_expected") - models.F("own_capped_done"),
        output_field=models.DecimalField(max_digits=15, decimal_places=4),
        db_persist=True,
    )

    computed_on = models.DateField(_("tính đến ngày"))

    class Meta:
        abstract = True


class ProgressRow(ProgressFigures):
    """One unit's progress for one year and one activity kind (or all kinds: kind "").

    Maintained incrementally by reports.rollup.refresh_units after every write, and
    rebuilt (and checked) by reports.rollup.rebuild. Dashboards read only this table.
    A row exists only where its subtree has something (a target, an arising case, or a
    unit without the programme it should have issued).
    """

    # Three indexes only (every refresh updates a dozen rows and each index costs an
    # insert per update): the unique (unit, year, kind) one also serves "rows of a unit";
    # the partial one below serves every read of lagging rows.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="progress_rows", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32, blank=True)
    # The body (chủ thể, plans.models.Body) whose programmes and cases the row counts, or
    # ALL_BODIES: every figure exists for all bodies together and for each body.
    body = models.CharField(max_length=24, blank=True)

    class Meta:
        verbose_name = _("tiến độ")
        verbose_name_plural = _("tiến độ")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "kind", "body"], name="progress_row_unique"
            )
        ]
        indexes = [
            # The dashboard's lagging list of a large subtree: read in gap order and stop
            # after the first units inside the subtree.
            models.Index(
                fields=["year", "kind", "-own_gap"],
                name="progress_lagging_gap_idx",
                condition=models.Q(own_units_lagging=1, body=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.year} · {self.kind or '*'} · {self.body or '*'}"


class ReportPeriod(models.Model):
    """A reporting period (kỳ báo cáo): explicit rows with their dates, created by
    reports.services.ensure_periods, never computed from the calendar when read."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Tháng")
        Q1 = "q1", _("Quý I")
        H1 = "h1", _("6 tháng")
        M9 = "m9", _("9 tháng")
        YEAR = "year", _("Năm")
        TERM = "term", _("Nhiệm kỳ")

    kind = models.CharField(_("loại kỳ"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    # 1..12 for a month, 0 otherwise: 0 rather than NULL so the unique constraint holds
    # (NULLs are distinct in a unique index).
    month = models.PositiveSmallIntegerField(_("tháng"), default=0)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    # Set by reports.snapshots.snapshot_period: the dashboard learns from the same row it
    # already reads whether a past period has figures, without another query.
    snapshot_taken_at = models.DateTimeField(_("chốt số liệu lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["year", "ends_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "month"], name="report_period_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="report_period_dates_ordered",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="month") & models.Q(month__gte=1, month__lte=12))
                | (~models.Q(kind="month") & models.Q(month=0)),
                name="report_period_month_only_for_months",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        if self.kind == self.Kind.MONTH:
            return _("Tháng %(month)d") % {"month": self.month}
        if self.kind == self.Kind.TERM:
            return _("Nhiệm kỳ %(first)d–%(last)d") % {
                "first": self.starts_on.year,
                "last": self.ends_on.year,
            }
        return str(self.get_kind_display())

    @property
    def title(self) -> str:
        """The period as a report names it: "Quý I 2026", "Nhiệm kỳ 2025–2030"."""
        if self.kind == self.Kind.TERM:
            return self.label
        return f"{self.label} {self.year}"

    @property
    def cumulative_start(self):
        """Where the period's cumulative figures start: 1 January (a report for Q1, 6 or 9
        months counts from the start of the year), or the start of a term."""
        from datetime import date

        if self.kind == self.Kind.TERM:
            return self.starts_on
        return date(self.year, 1, 1)


class PeriodSnapshot(ProgressFigures):
    """The roll-up table as it stood at the end of a past period
    (reports.rollup.compute_table(period.ends_on)), written in bulk once the period ended."""

    period = models.ForeignKey(ReportPeriod, on_delete=models.CASCADE, related_name="snapshots")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="period_snapshots"
    )
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32, blank=True)
    # The body (chủ thể, plans.models.Body) whose programmes and cases the row counts, or
    # ALL_BODIES: every figure exists for all bodies together and for each body.
    body = models.CharField(max_length=24, blank=True)

    class Meta:
        verbose_name = _("số liệu chốt kỳ")
        verbose_name_plural = _("số liệu chốt kỳ")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organization", "year", "kind", "body"],
                name="period_snapshot_unique",
            )
        ]
        # The dashboard's children and lagging reads: one period, year and kind.
        indexes = [
            models.Index(fields=["period", "year", "kind"], name="period_snapshot_pyk_idx"),
            # The lagging list of a past period, as progress_lagging_gap_idx for live rows.
            models.Index(
                fields=["period", "year", "kind", "-own_gap"],
                name="period_snapshot_lagging_idx",
                condition=models.Q(own_units_lagging=1, body=""),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.period_id} · {self.organization_id} · {self.year} · {self.kind or '*'}"
            f" · {self.body or '*'}"
        )


class DailySnapshot(models.Model):
    """One point of a unit's trend line: its subtree totals (all kinds) on one day.
    Taken nightly for units no deeper than settings.KTGS_TREND_MAX_DEPTH."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="daily_snapshots"
    )
    taken_on = models.DateField(_("ngày"))
    year = models.PositiveSmallIntegerField(_("năm"))
    sub_quantity = models.PositiveIntegerField(default=0)
    sub_capped_done = models.PositiveIntegerField(default=0)
    sub_expected = models.DecimalField(max_digits=16, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("số liệu theo ngày")
        verbose_name_plural = _("số liệu theo ngày")
        # Also the index of the chart's read: one unit, a range of days.
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "taken_on", "year"], name="daily_snapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.taken_on}"


# --- reminders (reports.reminders, reports.outbox) -----------------------------------


class ReminderRule(models.Model):
    """When and to whom ktgs sends reminders; edited by administrators in the admin.

    A `lag` rule reminds a lagging unit's staff, repeats while the unit stays behind and
    escalates to the leaders above it; a `no_programme` rule does the same for a unit
    that has not issued its year's programme by the deadline of its level; `target_due`
    and `case_overdue` remind of open deadlines; `digest` is the weekly summary for
    leaders. Every date test is "on or
    after", so a day the worker was down is caught up on the next run.
    """

    class Kind(models.TextChoices):
        LAG = "lag", _("Đơn vị chậm tiến độ")
        TARGET_DUE = "target_due", _("Chỉ tiêu sắp đến hạn")
        CASE_OVERDUE = "case_overdue", _("Cuộc kiểm tra, giám sát quá thời gian làm việc")
        DIGEST = "digest", _("Thư tổng hợp hằng tuần cho lãnh đạo")
        NO_PROGRAMME = "no_programme", _("Đơn vị chưa có chương trình kiểm tra, giám sát")

    name = models.CharField(_("tên quy tắc"), max_length=128)
    kind = models.CharField(_("loại nhắc việc"), max_length=16, choices=Kind.choices)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    levels = models.JSONField(
        _("cấp áp dụng"),
        default=list,
        blank=True,
        help_text=_('Danh sách mã cấp, ví dụ ["grassroots", "cell"]; để trống: mọi cấp.'),
    )
    tolerance_cases = models.DecimalField(
        _("dung sai (số cuộc)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Đơn vị bị coi là chậm khi số cuộc chậm so với tiến độ vượt quá dung sai này "
            "(cộng với dung sai theo điểm phần trăm)."
        ),
    )
    tolerance_points = models.DecimalField(
        _("dung sai (điểm phần trăm)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    first_after_days = models.PositiveSmallIntegerField(
        _("nhắc lần đầu sau (ngày)"),
        default=0,
        help_text=_("Số ngày kể từ khi đơn vị bắt đầu chậm đến lần nhắc đầu tiên."),
    )
    repeat_every_days = models.PositiveSmallIntegerField(
        _("nhắc lại mỗi (ngày)"), default=7, help_text=_("0: không nhắc lại.")
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("báo lên cấp trên sau (ngày)"),
        default=14,
        help_text=_(
            "Số ngày sau lần nhắc đầu mà đơn vị vẫn chậm thì báo lãnh đạo cấp trên; sau "
            "chừng ấy ngày nữa báo thêm một cấp. 0: không báo lên."
        ),
    )
    escalation_levels = models.PositiveSmallIntegerField(
        _("số cấp báo lên"), default=2, validators=[MaxValueValidator(5)]
    )
    days_before = models.JSONField(
        _("nhắc trước hạn (ngày)"),
        default=list,
        blank=True,
        help_text=_("Cho loại chỉ tiêu sắp đến hạn, ví dụ [14, 3]."),
    )
    weekday = models.PositiveSmallIntegerField(
        _("ngày gửi thư tổng hợp"),
        default=0,
        validators=[MaxValueValidator(6)],
        help_text=_("0 = thứ Hai … 6 = Chủ nhật."),
    )
    skip_weekends = models.BooleanField(_("không gửi thứ Bảy, Chủ nhật"), default=True)
    skip_holidays = models.BooleanField(_("không gửi ngày nghỉ lễ"), default=True)

    class Meta:
        verbose_name = _("quy tắc nhắc việc")
        verbose_name_plural = _("quy tắc nhắc việc")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from ktgs.models import Organization as Org

        errors: dict[str, object] = {}
        if not isinstance(self.levels, list) or any(
            level not in Org.Level.values for level in self.levels
        ):
            errors["levels"] = _("Cấp không hợp lệ. Các mã cấp: %(codes)s.") % {
                "codes": ", ".join(Org.Level.values)
            }
        if not isinstance(self.days_before, list) or any(
            not isinstance(d, int) or isinstance(d, bool) or d < 0 for d in self.days_before
        ):
            errors["days_before"] = _("Nhập danh sách số ngày không âm, ví dụ [14, 3].")
        elif self.kind == self.Kind.TARGET_DUE and not self.days_before:
            errors["days_before"] = _("Quy tắc nhắc hạn chỉ tiêu cần ít nhất một mốc ngày.")
        if errors:
            raise ValidationError(errors)


class Holiday(models.Model):
    """A day on which no reminder goes out (reminders due that day go the next working day)."""

    day = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên ngày nghỉ"), max_length=128)

    class Meta:
        verbose_name = _("ngày nghỉ lễ")
        verbose_name_plural = _("ngày nghỉ lễ")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.name}"


class LagEpisode(models.Model):
    """A stretch of days during which a unit stays behind under one lag rule: reminders,
    repeats and escalations are counted from `started_on`, and stop once it is closed."""

    rule = models.ForeignKey(ReminderRule, on_delete=models.CASCADE, related_name="episodes")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="lag_episodes"
    )
    started_on = models.DateField(_("bắt đầu chậm"))
    ended_on = models.DateField(_("hết chậm"), null=True, blank=True)

    class Meta:
        verbose_name = _("đợt chậm tiến độ")
        verbose_name_plural = _("đợt chậm tiến độ")
        constraints = [
            # At most one open episode per rule and unit, so two scans racing on the same
            # day cannot both open one.
            models.UniqueConstraint(
                fields=["rule", "organization"],
                condition=models.Q(ended_on__isnull=True),
                name="lag_episode_one_open",
            ),
            models.UniqueConstraint(
                fields=["rule", "organization", "started_on"], name="lag_episode_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.organization_id} · {self.started_on}"


class OutboxMessage(models.Model):
    """One email to one person, written before it is sent (the outbox).

    The unique key (rule, organization, period, step, recipient) makes inserting twice a
    no-op; a sender claims a row by a conditional update (pending → sending) before it
    talks to SMTP; a claim older than KTGS_OUTBOX_CLAIM_TIMEOUT is swept back to pending.
    `message_id` is derived from the key, so a retry of the same row is the same mail.
    `context` holds the facts as they stood when the row was written: the mail rendered
    from it on a retry says the same thing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không thành công")
        CANCELLED = "cancelled", _("Đã hủy (đơn vị hết chậm)")

    class Kind(models.TextChoices):
        LAG = "lag", _("Nhắc đơn vị chậm tiến độ")
        LAG_ESCALATION = "lag_escalation", _("Báo cấp trên: đơn vị chậm tiến độ")
        TARGET_DUE = "target_due", _("Nhắc chỉ tiêu sắp đến hạn")
        CASE_OVERDUE = "case_overdue", _("Nhắc cuộc quá thời gian làm việc")
        DIGEST = "digest", _("Thư tổng hợp hằng tuần")
        # To the unit's staff, and (context "escalation" ≥ 1) to the leaders above it.
        NO_PROGRAMME = "no_programme", _("Nhắc đơn vị chưa có chương trình")

    rule = models.ForeignKey(
        ReminderRule, verbose_name=_("quy tắc"), on_delete=models.PROTECT, related_name="messages"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("đơn vị"), on_delete=models.CASCADE,
        related_name="outbox_messages",
    )  # fmt: skip
    period = models.CharField(_("đợt"), max_length=64)
    step = models.CharField(_("bước"), max_length=16)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE,
        related_name="outbox_messages",
    )  # fmt: skip
    kind = models.CharField(_("loại thư"), max_length=16, choices=Kind.choices)
    email = models.EmailField(_("địa chỉ thư"))
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    context = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=128)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("đưa vào hàng đợi lúc"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("nhận gửi lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư nhắc việc")
        verbose_name_plural = _("thư nhắc việc")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "organization", "period", "step", "recipient"],
                name="outbox_unique_key",
            )
        ]
        indexes = [
            # The sender's and the sweeper's reads: rows in one status, oldest first.
            models.Index(fields=["status", "enqueued_at"], name="outbox_status_idx"),
            models.Index(fields=["organization", "-created_at"], name="outbox_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.email} ({self.get_status_display()})"
