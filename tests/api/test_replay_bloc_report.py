"""A real bloc committee's 9-month report (Đảng ủy Khối, cấp trên trực tiếp cơ sở), replayed
through the public interfaces only and read back through the API, figure by figure.

The lines of the report, as it prints them:

- "Đảng ủy cơ sở đã kiểm tra, giám sát 19/33 tổ chức, đạt 57,58%"
- "Ủy ban kiểm tra cơ sở … 16/33 tổ chức, đạt 48,48%"
- "17/29 chi bộ cơ sở có chi ủy … đạt 58,62%"
- "18/152 đảng bộ bộ phận và chi bộ dưới cơ sở …, đạt 11,84%"
- "Ban Thường vụ … kiểm tra 03 tổ chức đảng, 05 cấp ủy viên"
- "Ủy ban Kiểm tra … giám sát chuyên đề 02 tổ chức, 02 cấp ủy viên", "đạt 66,67% chỉ tiêu"
- "25 cuộc theo chương trình, phát sinh 16 cuộc" (of the inspection commissions of the
  whole bloc, its own included)

How the year is built, as the people of the bloc would: the administrator uploads the
organisation file (the import page; the worker's task runs it); each grassroots committee
issues its committee's and its inspection commission's programmes through the API, and
sets its cells' and partial committees' quotas on the programme's quota page; each
grassroots cell issues its cell's programme; the bloc's standing committee and inspection
commission issue theirs; cases are recorded, decided, carried out and concluded through
the API with their subjects. The roll-up table is then brought up to date by the
worker's nightly job (reports.tasks.nightly_progress), as it is by the task each write
enqueues on commit (the test's transaction never commits). Nothing is written by a
service or a factory, except the cast's users and roles, which the tree fixture gives.

The report is read as of 25 September (the 9-month period running: the live table), and
again on 15 October (the period ended, no snapshot yet: computed on demand) and after the
night's snapshot: the same figures every time. On both roll-up engines."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ktgs import tasks as ktgs_tasks
from ktgs.figures import format_percent, round_percent
from ktgs.models import Organization, OrganizationImport
from reports import tasks as report_tasks

YEAR = 2026
DURING = date(2026, 9, 25)  # in the 9-month period (1 January – 30 September)
AFTER = date(2026, 10, 15)  # the period ended
INSPECT = "inspection_compliance"
SUPERVISE = "supervision_thematic"
VIOLATION = "inspection_violation"


# --- the bloc -------------------------------------------------------------------------
#
# 33 grassroots committees (đảng bộ cơ sở), each with 4 cells below it; the first 10 also
# with a partial committee (đảng bộ bộ phận) that has one cell: 33 × 4 + 10 × 2 = 152
# units below the grassroots. 29 grassroots cells with a cell committee (chi ủy) and 6
# without one, whom the "chi bộ cơ sở có chi ủy" line does not count.
COMMITTEES = 33
CELLS_PER_COMMITTEE = 4
WITH_PARTIAL = 10
CELLS_WITH_CHI_UY = 29
CELLS_WITHOUT_CHI_UY = 6

# What each kind of unit carried out by 25 September.
COMMITTEES_DONE = 19  # the committee's programme (1 inspection) completed
COMMISSIONS_DONE = 16  # the inspection commission's (1 thematic supervision) completed
COMMISSIONS_TWO = 7  # of the others, 7 had planned 2 supervisions and carried out 1
COMMISSIONS_ARISING = 12  # inspections on signs of violation (arising), grassroots
BLOC_ARISING = 4  # and by the bloc's commission
CHI_UY_DONE = 17
WITHOUT_CHI_UY_DONE = 4
BELOW_DONE_PARTIALS = 3  # of the 152 below the grassroots: 3 partial committees
BELOW_DONE_CELLS = 15  # and 15 cells
# The bloc's own bodies.
STANDING_SUBJECTS = [(1, 2), (1, 2), (1, 1)]  # per case: organisations, committee members
COMMISSION_PLANNED = 3  # thematic supervisions in the commission's programme
COMMISSION_SUBJECTS = [(1, 1), (1, 1)]  # two carried out


@dataclass
class Bloc:
    bloc: Organization
    committees: list[Organization]
    chi_uy_cells: list[Organization]
    other_cells: list[Organization]
    partials: list[Organization]
    below: list[Organization]  # partial committees and every cell below the grassroots


def organisation_file(parent_code: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "code",
            "parent_code",
            "name",
            "level",
            "grassroots_form",
            "has_cell_committee",
            "member_count",
            "committee_member_count",
        ]
    )
    writer.writerow(
        ["K", parent_code, "Đảng ủy Khối các cơ quan tỉnh", "upper_grassroots", "", "", 0, 15]
    )
    for i in range(1, COMMITTEES + 1):
        code = f"K-D{i:02}"
        writer.writerow([code, "K", f"Đảng bộ Sở {i:02}", "grassroots", "committee", "", 80, 9])
        for j in range(1, CELLS_PER_COMMITTEE + 1):
            writer.writerow([f"{code}-{j}", code, f"Chi bộ {j} Sở {i:02}", "cell", "", "", 12, 3])
        if i <= WITH_PARTIAL:
            partial = f"{code}-P"
            writer.writerow([partial, code, f"Đảng bộ bộ phận {i:02}", "partial", "", "", 30, 5])
            writer.writerow([f"{partial}1", partial, f"Chi bộ P1 Sở {i:02}", "cell", "", "", 15, 3])
    for i in range(1, CELLS_WITH_CHI_UY + CELLS_WITHOUT_CHI_UY + 1):
        chi_uy = "1" if i <= CELLS_WITH_CHI_UY else "0"
        name = f"Chi bộ Công ty {i:02}"
        writer.writerow([f"K-C{i:02}", "K", name, "grassroots", "cell", chi_uy, 20, 3])
    return out.getvalue().encode("utf-8")


def import_bloc(client, admin, parent: Organization) -> Bloc:
    """The administrator uploads the file on the import page; the worker runs it."""
    client.force_login(admin)
    response = client.post(
        reverse("organization_import"),
        {"file": SimpleUploadedFile("khoi.csv", organisation_file(parent.code))},
    )
    assert response.status_code == 302, response.content
    record = OrganizationImport.objects.get()
    ktgs_tasks.run_organization_import(record.pk)  # what the worker does with the task
    record.refresh_from_db()
    assert record.status == OrganizationImport.Status.DONE, record.errors
    units = {unit.code: unit for unit in Organization.objects.filter(code__startswith="K")}
    committees = [units[f"K-D{i:02}"] for i in range(1, COMMITTEES + 1)]
    grassroots_cells = [
        units[f"K-C{i:02}"] for i in range(1, CELLS_WITH_CHI_UY + CELLS_WITHOUT_CHI_UY + 1)
    ]
    partials = [units[f"K-D{i:02}-P"] for i in range(1, WITH_PARTIAL + 1)]
    below = [u for u in units.values() if u.level in ("partial", "cell")]
    return Bloc(
        bloc=units["K"],
        committees=committees,
        chi_uy_cells=grassroots_cells[:CELLS_WITH_CHI_UY],
        other_cells=grassroots_cells[CELLS_WITH_CHI_UY:],
        partials=partials,
        below=below,
    )


# --- the year, through the API and the staff pages --------------------------------------


@dataclass
class Staff:
    api: object  # an APIClient signed in with a token
    web: object  # a Django test client with a session
    numbers: dict = field(default_factory=lambda: itertools.count(1))

    def ok(self, response, status=200):
        assert response.status_code == status, response.content
        return response.json()

    def programme(self, unit: Organization, body: str, targets=(), quotas=()) -> list[int]:
        """A programme of `body` of `unit`: created, its own targets added (kind,
        quantity), quotas set on the quota page ({level: {kind: n}}), issued. Returns the
        ids of its own targets."""
        issuer = {"committee": "ĐU", "inspection_commission": "UBKT", "cell": "CB"}.get(body, "BTV")
        made = self.ok(
            self.api.post(
                "/api/v1/plans/",
                {
                    "organization": unit.pk,
                    "body": body,
                    "year": YEAR,
                    "title": f"Chương trình kiểm tra, giám sát năm {YEAR}",
                    "doc_number": f"{next(self.numbers)}-CTr/{issuer}",
                    "issued_on": "2026-01-10",
                },
                format="json",
            ),
            201,
        )
        ids = []
        for kind, quantity in targets:
            added = self.ok(
                self.api.post(
                    "/api/v1/targets/",
                    {
                        "programme": made["id"],
                        "version": made["version"] + len(ids),
                        "organization": unit.pk,
                        "kind": kind,
                        "quantity": quantity,
                        "due_on": "2026-12-31",
                    },
                    format="json",
                ),
                201,
            )
            ids.append(added["id"])
        for level, quota in quotas:
            response = self.web.post(
                reverse("plans:quota", args=[made["id"]]), {"level": level, **quota}
            )
            # Back to the programme, with the page's message of what was set.
            assert response.status_code == 302, response.content.decode()[:2000]
            assert response.url == reverse("plans:detail", args=[made["id"]])
        version = self.ok(self.api.get(f"/api/v1/plans/{made['id']}/"))["version"]
        issued = self.ok(
            self.api.post(f"/api/v1/plans/{made['id']}/issue/", {"version": version}, format="json")
        )
        assert issued["status"] == "issued"
        return ids

    def quota_target(self, unit: Organization, kind: str) -> int:
        """The target a quota set for `unit`, as the unit's staff read it in the API."""
        rows = self.ok(
            self.api.get("/api/v1/targets/", {"organization": unit.pk, "kind": kind, "year": YEAR})
        )["results"]
        assert len(rows) == 1, rows
        return rows[0]["id"]

    def concluded_case(
        self,
        unit: Organization,
        body: str,
        kind: str,
        *,
        target: int | None,
        subjects=(),
        on: date = date(2026, 6, 15),
        confirm_body_mismatch: bool = False,
    ) -> None:
        """A case recorded, decided, carried out and concluded; `target` None: arising."""
        serial = next(self.numbers)
        issuer = {"committee": "ĐU", "inspection_commission": "UBKT", "cell": "CB"}.get(body, "BTV")
        made = self.ok(
            self.api.post(
                "/api/v1/cases/",
                {
                    "organization": unit.pk,
                    "body": body,
                    "kind": kind,
                    "title": "Kiểm tra, giám sát",
                    "year": YEAR,
                    "target": target,
                    "decision_number": f"{serial}-QĐ/{issuer}",
                    "decided_on": "2026-03-02",
                    "subjects": list(subjects),
                    "confirm_body_mismatch": confirm_body_mismatch,
                },
                format="json",
            ),
            201,
        )
        assert made["origin"] == ("arising" if target is None else "planned"), made
        url = f"/api/v1/cases/{made['id']}"
        version = made["version"]
        for status in ("decided", "in_progress"):
            version = self.ok(
                self.api.post(
                    f"{url}/status/", {"status": status, "version": version}, format="json"
                )
            )["version"]
        concluded = self.ok(
            self.api.post(
                f"{url}/conclude/",
                {
                    "version": version,
                    "concluded_on": on.isoformat(),
                    "conclusion_number": f"{serial}-TB/{issuer}",
                    "violation_found": False,
                },
                format="json",
            )
        )
        assert concluded["status"] == "concluded"


