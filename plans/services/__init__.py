"""Writes to programmes, amendments and targets. Views, admin, commands and tests all call
these; each validates before writing, writes in one transaction, records who did it in
the history, and enqueues the progress refresh on commit.

One module per sub-domain; callers import from this package (`from plans import services`):

- programmes: create, update, issue, close, reopen (undo a close), copy a programme
- targets: the targets of a draft, one by one (add_target, remove_target) or as a grid
  (set_targets); Share and share_quantity
- quotas: apply_quota, the same targets for every unit of a level
- amendments: create_amendment, changes to an issued programme
- doc_numbers: a document number used once per issuer and year
- history: the programme locked for a write, and the refusal of a stale form (naming
  the target changes); the mechanism is ktgs.versioning
- progress_refresh: enqueue_progress_refresh, the side effect of every counted change
- requirements: the rules of which units must issue a programme, and by when
"""

from plans.services.amendments import create_amendment
from plans.services.programmes import (
    close_programme,
    copy_programme,
    create_programme,
    issue_programme,
    reopen_programme,
    update_programme,
)
from plans.services.progress_refresh import enqueue_progress_refresh, progress_refresh_deferred
from plans.services.quotas import apply_quota
from plans.services.requirements import (
    delete_programme_requirement,
    save_programme_requirement,
)
from plans.services.targets import (
    Share,
    add_target,
    remove_target,
    set_targets,
    share_quantity,
)

__all__ = [
    "Share",
    "add_target",
    "apply_quota",
    "close_programme",
    "copy_programme",
    "create_amendment",
    "create_programme",
    "delete_programme_requirement",
    "enqueue_progress_refresh",
    "issue_programme",
    "progress_refresh_deferred",
    "remove_target",
    "reopen_programme",
    "save_programme_requirement",
    "set_targets",
    "share_quantity",
    "update_programme",
]
