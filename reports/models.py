"""The roll-up table: progress per unit × year × activity kind, own and whole subtree."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ktgs.models import Organization

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
)
ALL_KINDS = ""  # the `kind` of the row that sums every activity kind of a unit


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
    # Σ expected-by-the-day over the unit's own targets, to 4 decimals (for display and
    # for the "expected" bar); lag itself is decided per target by reports.progress.lag.
    own_expected = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    # When the unit is lagging: why, per target (reports.progress.LagReason as dicts), so
    # the dashboard and the reminders say it in words without reading the targets again.
    own_lag_reasons = models.JSONField(default=list, blank=True)

    sub_quantity = models.PositiveIntegerField(default=0)
    sub_capped_done = models.PositiveIntegerField(default=0)
    sub_done = models.PositiveIntegerField(default=0)
    sub_arising = models.PositiveIntegerField(default=0)
    sub_units_with_targets = models.PositiveIntegerField(default=0)
    sub_units_completed = models.PositiveIntegerField(default=0)
    sub_units_lagging = models.PositiveIntegerField(default=0)
    sub_expected = models.DecimalField(max_digits=16, decimal_places=4, default=0)

    computed_on = models.DateField(_("tính đến ngày"))

    class Meta:
        abstract = True


class ProgressRow(ProgressFigures):
    """One unit's progress for one year and one activity kind (or all kinds: kind "").

    Maintained incrementally by reports.rollup.refresh_units after every write, and
    rebuilt (and checked) by reports.rollup.rebuild. Dashboards read only this table.
    A row exists only where its subtree has something (a target or an arising case).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="progress_rows"
    )
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("tiến độ")
        verbose_name_plural = _("tiến độ")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "kind"], name="progress_row_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "kind"], name="progress_year_kind_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.year} · {self.kind or '*'}"


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
        return f"{self.label} {self.year}"

    @property
    def label(self) -> str:
        if self.kind == self.Kind.MONTH:
            return _("Tháng %(month)d") % {"month": self.month}
        return str(self.get_kind_display())

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

    class Meta:
        verbose_name = _("số liệu chốt kỳ")
        verbose_name_plural = _("số liệu chốt kỳ")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organization", "year", "kind"], name="period_snapshot_unique"
            )
        ]
        # The dashboard's children and lagging reads: one period, year and kind.
        indexes = [
            models.Index(fields=["period", "year", "kind"], name="period_snapshot_pyk_idx")
        ]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.organization_id} · {self.year} · {self.kind or '*'}"


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
