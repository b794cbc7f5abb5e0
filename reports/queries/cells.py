"""A period report as a flat table of cells: "cell key" → count, the figures a
submission stores and a parent adds up ("built from the approved children's figures").

Keys are stable strings built from stable codes (activity kinds, bodies, forms, kinds of
unit, letter kinds…), never from labels, so that figures stored at a submission can be
compared with the live ones years later. Only integers: expected figures (fractions)
and "as of today" deadline figures (due soon, overdue today) are no cells, they do not
belong to the period. Body "" is written "all", the total line's kind "total".
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import DisciplineComplaint
from plans.models import ActivityKind, Target
from reports.queries.period_reports import PeriodReport

LINE_FIGURES = (
    "arising",
    "cases",
    "organizations",
    "members",
    "committee_members",
    "outside_after_amendment",
)
DISCIPLINE_FIGURES = ("organizations", "members", "committee_members")
ACTIVITY_FIGURES = ("cases", "organizations", "members", "committee_members")
TARGET_FIGURES = ("quantity", "capped_done", "done")
DENUNCIATION_FIGURES = ("received", "concluded", "overdue", "pending")


# What each figure counts, as the report's column headers say it.
FIGURE_LABELS = {
    "arising": gettext_lazy("cuộc phát sinh"),
    "cases": gettext_lazy("số cuộc"),
    "organizations": gettext_lazy("tổ chức đảng"),
    "members": gettext_lazy("đảng viên"),
    "committee_members": gettext_lazy("cấp ủy viên"),
    "outside_after_amendment": gettext_lazy("ngoài chương trình sau điều chỉnh"),
    "quantity": gettext_lazy("chỉ tiêu"),
    "capped_done": gettext_lazy("đã thực hiện (tính vào chỉ tiêu)"),
    "done": gettext_lazy("đã thực hiện"),
    "planned": gettext_lazy("có chỉ tiêu"),
    "completed": gettext_lazy("hoàn thành chỉ tiêu"),
    "subjects": gettext_lazy("đối tượng được kiểm tra"),
    "violation": gettext_lazy("có vi phạm"),
    "shortcomings": gettext_lazy("có khuyết điểm"),
    "must_discipline": gettext_lazy("phải thi hành kỷ luật"),
    "disciplined": gettext_lazy("đã thi hành kỷ luật"),
    "received": gettext_lazy("đã nhận"),
    "anonymous": gettext_lazy("nặc danh, mạo tên"),
    "concluded": gettext_lazy("đã kết luận"),
    "overdue": gettext_lazy("quá hạn"),
    "pending": gettext_lazy("đang giải quyết"),
    "count": gettext_lazy("số trường hợp"),
}
COUNTS_LABELS = dict(Target.Counts.choices)
ACTIVITY_LABELS = dict(ActivityKind.choices)


def _name(code: str, blank: str) -> str:
    return code or blank


def report_cells(report: PeriodReport) -> dict[str, int]:
    """Every integer figure of `report` under its cell key (an unavailable report: {})."""
    return {key: value for key, _label, value in labelled_cells(report)}


def cell_labels(report: PeriodReport) -> dict[str, str]:
    """The Vietnamese name of each cell of `report`, as a reader finds it in the report's
    tables ("Tất cả chủ thể · Kiểm tra khi có dấu hiệu vi phạm · đảng viên")."""
    return {key: label for key, label, _value in labelled_cells(report)}


def _label(*parts: object) -> str:
    return " · ".join(str(part) for part in parts if str(part))


def labelled_cells(report: PeriodReport) -> Iterator[tuple[str, str, int]]:
    """(key, label, count) of every integer figure of `report`, in the report's order."""
    if not report.lines:
        return
    yield (
        "units_without_programme",
        str(_("Đơn vị chưa có chương trình")),
        int(report.units_without_programme),
    )
    for line in report.lines:
        kind = _name(line.kind, "total")
        for name in LINE_FIGURES:
            label = _label(_("Kết quả"), line.label, FIGURE_LABELS[name])
            yield f"lines.{kind}.{name}", label, int(getattr(line, name))
    for target in [*report.targets, *report.target_totals]:
        kind = _name(target.kind, "total")
        for name in TARGET_FIGURES:
            label = _label(
                _("Chỉ tiêu"), target.label, COUNTS_LABELS.get(target.counts, target.counts),
                FIGURE_LABELS[name],
            )  # fmt: skip
            yield f"targets.{kind}.{target.counts}.{name}", label, int(getattr(target, name))
    for discipline in report.discipline:
        form = _name(discipline.form, "total")
        for name in DISCIPLINE_FIGURES:
            label = _label(_("Kỷ luật"), discipline.label, FIGURE_LABELS[name])
            yield f"discipline.{form}.{name}", label, int(getattr(discipline, name))
    for section in report.bodies:
        body = _name(section.body, "all")
        for coverage in section.coverage:
            for name in ("planned", "completed"):
                label = _label(section.label, _("Đơn vị"), coverage.label, FIGURE_LABELS[name])
                yield f"coverage.{body}.{coverage.kind}.{name}", label, int(getattr(coverage, name))
        for activity in section.activities:
            for name in ACTIVITY_FIGURES:
                label = _label(
                    section.label, ACTIVITY_LABELS.get(activity.kind, activity.kind),
                    FIGURE_LABELS[name],
                )  # fmt: skip
                yield f"bodies.{body}.{activity.kind}.{name}", label, int(getattr(activity, name))
    for finding in report.findings:
        yield (
            f"findings.{finding.who}.subjects",
            _label(_("Phát hiện qua kiểm tra"), finding.label, FIGURE_LABELS["subjects"]),
            int(finding.subjects),
        )
        for name in finding.FINDINGS:
            label = _label(_("Phát hiện qua kiểm tra"), finding.label, FIGURE_LABELS[name])
            yield f"findings.{finding.who}.{name}", label, int(getattr(finding, name))
    if report.records is not None:
        for records in report.records.bodies:
            prefix = f"records.{_name(records.body, 'all')}"
            for letter in records.letters:
                for name in ("received", "anonymous"):
                    label = _label(records.label, _("Đơn thư"), letter.label, FIGURE_LABELS[name])
                    yield (
                        f"{prefix}.letters.{letter.kind}.{name}",
                        label,
                        int(getattr(letter, name)),
                    )
            for name in DENUNCIATION_FIGURES:
                label = _label(records.label, _("Tố cáo"), FIGURE_LABELS[name])
                yield (
                    f"{prefix}.denunciations.{name}",
                    label,
                    int(getattr(records.denunciations, name)),
                )
            yield (
                f"{prefix}.complaints.received",
                _label(records.label, _("Khiếu nại kỷ luật"), FIGURE_LABELS["received"]),
                int(records.complaints_received),
            )
            results = dict(DisciplineComplaint.Result.choices)
            for result, count in records.complaints.items():
                label = _label(records.label, _("Khiếu nại kỷ luật"), results.get(result, result))
                yield f"{prefix}.complaints.{result}", label, int(count)
            for suspension in records.suspensions:
                key = f"{prefix}.suspensions.{suspension.kind}.{suspension.reason}"
                head = (records.label, _("Đình chỉ"), suspension.label, suspension.reason_label)
                yield f"{key}.count", _label(*head, FIGURE_LABELS["count"]), int(suspension.count)
                yield (
                    f"{key}.committee_members",
                    _label(*head, FIGURE_LABELS["committee_members"]),
                    int(suspension.committee_members),
                )
            for discipline in records.discipline:
                form = _name(discipline.form, "total")
                for name in DISCIPLINE_FIGURES:
                    label = _label(
                        records.label, _("Kỷ luật"), discipline.label, FIGURE_LABELS[name]
                    )
                    yield (
                        f"{prefix}.discipline.{form}.{name}",
                        label,
                        int(getattr(discipline, name)),
                    )
