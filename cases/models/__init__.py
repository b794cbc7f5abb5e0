"""The models of cases, one module per sub-domain; import them from here
(`from cases.models import Case`):

- cases: Case, CaseSubject, DisciplineDecision (and the decision-number constraint's
  pieces the services share)
"""

from cases.models.cases import CHECKED_IN_SERVICES, Case, CaseSubject, DisciplineDecision

__all__ = ["CHECKED_IN_SERVICES", "Case", "CaseSubject", "DisciplineDecision"]
