"""Simulated portal users for bench/load_mixed.py, run by locust in headless mode.

Each user is already signed in: bench/load_mixed.py made a session for every account (staff
accounts enrolled in TOTP, as production requires) and wrote the cookies, with the ids the
journeys need, to the JSON file named by BENCH_LOAD_DATA. Every request is recorded as
`page` (a page view or a form post) or `upload` (an evidence photo) with its time and whether
it failed, and the samples are written to BENCH_LOAD_SAMPLES when locust quits; the bench
computes its figures from them.

A request fails if it errors, answers 4xx/5xx, or answers a form post with anything but the
redirect that follows a successful save (a form shown again with an error is a failure too).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

from locust import HttpUser, between, events, task

DATA = json.loads(Path(os.environ["BENCH_LOAD_DATA"]).read_text())
PHOTO = Path(DATA["photo"]).read_bytes()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAMPLES: list[tuple[str, str, float, bool]] = []
# Each account: {"cookie": its session, "report": the public id of a report it has sent, or ""}.
_accounts = {role: itertools.cycle(accounts) for role, accounts in DATA["accounts"].items()}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    kind = "upload" if name.startswith("upload ") else "page"
    SAMPLES.append((kind, name, response_time, exception is not None))


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    Path(os.environ["BENCH_LOAD_SAMPLES"]).write_text(json.dumps(SAMPLES))


class PortalUser(HttpUser):
    """A signed-in person who reads each page (BENCH_LOAD_THINK seconds) before going on."""

    abstract = True
    role = ""
    wait_time = between(*(float(s) for s in os.environ.get("BENCH_LOAD_THINK", "2,5").split(",")))

    def on_start(self) -> None:
        self.account = next(_accounts[self.role])
        self.client.cookies.set(DATA["session_cookie"], self.account["cookie"])

    def page(self, path: str, name: str | None = None) -> str:
        with self.client.get(path, name=name or path, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")
                return ""
            text = response.text
        self.wait()  # reading the page, or filling its form in
        return text

    def post(self, path: str, form_page: str, data: dict, *, name: str, files=None) -> str:
        """Post a form as a browser would (with the token from the page it came from)."""
        token = CSRF.search(form_page)
        data = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        with self.client.post(
            path, data=data, files=files, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"{name} answered {response.status_code}, not a redirect")
                return ""
            return response.headers["Location"]


class Reporter(PortalUser):
    """Adds a photo to a report they sent, then files a whole new one (with a photo too)."""

    role = "reporter"
    weight = 20

    @task
    def file_a_report(self) -> None:
        file_report(self)


class Triager(PortalUser):
    """Works the queue: claims the next case, reads it and writes to the reporter."""

    role = "triage"
    weight = 10

    @task
    def answer_next_case(self) -> None:
        work_queue(self)


class Champion(PortalUser):
    """Reads the wellbeing queue, capacity and the support library."""

    role = "champion"
    weight = 10

    @task
    def read_wellbeing_pages(self) -> None:
        read_wellbeing(self)


class Lead(PortalUser):
    """Reads the force's trends dashboards."""

    role = "force_lead"
    weight = 10

    @task
    def read_dashboards(self) -> None:
        read_trends(self)


class Solo(PortalUser):
    """One person doing each role's journey in turn: the baseline for page-view p95."""

    role = "solo"
    fixed_count = 1
    journeys = itertools.cycle(["reporter", "triage", "champion", "force_lead"])

    def on_start(self) -> None:
        self.accounts = {role: next(_accounts[role]) for role in _accounts}

    @task
    def one_journey(self) -> None:
        role = next(self.journeys)
        self.account = self.accounts[role]
        self.client.cookies.clear()
        self.client.cookies.set(DATA["session_cookie"], self.account["cookie"])
        {
            "reporter": file_report,
            "triage": work_queue,
            "champion": read_wellbeing,
            "force_lead": read_trends,
        }[role](self)


def step_answers(slug: str) -> dict:
    answers = {
        "who": {"subject": "self"},
        "what": {"categories": DATA["categories"]},
        "where": {"platforms": DATA["platforms"]},
        "when": {"started_on_0": "3", "started_on_1": "2", "started_on_2": "2026"},
        "role": {"related_to_role": "yes"},
        "description": {"description": DATA["description"]},
        "perpetrator": {"perpetrator_known": "not_sure", "perpetrator_details": ""},
        "offline": {"offline_impacts": ["home_visited"]},
        "impact": {"impact_level": "3"},
        "support": {"wants_support": "yes"},
        "line-manager": {"line_manager_consent": "no"},
        "contact": {"contact_preference": "email", "phone": ""},
    }
    return {**answers[slug], "action": "continue"}


def file_report(user: PortalUser) -> None:
    """A photo added to a report already sent, then a new report from the first question."""
    sent = f"/reports/{user.account['report']}/"
    user.page("/reports/")
    user.page(sent, name="/reports/[id]/")
    form = user.page(f"{sent}add/", name="/reports/[id]/add/")
    if form:
        done = user.post(
            f"{sent}add/",
            form,
            {"action": "done"},
            name="upload evidence photo (after sending)",
            files={"file": ("photo.jpg", PHOTO, "image/jpeg")},
        )
        if done:
            user.page(done, name="/reports/[id]/")

    start = user.page("/reports/new/")
    url = user.post("/reports/new/", start, {}, name="/reports/new/ [start]")
    steps = 0
    while url and "/step/" in url and steps < 20:
        steps += 1
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        name = "/reports/[id]/step/" + slug + "/"
        form = user.page(url, name=name)
        if not form:
            return
        if slug == "evidence":
            url = user.post(
                url,
                form,
                {"action": "continue"},
                name="upload evidence photo (new report)",
                files={"file": ("photo.jpg", PHOTO, "image/jpeg")},
            )
        else:
            url = user.post(url, form, step_answers(slug), name=name + " [save]")
    if not url or not url.endswith("/check/"):
        return
    check = user.page(url, name="/reports/[id]/check/")
    report = url.rsplit("/", 2)[0]
    done = user.post(f"{report}/submit/", check, {}, name="/reports/[id]/submit/")
    if done:
        user.page(done, name="/reports/[id]/done/")
        user.page("/reports/")


def work_queue(user: PortalUser) -> None:
    queue = user.page("/triage/")
    case = user.post("/triage/claim-next/", queue, {}, name="/triage/claim-next/")
    if not case or "/triage/cases/" not in case:
        return  # nothing waiting: the queue page again, with a message
    page = user.page(case, name="/triage/cases/[id]/")
    form = user.page(f"{case}messages/new/", name="/triage/cases/[id]/messages/new/")
    if page and form:
        user.post(
            f"{case}messages/new/",
            form,
            {"body": "Thank you for telling us. We are looking at what you sent."},
            name="/triage/cases/[id]/messages/new/ [send]",
        )
        user.page(case, name="/triage/cases/[id]/")


def read_wellbeing(user: PortalUser) -> None:
    for path in ("/wellbeing/", "/wellbeing/capacity/", "/wellbeing/library/"):
        user.page(path)


def read_trends(user: PortalUser) -> None:
    force = DATA["force"]
    for path in ("/trends/", f"/trends/forces/{force}/", f"/trends/forces/{force}/performance/"):
        user.page(path, name=path.replace(force, "[force]"))
