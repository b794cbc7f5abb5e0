"""One synthetic year of programmes, targets and cases on a synthetic national tree
(DESIGN §6: ~400,000 targets and ~1,000,000 cases at national scale), for benchmarks.

Deterministic from the seed (and the year): one `random.Random`, units visited in path
order. What is generated, for the current year (`timezone.localdate().year`):

- a programme (issued, 1 January – 31 December) for every provincial and upper-grassroots
  unit, and for every grassroots unit with cells;
- named planned cases (quantity 1, a subject unit, due dates spread over the year): ~25
  for a provincial unit, ~6 for an upper-grassroots unit;
- a quota for every grassroots unit, in its parent's programme (one pattern per
  programme, such as 2 compliance inspections + 1 thematic supervision);
- a member-share target for every cell (supervise 25–35% of its members, counted in
  members), in its grassroots committee's programme;
- cases: each grassroots unit is drawn ahead, on track or lagging (its cells mostly
  follow it) and its targets' cases are concluded accordingly by today, with subjects
  (a cell for a committee's inspection, one to three members for a member supervision);
  some cases still in progress or decided; arising cases (violations, denunciations…) at
  every level; discipline decisions on some violations;
- the commission's other records (`records`): letters received at every unit with a
  commission (some forwarded to a unit below), the handling of each denunciation case
  and of each disciplinary complaint case, and suspensions.

Every date is on or before today (the planned end of work in progress aside); a case in
a counting status has its conclusion date; decision numbers are unique per issuing body
of a unit and year (and the issuer text names the unit too: `UBKT-QG-0001234`). No history
rows are written.

Rows are written one provincial-level subtree at a time: COPY on PostgreSQL, bulk_create
on SQLite, with ids reserved up front so cases can name their targets and subjects their
cases before the rows are in the table (foreign keys are checked at commit).

One module per part: `vocabulary` (what is drawn from), `writer` (Table and the foreign
key check), `builder` (YearBuilder), `records` (RecordsBuilder, which the builder calls)
and `seed` (seed_synthetic_year). Callers import
from this package.
"""

from devtools.synthetic.year.seed import YearResult, seed_synthetic_year

__all__ = ["YearResult", "seed_synthetic_year"]