def subjects_of(organizations: int, committee_members: int, among: list[Organization]):
    return [
        *({"kind": "organization", "organization": unit.pk} for unit in among[:organizations]),
        *(
            {"kind": "member", "member_name": f"Cấp ủy viên {i}", "is_committee_member": True}
            for i in range(committee_members)
        ),
    ]


def build_year(staff: Staff, bloc: Bloc) -> None:
    # Each grassroots committee: its committee's programme (1 inspection of its own, and
    # 1 thematic supervision for each cell and each partial committee below it), and its
    # inspection commission's (1 or 2 thematic supervisions).
    for i, unit in enumerate(bloc.committees):
        quotas = [("cell", {SUPERVISE: "1"})]
        if unit.numchild > CELLS_PER_COMMITTEE:
            quotas.append(("partial", {INSPECT: "1"}))
        (own,) = staff.programme(unit, "committee", [(INSPECT, 1)], quotas)
        if i < COMMITTEES_DONE:
            staff.concluded_case(unit, "committee", INSPECT, target=own)
        two = COMMISSIONS_DONE <= i < COMMISSIONS_DONE + COMMISSIONS_TWO
        (own,) = staff.programme(unit, "inspection_commission", [(SUPERVISE, 2 if two else 1)])
        if i < COMMISSIONS_DONE or two:
            staff.concluded_case(unit, "inspection_commission", SUPERVISE, target=own)
    for i in range(COMMISSIONS_ARISING):
        unit = bloc.committees[i % COMMITTEES]
        staff.concluded_case(unit, "inspection_commission", VIOLATION, target=None)
    # Each grassroots cell: the cell's programme (1 thematic supervision).
    for cells, done in ((bloc.chi_uy_cells, CHI_UY_DONE), (bloc.other_cells, WITHOUT_CHI_UY_DONE)):
        for i, unit in enumerate(cells):
            (own,) = staff.programme(unit, "cell", [(SUPERVISE, 1)])
            if i < done:
                staff.concluded_case(unit, "cell", SUPERVISE, target=own)
    # Below the grassroots: the quota's targets, carried out by a few.
    for unit in bloc.partials[:BELOW_DONE_PARTIALS]:
        target = staff.quota_target(unit, INSPECT)
        staff.concluded_case(unit, "committee", INSPECT, target=target)
    cells = [unit for unit in bloc.below if unit.level == "cell"]
    for unit in cells[:BELOW_DONE_CELLS]:
        # The cell carries out the target its grassroots committee's programme set it:
        # recorded as the cell's, the other body confirmed (the programme is the
        # committee's).
        target = staff.quota_target(unit, SUPERVISE)
        staff.concluded_case(unit, "cell", SUPERVISE, target=target, confirm_body_mismatch=True)
    # The bloc's standing committee: inspections of organisations and committee members.
    (own,) = staff.programme(bloc.bloc, "standing_committee", [(INSPECT, len(STANDING_SUBJECTS))])
    for n, (orgs, members) in enumerate(STANDING_SUBJECTS):
        among = bloc.committees[n * 2 :]
        staff.concluded_case(
            bloc.bloc,
            "standing_committee",
            INSPECT,
            target=own,
            subjects=subjects_of(orgs, members, among),
        )
    # The bloc's inspection commission: thematic supervisions, and arising inspections.
    (own,) = staff.programme(bloc.bloc, "inspection_commission", [(SUPERVISE, COMMISSION_PLANNED)])
    for n, (orgs, members) in enumerate(COMMISSION_SUBJECTS):
        among = bloc.committees[10 + n :]
        staff.concluded_case(
            bloc.bloc,
            "inspection_commission",
            SUPERVISE,
            target=own,
            subjects=subjects_of(orgs, members, among),
        )
    for _ in range(BLOC_ARISING):
        staff.concluded_case(bloc.bloc, "inspection_commission", VIOLATION, target=None)


