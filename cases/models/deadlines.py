"""The legal deadlines of the commission's records, as data administrators edit."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from cases import deadlines
from ktgs.models import Organization


class DeadlineRule(models.Model):
    """How long a kind of record may run at a level of unit (blank: every level without
    a rule of its own). The services read the rule in force when a record is opened and
    store the dates it gives on the record: a rule edited later moves no record already
    open. A denunciation may be extended once by up to `extension` days; a suspension any
    number of times while its whole length stays within `total_cap`. Seeded by a
    migration; edited in the admin."""

    class Kind(models.TextChoices):
        DENUNCIATION = "denunciation", _("Giải quyết tố cáo")
        COMPLAINT_LODGING = "complaint_lodging", _("Thời hạn gửi khiếu nại kỷ luật")
        SUSPENSION_MEMBER = "suspension_member", _("Đình chỉ sinh hoạt (đảng viên)")
        SUSPENSION_ORGANIZATION = "suspension_organization", _("Đình chỉ hoạt động (tổ chức đảng)")

    class Unit(models.TextChoices):
        # "ngày" alone is also a date's label elsewhere: a context keeps them apart.
        DAYS = deadlines.DAYS, pgettext_lazy("time unit", "ngày")
        MONTHS = deadlines.MONTHS, pgettext_lazy("time unit", "tháng")

    kind = models.CharField(_("loại thời hạn"), max_length=32, choices=Kind.choices)
    level = models.CharField(
        _("cấp"),
        max_length=20,
        choices=Organization.Level.choices,
        blank=True,
        help_text=_("Để trống: áp dụng cho mọi cấp không có quy định riêng."),
    )
    length = models.PositiveSmallIntegerField(_("độ dài thời hạn"))
    length_unit = models.CharField(
        _("đơn vị"), max_length=8, choices=Unit.choices, default=Unit.DAYS
    )
    extension = models.PositiveSmallIntegerField(
        _("gia hạn tối đa (ngày)"),
        default=0,
        help_text=_(
            "Gia hạn một lần, thêm tối đa số ngày này sau hạn ban đầu (0: không được gia hạn)."
        ),
    )
    total_cap = models.PositiveSmallIntegerField(
        _("tổng thời gian tối đa (ngày)"),
        null=True,
        blank=True,
        help_text=_(
            "Tính từ ngày bắt đầu, gồm mọi lần gia hạn (đình chỉ). Để trống: không giới hạn."
        ),
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quy định thời hạn")
        verbose_name_plural = _("quy định thời hạn")
        ordering = ["kind", "level"]
        constraints = [
            # One rule in force per kind and level, so which one applies is never a guess.
            models.UniqueConstraint(
                fields=["kind", "level"],
                condition=models.Q(is_active=True),
                name="deadline_rule_one_active",
            ),
            models.CheckConstraint(condition=models.Q(length__gt=0), name="deadline_rule_length"),
        ]

    def __str__(self) -> str:
        level = self.get_level_display() if self.level else _("mọi cấp")
        return (
            f"{self.get_kind_display()} · {level}: {self.length} {self.get_length_unit_display()}"
        )

    def due_on(self, start):
        """The last day of this rule's period running from `start`."""
        return deadlines.due_on(start, self.length, self.length_unit)
