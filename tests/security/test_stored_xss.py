"""Stored XSS: a payload typed into any free-text field is inert on every page, for every role.

The fields are found by scanning the models, not listed from memory: every `CharField` and
`TextField` (with `EmailField`, `URLField`, `SlugField`) of the portal's own models without
`choices` is either in ATTACKED, which says what a hostile writer would put in it, or in
NOT_TYPED with the reason no person types it. A new field fails
`test_every_text_field_is_attacked_or_stated_as_not_typed_by_anyone` until someone decides.

The demo is seeded as `make run` seeds it, then every row of every ATTACKED field is overwritten
with a payload carrying its own marker (`hpx(7)`): script tags, an image with `onerror`,
attribute breakers for both quote styles, `</textarea>` and `</title>`, and for Markdown a
`javascript:` link. Then each demo account is signed in and walks every page it is shown (the
link walk of tests/test_link_walk.py, GET only), and each HTML page is read by a parser:

- *live* is a marker inside a `<script>` (other than escaped JSON data), inside an `on*`
  attribute, or in a `javascript:` URL, or a raw payload fragment anywhere in the bytes;
- *shown* is a marker in text or in a quoted attribute value: the payload reached the page as
  text, which is what a person should see.

Each account must see no live marker; and, across the walk, every ATTACKED field must be shown
somewhere (else the test could pass because nothing was displayed), except those in
NOT_SHOWN_BY_THE_WALK with the reason and the test that shows them instead.
"""

from __future__ import annotations

import io
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat, Substr
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from harmsportal.people.demo import ACCOUNTS
from harmsportal.people.models import User
from tests.conftest import load_reference_data
from tests.test_link_walk import _followed, _Links, _same_site, _shape

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "stored-xss-demo-password"
PAGES_PER_ACCOUNT = 160
PER_SHAPE = 2
PORTAL_APPS = ("harmsportal", "reports", "triage", "wellbeing", "training", "privacy")

# What a hostile writer types. `{n}` is the field's marker number.
LONG = (
    "</textarea></title>\"'><script>hpx({n})</script>"
    "<img src=x onerror=hpx({n})>'\"><svg onload=hpx({n})>"
)
SHORT = '"><svg onload=hpx({n})>'  # fits a 30-character field
MARKDOWN = LONG + '\n\n[hpx](javascript:hpx({n}))\n\n<a href="javascript:hpx({n})">x</a>'
EMAIL = '"<svg/onload=hpx({n})>"+{pk}@x.test'  # a quoted local part is a valid address
URL = 'https://example.test/?q="><svg onload=hpx({n})>&{pk}'

