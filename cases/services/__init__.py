"""Writes to cases: record, edit, move through states, conclude, subjects, discipline.

Views, the API, admin actions and tests all call these functions. Each one validates
(messages in Vietnamese on the field that is wrong), writes in one transaction, records
who did it in the history (`_history_user`, for callers outside a request) and, when a
count may change, enqueues the progress refresh of the affected units on commit.

Two editors: every write that takes `version` locks the case row (select_for_update) and
refuses a stale version with StaleObjectError, which lists what the other person changed.

One module per sub-domain; callers import from this package (`from cases import services`):

- recording: record_case, update_case (a case's own fields)
- status: allowed_statuses, change_status, conclude_case; what_follows a step and the
  warnings before it (status_warnings, conclusion_warnings); reopen_case (a cancelled
  case, by an administrator of its unit, with a reason)
- authority: discipline_warnings (a body that looks without authority over the subject)
- subjects: add_subject, update_subject, remove_subject, outside_subtree (a subject unit
  outside the conducting unit's subtree: confirmed on the case form, never refused)
- discipline: forms_for, add_discipline
- targets: the AUTO sentinel, open_targets (Match), propose_target, work_on_targets,
  other_body (a target of the unit's programme of another body: confirmed, never proposed)
- decision_numbers: one number per issuing body (a unit's body) and year
- history: case_history; the case locked for a write and the refusal of a stale form
  (ktgs.versioning's StaleObjectError, naming the subjects changed too)

The commission's other records, each in a case of its own kind where it counts toward
targets (handling: the case a denunciation or complaint is handled in):

- letters: record_letter, update_letter, keep_letter, handle_letter, link_letter_case,
  forward_letter
- denunciations: open_denunciation, extend_denunciation, conclude_denunciation
- complaints: lodge_complaint, decide_complaint
- suspensions: record_suspension, extend_suspension, lift_suspension
- deadline_rules: rule_for, the DeadlineRule in force for a kind and a unit
- locks: lock_records, unlock_records, check_unlocked (an approved report's records);
  the rule of what a report counts of each record (counted_case, …) and check_change,
  which every write above calls before it writes
"""

from cases.services.authority import discipline_warnings
from cases.services.complaints import decide_complaint, lodge_complaint
from cases.services.denunciations import (
    conclude_denunciation,
    extend_denunciation,
    open_denunciation,
)
from cases.services.discipline import add_discipline, forms_for
from cases.services.history import case_history
from cases.services.letters import (
    forward_letter,
    handle_letter,
    keep_letter,
    link_letter_case,
    record_letter,
    update_letter,
)
from cases.services.locks import check_unlocked, lock_records, unlock_records
from cases.services.recording import CASE_FIELDS, record_case, update_case
from cases.services.status import (
    allowed_statuses,
    can_reopen,
    change_status,
    conclude_case,
    conclusion_warnings,
    reopen_case,
    status_warnings,
    what_follows,
    what_reopening_does,
)
from cases.services.subjects import (
    add_subject,
    outside_subtree,
    remove_subject,
    update_subject,
)
from cases.services.suspensions import extend_suspension, lift_suspension, record_suspension
from cases.services.targets import (
    AUTO,
    Match,
    open_targets,
    other_body,
    propose_target,
    proposed_of,
    work_on_targets,
)

__all__ = [
    "AUTO",
    "CASE_FIELDS",
    "Match",
    "add_discipline",
    "add_subject",
    "allowed_statuses",
    "can_reopen",
    "case_history",
    "change_status",
    "check_unlocked",
    "conclude_case",
    "conclude_denunciation",
    "conclusion_warnings",
    "decide_complaint",
    "discipline_warnings",
    "extend_denunciation",
    "extend_suspension",
    "forms_for",
    "forward_letter",
    "handle_letter",
    "keep_letter",
    "lift_suspension",
    "link_letter_case",
    "lock_records",
    "lodge_complaint",
    "open_denunciation",
    "open_targets",
    "other_body",
    "outside_subtree",
    "propose_target",
    "proposed_of",
    "record_case",
    "record_letter",
    "record_suspension",
    "remove_subject",
    "reopen_case",
    "status_warnings",
    "unlock_records",
    "update_case",
    "update_letter",
    "update_subject",
    "what_follows",
    "what_reopening_does",
    "work_on_targets",
]
