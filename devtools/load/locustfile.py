"""The Locust users of `make loadtest`: leaders who read, staff who write.

Runs in Locust's own process (gevent), never imports Django: what the users act on comes
from the plan (devtools.load.plan, as JSON) given to `configure()`. Each user signs in once,
as its own account, in `on_start` (the request named "login"; the runner measures logins
apart from the steady state), then works through the pages as a browser does (the
CSRF token from each form) and through the API (the session and the X-CSRFToken header).

Every request has a page name (PAGES) and is a failure unless it answers what a person
would see succeed: 200 for a page, 302 after a form that saved, 201 for an API create.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import deque
from html.parser import HTMLParser
from typing import Any, ClassVar

from gevent.event import Event
from locust import FastHttpUser, between, task

from devtools.load.pages import LEVEL_NAMES

# The plan and the accounts still free for users about to start (devtools.load.drive
# fills them before each run).
PLAN: dict[str, Any] = {}
ACCOUNTS: dict[str, deque] = {"leader": deque(), "staff": deque()}
# Users that have signed in since the last configure(): the runner resets the statistics
# once every user of a run has.
SIGNED_IN = {"count": 0, "failed": 0}
# Set when the users of a run may start working: under load the runner holds every user
# after its sign-in until all have signed in, so that the logins (the password hasher)
# are measured on their own and the steady state starts with everyone in.
START = Event()
START.set()
# Each staff account's next decision number, kept over the runs of one process: a number
# is used once a year by a unit's commission (the plan gives the first free one).
SERIALS: dict[str, itertools.count] = {}

KIND = "supervision_thematic"  # what the staff record (a kind every unit may have)


def configure(
    plan: dict,
    leaders: list[dict] | None = None,
    staff: list[dict] | None = None,
    hold: bool = False,
) -> None:
    """Give the next users of each class these accounts (default: the plan's, in order);
    with `hold`, users wait after signing in until START is set."""
    PLAN.clear()
    PLAN.update(plan)
    ACCOUNTS["leader"] = deque(plan["leaders"] if leaders is None else leaders)
    ACCOUNTS["staff"] = deque(plan["staff"] if staff is None else staff)
    SIGNED_IN.update(count=0, failed=0)
    if hold:
        START.clear()
    else:
        START.set()


def dashboard_name(level: str) -> str:
    return f"dashboard · {LEVEL_NAMES.get(level, level)}"


class FormParser(HTMLParser):
    """The forms of a page: each form's fields as a browser would post them (inputs,
    checked boxes, selected options, text areas; no submit buttons)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
            return
        if tag == "option":
            if self._select and self.forms and "selected" in a:
                self.forms[-1]["fields"][self._select] = a.get("value", "")
            return
        if not self.forms or not a.get("name"):
            return
        fields = self.forms[-1]["fields"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields[a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select":
            self._select = a["name"]
            fields.setdefault(a["name"], "")
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field: str) -> dict[str, str]:
    """The fields of the first form of the page that has `field`."""
    for form in forms_of(html):
        if field in form["fields"]:
            return form["fields"]
    raise LookupError(f"no form with a field {field!r}")


CASE_URL = re.compile(r"/cases/(\d+)/$")


class SignedInUser(FastHttpUser):
    abstract = True
    wait_time = between(1, 2)
    role: ClassVar[str] = ""
    account: dict

    def on_start(self) -> None:
        self.account = ACCOUNTS[self.role].popleft()
        try:
            self.login()
        except Exception:
            SIGNED_IN["failed"] += 1
            raise
        SIGNED_IN["count"] += 1
        if not START.is_set():
            START.wait()
            # Not all at once: as if each had just finished reading a page.
            self.wait()

    def login(self) -> None:
        page = self.client.get("/login/", name="login · form")
        token = form_with(page.text or "", "csrfmiddlewaretoken")["csrfmiddlewaretoken"]
        data = {
            "username": self.account["username"],
            "password": PLAN["password"],
            "csrfmiddlewaretoken": token,
        }
        with self.client.post(
            "/login/", data=data, name="login · POST", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")
                raise RuntimeError(f"{self.account['username']} could not sign in")

    def csrf_cookie(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value or ""
        return ""

    def get_page(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name} answered {response.status_code}")
            return response

    def post_form(self, url: str, data: dict, name: str):
        """A form post that saves answers 302; 200 means the form came back with errors."""
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"{name} answered {response.status_code}: {_errors(response)}")
                return None
            return response

    def api(self, method: str, url: str, name: str, body: dict | None = None, expect=200):
        headers = {"X-CSRFToken": self.csrf_cookie()} if method != "GET" else None
        with self.client.request(
            method, url, name=name, json=body, headers=headers, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{name} answered {response.status_code}: {response.text[:300]}")
                return None
            return response.json()


def _errors(response) -> str:
    """The messages of a form that came back: its error lists, else the page's title."""
    text = response.text or ""
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S)
    messages = [re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found]
    if not messages:
        messages = re.findall(r"<title>(.*?)</title>", text, re.S)
    return " | ".join(messages)[:300]


class Leader(SignedInUser):
    """Reads: the dashboard of the unit the role is on and of its children, a unit's
    targets, the case list, the period report, the progress API."""

    role = "leader"
    weight = 4

    def unit_and_level(self, drill: bool) -> tuple[int, str]:
        children = self.account["children"]
        if drill and children:
            child = random.choice(children)
            return child["id"], child["level"]
        return self.account["unit"], self.account["level"]

    @task(5)
    def dashboard(self) -> None:
        self.get_page(f"/progress/{self.account['unit']}/", dashboard_name(self.account["level"]))

    @task(3)
    def child_dashboard(self) -> None:
        unit, level = self.unit_and_level(drill=True)
        self.get_page(f"/progress/{unit}/", dashboard_name(level))

    @task(2)
    def unit_targets(self) -> None:
        unit, _level = self.unit_and_level(drill=random.random() < 0.5)
        self.get_page(f"/progress/{unit}/targets/", "unit targets")

    @task(2)
    def case_list(self) -> None:
        unit, _level = self.unit_and_level(drill=random.random() < 0.5)
        status = random.choice(["", "&status=concluded", "&status=in_progress"])
        self.get_page(f"/cases/?organization={unit}{status}", "case list")

    @task(1)
    def period_report(self) -> None:
        self.get_page(f"/progress/{self.account['unit']}/report/", "period report")

    @task(1)
    def api_progress(self) -> None:
        self.api("GET", f"/api/v1/progress/{self.account['unit']}/", "API progress")


class Staff(SignedInUser):
    """Writes: records cases (the page and the API), moves them on and concludes them
    (the API and the page), saves the target grid of a draft programme, reads its case
    list. A case it records is one it later concludes, so runs never run out of cases."""

    role = "staff"
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        username = self.account["username"]
        self.serials = SERIALS.setdefault(username, itertools.count(self.account["serial"]))
        self.decided: list[tuple[int, int | None]] = []  # (case id, version if known)
        self.in_progress: list[int] = []
        self.conclusions = 0

    def case_fields(self, title: str) -> dict:
        return {
            "organization": self.account["unit"],
            "body": PLAN["body"],
            "kind": KIND,
            "title": title,
            "year": PLAN["year"],
            "decision_number": f"{next(self.serials)}-QĐ/{self.account['issuer']}",
            "decided_on": PLAN["today"],
        }

    @task(2)
    def record_case_page(self) -> None:
        url = f"/cases/new/?organization={self.account['unit']}"
        page = self.get_page(url, "record case · form")
        if page.status_code != 200:
            return
        token = form_with(page.text, "title")["csrfmiddlewaretoken"]
        data = {
            **self.case_fields("Kiểm tra chuyên đề (thử tải, trang)"),
            "csrfmiddlewaretoken": token,
            "target": "auto",
            "work_starts_on": "",
            "work_ends_on": "",
            "subjects-TOTAL_FORMS": "0",
            "subjects-INITIAL_FORMS": "0",
        }
        saved = self.post_form(url, data, "record case · POST")
        if saved is not None:
            found = CASE_URL.search(saved.headers.get("Location", ""))
            if found:
                # Recorded with its decision number and date: it starts as decided.
                self.decided.append((int(found.group(1)), None))

    @task(1)
    def record_case_api(self) -> None:
        body = self.case_fields("Kiểm tra chuyên đề (thử tải, API)")
        case = self.api("POST", "/api/v1/cases/", "API record case", body, expect=201)
        if case is None:
            return
        case = self.api(
            "POST",
            f"/api/v1/cases/{case['id']}/status/",
            "API case status",
            {"status": "decided", "version": case["version"]},
        )
        if case is not None:
            self.decided.append((case["id"], case["version"]))

    @task(4)
    def advance_case(self) -> None:
        """The next step of one of its cases: conclude one in progress (by the page or
        the API, in turn), else start a decided one, else record one."""
        if self.in_progress:
            self.conclusions += 1
            if self.conclusions % 2:
                self.conclude_page(self.in_progress.pop(0))
            else:
                self.conclude_api(self.in_progress.pop(0))
        elif self.decided:
            self.start_case(*self.decided.pop(0))
        else:
            self.record_case_page()

    def start_case(self, case_id: int, version: int | None) -> None:
        if version is None:
            case = self.api("GET", f"/api/v1/cases/{case_id}/", "API case")
            if case is None:
                return
            version = case["version"]
        moved = self.api(
            "POST",
            f"/api/v1/cases/{case_id}/status/",
            "API case status",
            {"status": "in_progress", "version": version},
        )
        if moved is not None:
            self.in_progress.append(case_id)

    def conclude_page(self, case_id: int) -> None:
        url = f"/cases/{case_id}/conclude/"
        page = self.get_page(url, "conclude · form")
        if page.status_code != 200:
            return
        fields = form_with(page.text, "concluded_on")
        data = {
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
            "version": fields["version"],
            "concluded_on": PLAN["today"],
            "conclusion_number": "",
            "violation_found": "false",
            "shortcomings_found": "true",
            "summary": "Kết luận (thử tải).",
            "confirmed": "on",
        }
        self.post_form(url, data, "conclude · POST")

    def conclude_api(self, case_id: int) -> None:
        case = self.api("GET", f"/api/v1/cases/{case_id}/", "API case")
        if case is None:
            return
        body = {
            "version": case["version"],
            "concluded_on": PLAN["today"],
            "violation_found": False,
            "shortcomings_found": False,
            "summary": "Kết luận (thử tải, API).",
        }
        self.api("POST", f"/api/v1/cases/{case_id}/conclude/", "API conclude", body)

    @task(1)
    def save_target_grid(self) -> None:
        url = f"/programmes/{self.account['programme']}/targets/"
        page = self.get_page(url, "target grid · form")
        if page.status_code != 200:
            return
        fields = form_with(page.text, "version")
        cells = [name for name in fields if name.startswith("q-")]
        for name in random.sample(cells, min(3, len(cells))):
            fields[name] = str(random.randint(1, 4))
        self.post_form(url, fields, "target grid · POST")

    @task(1)
    def own_case_list(self) -> None:
        self.get_page(f"/cases/?organization={self.account['unit']}", "case list · own unit")


# One user alone (devtools.load.drive: the warm-up, the "alone" phase, --smoke) calls its
# class's tasks in this order, over and over, so that every page above is hit in each
# cycle: a staff user records, starts and concludes both ways.
TASK_CYCLE: dict[type[SignedInUser], tuple[str, ...]] = {
    Leader: (
        "dashboard",
        "child_dashboard",
        "unit_targets",
        "case_list",
        "period_report",
        "api_progress",
    ),
    Staff: (
        "record_case_page",
        "record_case_api",
        "advance_case",  # starts the page's case (its version read by the API)
        "advance_case",  # starts the API's case
        "advance_case",  # concludes one by the page
        "advance_case",  # and the other by the API
        "save_target_grid",
        "own_case_list",
    ),
}