# field -> the kind of payload. Typed by a reporter, a family member, triage, champions,
# trainers, leads or platform admins in the portal or its admin.
ATTACKED: dict[str, str] = {
    "people.Force.name": "LONG",  # platform admin, forces import
    "people.User.full_name": "LONG",  # everyone, sign-up and "About you"
    "people.User.email": "EMAIL",
    "people.FamilyLink.email": "EMAIL",  # an officer inviting family
    "notifications.Notification.title": "LONG",  # fixed wordings, but some carry a typed name
    "training.Module.title": "LONG",  # trainers
    "training.Module.summary": "LONG",
    "training.ModuleVersion.change_summary": "LONG",
    "training.Section.heading": "LONG",
    "training.Section.body": "MARKDOWN",
    "training.Question.text": "LONG",
    "training.Question.explanation": "MARKDOWN",
    "training.Answer.text": "LONG",
    "training.ForceNote.body": "MARKDOWN",
    "training.Completion.name_on_certificate": "LONG",  # the learner
    "training.Feedback.better": "LONG",  # module feedback
    "training.RosterImport.file_name": "LONG",  # the uploaded file's own name
    "reports.HarmCategory.name": "LONG",  # taxonomy import
    "reports.HarmCategory.description": "LONG",
    "reports.Platform.name": "LONG",
    "reports.Platform.description": "LONG",
    "reports.Report.child_first_name": "LONG",  # the reporter from here on
    "reports.Report.platform_other": "LONG",
    "reports.Report.description": "LONG",
    "reports.Report.perpetrator_details": "LONG",
    "reports.Report.phone": "SHORT",
    "reports.Report.withdrawal_reason": "LONG",
    "reports.Report.outcome_explanation": "LONG",  # triage
    "reports.Evidence.original_filename": "LONG",  # the uploaded file's own name
    "reports.Evidence.link_url": "URL",
    "reports.ReportMessage.body": "LONG",  # reporter and triage
    "reports.ReportStatusEvent.note": "LONG",  # triage, shown to the reporter
    "triage.Case.offence_crosswalk": "LONG",
    "triage.Case.crime_reference": "SHORT",
    "triage.CaseAction.note": "LONG",
    "triage.CaseAction.crime_reference": "SHORT",
    "triage.CaseNote.body": "LONG",  # internal notes
    "triage.CaseEvent.detail": "LONG",  # carries a typed reason (a move between forces)
    "triage.CaseConflict.reason": "LONG",
    "triage.Case.legal_hold_reason": "LONG",  # a supervisor placing a legal hold
    "wellbeing.SupportService.name": "LONG",  # leads
    "wellbeing.SupportService.how_to_refer": "LONG",
    "wellbeing.ChampionListing.display_name": "LONG",  # champions
    "wellbeing.ChampionListing.role_title": "LONG",
    "wellbeing.ChampionListing.how_to_reach": "LONG",
    "wellbeing.Resource.title": "LONG",
    "wellbeing.Resource.summary": "LONG",
    "wellbeing.Resource.url": "URL",
    "wellbeing.Resource.phone": "SHORT",
    "wellbeing.Referral.summary": "LONG",
    "wellbeing.Referral.feedback_text": "LONG",
    "wellbeing.ReferralEvent.why": "LONG",
    "wellbeing.ReferralConflict.reason": "LONG",
    "wellbeing.ReferralMessage.body": "LONG",
    "wellbeing.SupportPlan.contact_when": "LONG",  # the support plan
    "wellbeing.SupportPlan.needs": "LONG",
    "wellbeing.SupportPlan.what_helps": "LONG",
    "wellbeing.SupportPlan.what_does_not_help": "LONG",
    "wellbeing.CheckIn.note": "LONG",
    "trends.ApiToken.name": "LONG",  # leads naming an API key
}

NOT_TYPED: dict[str, str] = {
    "people.Force.slug": "a slug, validated to letters, digits and hyphens",
    "people.Force.code": "six characters at most, platform admin only: no payload fits",
    "people.User.password": "a hash",
    "people.FamilyLink.nonce": "random, made by the portal",
    "audit.AccessLog.actor_role": "a role name from the portal",
    "audit.AccessLog.force_slug": "a force's slug",
    "audit.AccessLog.object_type": "a model name",
    "audit.AccessLog.object_id": "an id",
    # A fixed phrase, or the admin page's own request path; shown only in the Django admin,
    # which escapes, and append-only on Postgres (a trigger refuses the payload's UPDATE).
    "audit.AccessLog.reason": "written by the portal",
    "notifications.Notification.to_email": "copied from the user's email (attacked there)",
    "notifications.Notification.link_path": "a path reversed by the portal",
    "notifications.Notification.last_error": "the mail library's error",
    "notifications.Notification.email_subject": "rendered by the portal's email templates",
    "notifications.Notification.email_body": "rendered by the portal's email templates",
    "notifications.Notification.email_html": "rendered by the portal's email templates",
    "training.Module.slug": "a slug",
    "training.Completion.verification_code": "random, made by the portal",
    "training.LineManagerNotice.subject_key": "a hash made by the portal",
    "training.RosterImport.file_format": "csv or xlsx, chosen by the portal",
    "training.RosterImport.sha256": "a digest",
    "reports.HarmCategory.slug": "a slug",
    "reports.Platform.slug": "a slug",
    "reports.Report.reference": "made by the portal",
    "reports.Report.demo_key": "the demo's own key",
    "reports.Evidence.mime": "sniffed from the bytes by the portal",
    "reports.Evidence.sha256": "a digest",
    "reports.Evidence.stored_path": "a path made by the portal",
    "reports.Evidence.viewing_path": "a path made by the portal",
    "reports.Evidence.viewing_mime": "set by the portal",
    "wellbeing.Referral.reference": "made by the portal",
    "privacy.ErasureRecord.reference": "copied from the erased case's reference",
    "trends.ReportRollup.category": "a slug copied by the rollup",
    "trends.ReportRollup.reporter_kind": "a choice copied by the rollup",
    "trends.ReportRollup.platform": "a slug copied by the rollup",
    "trends.ReportRollup.impact": "a choice copied by the rollup",
    "trends.ReportRollup.outcome": "a choice copied by the rollup",
    "trends.DemographicRollup.dimension": "a question's name",
    "trends.DemographicRollup.value": "a choice copied by the rollup",
    "trends.TrainingRollup.audience": "a choice copied by the rollup",
    "trends.PeerForce.source": "the published peer-group table's name, loaded by migration",
    "trends.ApiToken.prefix": "random, made by the portal",
    "trends.ApiToken.key_hash": "a digest",
    "trends.DimensionRollup.dimension": "a dimension's name",
    "trends.DimensionRollup.value": "a slug or choice copied by the rollup",
    "trends.PublishedMonthFigure.dimension": "a dimension's name",
    "trends.PublishedMonthFigure.value": "a slug or choice copied from DimensionRollup",
    "trends.PublishedMonthFigure.withheld": "one of the model's three fixed values",
}

