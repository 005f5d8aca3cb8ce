"""No request can turn an out-of-range integer into a server error, on any route.

The probe found 500s from `?page=1000000000000000000`, a date part of 9223372036854775808,
`categories=9223372036854775808` and admin year filters. The class of fault: an integer from a
request reaching Python's date types or the database unchecked. This test finds every route in
the URLconf, reaches each as someone who may use it (crawling the pages each persona sees, so it
uses real objects and real forms), reads each page's forms and query parameters, and sends
them integers that no column holds. Any 5xx fails it; a form error, a 400 or a 404 is fine.
"""

from __future__ import annotations

import re
import uuid
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from reports.models import Report
from reports.services.conversation import report_message_send
from reports.services.evidence import report_evidence_add
from reports.services.sending import report_submit
from tests.reports import hostile_files
from tests.reports.factories import DraftReportFactory, family_report
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    DraftVersionFactory,
    FamilyModuleFactory,
    FeedbackFactory,
    ForceModuleFactory,
    ModuleFactory,
    ProgressFactory,
    TrainingProfileFactory,
)
from training.models import AssignmentSource
from training.services.audience_rules import rule_create
from training.services.roster import roster_preview
from triage.models import Case
from triage.services.claiming import case_claim

BIG = "9223372036854775808"  # one more than a bigint holds
BAD = (BIG, str(10**20), "-1")
# Sent to every field at once, and to each number-like field alone.
BAD_EACH = (BIG, "-1")
# A page number inside a bigint that overflows once multiplied by the page size.
HUGE_PAGE = str(10**18)
# Admin query parameters that carry integers or dates (filters, date hierarchy, pagination).
ADMIN_NUMBERISH = re.compile(r"(__(year|month|day|exact|gte|lte|gt|lt|id)|^(p|page|o))$")
# What a session must not do while it is being crawled: end itself, or download files.
NEVER_VISIT = re.compile(r"^/(accounts/logout/|exit/|accounts/2fa/recovery-codes/download/)")
# Admin pages reached by the path fallback below rather than crawled, to keep the test fast.
NOT_CRAWLED = re.compile(r"^/admin/.*/(history|delete|export|import)/")
# Admin POSTs that act on objects whatever the fields say.
NEVER_POST = re.compile(r"^/admin/.*(/delete/|/password/)$")
# Forms after which the crawl's objects are no longer what they were.
ENDS_SOMETHING = re.compile(
    r"/(withdraw|delete|close|end|step-aside|transfer|unclaim|stop-sharing|remove|submit)/$"
)
MAX_PAGES_PER_PERSONA = 120
# Personas in the order they are crawled: each route is fuzzed by the first who reaches it.
# Staff first: a reporter's crawl withdraws their report, which closes its case.
PERSONAS = (
    "triager",
    "triage_supervisor",
    "trainer",
    "platform_admin",
    "officer",
    "family_member",
    None,
    "champion",
    "force_lead",
    "analyst",
    "psd_officer",
)


# --- reading pages -------------------------------------------------------------------------------
@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea" or "button"
    value: str = ""
    checked: bool = False
    numeric: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class PageForm:
    method: str
    action: str
    fields: list[FormField] = field(default_factory=list)


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: (value or "") for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = PageForm((a.get("method") or "get").lower(), a.get("action", ""))
            self.forms.append(self._form)
        elif self._form is None or tag not in ("input", "select", "option", "textarea", "button"):
            return
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif a.get("name") and a["name"] != "csrfmiddlewaretoken":
            kind = a.get("type", "text").lower() if tag == "input" else tag
            if tag == "button" and kind == "button":
                kind = "button"
            item = FormField(
                name=a["name"],
                kind=kind,
                value=a.get("value", ""),
                checked="checked" in a,
                numeric=a.get("inputmode") == "numeric" or kind == "number",
            )
            self._form.fields.append(item)
            if tag == "select":
                self._select = item

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._select is not None and not self._select.value and self._select.options:
                self._select.value = self._select.options[0]
            self._select = None


