"""The roll-up table: progress per unit × year × activity kind, own and whole subtree."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ktgs.models import Organization, UnitKind, unit_kind
from plans.models import Versioned

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
    SQL is reports.engine.statements.COVERAGE_SQL."""
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

    Maintained incrementally by reports.engine.refresh_units after every write, and
    rebuilt (and checked) by reports.engine.rebuild. Dashboards read only this table.
    A row exists only where its subtree has something (a target, an arising case, or a
    unit without the programme it should have issued).
    """

    # Few indexes (every refresh updates a dozen rows and each index costs an insert per
    # update): the unique (unit, year, kind, body) one also serves "rows of a unit";
    # the two partial ones below serve every read of lagging rows and the list of units
    # without their programme (an update adds to a partial index only a row it holds).
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
            # The dashboard's units without their programme (reports.queries.dashboards.
            # _without_programme_ids): the subtree's units in (depth, name) order, each
            # looked up here; most units have no such row, found in this small index
            # (at the national profile's root, 3,488 lookups: 42 ms in the unique index,
            # 8 ms here).
            models.Index(
                fields=["organization", "year"],
                name="progress_without_prog_idx",
                condition=models.Q(own_units_without_programme=1, kind="", body=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.year} · {self.kind or '*'} · {self.body or '*'}"


class ReportPeriod(models.Model):
    """A reporting period (kỳ báo cáo): explicit rows with their dates, created by
    reports.engine.periods.ensure_periods, never computed from the calendar when read."""

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
    (reports.engine.compute_table(period.ends_on)), written in bulk once the period ended."""

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
            # The units without their programme of a past period, as
            # progress_without_prog_idx for live rows.
            models.Index(
                fields=["organization", "period", "year"],
                name="snapshot_without_prog_idx",
                condition=models.Q(own_units_without_programme=1, kind="", body=""),
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


# --- submission and approval up the tree --------------------------------------------------


def report_title(period: ReportPeriod, organization: Organization) -> str:
    """A unit's report for a period as a lock and a mail name it: "Báo cáo 9 tháng 2026 —
    Đảng ủy xã A"."""
    name = period.title
    if (get_language() or "vi").startswith("vi"):
        # Vietnamese writes the period in lower case inside a title ("Báo cáo quý I
        # 2026"); English keeps "Q1".
        name = name[:1].lower() + name[1:]
    return str(_("Báo cáo %(period)s — %(unit)s")) % {"period": name, "unit": organization.name}


class ReportSubmission(Versioned):
    """A unit's period report as its staff sent it up: the official header they wrote
    (reports.documents.DocumentHeader, as columns), the figures at submission
    (reports.queries.cells.report_cells: "cell key" → count) and where it stands with the
    parent. One per unit and period: a return or a reopening is answered by submitting
    the same row again (its events keep every round trip)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Đã gửi, chờ duyệt")
        RETURNED = "returned", _("Bị trả lại")
        APPROVED = "approved", _("Đã duyệt")
        # Approved, then opened again by a leader of the parent: staff may resubmit.
        REOPENED = "reopened", _("Đã mở lại")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="report_submissions",
    )
    period = models.ForeignKey(
        ReportPeriod,
        verbose_name=_("kỳ báo cáo"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices)
    number = models.CharField(_("số ký hiệu"), max_length=64, blank=True)
    place = models.CharField(_("địa danh"), max_length=120, blank=True)
    signed_on = models.DateField(_("ngày ký"), null=True, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận."))
    signer_capacity = models.CharField(_("thẩm quyền ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True)
    summary = models.TextField(_("tóm tắt kết quả"), blank=True)
    figures = models.JSONField(_("số liệu khi gửi"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("báo cáo đã gửi")
        verbose_name_plural = _("báo cáo đã gửi")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period"], name="report_submission_unique"
            )
        ]
        # The children's status of a parent: the submissions of a list of units for one
        # period.
        indexes = [models.Index(fields=["period", "organization"], name="report_sub_period_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The report as a lock names it: "Báo cáo 9 tháng 2026 — Đảng ủy xã A"."""
        return report_title(self.period, self.organization)

    @property
    def recipient_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.recipients.splitlines() if line.strip())

    def lock_key(self) -> str:
        return f"period_report:{self.pk}"


class ReportEvent(models.Model):
    """One step of a submission's round trip (who, when, what, the comment or the
    reason): the history the report page shows; never deleted."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Gửi báo cáo")
        RETURNED = "returned", _("Trả lại")
        APPROVED = "approved", _("Duyệt")
        REOPENED = "reopened", _("Mở lại")
        COMMENTED = "commented", _("Góp ý")

    class Mail(models.TextChoices):
        NONE = "", _("Không gửi thư")
        PENDING = "pending", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")

    submission = models.ForeignKey(
        ReportSubmission,
        verbose_name=_("báo cáo"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    action = models.CharField(_("việc"), max_length=12, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("lúc"))
    text = models.TextField(_("nội dung"), blank=True)
    # The mail an event sends (a reopening tells the parent's leaders): claimed by a
    # conditional update PENDING → SENDING before sending, so a task run twice sends once.
    mail = models.CharField(
        _("thư báo"), max_length=8, choices=Mail.choices, default=Mail.NONE, blank=True
    )

    class Meta:
        verbose_name = _("diễn biến báo cáo")
        verbose_name_plural = _("diễn biến báo cáo")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_id} · {self.action} · {self.at:%Y-%m-%d %H:%M}"


class ReportDeadline(models.Model):
    """When a period's report is due: `days` after the period's end, per period kind
    (data, seeded by a migration, edited in the admin)."""

    period_kind = models.CharField(
        _("loại kỳ"), max_length=8, choices=ReportPeriod.Kind.choices, unique=True
    )
    days = models.PositiveSmallIntegerField(_("số ngày sau khi hết kỳ"))

    class Meta:
        verbose_name = _("hạn gửi báo cáo")
        verbose_name_plural = _("hạn gửi báo cáo")
        ordering = ["period_kind"]

    def __str__(self) -> str:
        return f"{self.get_period_kind_display()}: +{self.days}"


class Comment(models.Model):
    """A comment on a unit's progress (period blank), on its report for a period, or on
    one submission; shown on the unit's dashboard."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        related_name="report_comments",
    )
    period = models.ForeignKey(
        ReportPeriod,
        verbose_name=_("kỳ báo cáo"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    submission = models.ForeignKey(
        ReportSubmission,
        verbose_name=_("báo cáo"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người góp ý"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("góp ý")
        verbose_name_plural = _("góp ý")
        # A unit's comments, newest first.
        indexes = [models.Index(fields=["organization", "-created_at"], name="report_comment_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.created_at:%Y-%m-%d %H:%M}"
