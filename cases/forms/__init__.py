"""The forms of the cases pages, one module per sub-domain: `cases` (a case, its
subjects, status, conclusion, discipline, and the helpers every form here shares:
date_field, UnitPicker, apply_errors) and `records` (letters, denunciations, disciplinary
complaints, suspensions). They only parse input; the rules live in cases.services."""
