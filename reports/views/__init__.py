"""The pages of reports, one module per sub-domain (reports/urls.py names them):

- dashboards: the leader's dashboard, completion for any subtree from the roll-up table
  (live) or a period's snapshot, or computed on demand
- period_reports: the period report in the official shape, its PDF and XLSX
- submissions: the report's round trip (submit, return, approve, reopen), the children's
  status, the report built from the approved children, comments
- filters: the year, activity kind and period a page is asked for
"""
