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


class ProgressRow(models.Model):
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
