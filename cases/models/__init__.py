"""The models of cases, one module per sub-domain; import them from here
(`from cases.models import Case`):

- cases: Case, CaseSubject, DisciplineDecision (and the decision-number constraint's
  pieces the services share)
- letters: Letter, Denunciation, DisciplineComplaint
- suspensions: Suspension
- deadlines: DeadlineRule
- locks: RecordLock (the records an approved report counted)
"""

from cases.models.cases import CHECKED_IN_SERVICES, Case, CaseSubject, DisciplineDecision
from cases.models.deadlines import DeadlineRule
from cases.models.letters import Denunciation, DisciplineComplaint, Letter
from cases.models.locks import RecordLock
from cases.models.suspensions import Suspension

__all__ = [
    "CHECKED_IN_SERVICES",
    "Case",
    "CaseSubject",
    "DeadlineRule",
    "Denunciation",
    "DisciplineComplaint",
    "DisciplineDecision",
    "Letter",
    "RecordLock",
    "Suspension",
]