# --- reading the report back through the API -------------------------------------------


def read(api, leader, bloc: Organization, **params) -> dict:
    response = api.as_user(leader).get(
        f"/api/v1/progress/{bloc.pk}/", {"year": YEAR, "period": "m9", **params}
    )
    assert response.status_code == 200, response.content
    return response.json()


def bodies(payload) -> dict:
    return {line["body"]: line for line in payload["unit"]["by_body"]}


def coverage_line(body_line, kind: str, noun: str) -> str:
    """'19/33 tổ chức, đạt 57,58%' from the API's numbers, as the report prints them;
    the API's percent is the same rounding of the same fraction."""
    (line,) = [c for c in body_line["coverage"] if c["kind"] == kind]
    ratio = Fraction(line["completed"], line["planned"])
    assert line["coverage_percent"] == float(round_percent(ratio))
    return f"{line['completed']}/{line['planned']} {noun}, đạt {format_percent(ratio)}"


def report_lines(api, leader, bloc: Organization) -> dict[str, str]:
    every = read(api, leader, bloc)
    by = bodies(every)
    thematic = bodies(read(api, leader, bloc, kind=SUPERVISE))
    standing = by["standing_committee"]["cases"]["own"]
    commission = thematic["inspection_commission"]
    commission_cases = by["inspection_commission"]["cases"]["sub"]
    # The roll-up's arising cases are the same cases as the concluded-case counts'.
    assert commission_cases["arising"] == by["inspection_commission"]["sub"]["arising"]
    assert commission["own"]["counts"] == "cases"
    return {
        "as_of": every["as_of"],
        "committees": coverage_line(by["committee"], "grassroots_committees", "tổ chức"),
        "commissions": coverage_line(
            by["inspection_commission"], "grassroots_committees", "tổ chức"
        ),
        "chi_uy": coverage_line(by[""], "committee_cells", "chi bộ cơ sở có chi ủy"),
        "below": coverage_line(by[""], "below_grassroots", "đảng bộ bộ phận và chi bộ dưới cơ sở"),
        "standing": (
            f"kiểm tra {standing['organizations']:02} tổ chức đảng, "
            f"{standing['committee_members']:02} cấp ủy viên"
        ),
        "commission": (
            f"giám sát chuyên đề {commission['cases']['own']['organizations']:02} tổ chức, "
            f"{commission['cases']['own']['committee_members']:02} cấp ủy viên, đạt "
            + format_percent(
                Fraction(commission["own"]["capped_done"], commission["own"]["quantity"])
            )
            + " chỉ tiêu"
        ),
        "commission_percent": commission["own"]["completion_percent"],
        "cases": (
            f"{commission_cases['planned']} cuộc theo chương trình, "
            f"phát sinh {commission_cases['arising']} cuộc"
        ),
    }