def _looks_numeric(item: FormField) -> bool:
    values = [item.value, *item.options]
    return item.numeric or any(value.isdigit() for value in values)


def _defaults(form: PageForm) -> dict[str, list[str]]:
    """What a browser would send for the form as rendered (first submit button included)."""
    data: dict[str, list[str]] = {}
    pressed = False
    for item in form.fields:
        if item.kind == "file":
            continue
        if item.kind in ("checkbox", "radio") and not item.checked:
            continue
        if item.kind in ("submit", "button"):
            if pressed:
                continue
            pressed = True
        data.setdefault(item.name, []).append(item.value)
    return data


def _fuzz_sets(form: PageForm, *, thorough: bool) -> list[dict[str, list[str]]]:
    names = [item.name for item in form.fields if item.kind != "file"]
    if not names:
        return []
    sets = [{name: [bad] for name in names} for bad in BAD_EACH]
    if thorough:
        numeric = {item.name for item in form.fields if _looks_numeric(item)}
        for name in sorted(numeric):
            for bad in BAD_EACH:
                sets.append({**_defaults(form), name: [bad]})
    return sets


# --- routes --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    int_kwargs: tuple[str, ...]


def all_routes() -> dict[str, Route]:
    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                ints = tuple(
                    name
                    for name, converter in entry.pattern.converters.items()
                    if type(converter).__name__ == "IntConverter"
                )
                # As ResolverMatch.route spells it: regex anchors of included patterns dropped.
                pattern = (prefix + str(entry.pattern)).replace("^", "")
                yield Route(pattern, entry.name or "", ints)

    return {route.pattern: route for route in walk(get_resolver().url_patterns)}


