"""Reads of the roll-up table for the dashboard. A fixed number of queries whatever the
size of the subtree: the table already holds every subtree's totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db.models import F

from ktgs.models import Organization
from reports import progress
from reports.models import ALL_KINDS, ProgressRow

LAGGING_SHOWN = 20


@dataclass
class UnitProgress:
    organization: Organization
    quantity: int = 0
    capped_done: int = 0
    done: int = 0
    expected: Fraction = Fraction(0)
    arising: int = 0
    units_with_targets: int = 0
    units_completed: int = 0
    units_lagging: int = 0

    @classmethod
    def subtree(cls, organization: Organization, row: ProgressRow | None) -> UnitProgress:
        if row is None:
            return cls(organization)
        return cls(
            organization,
            quantity=row.sub_quantity,
            capped_done=row.sub_capped_done,
            done=row.sub_done,
            expected=Fraction(row.sub_expected),
            arising=row.sub_arising,
            units_with_targets=row.sub_units_with_targets,
            units_completed=row.sub_units_completed,
            units_lagging=row.sub_units_lagging,
        )

    @property
    def completion(self) -> Fraction | None:
        return progress.completion(self.capped_done, self.quantity)

    @property
    def expected_ratio(self) -> Fraction | None:
        if not self.quantity:
            return None
        return min(Fraction(1), self.expected / self.quantity)

    @property
    def coverage(self) -> Fraction | None:
        return progress.coverage(self.units_completed, self.units_with_targets)


@dataclass
class LaggingUnit:
    organization: Organization
    capped_done: int
    quantity: int
    gap: Fraction
    reason: str


@dataclass
class Dashboard:
    unit: UnitProgress
    children: list[UnitProgress]
    lagging: list[LaggingUnit]
    years: list[int]


def dashboard(organization: Organization, *, year: int, kind: str, today: date,
              language: str = "vi") -> Dashboard:
    """The figures of one unit's subtree and of each child's subtree, and the most
    lagging units below it with the reason in words."""
    rows = ProgressRow.objects.filter(year=year, kind=kind)
    own_row = rows.filter(organization=organization).first()
    children = list(Organization.objects.filter(parent=organization).order_by("name"))
    child_rows = {
        r.organization_id: r for r in rows.filter(organization__parent=organization)
    }
    lagging_rows = list(
        rows.filter(organization__path__startswith=organization.path, own_units_lagging=1)
        .select_related("organization")
        .annotate(gap=F("own_expected") - F("own_capped_done"))
        .order_by("-gap", "organization__name")[:LAGGING_SHOWN]
    )
    lagging = _lagging_with_reasons(lagging_rows, language=language)
    years = sorted(
        set(ProgressRow.objects.filter(organization=organization, kind=ALL_KINDS)
            .values_list("year", flat=True)) | {year},
        reverse=True,
    )
    return Dashboard(
        unit=UnitProgress.subtree(organization, own_row),
        children=[UnitProgress.subtree(c, child_rows.get(c.pk)) for c in children],
        lagging=lagging,
        years=years,
    )


def _lagging_with_reasons(rows: list[ProgressRow], *, language: str) -> list[LaggingUnit]:
    # The reasons were stored with the row when it was computed: no further reads.
    return [
        LaggingUnit(
            organization=row.organization,
            capped_done=row.own_capped_done,
            quantity=row.own_quantity,
            gap=Fraction(row.own_expected) - row.own_capped_done,
            reason="; ".join(
                progress.LagReason(**reason).describe(language)
                for reason in row.own_lag_reasons
            ),
        )
        for row in rows
    ]
