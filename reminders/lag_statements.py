"""The lag rule on PostgreSQL, set-based: the units behind, their episodes and the outbox
rows in a few statements, with nothing carried through Python row by row.

reminders.scan keeps the same rule in Python (scan_lag_in_python: lagging_units,
_track_episodes and its loop): that is what runs on SQLite, and the reference this must
match row for row (tests/reminders/test_lag_statements.py runs both on the same data).
At 10% scale the Python path spent more than half of F9 reading ~12k roll-up rows and
their JSON reasons, building the contexts and dumping them again for COPY; here
PostgreSQL builds the same contexts, keys and Message-IDs where the rows are, and only
the inserts themselves are left of that cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from ktgs.models import Organization, Role, User
from reminders.emails import dashboard_url_parts
from reminders.models import LagEpisode, OutboxMessage, ReminderRule
from reminders.writer import mail_domain
from reports.models import ALL_BODIES, ALL_KINDS, ProgressRow


@dataclass
class LagCounts:
    episodes_opened: int = 0
    episodes_closed: int = 0
    cancelled: int = 0
    inserted: int = 0
    candidates: dict[str, int] = field(default_factory=dict)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "progress": quote(ProgressRow._meta.db_table),
        "org": quote(Organization._meta.db_table),
        "role": quote(Role._meta.db_table),
        "user": quote(User._meta.db_table),
        "episode": quote(LagEpisode._meta.db_table),
        "outbox": quote(OutboxMessage._meta.db_table),
    }


# The units behind under the rule (scan.lagging_units): flagged lagging in the roll-up
# table and behind, as their stored reasons count it, by more than the rule's tolerance;
# `behind` sums int(reason["behind"]) as Python does (trunc, a missing one is 0). With
# the facts of their mails (scan._lag_context), read here once per unit.
LAGGING = """
CREATE TEMP TABLE lag_units AS
SELECT pr.organization_id AS unit_id, o.path, o.name, COALESCE(up.name, '') AS parent,
       pr.own_quantity AS quantity, pr.own_capped_done AS capped_done,
       pr.own_expected AS expected, b.behind,
       -- the reasons' days said as of today, not as of the row's computation (the nightly
       -- rebuild has usually computed it today: nothing to shift then)
       CASE WHEN pr.computed_on = %(today)s::date THEN pr.own_lag_reasons ELSE (
           SELECT COALESCE(jsonb_agg(
               r || jsonb_build_object(
                   'days_to_due',
                   (r ->> 'days_to_due')::int - (%(today)s::date - pr.computed_on))
               ORDER BY i), '[]'::jsonb)
           FROM jsonb_array_elements(pr.own_lag_reasons) WITH ORDINALITY AS x (r, i))
       END AS reasons
FROM {progress} pr
JOIN {org} o ON o.id = pr.organization_id
LEFT JOIN {org} up ON up.id = o.parent_id
CROSS JOIN LATERAL (
    SELECT COALESCE(SUM(trunc((r ->> 'behind')::numeric)), 0)::int AS behind
    FROM jsonb_array_elements(pr.own_lag_reasons) AS r
) b
WHERE pr.year = %(year)s AND pr.kind = %(all_kinds)s AND pr.body = %(all_bodies)s
  AND pr.own_units_lagging = 1
  AND (%(all_levels)s OR o.level = ANY(%(levels)s::text[]))
  AND b.behind > %(tolerance_cases)s + %(tolerance_points)s * pr.own_quantity / 100