def _route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def _page_key(path: str) -> tuple | None:
    """One page per route, except that routes told apart by a slug (report steps) are not one."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    named = tuple(
        sorted(
            (k, str(v))
            for k, v in match.kwargs.items()
            if not isinstance(v, (int, uuid.UUID)) and k != "object_id"
        )
    )
    return (match.route, named)


# --- the world -----------------------------------------------------------------------------------
def _build_world(officer, family_member, triager, triage_supervisor, trainer) -> None:
    """A draft with evidence, a sent report with evidence in a claimed case, a shared family report,
    messages both ways and an unread notification: every object route has something to show."""
    draft = DraftReportFactory(reporter=officer)
    report_evidence_add(actor=officer, report=draft, data=hostile_files.jpeg(), filename="a.jpg")
    sent = DraftReportFactory(reporter=officer)
    report_evidence_add(actor=officer, report=sent, data=hostile_files.jpeg(), filename="b.jpg")
    sent = report_submit(actor=officer, report=sent)
    case = Case.objects.get(report=sent)
    case_claim(actor=triager, case=case)
    report_message_send(actor=officer, report=sent, body="Is there any news?")
    family_report(family_member, shared=True)
    DraftReportFactory(reporter=family_member, family_link=family_member.linked_members.first())
    assert Report.objects.count() >= 4
    _training_world(officer, family_member, triage_supervisor, trainer)


def _training_world(officer, family_member, triage_supervisor, trainer) -> None:
    """A West Yorkshire module with a quiz and a draft, the officer's work on it (assigned,
    completed with feedback, started), a family module done, a team, a rule and a checked
    roster: every training page has something to show, and its forms something to send."""
    module = ForceModuleFactory(version__quiz=2)
    DraftVersionFactory(module=module, quiz=1)
    family = FamilyModuleFactory()
    AssignmentFactory(person=officer, module=module, source=AssignmentSource.RULE)
    FeedbackFactory(completion=CompletionFactory(person=officer, module=ModuleFactory()))
    ProgressFactory(person=officer, version=module.published_version(), current_section=2)
    CompletionFactory(person=family_member, module=family)
    TrainingProfileFactory(person=officer, line_manager=triage_supervisor)
    rule_create(
        actor=trainer, force=module.owner_force, module=module, audience="frontline", within_days=30
    )
    roster_preview(
        actor=trainer,
        force=module.owner_force,
        file_name="roster.csv",
        content=b"email,name,kind,audiences\r\nnew.joiner@example.police.uk,New Joiner,officer,"
        b"induction\r\n",
    )


# --- the crawl and the fuzz ----------------------------------------------------------------------
@dataclass
class Run:
    routes: dict[str, Route]
    failures: list[str] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    seen_pages: set[tuple] = field(default_factory=set)
    requests: int = 0

    def send(self, client: Client, method: str, path: str, data: dict) -> int:
        self.requests += 1
        response = client.post(path, data) if method == "post" else client.get(path, data)
        if response.status_code >= 500:
            error = response.exc_info[1] if response.exc_info else None
            self.failures.append(
                f"{response.status_code} {method.upper()} {path} {data!r}: {error!r}"
            )
        route = _route_of(path)
        if route is not None:
            self.covered.add(route)
        return response.status_code


def _same_site(base: str, href: str) -> str | None:
    url = urlsplit(urljoin(base, href))
    if url.scheme not in ("", "http") or url.netloc not in ("", "testserver"):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def _fuzz_page(
    run: Run,
    client: Client,
    path: str,
    parser: PageParser,
    query_names: set[str],
    posts: list[tuple[str, dict]],
):
    """GET the page with bad integers in its query parameters, then send its forms bad values.

    Every parameter at once first. Then one at a time: a view may refuse a whole query it
    cannot use (the admin does), and a page number inside a bigint can still overflow once it is
    multiplied by the page size. The admin's forms and lists are large, so there only its
    number-like filters go one at a time and its forms get one set of bad values. POSTs are
    only collected here, into `posts`: text fields full of digits are valid, so some of them
    act (withdraw a report, step aside), and they are sent once the crawl is over.
    """
    is_admin = path.startswith("/admin/")
    names = {"page", *query_names}
    for form in parser.forms:
        if form.method == "get":
            names.update(item.name for item in form.fields if item.kind != "file")
    if is_admin:
        names.add("p")
        alone = {name for name in names if ADMIN_NUMBERISH.search(name)} if query_names else set()
    else:
        alone = {"page", *query_names}
    if not is_admin or query_names:  # the admin's form pages read no query parameters
        run.send(client, "get", path, dict.fromkeys(names, BIG))
    for name in sorted(alone):
        run.send(client, "get", path, {name: HUGE_PAGE if name in ("page", "p") else BIG})
    for form in parser.forms:
        target = urlsplit(urljoin(path, form.action or path)).path
        if _route_of(target) is None or NEVER_VISIT.match(target):
            continue
        if form.method == "post" and NEVER_POST.match(target):
            continue
        sets = _fuzz_sets(form, thorough=not is_admin)
        for data in sets[:1] if is_admin else sets:
            if form.method == "get":
                run.send(client, "get", target, data)
            else:
                posts.append((target, data))


def _crawl(run: Run, client: Client, seeds: list[str]) -> None:
    """Visit the pages this persona can reach, one per route, fuzzing each not fuzzed before."""
    queue = deque(seeds)
    queued = set(seeds)
    visited: set[tuple] = set()
    posts: list[tuple[str, dict]] = []
    pages = 0
    query_names: dict[str, set[str]] = {}
    while queue and pages < MAX_PAGES_PER_PERSONA:
        path = queue.popleft()
        key = _page_key(urlsplit(path).path)
        if key is None or key in visited:
            continue
        visited.add(key)
        response = client.get(path)
        run.requests += 1
        if response.status_code >= 500:
            run.failures.append(f"{response.status_code} GET {path} (crawling)")
            continue
        if response.status_code in (301, 302) and path in seeds:
            target = _same_site(path, response["Location"])
            if target is not None and target not in queued:  # a home that sends people on
                queued.add(target)
                queue.append(target)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        parser = PageParser()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = _same_site(path, href)
            if target is None or NEVER_VISIT.match(target) or NOT_CRAWLED.match(target):
                continue
            if _route_of(urlsplit(target).path) is None:
                continue
            split = urlsplit(target)
            route = _route_of(split.path)
            query_names.setdefault(route, set()).update(k for k, _ in parse_qsl(split.query))
            if target not in queued:
                queued.add(target)
                queue.append(target)
        if key in run.seen_pages:
            continue  # fuzzed already, as someone else
        run.seen_pages.add(key)
        bare = urlsplit(path).path
        _fuzz_page(run, client, bare, parser, query_names.get(_route_of(bare), set()), posts)
    # Forms that end something go last, so the others still find their objects as they were.
    posts.sort(key=lambda post: bool(ENDS_SOMETHING.search(post[0])))
    for target, data in posts:
        run.send(client, "post", target, data)


def _regex_sample(group: re.Match) -> str:
    body = group.group(1)
    if re.fullmatch(r"[\w|]+", body):  # an alternation of names, as the admin's app_label
        return body.split("|")[0]
    return "x1-x"


def _fill(pattern: str, value: str) -> str:
    """A path for `pattern` with `value` for every integer in it and harmless text elsewhere."""
    path = re.sub(r"\(\?P<\w+>([^)]*)\)", _regex_sample, pattern)
    path = re.sub(r"<int:\w+>", value, path)
    path = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), path)
    path = re.sub(r"<(?:str|slug|path):\w+>|<\w+>", "x", path)
    return "/" + path.replace("^", "").replace("$", "")


@pytest.mark.django_db
def test_no_route_answers_an_out_of_range_integer_with_a_server_error(
    persona, officer, family_member, triager, triage_supervisor, trainer, platform_admin
):
    _build_world(officer, family_member, triager, triage_supervisor, trainer)
    routes = all_routes()
    run = Run(routes)
    for name in PERSONAS:
        client = Client(raise_request_exception=False)
        if name is not None:
            client.force_login(persona(name))
        seeds = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
        if name is None:
            seeds += ["/privacy/", "/accessibility/"]
        if name == "platform_admin":
            seeds.append("/admin/")
        _crawl(run, client, seeds)

    # Integers in the path itself, and routes no page links to (POST-only buttons, emailed
    # links): each is sent bad integers in its path, query and body as the platform admin
    # and as an officer.
    for client_user in (platform_admin, officer):
        client = Client(raise_request_exception=False)
        client.force_login(client_user)
        for route in routes.values():
            if route.pattern in run.covered and not route.int_kwargs:
                continue
            for bad in BAD[:2] if route.int_kwargs else BAD[:1]:
                path = _fill(route.pattern, bad)
                if NEVER_VISIT.match(path):
                    continue
                run.send(client, "get", path, {"page": bad})
                if not NEVER_POST.match(path):
                    run.send(client, "post", path, {"page": bad})

    assert run.failures == [], "\n".join(run.failures)
    missing = sorted(set(routes) - run.covered - {r for r in routes if NEVER_VISIT.match("/" + r)})
    assert missing == [], f"routes never sent a bad integer: {missing}"
    # The crawl reached the pages that hold the forms the probe used.
    for route in ("reports/<uuid:pk>/step/<slug:slug>/", "triage/cases/<uuid:pk>/", "triage/"):
        assert route in run.covered, route
    # And the training pages behind links only (a trainer's rule and roster, the learner's
    # parts and quiz, the certificate): crawled with real objects, not just sample paths.
    for route in (
        "training/manage/rules/<uuid:pk>/",
        "training/manage/roster/<uuid:pk>/",
        "training/manage/versions/<uuid:pk>/",
        "training/modules/<slug:slug>/learn/",
        "training/certificates/<uuid:pk>/",
        "training/team/",
        "training/compliance/",
    ):
        assert route in {page[0] for page in run.seen_pages}, route


# --- each layer of the fix, on its own -----------------------------------------------------------
@pytest.mark.django_db
def test_a_huge_category_on_a_report_step_is_a_form_error(client, officer):
    draft = DraftReportFactory(reporter=officer)
    client.force_login(officer)
    response = client.post(
        f"/reports/{draft.public_id}/step/what/", {"categories": [BIG], "action": "continue"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select what happened." in page
    assert "not one of the available choices" not in page


@pytest.mark.django_db
def test_a_huge_page_number_on_the_triage_queue_shows_a_page(client, triager):
    client.force_login(triager)
    response = client.get("/triage/", {"page": HUGE_PAGE})
    assert response.status_code == 200


@pytest.mark.django_db
def test_an_admin_year_filter_past_any_calendar_is_the_portals_400_page(client, platform_admin):
    client.force_login(platform_admin)
    response = client.get("/admin/triage/case/", {"submitted_at__year": "99999999999999999999"})
    assert response.status_code == 400
    assert "Sorry, there is a problem with that request" in response.content.decode()


@pytest.mark.django_db
def test_in_lookups_leave_out_integers_no_column_holds(officer):
    from harmsportal.people.models import Membership
    from reports.models import HarmCategory

    some = HarmCategory.objects.first()
    assert list(HarmCategory.objects.filter(pk__in=[BIG, 10**20])) == []
    assert list(HarmCategory.objects.filter(pk__in=[BIG, some.pk])) == [some]
    assert HarmCategory.objects.exclude(pk__in=[BIG]).count() == HarmCategory.objects.count()
    assert Membership.objects.filter(user__in=[int(BIG), officer.pk]).count() == 1


def test_bounded_forms_refuse_integers_no_column_holds(db):
    from django import forms

    from harmsportal.forms import BoundedIntegersMixin
    from reports.models import HarmCategory

    class Example(BoundedIntegersMixin, forms.Form):
        count = forms.IntegerField()
        kinds = forms.ModelMultipleChoiceField(
            queryset=HarmCategory.objects.all(), error_messages={"required": "Select a kind."}
        )
        one = forms.ModelChoiceField(queryset=HarmCategory.objects.all())

    form = Example({"count": BIG, "kinds": [BIG], "one": "-" + BIG})
    assert not form.is_valid()
    assert form.errors["count"] == ["Enter a smaller number."]
    assert form.errors["kinds"] == ["Select a kind."]
    assert form.errors["one"] == [
        str(forms.ModelChoiceField.default_error_messages["invalid_choice"])
    ]
    some = HarmCategory.objects.first()
    assert Example({"count": "3", "kinds": [some.pk], "one": some.pk}).is_valid()
    # Two signs pass a strip of signs but not int(): a form error, never a 500.
    doubled = Example({"count": "3", "kinds": ["+-1"], "one": "-+1"})
    assert not doubled.is_valid()
    assert set(doubled.errors) == {"kinds", "one"}


def test_requested_page_is_bounded():
    from django.test import RequestFactory

    from harmsportal.pagination import MAX_PAGE, requested_page

    def page(value: str) -> int:
        return requested_page(RequestFactory().get("/", {"page": value}))

    assert [page("3"), page(""), page("x"), page("-1"), page("0")] == [3, 1, 1, 1, 1]
    assert page(HUGE_PAGE) == page(BIG) == page("9" * 5000) == MAX_PAGE
    assert page("0" * 30 + "7") == 7


def test_the_last_resort_turns_an_overflow_into_the_400_page(rf, db):
    from django.contrib.auth.models import AnonymousUser

    from harmsportal.middleware import OutOfRangeIntegersMiddleware

    middleware = OutOfRangeIntegersMiddleware(lambda request: None)
    request = rf.get("/")
    request.user = AnonymousUser()
    response = middleware.process_exception(request, OverflowError("date value out of range"))
    assert response.status_code == 400
    assert "Sorry, there is a problem with that request" in response.content.decode()
    assert middleware.process_exception(request, ValueError("something else")) is None
