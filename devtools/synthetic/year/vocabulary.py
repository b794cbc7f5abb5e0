"""What the synthetic year draws from: choice codes as plain str, quota patterns, shares,
titles, topics, people's names and positions, document issuers, programme bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cases.models import CaseSubject
from ktgs.models import Organization
from plans.models import ActivityKind, Body, Programme, Target


class _Values:
    """Choices as plain str: COPY hands them to psycopg, which wants str, not the enum."""

    def __init__(self, choices):
        for member in choices:
            setattr(self, member.name, member.value)


K: Any = _Values(ActivityKind)
L: Any = _Values(Organization.Level)
ISSUED = Programme.Status.ISSUED.value
CONCLUDED, IN_PROGRESS, DECIDED = "concluded", "in_progress", "decided"
ORG, MEMBER = CaseSubject.Kind.ORGANIZATION.value, CaseSubject.Kind.MEMBER.value
MEMBERS = Target.Counts.MEMBERS.value
CASES = Target.Counts.CASES.value

NAMED_KINDS = (
    K.INSPECTION_COMPLIANCE, K.SUPERVISION_THEMATIC, K.INSPECTION_FINANCE,
    K.INSPECTION_KTGS_DUTY, K.INSPECTION_ASSETS, K.SUPERVISION_THEMATIC, K.INSPECTION_DUES,
    K.INSPECTION_COMPLIANCE,
)  # fmt: skip
QUOTAS = (
    ((K.INSPECTION_COMPLIANCE, 2), (K.SUPERVISION_THEMATIC, 1)),
    ((K.INSPECTION_COMPLIANCE, 2), (K.SUPERVISION_THEMATIC, 1)),
    ((K.INSPECTION_COMPLIANCE, 1), (K.SUPERVISION_THEMATIC, 1), (K.INSPECTION_FINANCE, 1)),
    ((K.INSPECTION_COMPLIANCE, 2), (K.SUPERVISION_THEMATIC, 2)),
    ((K.INSPECTION_COMPLIANCE, 1), (K.INSPECTION_DUES, 1), (K.SUPERVISION_THEMATIC, 1)),
)
SHARES = (Decimal(25), Decimal(30), Decimal(30), Decimal(35))
ARISING_KINDS = (
    K.INSPECTION_VIOLATION, K.INSPECTION_VIOLATION, K.INSPECTION_VIOLATION, K.DENUNCIATION,
    K.DENUNCIATION, K.DENUNCIATION, K.DISCIPLINE_COMPLAINT, K.INSPECTION_ASSETS,
    K.SUPERVISION_THEMATIC, K.SUPERVISION_THEMATIC,
)  # fmt: skip
# Mean arising cases a year per unit, by level.
ARISING_PER_UNIT = {
    L.PROVINCIAL: 16,
    L.UPPER_GRASSROOTS: 3,
    L.GRASSROOTS: 0.4,
    L.PARTIAL: 0.1,
    L.CELL: 0.05,
}
TITLES = {
    K.INSPECTION_COMPLIANCE: "Kiểm tra việc chấp hành nghị quyết, quy định của Đảng",
    K.INSPECTION_VIOLATION: "Kiểm tra khi có dấu hiệu vi phạm",
    K.INSPECTION_KTGS_DUTY: "Kiểm tra việc thực hiện nhiệm vụ kiểm tra, giám sát",
    K.INSPECTION_FINANCE: "Kiểm tra tài chính đảng",
    K.INSPECTION_DUES: "Kiểm tra việc thu, nộp đảng phí",
    K.INSPECTION_ASSETS: "Kiểm tra việc kê khai tài sản, thu nhập",
    K.SUPERVISION_THEMATIC: "Giám sát chuyên đề",
    K.SUPERVISION_REGULAR: "Giám sát thường xuyên đảng viên",
    K.DENUNCIATION: "Giải quyết tố cáo",
    K.DISCIPLINE_COMPLAINT: "Giải quyết khiếu nại kỷ luật",
}
TOPICS = (
    "Việc lãnh đạo, chỉ đạo thực hiện nghị quyết đại hội đảng bộ",
    "Việc thực hiện quy chế làm việc và nguyên tắc tập trung dân chủ",
    "Việc quản lý, sử dụng tài chính đảng",
    "Công tác cán bộ và phòng, chống tham nhũng, lãng phí",
)
SUMMARIES = (
    "Chấp hành tốt; không có vi phạm, khuyết điểm.",
    "Có khuyết điểm, yêu cầu kiểm điểm rút kinh nghiệm.",
    "Có vi phạm, đề nghị xem xét xử lý kỷ luật.",
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Hữu", "Đức", "Ngọc", "Quang")
POSITIONS = (
    ("Bí thư chi bộ", True, True), ("Chi ủy viên", True, False), ("Trưởng phòng", False, True),
    ("Phó Trưởng phòng", False, False), ("Chuyên viên", False, False),
    ("Chuyên viên", False, False), ("Nhân viên", False, False), ("Đảng viên", False, False),
)  # fmt: skip
# The signature of a unit's documents, by level and body; the unit's code follows.
COMMITTEE_ISSUER = {
    L.CENTRAL: "TW", L.PROVINCIAL: "TU", L.UPPER_GRASSROOTS: "HU", L.GRASSROOTS: "ĐU",
    L.PARTIAL: "ĐU", L.CELL: "CB",
}  # fmt: skip
PROGRAMME_BODY = {
    L.PROVINCIAL: Body.STANDING_COMMITTEE.value,
    L.UPPER_GRASSROOTS: Body.INSPECTION_COMMISSION.value,
    L.GRASSROOTS: Body.COMMITTEE.value,
}

AHEAD, ON_TRACK, LAGGING = 0, 1, 2
