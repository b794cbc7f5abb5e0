"""The bulk writer of the synthetic year: one Table per model (COPY on PostgreSQL,
bulk_create on SQLite) with ids reserved up front, and the foreign keys checked once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

from cases.models import (
    Case,
    CaseSubject,
    Denunciation,
    DisciplineComplaint,
    DisciplineDecision,
    Letter,
    Suspension,
)
from devtools import bulk
from ktgs import search
from plans.models import Programme, Target


class Table:
    """Rows of one model as tuples in `columns` order (attnames); the model's other
    columns get their defaults. Ids are taken from a range reserved at the start."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]):
        self.model = model
        self.columns = columns
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no {sorted(unknown)}")
        missing = [f for name, f in fields.items() if name not in columns]
        for f in missing:
            if not (f.has_default() or f.null):
                raise ValueError(f"{model.__name__}.{f.name} needs a value")
        # The search column (ktgs.search) is folded from the row's own values.
        self.searched = issubclass(model, search.Searchable) and "search_text" not in columns
        missing = [f for f in missing if not (self.searched and f.attname == "search_text")]
        self.extra_names = tuple(f.attname for f in missing)
        self.extra_values = tuple(f.get_default() for f in missing)
        if self.searched:
            self.extra_names += ("search_text",)
        self.rows: list[tuple] = []
        self.written = 0
        self.next_id = 0

    def reserve(self) -> None:
        self.next_id = bulk.reserve_ids(self.model)

    def new_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def _complete(self, row: tuple) -> tuple:
        """The row with the model's other columns: defaults, and the search column
        folded from the row's own values (ktgs.search)."""
        if not self.searched:
            return row + self.extra_values
        values = dict(zip(self.columns, row, strict=True))
        model: Any = self.model
        return (*row, *self.extra_values, search.search_text_of(model, values))

    def flush(self) -> None:
        if not self.rows:
            return
        names = (*self.columns, *self.extra_names)
        rows = [self._complete(row) for row in self.rows]
        if connection.vendor == "postgresql":
            by_attname = {f.attname: f.column for f in self.model._meta.concrete_fields}
            columns = ", ".join(by_attname[n] for n in names)
            sql = f"COPY {self.model._meta.db_table} ({columns}) FROM STDIN"
            with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            model: Any = self.model
            model.objects.bulk_create(
                [model(**dict(zip(names, row, strict=True))) for row in rows],
                batch_size=2000,
            )
        self.written += len(self.rows)
        self.rows = []

    def finish(self) -> None:
        if connection.vendor != "postgresql":
            return
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {table}), 1))",
                [table],
            )
            cursor.execute(f"ANALYZE {table}")


def tables() -> dict[str, Table]:
    return {
        "programmes": Table(Programme, (
            "id", "organization_id", "body", "scope", "year", "end_year", "title",
            "doc_number", "doc_serial", "doc_type", "doc_issuer", "doc_year", "issued_on",
            "starts_on", "ends_on", "status", "created_at",
        )),
        "targets": Table(Target, (
            "id", "programme_id", "organization_id", "kind", "counts", "quantity",
            "member_share", "subject_organization_id", "subject_text", "due_on",
        )),
        "cases": Table(Case, (
            "id", "organization_id", "body", "kind", "year", "target_id", "title",
            "decision_number", "decision_serial", "decision_issuer", "decided_on",
            "work_starts_on", "work_ends_on", "status", "concluded_on", "conclusion_number",
            "violation_found", "shortcomings_found", "summary", "created_at",
            "subject_organizations", "subject_members", "subject_committee_members",
        )),
        "subjects": Table(CaseSubject, (
            "id", "case_id", "kind", "organization_id", "member_name", "member_position",
            "is_committee_member", "is_head",
        )),
        "disciplines": Table(DisciplineDecision, (
            "id", "case_id", "subject_id", "form", "decision_number", "decision_serial",
            "decision_issuer", "decided_on", "deciding_organization_id", "deciding_body",
            "is_committee_member", "created_at",
        )),
        # The commission's other records (devtools.synthetic.year.records).
        "letters": Table(Letter, (
            "id", "organization_id", "body", "received_on", "reference", "sender_kind",
            "sender_name", "kind", "about_kind", "about_organization_id", "about_member_name",
            "about_member_position", "about_is_committee_member", "summary", "handling",
            "handled_on", "forwarded_to_id", "case_id", "forwarded_from_id", "root_id",
            "created_at",
        )),
        "denunciations": Table(Denunciation, (
            "id", "case_id", "letter_id", "received_on", "due_on", "extension_days",
            "extended_to", "extension_reason", "conclusion", "concluded_on", "created_at",
        )),
        "complaints": Table(DisciplineComplaint, (
            "id", "case_id", "discipline_id", "letter_id", "complainant",
            "decision_received_on", "lodged_on", "late_reason", "result", "new_form",
            "decided_on", "created_at",
        )),
        "suspensions": Table(Suspension, (
            "id", "kind", "organization_id", "body", "member_name", "member_position",
            "is_committee_member", "subject_organization_id", "decision_number", "decided_on",
            "reason", "reason_detail", "starts_on", "ends_on", "cap_days", "extension_reason",
            "lifted_on", "outcome", "outcome_note", "created_at",
        )),
    }  # fmt: skip


@contextmanager
def foreign_keys_checked_once(written: list[type[models.Model]]) -> Iterator[None]:
    """Inside a transaction: check the foreign keys of the tables written in the block
    once, table by table, at its end, instead of row by row at commit (PostgreSQL).

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: at national scale the commit
    would fire ~6 million row triggers (~30 s). The constraints are dropped before the
    writes and added again after them, which validates each with one join. Definitions
    are read back from the catalogue, so they come back exactly as they were; any failure
    rolls the whole transaction back with them. PostgreSQL refuses to alter a table with
    pending trigger events, so the checks pending from earlier in the transaction (none
    when the command runs: the tree is committed before) are run first.
    """
    if connection.vendor != "postgresql":
        yield
        return
    names = [model._meta.db_table for model in written]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            [names],
        )
        constraints = cursor.fetchall()
        for table, constraint, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    with connection.cursor() as cursor:
        for table, constraint, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}')
