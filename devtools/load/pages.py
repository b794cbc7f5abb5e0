"""The page names the load test's users give their requests (devtools.load.locustfile),
for the table (devtools.load.runner) and the smoke test. Plain data: importing locust
patches the standard library for gevent, which a Django process must never do."""

LEVEL_NAMES = {
    "central": "nation",
    "provincial": "province",
    "upper_grassroots": "upper grassroots",
    "grassroots": "grassroots",
    "cell": "cell",
    "partial": "cell",
}

# Every page name the users give their requests, for the table and the smoke test.
LEADER_PAGES = (
    "dashboard · nation",
    "dashboard · province",
    "dashboard · upper grassroots",
    "dashboard · grassroots",
    "dashboard · cell",
    "unit targets",
    "case list",
    "period report",
    "API progress",
)
STAFF_PAGES = (
    "record case · form",
    "record case · POST",
    "API record case",
    "API case",
    "API case status",
    "conclude · form",
    "conclude · POST",
    "API conclude",
    "target grid · form",
    "target grid · POST",
    "case list · own unit",
)
LOGIN_PAGES = ("login · form", "login · POST")
