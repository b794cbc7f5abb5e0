"""The official document around a period report: what its header, its closing and its
signature block say (issuing unit and body, document number, place and date, "Nơi nhận",
signer), and the paragraph that says the figures in words.

A submitted report keeps what its staff wrote (reports.models.ReportSubmission); a report
not yet submitted gets `default_header`, which the staffer edits before submitting. The
PDF, the XLSX and the HTML page render a `DocumentHeader` and never ask where it came
from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from plans.models import Body
from reports import wording
from reports.queries.bodies import body_label
from reports.queries.records import DECIDER_LABELS
from reports.queries.submissions import submission_of


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


# document_of's `submission` when the caller has not read it.
UNKNOWN = object()


def issuing_body(organization) -> str:
    """The body that issues a unit's period report: its inspection commission, which
    exists from the grassroots level up; a cell's report is the cell's, a partial
    committee's its committee's."""
    if organization.level == "cell" or (
        organization.level == "grassroots" and organization.grassroots_form == "cell"
    ):
        return Body.CELL
    if organization.level == "partial":
        return Body.COMMITTEE
    return Body.INSPECTION_COMMISSION


def default_header(organization, *, body: str = "", today: date | None = None) -> DocumentHeader:
    """The header a report not yet submitted starts from: the parent unit and the unit
    as the left block names them, the body ("" : the unit's committee), no number, the
    unit's name as the place is not known (the staffer types it), today's date, the
    parent as the first recipient and the file copy last."""
    parent = organization.parent
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


def submitted_header(submission, base: DocumentHeader) -> DocumentHeader:
    """What a submitted report's staff wrote (reports.models.ReportSubmission's header
    columns) over `base`, the unit's default header: the document a parent receives and
    the PDF of an approved report say what was sent, never what the defaults say today."""
    return dataclasses.replace(
        base,
        number=submission.number,
        place=submission.place,
        signed_on=submission.signed_on,
        recipients=tuple(line for line in submission.recipients.splitlines() if line.strip()),
        signer_capacity=submission.signer_capacity,
        signer_title=submission.signer_title,
        signer_name=submission.signer_name,
        summary=submission.summary,
    )


def document_of(organization, report, *, today: date, submission=UNKNOWN) -> DocumentHeader:
    """The document of `organization`'s `report` as the page, the exports, the API and the
    submission form give it: what the staff sent once the report is submitted
    (submitted_header), else the unit's default header; a paragraph left blank is the
    one generated from the figures. `submission`: the report's submission when the
    caller has already read it (None: there is none)."""
    header = default_header(organization, body=issuing_body(organization), today=today)
    if submission is UNKNOWN:
        period = report.source.period
        submission = submission_of(organization, period) if period is not None else None
    if submission is not None:
        header = submitted_header(submission, header)
    if not header.summary:
        header = dataclasses.replace(header, summary=summary_of(report))
    return header


def subject_line(report) -> str:
    """The subject line under "BÁO CÁO": "kết quả kiểm tra, giám sát 9 tháng 2026",
    "… quý I 2026", "… năm 2026", "… nhiệm kỳ 2025–2030"."""
    title = report.period.title
    return _("kết quả kiểm tra, giám sát %(period)s") % {"period": title[:1].lower() + title[1:]}


def number_text(header: DocumentHeader) -> str:
    """ "Số: 15-BC/UBKT"; before the staffer numbers it, the blank the clerk fills in."""
    return _("Số: %(number)s") % {"number": header.number or "     -BC/…"}


def place_and_date(header: DocumentHeader) -> str:
    """ "Lạng Sơn, ngày 05 tháng 10 năm 2026", as a party document dates itself (days and
    months on two digits); dots where the place or the date is not known yet."""
    place = header.place or "……"
    if header.signed_on is None:
        return _("%(place)s, ngày … tháng … năm …") % {"place": place}
    day = header.signed_on
    return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": place,
        "d": f"{day.day:02d}",
        "m": f"{day.month:02d}",
        "y": str(day.year),
    }


def recipient_line(line: str) -> str:
    """A recipient as "Nơi nhận" lists it, behind a dash whether or not it was typed."""
    text = line.strip()
    return text if text.startswith("-") else f"- {text}"


def summary_of(report) -> str:
    """The paragraph a staffer writes by hand today, from the report's figures
    (reports.queries.period_reports.PeriodReport), in the reports' order: what the
    subtree did per activity kind with the completion of its targets ("kiểm tra 03 tổ
    chức đảng (hoàn thành 100% chỉ tiêu kế hoạch); giám sát chuyên đề …"), each body's own
    work ("Ban thường vụ: kiểm tra 03 tổ chức đảng, 05 cấp ủy viên (hoàn thành 100% chỉ
    tiêu kế hoạch)"), the arising cases, the inspections on signs of violation and their
    findings, the coverage per kind of unit ("Đảng bộ cơ sở: 19/33 tổ chức, đạt 57,58%"),
    then the commission's records and the discipline by form. Sentences end with a full
    stop; "" for a period that is not available."""
    if not report.source.available:
        return ""
    unit = str(report.organization.name)
    title = report.period.title
    when = title[:1].lower() + title[1:]
    sentences: list[str] = []
    done = wording.completion_lines(report)
    if done:
        sentences.append(
            _("Trong %(period)s, cấp ủy, ủy ban kiểm tra các cấp trong %(unit)s đã %(done)s.")
            % {"period": when, "unit": unit, "done": "; ".join(done)}
        )
    else:
        sentences.append(
            _("Trong %(period)s, %(unit)s chưa có cuộc kiểm tra, giám sát nào được kết luận.")
            % {"period": when, "unit": unit}
        )
    for section in report.bodies:
        if section.body:
            sentences.extend(
                wording.body_activity_line(section.label, activity) + "."
                for activity in section.activities
            )
    if report.total.arising:
        sentences.append(
            _("Số cuộc phát sinh ngoài chương trình: %(n)s cuộc.")
            % {"n": wording.sentence_count(report.total.arising)}
        )
    findings = wording.findings_sentence(report.findings)
    if findings:
        sentences.append(findings)
    coverage = [
        f"{line.label} {wording.coverage_text(line.completed, line.planned)}"
        for section in report.bodies[:1]
        for line in section.coverage
    ]
    if coverage:
        sentences.append(
            _("Tổ chức đảng cấp dưới thực hiện hoàn thành chương trình: %(lines)s.")
            % {"lines": "; ".join(coverage)}
        )
    if report.records is not None:
        for text in (
            wording.records_summary(report.records.all),
            wording.discipline_detail(report.records.all),
            wording.discipline_by_decider_sentence(report.discipline_by_decider, DECIDER_LABELS),
        ):
            if text:
                sentences.append(text)
    return " ".join(sentences)
