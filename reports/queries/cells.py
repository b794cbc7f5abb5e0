"""A period report as a flat table of cells: "cell key" → count, the figures a
submission stores and a parent adds up ("built from the approved children's figures").

Keys are stable strings built from stable codes (activity kinds, bodies, forms, kinds of
unit, letter kinds…), never from labels, so that figures stored at a submission can be
compared with the live ones years later. Only integers: expected figures (fractions)
and "as of today" deadline figures (due soon, overdue today) are no cells, they do not
belong to the period. Body "" is written "all", the total line's kind "total".
"""

from __future__ import annotations

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


def _name(code: str, blank: str) -> str:
    return code or blank


def report_cells(report: PeriodReport) -> dict[str, int]:
    """Every integer figure of `report` under its cell key (an unavailable report: {})."""
    cells: dict[str, int] = {}
    if not report.lines:
        return cells
    cells["units_without_programme"] = int(report.units_without_programme)
    for line in report.lines:
        kind = _name(line.kind, "total")
        for name in LINE_FIGURES:
            cells[f"lines.{kind}.{name}"] = int(getattr(line, name))
    for target in [*report.targets, *report.target_totals]:
        kind = _name(target.kind, "total")
        for name in TARGET_FIGURES:
            cells[f"targets.{kind}.{target.counts}.{name}"] = int(getattr(target, name))
    for discipline in report.discipline:
        form = _name(discipline.form, "total")
        for name in DISCIPLINE_FIGURES:
            cells[f"discipline.{form}.{name}"] = int(getattr(discipline, name))
    for section in report.bodies:
        body = _name(section.body, "all")
        for coverage in section.coverage:
            cells[f"coverage.{body}.{coverage.kind}.planned"] = int(coverage.planned)
            cells[f"coverage.{body}.{coverage.kind}.completed"] = int(coverage.completed)
        for activity in section.activities:
            for name in ACTIVITY_FIGURES:
                cells[f"bodies.{body}.{activity.kind}.{name}"] = int(getattr(activity, name))
    for finding in report.findings:
        cells[f"findings.{finding.who}.subjects"] = int(finding.subjects)
        for name in finding.FINDINGS:
            cells[f"findings.{finding.who}.{name}"] = int(getattr(finding, name))
    if report.records is not None:
        for records in report.records.bodies:
            prefix = f"records.{_name(records.body, 'all')}"
            for letter in records.letters:
                cells[f"{prefix}.letters.{letter.kind}.received"] = int(letter.received)
                cells[f"{prefix}.letters.{letter.kind}.anonymous"] = int(letter.anonymous)
            for name in DENUNCIATION_FIGURES:
                cells[f"{prefix}.denunciations.{name}"] = int(getattr(records.denunciations, name))
            cells[f"{prefix}.complaints.received"] = int(records.complaints_received)
            for result, count in records.complaints.items():
                cells[f"{prefix}.complaints.{result}"] = int(count)
            for suspension in records.suspensions:
                key = f"{prefix}.suspensions.{suspension.kind}.{suspension.reason}"
                cells[f"{key}.count"] = int(suspension.count)
                cells[f"{key}.committee_members"] = int(suspension.committee_members)
            for discipline in records.discipline:
                form = _name(discipline.form, "total")
                for name in DISCIPLINE_FIGURES:
                    cells[f"{prefix}.discipline.{form}.{name}"] = int(getattr(discipline, name))
    return cells
