"""`{{ coverage|coverage_text }}` → "19/33 tổ chức, đạt 57,58%"; `{{ n|sentence_count }}` →
"03": the wording of reports.wording in templates."""

from django import template

from reports import documents, wording

register = template.Library()


@register.filter
def coverage_text(coverage) -> str:
    if coverage is None:
        return wording.coverage_text(0, 0)
    return wording.coverage_text(coverage.completed, coverage.planned)


@register.filter
def sentence_count(value: int) -> str:
    return wording.sentence_count(value)


@register.filter
def activity_line(activity, body_label: str) -> str:
    """`{{ activity|activity_line:section.label }}` → "Ban thường vụ: kiểm tra 03 tổ
    chức đảng, 05 cấp ủy viên (hoàn thành 100% chỉ tiêu kế hoạch)"."""
    return wording.body_activity_line(body_label, activity)


@register.filter
def coverage_line(coverage) -> str:
    """ "Đảng bộ cơ sở: 19/33 tổ chức, đạt 57,58%"."""
    return wording.coverage_line(coverage.label, coverage.completed, coverage.planned)


@register.filter
def records_summary(records, body_label: str = "") -> str:
    """`{{ body_records|records_summary }}` → "Thi hành kỷ luật 05 đảng viên; đình chỉ
    sinh hoạt đảng đối với 13 đảng viên bị khởi tố, bắt tạm giam. Tiếp nhận 03 đơn thư
    kiến nghị, phản ánh."; with a body's label, after it."""
    return wording.records_summary(records, body_label)


@register.filter
def discipline_detail(records) -> str:
    """ "Kỷ luật 43 đảng viên: khiển trách 23, cảnh cáo 15, …"."""
    return wording.discipline_detail(records)


@register.filter
def deadline_lines(denunciations) -> list[str]:
    """["3 đơn tố cáo sắp hết hạn", "1 đơn tố cáo quá hạn"]."""
    return wording.deadline_lines(denunciations)


# --- the official document (reports.documents) ------------------------------------------


@register.filter
def subject_line(report) -> str:
    """ "kết quả kiểm tra, giám sát 9 tháng 2026"."""
    return documents.subject_line(report)


@register.filter
def number_text(header) -> str:
    """ "Số: 15-BC/UBKT"."""
    return documents.number_text(header)


@register.filter
def place_and_date(header) -> str:
    """ "Lạng Sơn, ngày 05 tháng 10 năm 2026"."""
    return documents.place_and_date(header)


@register.filter
def recipient_line(line: str) -> str:
    """ "- Ủy ban kiểm tra Tỉnh ủy,": a recipient as "Nơi nhận" lists it."""
    return documents.recipient_line(line)