# Attacked fields that no page of the walk displays, each with where it is shown instead.
NOT_SHOWN_BY_THE_WALK: dict[str, str] = {
    "triage.CaseConflict.reason": "never shown: the step-aside page promises it is not",
    "wellbeing.ReferralConflict.reason": "never shown: the step-aside page promises it is not",
    "wellbeing.SupportService.how_to_refer": "no page shows it yet; the Django admin escapes",
}


def _text_fields() -> set[str]:
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith(PORTAL_APPS):
            continue
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.CharField | models.TextField) and not (
                model_field.choices
            ):
                found.add(f"{model._meta.label}.{model_field.name}")
    return found


def _marker(name: str) -> int:
    return sorted(ATTACKED).index(name) + 1


def _payload(name: str, pk: object) -> str:
    template = {"LONG": LONG, "SHORT": SHORT, "MARKDOWN": MARKDOWN, "EMAIL": EMAIL, "URL": URL}
    return template[ATTACKED[name]].format(n=_marker(name), pk=pk)


def _add_what_the_demo_lacks() -> None:
    """Rows the demo has none of, or holds where no page shows them, for the payloads to reach:
    evidence (a file and a link) and a draft on the officer's reports, "somewhere else" as a
    platform, a legal hold on every case, a force note on every module and a roster import."""
    from reports.models import Evidence, Platform, Report, ReportStatus
    from tests.reports.factories import DraftReportFactory
    from training.models import ForceNote, Module, RosterImport
    from triage.models import Case

    officer = User.objects.get(email="officer@demo.harmsportal.test")
    trainer = User.objects.get(email="trainer@demo.harmsportal.test")
    force = officer.home_force
    for report in Report.objects.filter(reporter=officer).exclude(status=ReportStatus.DRAFT):
        Evidence.objects.create(
            report=report, kind="image", original_filename="a.jpg", stored_path="x",
            mime="image/jpeg", uploaded_by=officer,
        )  # fmt: skip
        Evidence.objects.create(
            report=report, kind="link", link_url="https://example.test/", uploaded_by=officer
        )
    DraftReportFactory(reporter=officer)
    other = Platform.objects.filter(slug="other").first()
    if other is not None:
        for report in Report.objects.all():
            report.platforms.add(other)
    if any(column.name == "legal_hold_reason" for column in Case._meta.fields):
        Case.objects.update(legal_hold_since=timezone.now())
    for module in Module.objects.all():
        ForceNote.objects.get_or_create(module=module, force=force, defaults={"body": "x"})
    RosterImport.objects.create(
        force=force, uploaded_by=trainer, file_name="roster.csv", file_format="csv",
        content=b"", sha256="0" * 64, status=RosterImport.Status.PREVIEWED,
    )  # fmt: skip


