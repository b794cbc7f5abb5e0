"""Letters received (đơn thư) and what they lead to: the handling of a denunciation (giải
quyết tố cáo) and of a disciplinary complaint (giải quyết khiếu nại kỷ luật)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models.cases import Case, DisciplineDecision
from ktgs.models import Organization
from ktgs.search import Searchable, search_column
from plans.models import Body, Versioned


class Letter(Searchable, Versioned):
    """One letter as one unit received it. A letter forwarded to another unit becomes a
    new row there (`forwarded_from` this one, `root` the first row of the chain) for that
    unit to classify and handle; the chain counts as one letter however many units it
    passes through (count the distinct Coalesce(root, id): reports.queries.records)."""

    class SenderKind(models.TextChoices):
        NAMED = "named", _("Có họ tên, địa chỉ")
        ANONYMOUS = "anonymous", _("Nặc danh")
        FALSE_NAME = "false_name", _("Mạo tên")
        NO_ADDRESS = "no_address", _("Không rõ địa chỉ")

    class Kind(models.TextChoices):
        DENUNCIATION = "denunciation", _("Tố cáo")
        DISCIPLINE_COMPLAINT = "discipline_complaint", _("Khiếu nại kỷ luật")
        PETITION = "petition", _("Kiến nghị")
        FEEDBACK = "feedback", _("Phản ánh")

    class AboutKind(models.TextChoices):
        ORGANIZATION = "organization", _("Tổ chức đảng")
        MEMBER = "member", _("Đảng viên")

    class Handling(models.TextChoices):
        PENDING = "pending", _("Chưa xử lý")
        HANDLED_HERE = "handled_here", _("Giải quyết theo thẩm quyền")
        FORWARDED = "forwarded", _("Chuyển đơn")
        KEPT = "kept", _("Lưu đơn để tham khảo")
        CASE_OPENED = "case_opened", _("Chuyển thành cuộc kiểm tra")

    # Senders whose denunciation is not handled as one (GLOSSARY: anonymous letters).
    UNHANDLED_SENDERS = (SenderKind.ANONYMOUS, SenderKind.FALSE_NAME)
    SEARCH_FIELDS = ("reference", "sender_name", "about_member_name")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("đơn vị nhận"),
        on_delete=models.PROTECT,
        related_name="letters",
    )
    body = models.CharField(_("cơ quan nhận"), max_length=24, choices=Body.choices)
    received_on = models.DateField(_("ngày nhận"))
    reference = models.CharField(_("số đến"), max_length=32, blank=True)
    sender_kind = models.CharField(
        _("người gửi"), max_length=12, choices=SenderKind.choices, default=SenderKind.NAMED
    )
    # The only personal data of the sender, kept for a named sender alone.
    sender_name = models.CharField(_("họ tên người gửi"), max_length=120, blank=True)
    kind = models.CharField(_("loại đơn"), max_length=24, choices=Kind.choices)
    about_kind = models.CharField(
        _("đối tượng bị phản ánh"), max_length=12, choices=AboutKind.choices
    )
    about_organization = models.ForeignKey(
        Organization,
        verbose_name=_("tổ chức đảng bị phản ánh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters_about",
    )
    about_member_name = models.CharField(_("họ tên đảng viên"), max_length=120, blank=True)
    about_member_position = models.CharField(_("chức vụ"), max_length=160, blank=True)
    about_is_committee_member = models.BooleanField(_("là cấp ủy viên"), default=False)
    summary = models.TextField(_("nội dung tóm tắt"))
    handling = models.CharField(
        _("xử lý"), max_length=12, choices=Handling.choices, default=Handling.PENDING
    )
    handled_on = models.DateField(_("ngày xử lý"), null=True, blank=True)
    forwarded_to = models.ForeignKey(
        Organization,
        verbose_name=_("chuyển đến"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters_forwarded_in",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("cuộc kiểm tra"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
    )
    forwarded_from = models.ForeignKey(
        "self",
        verbose_name=_("chuyển từ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwards",
    )
    root = models.ForeignKey(
        "self",
        verbose_name=_("đơn gốc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chain",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    search_text = search_column()

    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("đơn thư")
        verbose_name_plural = _("đơn thư")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sender_kind="named", sender_name__gt="")
                | (~models.Q(sender_kind="named") & models.Q(sender_name="")),
                name="letter_sender_name_only_when_named",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(about_kind="organization", about_organization__isnull=False)
                    & models.Q(about_member_name="")
                )
                | (
                    models.Q(about_kind="member", about_organization__isnull=True)
                    & ~models.Q(about_member_name="")
                ),
                name="letter_about_has_identity",
            ),
            models.CheckConstraint(
                condition=~models.Q(handling="forwarded") | models.Q(forwarded_to__isnull=False),
                name="letter_forwarded_has_destination",
            ),
            models.CheckConstraint(
                condition=~models.Q(handling="case_opened") | models.Q(case__isnull=False),
                name="letter_case_opened_has_case",
            ),
            models.CheckConstraint(
                condition=models.Q(handling="pending") | models.Q(handled_on__isnull=False),
                name="letter_handled_has_date",
            ),
            # A forwarded copy knows both the row it came from and the first of its chain.
            models.CheckConstraint(
                condition=models.Q(forwarded_from__isnull=True, root__isnull=True)
                | models.Q(forwarded_from__isnull=False, root__isnull=False),
                name="letter_chain_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "received_on"], name="letter_org_received_idx"),
        ]

    def __str__(self) -> str:
        about = (
            str(self.about_organization)
            if self.about_kind == self.AboutKind.ORGANIZATION and self.about_organization_id
            else self.about_member_name
        )
        return f"{self.get_kind_display()} · {about} ({self.received_on:%d/%m/%Y})"

    @property
    def chain_key(self) -> int:
        """The id the letter counts under: the first row of its forwarding chain."""
        return self.root_id or self.pk


class Denunciation(Versioned):
    """The handling of a denunciation (giải quyết tố cáo): a case of kind `denunciation`
    (unit, body, decision, the accused as its subject, conclusion, discipline; it counts
    toward the programme's targets like any case) and the deadline the law sets. `due_on`
    and the extension allowed are taken from the rule in force when it is opened and
    stored: a rule edited later does not move them."""

    class Conclusion(models.TextChoices):
        TRUE = "true", _("Đúng")
        PARTLY_TRUE = "partly_true", _("Đúng một phần")
        UNTRUE = "untrue", _("Sai")

    case = models.OneToOneField(
        Case, verbose_name=_("cuộc kiểm tra"), on_delete=models.CASCADE, related_name="denunciation"
    )
    letter = models.OneToOneField(
        Letter,
        verbose_name=_("đơn tố cáo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="denunciation",
    )
    received_on = models.DateField(_("ngày nhận tố cáo"))
    due_on = models.DateField(_("hạn giải quyết"))
    extension_days = models.PositiveSmallIntegerField(
        _("được gia hạn tối đa (ngày)"), default=0, editable=False
    )
    extended_to = models.DateField(_("gia hạn đến"), null=True, blank=True)
    extension_reason = models.TextField(_("lý do gia hạn"), blank=True)
    conclusion = models.CharField(
        _("kết luận nội dung tố cáo"), max_length=12, choices=Conclusion.choices, blank=True
    )
    concluded_on = models.DateField(_("ngày kết luận"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giải quyết tố cáo")
        verbose_name_plural = _("giải quyết tố cáo")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("received_on")),
                name="denunciation_due_after_receipt",
            ),
            models.CheckConstraint(
                condition=models.Q(extended_to__isnull=True)
                | (models.Q(extended_to__gt=models.F("due_on")) & ~models.Q(extension_reason="")),
                name="denunciation_extension_later_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(conclusion="", concluded_on__isnull=True)
                | (~models.Q(conclusion="") & models.Q(concluded_on__isnull=False)),
                name="denunciation_conclusion_dated",
            ),
        ]

    def __str__(self) -> str:
        return str(self.case)

    @property
    def deadline(self):
        """The day it must be concluded by: the extended date if extended."""
        return self.extended_to or self.due_on


class DisciplineComplaint(Versioned):
    """The handling of a complaint against a discipline decision (giải quyết khiếu nại kỷ
    luật): a case of kind `discipline_complaint` of the handling unit and body (its
    subject is the disciplined one; it counts toward targets like any case), and the
    result. A result that changes or annuls the discipline ends that decision on the day
    of the result, and a changed one is replaced by a new decision (see
    DisciplineDecision.ended_on)."""

    class Result(models.TextChoices):
        UPHELD = "upheld", _("Chuẩn y")
        CHANGED = "changed", _("Thay đổi hình thức kỷ luật")
        ANNULLED = "annulled", _("Xóa bỏ kỷ luật")

    case = models.OneToOneField(
        Case,
        verbose_name=_("cuộc kiểm tra"),
        on_delete=models.CASCADE,
        related_name="discipline_complaint",
    )
    discipline = models.ForeignKey(
        DisciplineDecision,
        verbose_name=_("quyết định kỷ luật bị khiếu nại"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    letter = models.OneToOneField(
        Letter,
        verbose_name=_("đơn khiếu nại"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discipline_complaint",
    )
    complainant = models.CharField(_("người (tổ chức) khiếu nại"), max_length=255)
    decision_received_on = models.DateField(_("ngày nhận quyết định kỷ luật"))
    lodged_on = models.DateField(_("ngày gửi khiếu nại"))
    late_reason = models.TextField(_("lý do nhận khiếu nại quá hạn"), blank=True)
    result = models.CharField(
        _("kết quả giải quyết"), max_length=12, choices=Result.choices, blank=True
    )
    new_form = models.CharField(
        _("hình thức kỷ luật mới"),
        max_length=20,
        choices=DisciplineDecision.Form.choices,
        blank=True,
    )
    decided_on = models.DateField(_("ngày quyết định giải quyết"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giải quyết khiếu nại kỷ luật")
        verbose_name_plural = _("giải quyết khiếu nại kỷ luật")
        ordering = ["-lodged_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lodged_on__gte=models.F("decision_received_on")),
                name="complaint_lodged_after_receipt",
            ),
            models.CheckConstraint(
                condition=models.Q(result="", decided_on__isnull=True)
                | (~models.Q(result="") & models.Q(decided_on__isnull=False)),
                name="complaint_result_dated",
            ),
            models.CheckConstraint(
                condition=models.Q(result="changed", new_form__gt="")
                | (~models.Q(result="changed") & models.Q(new_form="")),
                name="complaint_new_form_only_when_changed",
            ),
            # One complaint under way per decision: a second one waits for the first.
            models.UniqueConstraint(
                fields=["discipline"],
                condition=models.Q(result=""),
                name="complaint_one_open_per_discipline",
            ),
        ]

    def __str__(self) -> str:
        return str(self.case)
