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
