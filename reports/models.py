"""The roll-up table: progress per unit × year × activity kind, own and whole subtree."""

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
