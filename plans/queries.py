"""Reads of programmes and targets for pages, the API and reports.

Progress ("done") is read through the reverse relation `Target.cases` by string lookups
only, so plans never imports cases (dependencies point reports → cases → plans)."""

from __future__ import annotations

import datetime
import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import connection, models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from ktgs import access, search, versioning
from ktgs import queries as ktgs_queries
from ktgs.models import Organization, User
from plans.models import ActivityKind, Amendment, Programme, Target

# Case statuses that count toward completion (cases.models.Case.COUNTING), spelled out
# here because plans may not import cases.
COUNTING_STATUSES = ("concluded", "closed")


def targets_in_force(
    programme_or_queryset: Programme | QuerySet, on: datetime.date | None = None
) -> QuerySet[Target]:
    """The targets of the programme as amended at `on`: added by no amendment or by one in
    effect by then, and not removed by an amendment in effect by then. `on=None` means as
    amended by every amendment so far. Accepts a Programme, a Programme queryset or a
    Target queryset."""
    if isinstance(programme_or_queryset, Programme):
        targets = Target.objects.filter(programme=programme_or_queryset)
    elif programme_or_queryset.model is Programme:
        targets = Target.objects.filter(programme__in=programme_or_queryset)
    else:
        targets = programme_or_queryset
    if on is None:
        return targets.filter(removed_by__isnull=True)
    return targets.filter(in_force_on(on))


def targets_of_year(year: int) -> Q:
    """The targets that belong to `year`, as the roll-up engine files them: an annual
    programme's targets to its year, a term programme's to the year they fall due in."""
    return Q(programme__scope=Programme.Scope.YEAR, programme__year=year) | Q(
        programme__scope=Programme.Scope.TERM, due_on__year=year
    )


def in_force_on(on: datetime.date, *, through: str = "") -> Q:
    """Targets in force at `on` (the filter of targets_in_force, as a Q to combine).
    `through`: the lookup that leads to the target from another model ("target__" from a
    case)."""

    def at(lookup: str, value: object) -> Q:
        return Q(**{f"{through}{lookup}": value})

    return (at("added_by__isnull", True) | at("added_by__effective_on__lte", on)) & (
        at("removed_by__isnull", True) | at("removed_by__effective_on__gt", on)
    )


# The programmes whose targets count: issued, or closed after their year.
COUNTED_PROGRAMME_STATUSES = (Programme.Status.ISSUED, Programme.Status.CLOSED)


def counted_on(on: datetime.date, *, years: Iterable[int] = (), through: str = "") -> Q:
    """The targets whose figures count on `on`: in a counted programme, and in force then
    (in_force_on); of `years` too when given (targets_of_year). The one rule of the
    roll-up (reports.engine.counting), the dashboard, the period report and the progress
    API. `through`: the lookup that leads to the target from another model ("target__"
    from a case; not with `years`)."""
    rule = Q(**{f"{through}programme__status__in": COUNTED_PROGRAMME_STATUSES}) & in_force_on(
        on, through=through
    )
    of_years = Q()
    for year in years:
        of_years |= targets_of_year(year)
    assert not (through and of_years), "years are asked of targets themselves"
    return rule & of_years


def orphaned_links(on: datetime.date) -> Q:
    """Records linked (by their `target`) to a target none of whose lineage is in force on
    `on` in a counted programme: it was removed, or replaced for another unit or kind, by
    an amendment in effect, or its own is not yet. A case so linked fulfils no target: it
    is arising (DESIGN §2; the roll-up's rule, reports.engine.counting.orphaned_cases, and
    the case list's, cases.queries.arising_on).

    A record whose own target is in force is never one: that test, on the target's row,
    comes before the look-up of the lineage, which then runs for the few others only (the
    national profile's root: the progress API looked the lineage up 1.27M times, 6 of its
    11 s; the case list's count of arising cases 4.9 -> 1.6 s)."""
    live = Target.objects.filter(counted_on(on)).annotate(line=Coalesce("lineage_id", "id"))
    own_target_in_force = counted_on(on, through="target__")
    same_line = live.filter(line=Coalesce(OuterRef("target__lineage_id"), OuterRef("target_id")))
    return Q(target__isnull=False) & ~own_target_in_force & ~Q(Exists(same_line))


