"""Who may decide which discipline on whom (Điều lệ Đảng, Điều 36): the warnings a careful
colleague gives before a discipline decision is recorded.

Warnings, not refusals: the services already refuse what is certainly wrong (a form that
does not fit the subject, a deciding unit below the conducting one); what is said here
is most likely a slip (the wrong body picked in the list) but may be a real case the
rules do not foresee (a decision of a merged unit's body, a delegated authority), so the
page asks the user to look again and lets them save anyway."""

from __future__ import annotations

from django.utils.translation import gettext as _g

from cases.models import CaseSubject, DisciplineDecision
from ktgs.models import Organization
from plans.models import DecidingBody

L = Organization.Level
F = DisciplineDecision.Form
# A cell decides reprimand and warning of its own members, nothing else.
CELL_FORMS = (F.REPRIMAND, F.WARNING)


def is_cell(organization: Organization) -> bool:
    return organization.level == L.CELL or (
        organization.level == L.GRASSROOTS
        and organization.grassroots_form == Organization.GrassrootsForm.CELL
    )


def has_inspection_commission(organization: Organization) -> bool:
    """An inspection commission exists from the grassroots level up (DESIGN §2)."""
    return organization.level not in (L.PARTIAL, L.CELL)


def is_above(upper: Organization, lower: Organization) -> bool:
    return lower.path.startswith(upper.path) and lower.path != upper.path


def discipline_warnings(
    *,
    subject: CaseSubject,
    form: str,
    deciding_organization: Organization,
    deciding_body: str,
) -> list[str]:
    """What looks outside the deciding body's authority over the subject."""
    warnings: list[str] = []
    unit = deciding_organization.name
    form_label = str(F(form).label) if form in F.values else form
    if deciding_body == DecidingBody.CELL:
        if not is_cell(deciding_organization):
            warnings.append(
                _g("%(unit)s không phải là chi bộ: hãy chọn cơ quan quyết định khác.")
                % {"unit": unit}
            )
        if subject.kind == CaseSubject.Kind.ORGANIZATION:
            warnings.append(_g("Chi bộ không có thẩm quyền kỷ luật tổ chức đảng."))
        elif form not in CELL_FORMS:
            warnings.append(
                _g(
                    "Chi bộ chỉ quyết định khiển trách, cảnh cáo đảng viên; hình thức "
                    "“%(form)s” do cấp ủy hoặc ủy ban kiểm tra cấp trên quyết định."
                )
                % {"form": form_label}
            )
    if deciding_body == DecidingBody.INSPECTION_COMMISSION and not has_inspection_commission(
        deciding_organization
    ):
        warnings.append(
            _g("%(unit)s không có ủy ban kiểm tra (ủy ban kiểm tra có từ cấp cơ sở trở lên).")
            % {"unit": unit}
        )
    if subject.kind == CaseSubject.Kind.ORGANIZATION and subject.organization is not None:
        if not is_above(deciding_organization, subject.organization):
            warnings.append(
                _g(
                    "%(unit)s không phải là cấp trên của %(subject)s: kỷ luật tổ chức đảng do "
                    "tổ chức đảng cấp trên quyết định."
                )
                % {"unit": unit, "subject": subject.organization.name}
            )
        if form == F.DISSOLUTION and deciding_body == DecidingBody.INSPECTION_COMMISSION:
            warnings.append(
                _g(
                    "Giải tán tổ chức đảng do cấp ủy cấp trên quyết định; ủy ban kiểm tra chỉ "
                    "khiển trách, cảnh cáo tổ chức đảng cấp dưới."
                )
            )
    return warnings