def _plant_payloads() -> None:
    """Every row of every attacked field holds its payload, led by the row's own key so that a
    column unique alone or with others stays unique (a URL is made per row: it must stay a URL)."""
    for name in sorted(ATTACKED):
        label, _, field_name = name.rpartition(".")
        model = apps.get_model(label)
        column = model._meta.get_field(field_name)
        rows = model._base_manager.all()
        if ATTACKED[name] in {"EMAIL", "URL"}:
            for pk in rows.values_list("pk", flat=True):
                rows.filter(pk=pk).update(**{field_name: _payload(name, pk)})
            continue
        value = Concat(Cast("pk", models.CharField()), Value(" " + _payload(name, "")))
        if column.max_length:
            value = Substr(value, 1, column.max_length)
        rows.update(**{field_name: value})


# ---------------------------------------------------------------------------
# Reading a page
# ---------------------------------------------------------------------------
RAW_LIVE = (
    "<script>hpx(",
    "<img src=x onerror=hpx(",
    "<svg onload=hpx(",
    "<svg/onload=hpx(",
    '="javascript:hpx(',
    "='javascript:hpx(",
    "=javascript:hpx(",
)
JSON_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class _Inertness(HTMLParser):
    """Which markers a page shows as text, and which it would run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shown: set[int] = set()
        self.live: list[str] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if "hpx(" not in value:
                continue
            running = name.startswith("on") or value.strip().lower().startswith("javascript:")
            if running:
                self.live.append(f"<{tag} {name}={value[:80]!r}>")
            else:
                self.shown.update(_markers_in(value))
        if tag == "script":
            self._script_type = dict(attrs).get("type") or "text/javascript"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_type = None

    def handle_data(self, data: str) -> None:
        if "hpx(" not in data:
            return
        if self._script_type is None:
            self.shown.update(_markers_in(data))
        elif self._script_type not in JSON_SCRIPT_TYPES or "<" in data:
            self.live.append(f"<script> {data[:80]!r}")


def _markers_in(text: str) -> set[int]:
    found = set()
    for part in text.split("hpx(")[1:]:
        number = part.split(")", 1)[0]
        if number.isdigit():
            found.add(int(number))
    return found


def read_page(body: str) -> tuple[set[int], list[str]]:
    """(markers shown as text, live fragments) of an HTML page."""
    parser = _Inertness()
    parser.feed(body)
    parser.close()
    live = list(parser.live)
    live += [f"raw {fragment!r}" for fragment in RAW_LIVE if fragment in body]
    return parser.shown, live


def test_the_page_reader_tells_text_from_markup():
    escaped = "<p>&lt;script&gt;hpx(3)&lt;/script&gt;&quot;&gt;&lt;svg onload=hpx(4)&gt;</p>"
    assert read_page(escaped) == ({3, 4}, [])
    assert read_page('<input value="&quot;&gt;&lt;svg onload=hpx(5)&gt;">') == ({5}, [])
    assert read_page("<p><script>hpx(3)</script></p>")[1]
    assert read_page('<p>"><svg onload=hpx(4)></p>')[1]
    assert read_page('<a href="javascript:hpx(6)">x</a>')[1]
    assert read_page("<img src=x onerror=hpx(7)>")[1]
    assert read_page('<script type="application/json">"\\u003Cscript hpx(8)"</script>')[1] == []
    assert read_page('<script nonce="n">var a = "hpx(8)";</script>')[1]
    # What Django makes of a planted value: escaped by default, live once marked safe.
    value = {"v": MARKDOWN.format(n=9)}
    assert read_page(Template("<p>{{ v }}</p>").render(Context(value))) == ({9}, [])
    assert read_page(Template("<p>{{ v|safe }}</p>").render(Context(value)))[1]


# ---------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------
@dataclass
class Walked:
    pages: int = 0
    shown: dict[int, str] = field(default_factory=dict)  # marker -> first URL showing it
    live: dict[str, list[str]] = field(default_factory=dict)  # URL -> live fragments
    errors: dict[str, int] = field(default_factory=dict)  # URL -> 5xx status
    complete: bool = False  # every link found was followed within the bound


def walk_reading(client: Client, start: str = "/") -> Walked:
    result = Walked()
    visited: set[str] = set()
    queue = deque([start])
    shapes: Counter = Counter()
    while queue and result.pages < PAGES_PER_ACCOUNT:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        shape = _shape(url), _slug(url)
        if shapes[shape] >= PER_SHAPE:
            continue
        shapes[shape] += 1
        response = client.get(url)
        result.pages += 1
        if response.status_code >= 500:
            result.errors[url] = response.status_code
        if response.status_code == 302:
            found = [("get", response["Location"])]
        elif response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode()
            shown, live = read_page(body)
            for marker in shown:
                result.shown.setdefault(marker, url)
            if live:
                result.live[url] = live
            parser = _Links()
            parser.feed(body)
            found = parser.found
            for form in parser.get_forms:
                form.action = form.action or url
                found += [("get", submitted) for submitted in form.urls()]
        else:
            found = []
        for method, href in found:
            target = _same_site(url, href)
            if target is not None and method == "get" and _followed(target):
                queue.append(target)
    # Complete when nothing left over would have been opened: a new URL of a shape not yet seen
    # PER_SHAPE times.
    result.complete = not any(
        url not in visited and shapes[_shape(url), _slug(url)] < PER_SHAPE for url in queue
    )
    return result


def _slug(url: str) -> str:
    """A page's slug: each step of the report journey is its own page (the platforms' hints are
    on one step, the categories' on another)."""
    try:
        return resolve(urlsplit(url).path).kwargs.get("slug", "")
    except Resolver404:
        return ""


