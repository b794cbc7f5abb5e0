"""The staff pages of cases, one module per sub-domain: `cases` (cases, their subjects,
status, conclusion and discipline), `letters`, `denunciations`, `complaints`,
`suspensions`; `records` holds what the last four share (lists, history, stale forms)."""
