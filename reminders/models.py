"""Reminders: the rules administrators set, the public holidays on which nothing is sent,
the lag episodes the daily scan keeps, and the outbox of mails (reminders.scan writes it,
reminders.sending sends it).

The tables were created by the reports app and keep their names (db_table): the models
moved here in the state only (reminders.migrations.0001_initial)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ktgs.models import Organization


class ReminderRule(models.Model):
    """When and to whom ktgs sends reminders; edited by administrators in the admin.

    A `lag` rule reminds a lagging unit's staff, repeats while the unit stays behind and
    escalates to the leaders above it; a `no_programme` rule does the same for a unit
    that has not issued its year's programme by the deadline of its level; `target_due`
    and `case_overdue` remind of open deadlines; `digest` is the weekly summary for
    leaders. `denunciation_deadline` and `suspension_end` remind the handling unit's
    staff of a legal deadline `days_before` away (none given: cases.deadlines'
    DUE_SOON_DAYS) and once it has passed, and tell the leaders above, without any
    person's name, when it stays passed (reminders.record_deadlines). `report_overdue`
    reminds the staff of a unit that has not sent a period report by its deadline,
    repeats and escalates as `lag` does (reminders.report_deadlines). Every date test is
    "on or after", so a day the worker was down is caught up on the next run.
    """

    class Kind(models.TextChoices):
        LAG = "lag", _("Đơn vị chậm tiến độ")
        TARGET_DUE = "target_due", _("Chỉ tiêu sắp đến hạn")
        CASE_OVERDUE = "case_overdue", _("Cuộc kiểm tra, giám sát quá thời gian làm việc")
        DIGEST = "digest", _("Thư tổng hợp hằng tuần cho lãnh đạo")
        NO_PROGRAMME = "no_programme", _("Đơn vị chưa có chương trình kiểm tra, giám sát")
        DENUNCIATION_DEADLINE = "denunciation_deadline", _("Hạn giải quyết tố cáo")
        SUSPENSION_END = "suspension_end", _("Hết thời hạn đình chỉ sinh hoạt, hoạt động")
        REPORT_OVERDUE = "report_overdue", _("Báo cáo định kỳ chưa gửi đúng hạn")

    name = models.CharField(_("tên quy tắc"), max_length=128)
    kind = models.CharField(_("loại nhắc việc"), max_length=32, choices=Kind.choices)
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
        help_text=_(
            "Cho loại chỉ tiêu sắp đến hạn, ví dụ [14, 3]; với hạn giải quyết tố cáo và hết "
            "thời hạn đình chỉ, để trống là 10 ngày."
        ),
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
        db_table = "reports_reminderrule"  # created by the reports app; kept when moved here
        verbose_name = _("quy tắc nhắc việc")
        verbose_name_plural = _("quy tắc nhắc việc")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if not isinstance(self.levels, list) or any(
            level not in Organization.Level.values for level in self.levels
        ):
            errors["levels"] = _("Cấp không hợp lệ. Các mã cấp: %(codes)s.") % {
                "codes": ", ".join(Organization.Level.values)
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
        db_table = "reports_holiday"  # created by the reports app; kept when moved here
        verbose_name = _("ngày nghỉ lễ")
        verbose_name_plural = _("ngày nghỉ lễ")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.name}"


class LagEpisode(models.Model):
    """A stretch of days during which a unit stays behind under one lag rule: reminders,
    repeats and escalations are counted from `started_on`, and stop once it is closed."""

    # No index of its own: lag_episode_unique starts with it (and each index costs the
    # daily scan its share of the ~10⁴ episodes it opens at 10% scale).
    rule = models.ForeignKey(
        ReminderRule, on_delete=models.CASCADE, related_name="episodes", db_index=False
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="lag_episodes"
    )
    started_on = models.DateField(_("bắt đầu chậm"))
    ended_on = models.DateField(_("hết chậm"), null=True, blank=True)

    class Meta:
        db_table = "reports_lagepisode"  # created by the reports app; kept when moved here
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
    """One reminder to one person, written before it is sent (the outbox).

    The unique key (rule, organization, period, step, recipient) makes inserting twice a
    no-op; a sender claims a row by a conditional update (pending → sending, with a
    `claim_token` of its own) before it talks to SMTP, renews the claim right before it
    sends, and marks or releases the row only while the token is still its own; a claim
    not renewed for KTGS_OUTBOX_CLAIM_TIMEOUT is swept back to pending (reminders.sending).
    `message_id` is derived from the key, so a retry of the same row is the same mail.
    `context` holds the facts as they stood when the row was written: the mail rendered
    from it on a retry says the same thing.

    A row is a mail of its own, or one of the rows of a grouped mail (`mail_key`: a
    person's lag reminders of a run go in one mail, MAIL_FAMILIES): the rows
    of a grouped mail are claimed, sent, retried and swept together, by one conditional
    update on the key, and the mail's Message-ID is the key.
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
        # A legal deadline of one record, to the handling unit's staff (names included).
        DENUNCIATION_DUE = "denunciation_due", _("Nhắc tố cáo sắp hết hạn giải quyết")
        DENUNCIATION_OVERDUE = "denunciation_overdue", _("Nhắc tố cáo quá hạn giải quyết")
        SUSPENSION_DUE = "suspension_due", _("Nhắc đình chỉ sắp hết thời hạn")
        SUSPENSION_OVERDUE = "suspension_overdue", _("Nhắc đình chỉ hết thời hạn chưa chấm dứt")
        # To the leaders above the handling unit: counts and the unit's name, no person's.
        DEADLINE_ESCALATION = "deadline_escalation", _("Báo cấp trên: đơn vị có việc quá hạn")
        # A period report not sent by its deadline: to the unit's staff, then the leaders
        # above it.
        REPORT_OVERDUE = "report_overdue", _("Nhắc đơn vị chưa gửi báo cáo định kỳ")
        REPORT_OVERDUE_ESCALATION = (
            "report_overdue_escalation",
            _("Báo cấp trên: đơn vị chưa gửi báo cáo định kỳ"),
        )

    # Neither foreign key below has an index of its own: outbox_unique_key starts with the
    # rule, outbox_org_idx with the unit, and each index costs the daily scan its share of
    # the ~10⁴ rows it writes at 10% scale (F9).
    rule = models.ForeignKey(
        ReminderRule, verbose_name=_("quy tắc"), on_delete=models.PROTECT,
        related_name="messages", db_index=False,
    )  # fmt: skip
    organization = models.ForeignKey(
        Organization, verbose_name=_("đơn vị"), on_delete=models.CASCADE,
        related_name="outbox_messages", db_index=False,
    )  # fmt: skip
    period = models.CharField(_("đợt"), max_length=64)
    step = models.CharField(_("bước"), max_length=16)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE,
        related_name="outbox_messages",
    )  # fmt: skip
    kind = models.CharField(_("loại thư"), max_length=32, choices=Kind.choices)
    email = models.EmailField(_("địa chỉ thư"))
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    context = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=128)
    # The mail this row goes out in, when it is packed with others (reminders.sending
    # .pack): the Message-ID of that mail, the same on every row of it; blank: the row is
    # a mail of its own (message_id).
    mail_key = models.CharField(_("thư gộp"), max_length=128, blank=True, default="")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("đưa vào hàng đợi lúc"), null=True, blank=True)
    # Set by the database's clock (claim and renewal), which the sweeper compares with
    # the same clock: workers on machines whose clocks differ cannot shorten a claim.
    claimed_at = models.DateTimeField(_("nhận gửi lúc"), null=True, blank=True)
    # The last claim's token, "host:pid:random", new for every claim (blank: never
    # claimed); kept after the row is sent or failed, a record of who sent it. Every
    # write of the sender after its claim (renew, sent, release) is conditional on it, so
    # a sender whose claim was swept and taken by another can no longer touch the row.
    # A database default too: the scan's COPY (reminders.writer) names its columns.
    claim_token = models.CharField(
        _("mã nhận gửi"), max_length=96, blank=True, default="", db_default=""
    )
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        db_table = "reports_outboxmessage"  # created by the reports app; kept when moved here
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
            # The rows of one grouped mail, claimed and marked together.
            models.Index(
                fields=["mail_key"], name="outbox_mail_key_idx", condition=~models.Q(mail_key="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.email} ({self.get_status_display()})"


# Kinds whose rows to one person go out in one mail, by family (reminders.sending.pack):
# the lag reminders to a unit's staff and the escalations to the leaders above it, written
# for every lagging unit each day (107 of them to one bloc staffer in the demo). The
# other kinds stay one mail each: a record's deadline names a person and its own case; a
# target due or a case overdue is rare and has its own link; a programme or a period
# report not sent concerns a few units once a year or period; the weekly digest is
# already one mail per leader.
MAIL_FAMILIES = {OutboxMessage.Kind.LAG: "lag", OutboxMessage.Kind.LAG_ESCALATION: "lag"}