@pytest.fixture(scope="module")
def walks(django_db_setup, django_db_blocker) -> dict[str, Walked]:
    """The demo with every attacked field poisoned, walked by every demo account; rolled back."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(
                HARMSPORTAL_DEMO=True,
                HARMSPORTAL_REQUIRE_STAFF_MFA=False,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ):
                load_reference_data()
                call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
                users = {account.key: User.objects.get(email=account.email) for account in ACCOUNTS}
                _add_what_the_demo_lacks()
                _plant_payloads()
                result = {}
                for key, user in users.items():
                    client = Client()
                    client.force_login(user)
                    result[key] = walk_reading(client)
                yield result
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_every_text_field_is_attacked_or_stated_as_not_typed_by_anyone():
    found = _text_fields()
    unclassified = found - set(ATTACKED) - set(NOT_TYPED)
    assert unclassified == set(), f"add each to ATTACKED or NOT_TYPED (with why): {unclassified}"
    gone = (set(ATTACKED) | set(NOT_TYPED)) - found
    assert gone == set(), f"no longer a text field of the portal's models: {gone}"


@pytest.mark.parametrize("account", ACCOUNTS, ids=[account.key for account in ACCOUNTS])
def test_no_page_a_demo_account_opens_runs_a_stored_payload(walks, account):
    walked = walks[account.key]
    assert walked.pages > 3, f"the walk as {account.key} found almost nothing"
    assert walked.complete, f"the walk as {account.key} stopped at {PAGES_PER_ACCOUNT} pages"
    assert walked.live == {}, f"as {account.key}: payloads live on {walked.live}"
    assert walked.errors == {}, f"as {account.key}: server errors on {walked.errors}"


def test_every_attacked_field_is_shown_as_text_on_some_page(walks):
    shown: dict[int, str] = {}
    for key, walked in walks.items():
        for marker, url in walked.shown.items():
            shown.setdefault(marker, f"{url} as {key}")
    never = {
        name
        for name in ATTACKED
        if _marker(name) not in shown and name not in NOT_SHOWN_BY_THE_WALK
    }
    assert never == set(), f"no page showed these fields, so nothing was tested: {never}"
