"""The official document around a period report: what its header, its closing and its
signature block say (issuing unit and body, document number, place and date, "Nơi nhận",
signer), and the paragraph that says the figures in words.

A submitted report keeps what its staff wrote (reports.models.ReportSubmission); a report
not yet submitted gets `default_header`, which the staffer edits before submitting. The
PDF, the XLSX and the HTML page render a `DocumentHeader` and never ask where it came
from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from reports import wording
from reports.queries.bodies import body_label


@dataclass(frozen=True)
class DocumentHeader:
    # "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH": the unit above the issuer, as the left block's
    # first line writes it (blank for a root unit).
    parent_name: str
    # The issuing unit, and the body that issues the report ("Ủy ban kiểm tra"; blank:
    # the unit's committee).
    issuer_name: str
    body_label: str
    # "15-BC/UBKT"; blank until the staffer numbers it ("Số: -BC/…" is printed).
    number: str
    place: str
    signed_on: date | None
    # "Nơi nhận": one recipient per line ("- Ủy ban kiểm tra Tỉnh ủy,", "- Lưu.").
    recipients: tuple[str, ...] = field(default_factory=tuple)
    # Signature block: "T/M ỦY BAN KIỂM TRA", "CHỦ NHIỆM", the signer's name.
    signer_capacity: str = ""
    signer_title: str = ""
    signer_name: str = ""
    # The paragraph the staffer sends (generated from the figures, edited before
    # submission); blank: the generated one is shown.
    summary: str = ""


def default_header(organization, *, body: str = "", today: date | None = None) -> DocumentHeader:
    """The header a report not yet submitted starts from: the parent unit and the unit
    as the left block names them, the body ("" : the unit's committee), no number, the
    unit's name as the place is not known (the staffer types it), today's date, the
    parent as the first recipient and the file copy last."""
    parent = organization.get_parent()
    recipients = []
    if parent is not None:
        recipients.append(str(parent.name) + ",")
    recipients.append(_("Lưu."))
    label = body_label(body) if body else ""
    return DocumentHeader(
        parent_name=str(parent.name) if parent is not None else "",
        issuer_name=str(organization.name),
        body_label=str(label),
        number="",
        place="",
        signed_on=today,
        recipients=tuple(recipients),
        signer_capacity=(_("T/M %(body)s") % {"body": label}) if label else "",
    )


def summary_of(report) -> str:
    """The paragraph a staffer writes by hand today, from the report's figures
    (reports.queries.period_reports.PeriodReport): each body's own work per activity kind
    with its completion ("Ban thường vụ: kiểm tra 03 tổ chức đảng, 05 cấp ủy viên (hoàn
    thành 100% chỉ tiêu)"), the coverage per kind of unit ("Đảng bộ cơ sở: 19/33 tổ chức,
    đạt 57,58%"), then the commission's records. Sentences end with a full stop."""
    sentences: list[str] = []
    for section in report.bodies:
        if section.body:
            sentences.extend(
                wording.body_activity_line(section.label, activity) + "."
                for activity in section.activities
            )
    for section in report.bodies[:1]:
        sentences.extend(
            wording.coverage_line(line.label, line.completed, line.planned) + "."
            for line in section.coverage
        )
    if report.records is not None:
        records = wording.records_summary(report.records.all)
        if records:
            sentences.append(records)
    return " ".join(sentences)
