"""The core every app depends on: the organisation tree, users and their roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from ktgs.search import Searchable, search_column


class User(AbstractUser):
    """A person who signs in. Which units they see comes from their roles.

    A Vietnamese name is one field, họ và tên, shown as written: Django's first and last
    name put the family name in the wrong place and split what people write as one."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    language = models.CharField(
        _("ngôn ngữ giao diện"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="vi",
    )
    digest_enabled = models.BooleanField(_("nhận thư tổng hợp hằng tuần"), default=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.full_name.strip()

    def get_short_name(self) -> str:
        # The given name is the last word of a Vietnamese full name.
        words = self.full_name.split()
        return words[-1] if words else ""


class Organization(Searchable, MP_Node):
    """One party organisation (tổ chức đảng) in the national tree.

    The tree is stored twice on purpose: `parent` for plain joins and integrity, and
    treebeard's materialised `path` (4 characters per level) so that a subtree is one
    `path LIKE 'prefix%'` query and the ancestors are the prefixes of a path. Both are
    maintained together by ktgs.services; never write `path` or `parent` directly.
    """

    class Level(models.TextChoices):
        CENTRAL = "central", _("Trung ương")
        PROVINCIAL = "provincial", _("Đảng bộ trực thuộc Trung ương")
        UPPER_GRASSROOTS = "upper_grassroots", _("Cấp trên trực tiếp cơ sở")
        GRASSROOTS = "grassroots", _("Tổ chức cơ sở đảng")
        PARTIAL = "partial", _("Đảng bộ bộ phận")
        CELL = "cell", _("Chi bộ trực thuộc")

    class GrassrootsForm(models.TextChoices):
        """What a grassroots unit is: the reports count the two separately."""

        COMMITTEE = "committee", _("Đảng bộ cơ sở")
        CELL = "cell", _("Chi bộ cơ sở")

    steplen = 4
    SEARCH_FIELDS = ("name", "short_name", "code")

    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=64, blank=True)
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children_set",
    )
    member_count = models.PositiveIntegerField(_("số đảng viên"), default=0)
    committee_member_count = models.PositiveIntegerField(_("số cấp ủy viên"), default=0)
    # Stated for every grassroots unit and blank at every other level (constraint
    # org_grassroots_form): with `level` it gives the kind of unit the reports count
    # (see unit_kind). A field of its own rather than two more levels, because a
    # grassroots committee and a grassroots cell are the same level everywhere else
    # (programme duty, quotas, the depth of the tree).
    grassroots_form = models.CharField(
        _("loại tổ chức cơ sở đảng"),
        max_length=10,
        choices=GrassrootsForm.choices,
        blank=True,
        default="",
    )
    has_cell_committee = models.BooleanField(
        _("chi bộ có chi ủy"),
        default=False,
        help_text=_("Chỉ dùng cho chi bộ trực thuộc và chi bộ cơ sở."),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    search_text = search_column()

    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild", "search_text"])

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        # Subtree queries are `path LIKE 'prefix%'`: on PostgreSQL a btree index serves
        # LIKE under the C collation or with varchar_pattern_ops, and Django makes one
        # such index (…_like) for the unique path by itself.
        indexes = [
            models.Index(fields=["parent", "name"], name="org_parent_name_idx"),
            models.Index(fields=["level"], name="org_level_idx"),
            # Counting the units of one kind (grassroots committees, grassroots cells).
            models.Index(fields=["level", "grassroots_form"], name="org_level_form_idx"),
            # Lists of a subtree's units upper levels first (the dashboard's units without a
            # programme): read in this order, stopping after the first units of the subtree.
            models.Index(fields=["depth", "name"], name="org_depth_name_idx"),
            # The same list for a second-level unit (a province), whose subtree is a small
            # share of the tree at full size: its units alone in (depth, name) order, by
            # the first two steps of their path (steplen 4; reports.queries.dashboards.
            # _without_programme_ids asks SUBSTRING(path, 1, 8) = the province's path).
            models.Index(
                Substr("path", 1, 8), F("depth"), F("name"), name="org_second_level_order_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="org_valid_range",
            ),
            models.CheckConstraint(
                condition=models.Q(committee_member_count__lte=models.F("member_count"))
                | models.Q(member_count=0),
                name="org_committee_le_members",
            ),
            models.CheckConstraint(
                condition=models.Q(level="grassroots", grassroots_form__in=["committee", "cell"])
                | (~models.Q(level="grassroots") & models.Q(grassroots_form="")),
                name="org_grassroots_form",
                violation_error_message=_(
                    "Tổ chức cơ sở đảng phải ghi rõ là đảng bộ cơ sở hay chi bộ cơ sở; "
                    "các cấp khác để trống."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(has_cell_committee=False)
                | models.Q(level="cell")
                | models.Q(level="grassroots", grassroots_form="cell"),
                name="org_cell_committee_only_cells",
                violation_error_message=_(
                    "Chỉ chi bộ trực thuộc và chi bộ cơ sở mới có thể có chi ủy."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organization_detail", args=[self.pk])

    @property
    def unit_kind(self) -> str:
        """The kind of unit the reports count this one as (see `unit_kind`)."""
        return unit_kind(self.level, self.grassroots_form)

    def is_valid_on(self, day) -> bool:
        """Whether the unit existed on `day` (valid_from/valid_to are inclusive)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def ancestor_paths(self) -> list[str]:
        """Paths of every ancestor, root first (not including this unit)."""
        step = self.steplen
        return [self.path[:i] for i in range(step, len(self.path), step)]


class UnitKind(models.TextChoices):
    """Kinds of unit as the official reports count them: the grassroots level split in
    two, and everything under a grassroots unit (partial committees and their cells,
    cells directly under a grassroots committee) as one line."""

    CENTRAL = "central", _("Trung ương")
    PROVINCIAL = "provincial", _("Đảng bộ trực thuộc Trung ương")
    UPPER_GRASSROOTS = "upper_grassroots", _("Cấp trên trực tiếp cơ sở")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    BELOW_GRASSROOTS = "below_grassroots", _("Đảng bộ bộ phận và chi bộ dưới cơ sở")


def unit_kind(level: str, grassroots_form: str) -> str:
    """The UnitKind of a unit with this level and grassroots form.

    Pure, so reports can apply it to values read in bulk; the same rule in SQL is
    `CASE WHEN level = 'grassroots' THEN 'grassroots_' || grassroots_form
    WHEN level IN ('partial', 'cell') THEN 'below_grassroots' ELSE level END`.
    """
    L = Organization.Level
    if level == L.GRASSROOTS:
        if grassroots_form == Organization.GrassrootsForm.COMMITTEE:
            return UnitKind.GRASSROOTS_COMMITTEE
        if grassroots_form == Organization.GrassrootsForm.CELL:
            return UnitKind.GRASSROOTS_CELL
        raise ValueError(f"grassroots unit without a grassroots form: {grassroots_form!r}")
    if level in (L.PARTIAL, L.CELL):
        return UnitKind.BELOW_GRASSROOTS
    return UnitKind(level)


class Role(models.Model):
    """A user's role on one unit; it reaches the unit's whole subtree."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Cán bộ nhập liệu")
        LEADER = "leader", _("Lãnh đạo")
        ADMIN = "admin", _("Quản trị")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("vai trò"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "kind"], name="role_unique_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.organization}"


class OrganizationImport(models.Model):
    """One upload of the organisation tree (CSV or XLSX) and what came of it.

    The file is kept so that a failed import can be looked at again; the work runs in the
    worker (ktgs.tasks.run_organization_import) and writes all or nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang xử lý")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Không thành công")

    file = models.FileField(_("tệp"), upload_to="imports/")
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organization_imports",
    )
    created_at = models.DateTimeField(_("thời điểm tải lên"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu xử lý"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xử lý xong"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_count = models.PositiveIntegerField(_("số đơn vị tạo mới"), default=0)
    updated_count = models.PositiveIntegerField(_("số đơn vị cập nhật"), default=0)
    moved_count = models.PositiveIntegerField(_("số đơn vị chuyển cấp trên"), default=0)
    unchanged_count = models.PositiveIntegerField(_("số đơn vị không đổi"), default=0)
    # [{"row": 3, "column": "Cấp", "reason": "…"}]; row is None for a file-level problem.
    errors = models.JSONField(_("lỗi"), default=list, blank=True)

    class Meta:
        verbose_name = _("lần nhập cây tổ chức")
        verbose_name_plural = _("lần nhập cây tổ chức")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name or self.file.name} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("organization_import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