REPORT = {
    "committees": "19/33 tổ chức, đạt 57,58%",
    "commissions": "16/33 tổ chức, đạt 48,48%",
    "chi_uy": "17/29 chi bộ cơ sở có chi ủy, đạt 58,62%",
    "below": "18/152 đảng bộ bộ phận và chi bộ dưới cơ sở, đạt 11,84%",
    "standing": "kiểm tra 03 tổ chức đảng, 05 cấp ủy viên",
    "commission": "giám sát chuyên đề 02 tổ chức, 02 cấp ủy viên, đạt 66,67% chỉ tiêu",
    "commission_percent": 66.67,
    "cases": "25 cuộc theo chương trình, phát sinh 16 cuộc",
}


def test_the_bloc_9_month_report_comes_out_of_the_api_line_by_line(
    api, client, cast, tree, rollup_engine, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A year's entries by token in one go: lift the token rate for this run.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100000/hour"},
    }
    cache.clear()
    with time_machine.travel(date(2026, 1, 5), tick=False):
        bloc = import_bloc(client, cast.admin, tree.province)
    assert len(bloc.below) == 152 and len(bloc.committees) == 33
    with time_machine.travel(date(2026, 7, 1), tick=False):
        client.force_login(cast.admin)  # the session of January has expired
        build_year(Staff(api=api.as_user(cast.admin), web=client), bloc)

    with time_machine.travel(DURING, tick=False):
        report_tasks.nightly_progress()
        during = report_lines(api, cast.leader_p, bloc.bloc)
    assert during.pop("as_of") == DURING.isoformat()
    assert during == REPORT

    # After the period: computed on demand as of 30 September, then from its snapshot.
    with time_machine.travel(AFTER, tick=False):
        report_tasks.nightly_progress()
        computed = report_lines(api, cast.leader_p, bloc.bloc)
        assert read(api, cast.leader_p, bloc.bloc)["computed_at"] is not None
        report_tasks.snapshot_periods()
        frozen = report_lines(api, cast.leader_p, bloc.bloc)
        assert read(api, cast.leader_p, bloc.bloc)["computed_at"] is None
    assert computed.pop("as_of") == frozen.pop("as_of") == "2026-09-30"
    assert computed == frozen == REPORT
