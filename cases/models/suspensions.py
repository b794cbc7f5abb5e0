"""Suspensions (đình chỉ sinh hoạt đảng / sinh hoạt cấp ủy / hoạt động)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ktgs.models import Organization
from ktgs.search import Searchable, search_column
from plans.models import DecidingBody, Versioned


class Suspension(Searchable, Versioned):
    """A member's party or committee activity, or an organisation's activity, suspended
    by a deciding body while a matter is settled. `ends_on` is the planned end (start +
    the rule's days); extensions move it, never past `cap_days` from the start (the rule's
    total cap, stored when the suspension is recorded so a later edit of the rule does not
    move it). `lifted_on` and `outcome` say how it ended."""

    class Kind(models.TextChoices):
        PARTY_ACTIVITY = "party_activity", _("Đình chỉ sinh hoạt đảng")
        COMMITTEE_ACTIVITY = "committee_activity", _("Đình chỉ sinh hoạt cấp ủy")
        ORGANIZATION_ACTIVITY = "organization_activity", _("Đình chỉ hoạt động")

    class Reason(models.TextChoices):
        PROSECUTED = "prosecuted", _("Bị khởi tố")
        DETAINED = "detained", _("Bị bắt tạm giam")
        OBSTRUCTING = "obstructing", _("Cản trở việc kiểm tra, xem xét")
        OTHER = "other", _("Khác")

    class Outcome(models.TextChoices):
        REINSTATED = "reinstated", _("Được phục hồi sinh hoạt, hoạt động")
        DISCIPLINED = "disciplined", _("Bị thi hành kỷ luật")
        EXPELLED = "expelled", _("Bị khai trừ")
        OTHER = "other", _("Khác")

    MEMBER_KINDS = (Kind.PARTY_ACTIVITY, Kind.COMMITTEE_ACTIVITY)
    SEARCH_FIELDS = ("member_name", "decision_number")

    kind = models.CharField(_("hình thức đình chỉ"), max_length=24, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị quyết định"),
        on_delete=models.PROTECT,
        related_name="suspensions",
    )
    body = models.CharField(_("cơ quan quyết định"), max_length=24, choices=DecidingBody.choices)
    member_name = models.CharField(_("họ tên đảng viên"), max_length=120, blank=True)
    member_position = models.CharField(_("chức vụ"), max_length=160, blank=True)
    is_committee_member = models.BooleanField(_("là cấp ủy viên"), default=False)
    subject_organization = models.ForeignKey(
        Organization,
        verbose_name=_("tổ chức đảng bị đình chỉ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suspended_in",
    )
    # Stored as written (normalised), in no numbering of its own: see
    # cases.services.suspensions.
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=12, choices=Reason.choices)
    reason_detail = models.TextField(_("chi tiết lý do"), blank=True)
    starts_on = models.DateField(_("đình chỉ từ ngày"))
    ends_on = models.DateField(_("đình chỉ đến ngày"))
    cap_days = models.PositiveSmallIntegerField(
        _("tổng thời gian tối đa (ngày)"), null=True, blank=True, editable=False
    )
    extension_reason = models.TextField(_("lý do gia hạn"), blank=True)
    lifted_on = models.DateField(_("ngày chấm dứt đình chỉ"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("ghi chú kết quả"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    search_text = search_column()

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("đình chỉ sinh hoạt, hoạt động")
        verbose_name_plural = _("đình chỉ sinh hoạt, hoạt động")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["party_activity", "committee_activity"])
                    & ~models.Q(member_name="")
                    & models.Q(subject_organization__isnull=True)
                )
                | (
                    models.Q(kind="organization_activity", subject_organization__isnull=False)
                    & models.Q(member_name="")
                ),
                name="suspension_kind_has_subject",
            ),
            # Only a committee member has a committee activity to suspend.
            models.CheckConstraint(
                condition=~models.Q(kind="committee_activity") | models.Q(is_committee_member=True),
                name="suspension_committee_member",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="suspension_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_on__isnull=True)
                | models.Q(lifted_on__gte=models.F("starts_on")),
                name="suspension_lifted_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(lifted_on__isnull=False),
                name="suspension_outcome_when_lifted",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "starts_on"], name="suspension_org_starts_idx"),
        ]

    def __str__(self) -> str:
        who = (
            str(self.subject_organization)
            if self.kind == self.Kind.ORGANIZATION_ACTIVITY and self.subject_organization_id
            else self.member_name
        )
        return f"{self.get_kind_display()} · {who}"

    @property
    def is_member(self) -> bool:
        return self.kind in self.MEMBER_KINDS
