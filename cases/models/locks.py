"""The records an approved period report counted, locked against change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ktgs.models import Organization


class RecordLock(models.Model):
    """While a unit's report for a period is approved, the records of the unit's subtree
    whose counting date (cases.services.locks.counted_dates) falls in [starts_on, ends_on]
    may not change: a service that would change one refuses, naming `report`. Written and
    removed by the report's approval and reopening (reports), through
    cases.services.locks: cases knows nothing of reports, only that a named lock holds.
    `key` names the lock's owner ("period_report:<id>") so the owner removes its own."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        related_name="record_locks",
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    report = models.CharField(_("báo cáo"), max_length=300)
    key = models.CharField(_("khóa"), max_length=80, unique=True)
    created_at = models.DateTimeField(_("khóa lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("khóa số liệu")
        verbose_name_plural = _("khóa số liệu")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="record_lock_dates_ordered",
            ),
        ]
        # A check reads the locks of a unit's ancestors (organization_id IN …).
        indexes = [models.Index(fields=["organization", "ends_on"], name="record_lock_unit_idx")]

    def __str__(self) -> str:
        return f"{self.report} ({self.starts_on} – {self.ends_on})"