# The columns of done_rows after the lineage, in this order.
DONE_COLUMNS = (
    Target.Counts.CASES,
    Target.Counts.ORGANIZATIONS,
    Target.Counts.MEMBERS,
    Target.Counts.COMMITTEE_MEMBERS,
)


def done_by_lineage(lines, on: datetime.date | None = None) -> dict[int, dict[str, int]]:
    """done_rows as {lineage: {counting rule: done}}."""
    return {
        line: dict(zip(DONE_COLUMNS, (int(n) for n in counts), strict=True))
        for line, *counts in done_rows(lines, on)
    }


def done_rows(lines, on: datetime.date | None = None) -> list[tuple]:
    """How much is done as of `on` in each lineage (Target.lineage_key), by every counting
    rule: the concluded cases linked to any target of the lineage (the one in force and
    those it replaced), their subject organisations, members, and members who sit on a
    committee. One grouped query; one row (lineage, *done in DONE_COLUMNS' order) per
    lineage that has any case: plain tuples, for the callers that read many of them (a
    subtree's targets added up: done_totals, the same rule in one statement).

    This is reports' rule for the target in force on the day (reports.engine): the cases
    follow the replacements, so raising a target 2 → 3 keeps the 2 done.

    Written in SQL for many lineages (the whole subtree's report sent 55,000 before
    done_totals): the lineages go in as one array
    parameter (a list of 55,000 ids as `IN (%s, …)` twice cost psycopg ~1 s of Python to
    split, and the database as much to parse), and the subjects are added up from the
    counts each case keeps (cases' Case.SUBJECT_COUNTS), each case once: no join with the
    subjects, whose COUNT(DISTINCT …) sorts once cost the nation's report 5 s at 10%
    scale. The cases' table is named through the reverse relation, so plans still
    imports nothing of cases."""
    keys = sorted(set(lines))
    if not keys:
        return []
    case_model = Target._meta.get_field("cases").related_model
    assert isinstance(case_model, type) and issubclass(case_model, models.Model)
    if connection.vendor == "postgresql":
        given = "SELECT unnest(%s::bigint[]) AS line"
    else:
        given = "SELECT value AS line FROM json_each(%s)"
    concluded_by = "AND c.concluded_on <= %s" if on is not None else ""
    statuses = ", ".join(["%s"] * len(COUNTING_STATUSES))
    sql = f"""
        WITH given AS ({given}),
        lineage AS (
            SELECT t.id, g.line FROM {Target._meta.db_table} t JOIN given g ON t.id = g.line
            UNION
            SELECT t.id, g.line FROM {Target._meta.db_table} t JOIN given g ON t.lineage_id = g.line
        ),
        counted AS (
            SELECT l.line, c.subject_organizations, c.subject_members,
                c.subject_committee_members
            FROM {case_model._meta.db_table} c
            JOIN lineage l ON c.target_id = l.id
            WHERE c.status IN ({statuses}) {concluded_by}
        )
        SELECT line, COUNT(*), SUM(subject_organizations), SUM(subject_members),
            SUM(subject_committee_members)
        FROM counted GROUP BY line
    """
    params: list[Any] = [keys if connection.vendor == "postgresql" else json.dumps(keys)]
    params += list(COUNTING_STATUSES)
    if on is not None:
        params.append(on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def done_totals(targets: QuerySet[Target], on: datetime.date, by: Sequence[str]) -> list[tuple]:
    """The targets of `targets` (meant: those in force on `on`) added up per counting rule
    and the values of `by` (fields or annotations of the queryset), in one statement: rows
    (counting rule, *the values of `by`, Σ quantity, Σ min(done, quantity), Σ done), where
    a target's done is done_rows' figure for its lineage by its own rule.

    For the whole subtree's report: the nation's 55,000 targets at 10% scale were read,
    their lineages sent back to done_rows as an array and added up in Python (~640 ms);
    here they never leave the database (~270 ms), which returns a few dozen rows. Each
    target finds its lineage's targets by their line (target_line_idx: a lineage's
    targets name its first one, which names none), and counts the cases only by the rule
    it counts by: cases, or the subjects of one kind."""
    compiler = done_totals_targets(targets, by).query.get_compiler(connection=connection)
    targets_sql, targets_params = compiler.as_sql()
    return done_totals_of(compiler, targets_sql, list(targets_params), on=on)


def done_totals_targets(targets: QuerySet[Target], by: Sequence[str]) -> QuerySet:
    """The query of the targets that done_totals adds up: (pk, line, quantity, counting
    rule, *the values of `by`)."""
    return (
        targets.annotate(done_line=Coalesce("lineage_id", "id"))
        .values_list("pk", "done_line", "quantity", "counts", *by)
        .order_by()
    )


def done_totals_of(
    compiler: Any, targets_sql: str, targets_params: list, *, on: datetime.date
) -> list[tuple]:
    """done_totals of the targets' query (done_totals_targets) compiled by `compiler`
    into `targets_sql` and `targets_params`: for a caller that compiled it once for
    every call (reports.queries.compiled)."""
    by = len(compiler.select) - 4
    case_model = Target._meta.get_field("cases").related_model
    assert isinstance(case_model, type) and issubclass(case_model, models.Model)
    keys = ", ".join(["counts", *(f"by{i}" for i in range(by))])
    statuses = ", ".join(["%s"] * len(COUNTING_STATUSES))
    # A target counts its lineage's cases, or their subjects of one kind: the counts each
    # case keeps (cases' Case.SUBJECT_COUNTS), so no join with the subjects.
    sql = f"""
        WITH t(id, line, quantity, {keys}) AS ({targets_sql}),
        done AS (
            SELECT t.id, SUM(
                CASE t.counts WHEN %s THEN 1
                    WHEN %s THEN c.subject_organizations
                    WHEN %s THEN c.subject_members
                    WHEN %s THEN c.subject_committee_members
                    ELSE 0 END
            ) AS n
            FROM t
            JOIN {Target._meta.db_table} x ON COALESCE(x.lineage_id, x.id) = t.line
            JOIN {case_model._meta.db_table} c ON c.target_id = x.id
            WHERE c.status IN ({statuses}) AND c.concluded_on <= %s
            GROUP BY t.id
        ),
        per_target AS (
            SELECT t.*, COALESCE(d.n, 0) AS done FROM t LEFT JOIN done d ON d.id = t.id
        )
        SELECT {keys}, CAST(SUM(quantity) AS bigint),
            CAST(SUM(CASE WHEN done < quantity THEN done ELSE quantity END) AS bigint),
            CAST(SUM(done) AS bigint)
        FROM per_target GROUP BY {keys}
    """
    params = [*targets_params, *DONE_COLUMNS, *COUNTING_STATUSES, on]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # The rule and the values of `by` as the ORM reads them (a date from SQLite's text).
    converters = compiler.get_converters([column for column, _, _ in compiler.select[3:]])
    return list(compiler.apply_converters(rows, converters)) if converters else rows


def done_of(target: Target, done: dict[int, dict[str, int]]) -> int:
    """A target's done from `done_by_lineage`, by its own counting rule."""
    return done.get(target.lineage_key, {}).get(target.counts, 0)


def targets_with_done(
    targets: QuerySet[Target], on: datetime.date | None = None, *fields: str
) -> list[dict]:
    """The targets of `targets`, each as a dict of `fields` (plus "pk", "counts" and
    "done"), where done is what the target has done as of `on`, counted by its rule over
    its lineage (done_by_lineage: meant for targets in force on `on`). Two queries,
    whatever the number of targets."""
    rows = list(targets.values("pk", "counts", "lineage_id", *fields).order_by())
    done = done_by_lineage([row["lineage_id"] or row["pk"] for row in rows], on=on)
    return [
        {
            **{name: row[name] for name in ("pk", "counts", *fields)},
            "done": done.get(row["lineage_id"] or row["pk"], {}).get(row["counts"], 0),
        }
        for row in rows
    ]


def done_by_target(target_ids, on: datetime.date | None = None) -> dict[int, int]:
    """How much of each target is done as of `on`, counted by its rule over its lineage
    (done_by_lineage): meant for the targets in force on `on`. Two queries."""
    targets = list(Target.objects.filter(pk__in=list(target_ids)).only("pk", "lineage", "counts"))
    done = done_by_lineage([t.lineage_key for t in targets], on=on)
    return {t.pk: done_of(t, done) for t in targets}


def visible_programmes(
    user: User,
    *,
    year: int | None = None,
    status: str | None = None,
    organization: Organization | None = None,
    text: str = "",
    unit_text: str = "",
) -> QuerySet[Programme]:
    """Programmes of units in the user's reach, newest year first, filtered: `text` in
    the document number or title, `unit_text` in the unit's name or code (every word,
    without diacritics: ktgs.search)."""
    programmes = access.scope(Programme.objects.select_related("organization"), user)
    if year:
        programmes = programmes.filter(Q(year__lte=year) & Q(end_year__gte=year))
    if status:
        programmes = programmes.filter(status=status)
    if organization is not None:
        programmes = programmes.filter(organization__path__startswith=organization.path)
    if text:
        programmes = programmes.filter(search.matching(text))
    if unit_text:
        programmes = programmes.filter(search.matching(unit_text, "organization__search_text"))
    return programmes.order_by("-year", "organization__path", "issued_on", "pk")


# The programme list's orders (`?sort=`, ktgs.queries.sorted_by), each ending in the id.
# The document number and the unit's name sort by their folded text (ktgs.search).
PROGRAMME_SORTS = {
    "number": (F("search_text").asc(), F("pk").asc()),
    "unit": (F("organization__search_text").asc(), F("pk").asc()),
    "year": (F("year").asc(), F("end_year").asc(), F("pk").asc()),
    "issued": (F("issued_on").asc(), F("pk").asc()),
    "status": (ktgs_queries.rank_of("status", Programme.Status.values).asc(), F("pk").asc()),
}


def programme_targets(programme: Programme) -> list[Target]:
    """Every target ever set in the programme (original, added, replaced, removed)."""
    return list(
        programme.targets.select_related(
            "organization", "subject_organization", "added_by", "removed_by"
        ).order_by("organization__path", "kind", "pk")
    )


@dataclass
class TargetRow:
    target: Target
    done: int

    @property
    def shown_done(self) -> int:
        return self.done

    @property
    def completion(self) -> float:
        qty = self.target.quantity
        return min(self.done, qty) / qty if qty else 0.0


def progress_rows(
    targets: list[Target], on: datetime.date, done: dict[int, dict[str, int]] | None = None
) -> list[TargetRow]:
    """The targets in force at `on` with what is done by then (`done` from
    done_by_lineage, else one query)."""
    in_force = [t for t in targets if _in_force(t, on)]
    if done is None:
        done = done_by_lineage([t.lineage_key for t in in_force], on=on)
    return [TargetRow(target=t, done=done_of(t, done)) for t in in_force]


def _in_force(target: Target, on: datetime.date) -> bool:
    added_ok = target.added_by is None or target.added_by.effective_on <= on
    removed_ok = target.removed_by is None or target.removed_by.effective_on > on
    return added_ok and removed_ok


@dataclass
class Cell:
    """A target as one column (the original, or after an amendment) has it, with the work
    done on it as of the page's date, and what that column's amendment did to it."""

    target: Target | None
    done: int = 0
    change: str = ""  # "", "added", "replaced" or "removed" by this column's amendment

    @property
    def quantity(self) -> int | None:
        return self.target.quantity if self.target else None


@dataclass
class Line:
    """One line of the side-by-side view: a target and its replacements over amendments."""

    first: Target
    cells: list[Cell] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return len({c.target.pk if c.target else None for c in self.cells}) > 1


def side_by_side(
    targets: list[Target], amendments: list[Amendment], done: dict[int, dict[str, int]]
) -> list[Line]:
    """The original programme and the programme after each amendment, as columns; a
    replaced target stays on its line so a change reads left to right. Each cell shows the
    work done (`done` from done_by_lineage: as of the page's date) against that column's
    quantity. In memory from the targets already loaded for the page."""
    by_pk = {t.pk: t for t in targets}
    order = {a.pk: i + 1 for i, a in enumerate(amendments)}  # 0 = original

    def root(target: Target) -> Target:
        while target.replaces_id and target.replaces_id in by_pk:
            target = by_pk[target.replaces_id]
        return target

    lines: dict[int, Line] = {}
    for target in targets:
        line = lines.setdefault(root(target).pk, Line(first=root(target)))
        line.cells = line.cells or [Cell(None) for _ in range(len(amendments) + 1)]
        start = order.get(target.added_by_id or 0, 0)
        end = order.get(target.removed_by_id or 0, len(amendments) + 1)
        for column in range(start, end):
            line.cells[column] = Cell(target, done_of(target, done))
    for line in lines.values():
        for before, cell in zip(line.cells, line.cells[1:], strict=False):
            old, new = before.target, cell.target
            if new is None:
                cell.change = "removed" if old is not None else ""
            elif old is None:
                cell.change = "added"
            elif new.pk != old.pk:
                cell.change = "replaced"
    return sorted(
        lines.values(), key=lambda ln: (ln.first.organization.path, ln.first.kind, ln.first.pk)
    )


@dataclass
class HistoryEntry:
    at: datetime.datetime
    user: object
    what: str
    action: str
    changes: list[versioning.Change]
    reason: str = ""  # why, when the change was given one (reopening a closed programme)


_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def programme_history(
    programme: Programme,
    *,
    targets: list[Target],
    amendments: list[Amendment],
    limit: int = 200,
) -> list[HistoryEntry]:
    """Who changed what and when, for the programme and its targets, newest first: two
    queries (one per historical table), diffs computed in memory; foreign keys named from
    the targets and amendments the page already loaded."""
    units = {t.organization_id: str(t.organization) for t in targets}
    docs = {a.pk: a.doc_number for a in amendments}
    labels = {
        "added_by": docs,
        "removed_by": docs,
        "organization": units,
        "subject_organization": {
            t.subject_organization_id: str(t.subject_organization)
            for t in targets
            if t.subject_organization_id
        },
    }
    entries: list[HistoryEntry] = []
    sources = (
        (Programme, programme.history.select_related("history_user"), str(programme.doc_number)),
        (
            Target,
            Target.history.filter(programme_id=programme.pk).select_related(
                "history_user", "organization"
            ),
            None,
        ),
    )
    for model, records, label in sources:
        previous: dict[int, object] = {}
        for record in records.order_by("history_date", "history_id"):
            before = previous.get(record.id)
            changes = []
            if before is not None:
                changes = versioning.changes(record, before, labels=labels)
            previous[record.id] = record
            if record.history_type == "~" and not changes and model is Programme:
                continue  # a version bump after a target save; the target rows tell it
            if record.history_type == "+":
                changes = []
            what = label or (
                f"{record.get_kind_display()} · {record.organization} · {record.quantity}"
            )
            entries.append(
                HistoryEntry(
                    at=record.history_date,
                    user=record.history_user,
                    what=what,
                    action=_ACTIONS[record.history_type],
                    changes=changes,
                    reason=record.history_change_reason or "",
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def grid_quota_q() -> Q:
    """The targets the grid edits: a plain number of cases for a unit and kind (no named
    subject, no share of members, no other counting rule)."""
    return Q(
        counts=Target.Counts.CASES,
        member_share__isnull=True,
        subject_organization__isnull=True,
        subject_text="",
    )


def named_q() -> Q:
    """Named planned cases: a target with a subject (a unit or a text)."""
    return Q(subject_organization__isnull=False) | ~Q(subject_text="")


@dataclass
class GridCell:
    """What a programme sets for one unit × kind: the plain quota the grid edits, and the
    other targets (named cases, shares of members, other counting rules), shown beside it
    and edited one by one."""

    organization: Organization | None = None
    quota: int | None = None
    fixed: list[Target] = field(default_factory=list)

    @property
    def fixed_cases(self) -> int:
        """What the other targets add to the cell's number of cases: those counted in
        cases (a named case is one). Targets counted in organisations or members are shown
        in their own unit and never added to cases."""
        return sum(t.quantity for t in self.fixed if t.counts == Target.Counts.CASES)


def grid_targets(programme: Programme) -> dict[tuple[int, str], GridCell]:
    """Every target in force of the programme by (unit id, kind), as the grid shows it;
    one query."""
    cells: dict[tuple[int, str], GridCell] = {}
    targets = (
        programme.targets.filter(removed_by__isnull=True)
        .annotate(is_quota=ExpressionWrapper(grid_quota_q(), output_field=BooleanField()))
        .select_related("organization", "subject_organization")
        .order_by("organization__path", "kind", "due_on", "pk")
    )
    for target in targets:
        cell = cells.setdefault(
            (target.organization_id, target.kind), GridCell(organization=target.organization)
        )
        if target.is_quota and cell.quota is None:
            cell.quota = target.quantity
        else:
            cell.fixed.append(target)
    return cells


def grid_units(
    programme_owner: Organization, extra: list[Organization] | None = None
) -> list[Organization]:
    """Rows of the targets grid: the owner, its direct children, then deeper units asked
    for (or already holding targets), in tree order."""
    units = {programme_owner.pk: programme_owner}
    for child in Organization.objects.filter(parent=programme_owner).order_by("path"):
        units[child.pk] = child
    for unit in extra or []:
        units.setdefault(unit.pk, unit)
    return sorted(units.values(), key=lambda u: u.path)


def same_year_programmes(
    organization: Organization, body: str, year: int, end_year: int | None = None, *, exclude=None
) -> list[Programme]:
    """The other programmes of the same body of one unit whose years meet [year, end_year]:
    a second one is usually a mistake (a copy made twice, a draft forgotten), so the pages
    warn before creating it and show it beside the programme."""
    rows = Programme.objects.filter(
        organization=organization, body=body, year__lte=end_year or year, end_year__gte=year
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows.order_by("year", "issued_on", "pk"))


def units_by_level(owner: Organization) -> dict[str, int]:
    """How many units of each level sit below `owner` (itself excluded): what a quota for
    a level would reach. One grouped query."""
    rows = (
        Organization.objects.filter(path__startswith=owner.path)
        .exclude(pk=owner.pk)
        .values("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["level"]: row["n"] for row in rows}


def fold(text: str) -> str:
    """Lower case without diacritics ("Đảng ủy" → "dang uy"), for a filter typed as people
    type it."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def unit_matches(unit: Organization, typed: str) -> bool:
    """Whether a unit's name or code holds what was typed, diacritics and case aside."""
    needle = fold(typed).strip()
    return not needle or needle in fold(unit.name) or needle in fold(unit.code)


@dataclass
class Group:
    """The items of one unit level × activity kind, in the order they came, with their
    targets (for the counts a section's heading gives)."""

    level: str
    level_label: str
    kind: str
    kind_label: str
    items: list = field(default_factory=list)
    targets: list[Target] = field(default_factory=list, repr=False)
    page: Any = None
    open: bool = False

    @property
    def key(self) -> str:
        return f"{self.level}.{self.kind}"

    @property
    def units(self) -> int:
        return len({target.organization_id for target in self.targets})

    @property
    def quantity(self) -> int:
        return sum(target.quantity for target in self.targets)

    @property
    def done(self) -> int:
        """Σ min(done, quantity) over progress rows (TargetRow): a surplus never hides a
        shortfall (DESIGN §3)."""
        return sum(min(row.done, row.target.quantity) for row in self.items)

    @property
    def completion(self) -> Fraction:
        return Fraction(self.done, self.quantity) if self.quantity else Fraction(0)


def group_by_level_and_kind(items: Iterable, target_of: Callable[[Any], Target]) -> list[Group]:
    """`items` (progress rows, side-by-side lines, amendment lines) grouped by the level of
    their target's unit (top level first) and by activity kind (in ActivityKind's order),
    so a long programme reads as a few headed sections."""
    levels = {value: i for i, value in enumerate(Organization.Level.values)}
    kinds = {value: i for i, value in enumerate(ActivityKind.values)}
    groups: dict[tuple[str, str], Group] = {}
    for item in items:
        target = target_of(item)
        unit = target.organization
        key = (unit.level, target.kind)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(
                level=unit.level,
                level_label=unit.get_level_display(),
                kind=target.kind,
                kind_label=target.get_kind_display(),
            )
        group.items.append(item)
        group.targets.append(target)
    return sorted(groups.values(), key=lambda g: (levels.get(g.level, 99), kinds.get(g.kind, 99)))