"""

# Who may receive mail (reminders.recipients.Directory): staff and leaders with an
# address, by the path of their role's unit. A table of its own, analysed, so that the
# joins below are planned on its real size whatever the statistics of the role and user
# tables say (the benchmark's cast writes them in the same transaction).
PEOPLE = """
CREATE TEMP TABLE lag_people AS
SELECT o.path, r.kind, u.id AS user_id, u.email, u.language
FROM {role} r
JOIN {user} u ON u.id = r.user_id
JOIN {org} o ON o.id = r.organization_id
WHERE r.kind IN (%(staff)s, %(leader)s) AND u.is_active AND u.email <> ''
"""

# Units that caught up: their open episode is closed, and what they still had pending is
# cancelled (scan._track_episodes).
CLOSE = """
WITH closed AS (
    UPDATE {episode} e SET ended_on = %(today)s::date
    WHERE e.rule_id = %(rule)s AND e.ended_on IS NULL
      AND NOT EXISTS (SELECT 1 FROM lag_units l WHERE l.unit_id = e.organization_id)
    RETURNING e.organization_id
), cancelled AS (
    UPDATE {outbox} m SET status = %(cancelled)s
    WHERE m.rule_id = %(rule)s AND m.status = %(pending)s
      AND m.organization_id IN (SELECT organization_id FROM closed)
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM closed), (SELECT COUNT(*) FROM cancelled)
"""

# Units newly behind open an episode. A concurrent scan may have opened the same one: the
# partial unique index skips it (theirs started today as well); counted as opened either
# way, as the Python path does.
OPEN = """
WITH new AS (
    SELECT l.unit_id FROM lag_units l
    WHERE NOT EXISTS (
        SELECT 1 FROM {episode} e
        WHERE e.rule_id = %(rule)s AND e.organization_id = l.unit_id AND e.ended_on IS NULL
    )
), inserted AS (
    INSERT INTO {episode} (rule_id, organization_id, started_on)
    SELECT %(rule)s, unit_id, %(today)s::date FROM new
    ON CONFLICT DO NOTHING
)
SELECT COUNT(*) FROM new
"""

# The reminders (scan.scan_lag): from the day the episode started, after first_after_days,
# one to the unit's staff per repeat ("r<n>"), and every escalate_after_days one level
# further up to the leaders above ("e<level>", at most escalation_levels). Recipients as
# Directory finds them: the staff of the unit or of the nearest unit above that has any
# (rank 1 by path length); the leaders of the units above that have any, nearest first
# (dense rank = level).
OUTBOX = """
WITH due AS MATERIALIZED (
    SELECT l.unit_id, l.path, s.started_on,
           (%(today)s::date - s.started_on) - %(first_after)s AS days
    FROM lag_units l
    LEFT JOIN {episode} e
      ON e.rule_id = %(rule)s AND e.organization_id = l.unit_id AND e.ended_on IS NULL
    CROSS JOIN LATERAL (SELECT COALESCE(e.started_on, %(today)s::date) AS started_on) s
    WHERE (%(today)s::date - s.started_on) - %(first_after)s >= 0
), ancestors AS MATERIALIZED (
    -- the unit's own path and those above it
    SELECT d.unit_id, n, left(d.path, n) AS prefix, n = length(d.path) AS itself
    FROM due d, generate_series(length(d.path), 1, -%(step)s) AS n
), staff AS (
    SELECT a.unit_id, p.user_id, p.email, p.language,
           RANK() OVER (PARTITION BY a.unit_id ORDER BY a.n DESC) AS nearness
    FROM ancestors a
    JOIN lag_people p ON p.path = a.prefix AND p.kind = %(staff)s
), leaders AS (
    SELECT a.unit_id, p.user_id, p.email, p.language,
           DENSE_RANK() OVER (PARTITION BY a.unit_id ORDER BY a.n DESC) AS level
    FROM ancestors a
    JOIN lag_people p ON p.path = a.prefix AND p.kind = %(leader)s
    -- only for the units behind long enough to be escalated at all
    JOIN due d ON d.unit_id = a.unit_id AND %(escalate_after)s > 0
     AND d.days >= %(escalate_after)s
    WHERE NOT a.itself
), chosen AS MATERIALIZED (
    SELECT d.unit_id, d.started_on,
           'r' || CASE WHEN %(repeat_every)s > 0
                       THEN d.days / GREATEST(%(repeat_every)s, 1) ELSE 0 END AS step,
           %(lag)s AS kind, 0 AS escalation, s.user_id, s.email, s.language
    FROM due d
    JOIN staff s ON s.unit_id = d.unit_id AND s.nearness = 1
    UNION ALL
    SELECT d.unit_id, d.started_on, 'e' || la.level, %(escalation)s, la.level,
           la.user_id, la.email, la.language
    FROM due d
    JOIN leaders la ON la.unit_id = d.unit_id
    WHERE %(escalate_after)s > 0
      AND la.level <= LEAST(d.days / GREATEST(%(escalate_after)s, 1), %(levels_up)s)
), inserted AS (
    INSERT INTO {outbox} (rule_id, organization_id, period, step, recipient_id, kind, email,
                          language, context, message_id, status, attempts, last_error,
                          mail_key, created_at)
    SELECT %(rule)s, c.unit_id, k.period, c.step, c.user_id, c.kind, c.email, c.language,
           jsonb_build_object(
               'unit', l.name, 'unit_id', c.unit_id, 'parent', l.parent,
               'url', %(url_before)s || c.unit_id || %(url_after)s,
               'quantity', l.quantity, 'capped_done', l.capped_done,
               'expected', l.expected::text, 'behind', l.behind, 'reasons', l.reasons,
               'as_of', %(as_of)s, 'escalation', c.escalation
           ),
           '<ktgs.' || left(encode(sha256(convert_to(
               concat_ws('|', %(rule)s, c.unit_id, k.period, c.step, c.user_id), 'UTF8')),
               'hex'), 32) || '@' || %(domain)s || '>',
           %(pending)s, 0, '', '', %(now)s
    FROM chosen c
    JOIN lag_units l ON l.unit_id = c.unit_id
    CROSS JOIN LATERAL (SELECT 'lag:' || to_char(c.started_on, 'YYYY-MM-DD') AS period) k
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT kind, COUNT(*), (SELECT COUNT(*) FROM inserted) FROM chosen GROUP BY kind
"""


def scan_lag(rule: ReminderRule, today: date, *, quiet: bool) -> LagCounts:
    """The lag rule as of `today` (PostgreSQL only); with `quiet`, the episodes only."""
    counts = LagCounts()
    url_before, url_after = dashboard_url_parts()
    params: dict[str, Any] = {
        "rule": rule.pk,
        "today": today,
        "year": today.year,
        "all_kinds": ALL_KINDS,
        "all_bodies": ALL_BODIES,
        "all_levels": not rule.levels,
        "levels": list(rule.levels or []),
        "tolerance_cases": rule.tolerance_cases,
        "tolerance_points": rule.tolerance_points,
        "first_after": rule.first_after_days,
        "repeat_every": rule.repeat_every_days,
        "escalate_after": rule.escalate_after_days,
        "levels_up": rule.escalation_levels,
        "step": Organization.steplen,
        "staff": Role.Kind.STAFF.value,
        "leader": Role.Kind.LEADER.value,
        "lag": OutboxMessage.Kind.LAG.value,
        "escalation": OutboxMessage.Kind.LAG_ESCALATION.value,
        "pending": OutboxMessage.Status.PENDING.value,
        "cancelled": OutboxMessage.Status.CANCELLED.value,
        "url_before": url_before,
        "url_after": url_after,
        "as_of": today.isoformat(),
        "domain": mail_domain(),
        "now": timezone.now(),
    }
    tables = _tables()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.lag_units, pg_temp.lag_people")
        cursor.execute(LAGGING.format(**tables), params)
        # Without statistics the planner takes a temporary table for a tiny one.
        cursor.execute("ANALYZE pg_temp.lag_units (unit_id)")
        cursor.execute(CLOSE.format(**tables), params)
        counts.episodes_closed, counts.cancelled = cursor.fetchone()
        cursor.execute(OPEN.format(**tables), params)
        (counts.episodes_opened,) = cursor.fetchone()
        if not quiet:
            cursor.execute(PEOPLE.format(**tables), params)
            cursor.execute("ANALYZE pg_temp.lag_people")
            cursor.execute(OUTBOX.format(**tables), params)
            for kind, candidates, inserted in cursor.fetchall():
                counts.candidates[OutboxMessage.Kind(kind)] = candidates
                counts.inserted = inserted
        cursor.execute("DROP TABLE IF EXISTS pg_temp.lag_units, pg_temp.lag_people")
    return counts
