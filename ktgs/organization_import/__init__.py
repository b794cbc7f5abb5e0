"""Import of the organisation tree from a CSV or XLSX file: validate everything, then write
everything in one transaction, or nothing.

The file has a header row and one unit a row: `code`, `parent_code`, `name`, `level`,
`member_count`, `committee_member_count` and optionally `short_name`, `valid_from`,
`valid_to` (Vietnamese headers such as "Mã đơn vị" or "Số đảng viên" are accepted too).
A row whose code exists updates that unit (and moves it when its parent changed); a new
code creates a unit. Units absent from the file are left alone.

A bad file yields a list of (row, column, reason) and changes nothing. Re-importing the
same file changes nothing. New units are written with bulk inserts whose treebeard paths
are computed here (parents before children), so a national file of ~50k rows takes
seconds, not the minutes one `add_child` per row would.

One module per step: `reading` (the file into records), `parsing` (records into rows and
cell errors), `planning` (rows against the tree), `writing` (the plan into the database)
`importer` (import_organizations, all of it in one transaction) and `uploads`
(run_organization_import, an uploaded file run by the worker). Callers import from this
package; moves go through ktgs.services like every other tree write.
"""

from ktgs.organization_import.importer import import_organizations
from ktgs.organization_import.uploads import run_organization_import

__all__ = ["import_organizations", "run_organization_import"]
