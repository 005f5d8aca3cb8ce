"""The permission matrix of every route, generated from the URLconf (tests/routes.py).

Every route is requested with GET and POST by every persona and by an anonymous visitor. Each
cell expects exactly one status, worked out by one rule, in this order:

1. An anonymous visitor is sent to sign in (302), unless the route is public (`PUBLIC`); the
   trends API (a BI tool cannot follow a sign-in page) answers 401 instead.
2. On a role-gated route (`role_required`'s `required_roles`, or the admin: platform admins)
   a Professional Standards user gets 404: to them every staff route is simply not there.
   Anyone else signed in without one of the route's roles gets 403.
3. A method the route does not take gets 405 (checked before any object is looked up).
4. On an object route (a URL kwarg holding a uuid) an object outside the person's reach gets
   404, alike whether it is missing or forbidden. That includes Professional Standards on
   another person's report, case or evidence: as a reporter they use only their own.
5. Otherwise the person is permitted, and `ROUTES` says what their request does. Every POST
   that a permitted person makes asserts what changed in the database; every refused request
   asserts that nothing did (no row added, no object changed, no read logged).

The classes come from the route itself, never from a list a new route could slip past: a new
route is login-only unless added to `PUBLIC`, role-gated when its view says so, and an object
route when its URL holds a uuid. What the generator cannot work out (which object fills a new
kind of kwarg, or what a new POST does) fails the test with a message saying what to add.

Speed: the people and objects are built once per module inside a transaction that is rolled
back at the end (as Django's setUpTestData does); each cell runs in its own savepoint, so a
permitted POST that claims, closes or deletes something is undone before the next cell.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from harmsportal.audit.models import AccessLog
from harmsportal.notifications.models import Notification
from harmsportal.people.models import AGGREGATE_ROLES, TRIAGE_ROLES, FamilyLink, Force, Role, User
from harmsportal.people.services import family_invite_token
from harmsportal.trends.models import ApiToken
from harmsportal.trends.rollup import rollup_rebuild
from harmsportal.trends.tokens import api_token_create
from reports.evidence.storage import store_encrypted
from reports.models import Evidence, HarmCategory, Report, ReportStatus
from tests import conftest
from tests.conftest import load_reference_data
from tests.factories import link_family, make_person
from tests.notifications.factories import NotificationFactory
from tests.reports.factories import DraftReportFactory, SubmittedReportFactory, family_report
from tests.routes import Route, all_routes
from tests.triage.factories import (
    AssessedCaseFactory,
    CaseFactory,
    ClaimedCaseFactory,
    ClosedCaseFactory,
    OutcomeGivenCaseFactory,
    reporter_in,
)
from tests.wellbeing.factories import (
    AcceptedReferralFactory,
    AssignedReferralFactory,
    ClosedReferralFactory,
    InSupportReferralFactory,
    OfferedReferralFactory,
    SelfReferralFactory,
    SupportServiceFactory,
)
from training.footprint_checklist import QUESTIONS as FOOTPRINT_QUESTIONS
from training.models import (
    Answer,
    Assignment,
    AssignmentSource,
    Audience,
    AudienceRule,
    Changed,
    Completion,
    Feedback,
    FootprintCheck,
    ForceNote,
    LineManagerNotice,
    Module,
    ModuleVersion,
    Progress,
    Question,
    QuizAttempt,
    RosterImport,
    Section,
    TrainingProfile,
    VersionStatus,
)
from training.services.roster import roster_preview
from triage.models import Case, CaseStatus, TriagePreference
from triage.support_offer import first_assessment_handler_replaced
from wellbeing.models import (
    ChampionListing,
    CheckIn,
    ConsentScope,
    Referral,
    ReferralConflict,
    ReferralState,
    Resource,
    SupportService,
)

# Every cell uses the database (so pytest-django creates it before the module's `world`).
pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
# Routes anyone may use signed out. Everything else must send an anonymous visitor to sign in:
# a new route that forgets @login_required fails here until it is deliberately listed.
PUBLIC = {
    "home": "the start page",
    "healthz": "the load balancer's health check",
    "accessibility": "the accessibility statement",
    "privacy": "the privacy notice",
    "exit": "the quick exit must work for everyone, signed in or not",
    "people:family_accept": "an invited family member has no account yet",
}

# --- the people -----------------------------------------------------------------------------
# The personas of tests/conftest.py, built once for the module (conftest's are per test).
PERSONAS: dict[str, Callable[[], User]] = {
    "officer": lambda: make_person(full_name="Sam Officer"),
    "staff_member": lambda: make_person(kind=User.Kind.STAFF, full_name="Alex Staff"),
    "family_member": lambda: make_person(kind=User.Kind.FAMILY, full_name="Jo Family"),
    "triager": lambda: make_person(Role.TRIAGE, kind=User.Kind.STAFF, full_name="Tri Ager"),
    "triage_supervisor": lambda: make_person(
        Role.TRIAGE_SUPERVISOR, kind=User.Kind.STAFF, full_name="Sue Pervisor"
    ),
    "other_force_triager": lambda: make_person(
        Role.TRIAGE, force_slug="north-yorkshire", kind=User.Kind.STAFF
    ),
    "champion": lambda: make_person(Role.CHAMPION, kind=User.Kind.STAFF),
    "trainer": lambda: make_person(Role.TRAINING_ADMIN, kind=User.Kind.STAFF),
    "force_lead": lambda: make_person(Role.FORCE_LEAD),
    "oversight": lambda: make_person(Role.OVERSIGHT, kind=User.Kind.STAFF),
    "analyst": lambda: make_person(Role.NATIONAL_ANALYST, kind=User.Kind.STAFF),
    "psd_officer": lambda: make_person(professional_standards=True, full_name="Pat Standards"),
    "platform_admin": lambda: make_person(Role.PLATFORM_ADMIN, kind=User.Kind.STAFF),
    # The matrix's own, beside conftest's: the trainer of another force (issue 9).
    "other_force_trainer": lambda: make_person(
        Role.TRAINING_ADMIN, force_slug="north-yorkshire", kind=User.Kind.STAFF
    ),
}
# Personas the matrix adds to conftest's, so one rule can be shown across the whole portal.
MATRIX_ONLY = frozenset({"other_force_trainer"})
WHO = (ANONYMOUS, *PERSONAS)
CASE_WORKERS = frozenset({"triager", "triage_supervisor"})  # West Yorkshire triage
MEMBERS = frozenset(PERSONAS) - {"family_member"}  # officers, staff and volunteers


@dataclass(frozen=True)
class Thing:
    """A value for a URL kwarg: an object and who may reach it, or a plain value (reach None)."""

    value: Any
    reach: frozenset[str] | None = None
    url: str | None = None  # the attribute that names it in a URL, if not its public id

    @property
    def url_value(self) -> object:
        if self.url is not None:
            return getattr(self.value, self.url)
        return getattr(self.value, "public_id", None) or getattr(self.value, "pk", self.value)


@dataclass
class World:
    people: dict[str, User]
    sessions: dict[str, str]  # persona -> session key, signed in once for the module
    things: dict[str, Thing]
    colleague: User  # a second West Yorkshire triager, for reassigning
    doxxing: HarmCategory
    north_yorkshire: Force


# Which world object fills each URL kwarg, by app (namespace) and kwarg name: a new route with
# a kwarg already known is covered at once; a new kwarg fails with "add it here".
DEFAULT_THINGS = {
    ("notifications", "pk"): "officer's notification",
    ("people", "pk"): "accepted family link",
    ("people", "token"): "invitation token",
    ("reports", "pk"): "sent report",
    ("reports", "evidence_pk"): "sent report's evidence",
    ("reports", "slug"): "question slug",
    ("triage", "pk"): "claimed case",
    ("triage", "evidence_pk"): "claimed case's evidence",
    # The champion's side of a referral; the person's side (/wellbeing/mine/) names its own.
    ("wellbeing", "pk"): "assigned referral",
    ("wellbeing", "case_pk"): "assessed case with no offer",
    ("wellbeing", "service_pk"): "support service",
    ("wellbeing", "resource_pk"): "national resource",
    # The learner's module pages; every training route with a pk names its own object.
    ("training", "slug"): "force module",
    # Trends (issue 10): a force's pages, and the API key pages' own key.
    ("trends", "force"): "West Yorkshire's trends",
    ("trends", "pk"): "force lead's API key",
}


def _text_evidence(report: Report, by: User) -> Evidence:
    return Evidence.objects.create(
        report=report,
        kind=Evidence.Kind.TEXT,
        original_filename="messages.txt",
        mime="text/plain",
        stored_path=store_encrypted(b"the messages they sent"),
        uploaded_by=by,
    )


def _signed_in(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _wellbeing_things(people: dict[str, User], everyone: frozenset[str]) -> dict[str, Thing]:
    """Referrals in the states the wellbeing routes need, a service and two resources.

    A referral has two sides, each its own chokepoint: the person reaches it under /mine/, a
    champion of its force under /referrals/ once the person consented. So the officer's
    referrals appear twice below, once per side, each with who may reach it from there.
    """
    officer, champion, triager = people["officer"], people["champion"], people["triager"]
    mine, champions = frozenset({"officer"}), frozenset({"champion"})

    def officers_case():
        # Claimed, not assessed: a first assessment makes its own offer (triage/support_offer.py).
        return ClaimedCaseFactory(reporter=officer, assignee=triager)

    now = timezone.now()
    offered = OfferedReferralFactory(case=officers_case())
    accepted = AcceptedReferralFactory(case=officers_case())
    assigned = AssignedReferralFactory(case=officers_case(), champion=champion)
    closed = ClosedReferralFactory(case=officers_case(), champion=champion)
    in_crisis = InSupportReferralFactory(
        case=officers_case(), champion=champion, in_crisis_since=now
    )
    CheckIn.objects.create(referral=in_crisis, by=champion, score=1, note="A very bad week.")
    family = people["family_member"]
    family_self = SelfReferralFactory(person=family, force=officer.home_force)
    psd_self = SelfReferralFactory(person=people["psd_officer"])
    force_resource = Resource.objects.create(
        force=champion.home_force,
        kind=Resource.Kind.REMOVAL,
        title="Removing your address from people-search sites",
        summary="How to ask each site to take your details down.",
        url="https://example.org/removal",
        published_by=champion,
    )
    national = Resource.objects.create(
        kind=Resource.Kind.HELPLINE,
        title="Samaritans",
        summary="Whatever you are going through, call free any time.",
        phone="116 123",
    )
    # Referrals of West Yorkshire the champion must never reach (the champion chokepoint).
    stepped_aside = AcceptedReferralFactory(case=officers_case())
    ReferralConflict.objects.create(
        referral=stepped_aside, user=champion, reason="We work on the same team."
    )
    relative = make_person(kind=User.Kind.FAMILY, full_name="Kim Relative")
    link_family(champion, relative)
    nobody = frozenset()
    kept_from_champion = {
        "not yet accepted": Thing(offered, mine),
        "the champion's own": Thing(SelfReferralFactory(person=champion), nobody),
        "their family's": Thing(
            SelfReferralFactory(person=relative, force=champion.home_force), nobody
        ),
        "stepped aside from": Thing(stepped_aside, nobody),
        "another force's": Thing(SelfReferralFactory(person=people["other_force_triager"]), nobody),
    }
    with first_assessment_handler_replaced(None):  # the reporter's own offer not yet made
        offerable = AssessedCaseFactory(assignee=triager)
    return {
        **{f"referral {why}": thing for why, thing in kept_from_champion.items()},
        # Triage offers support from an assessed case it works.
        "assessed case with no offer": Thing(offerable, CASE_WORKERS),
        # The person's side.
        "officer's offered referral": Thing(offered, mine),
        "officer's assigned referral": Thing(assigned, mine),
        "officer's closed referral": Thing(closed, mine),
        "family's self-referral": Thing(family_self, frozenset({"family_member"})),
        "psd's self-referral": Thing(psd_self, frozenset({"psd_officer"})),
        # The champion's side: the same referrals, reached by their force's champion.
        "accepted referral": Thing(accepted, champions),
        "assigned referral": Thing(assigned, champions),
        "closed referral": Thing(closed, champions),
        "referral in crisis": Thing(in_crisis, champions),
        # What the force offers.
        "support service": Thing(SupportServiceFactory(force=champion.home_force), champions),
        "national resource": Thing(national, everyone),
        "force resource": Thing(force_resource, champions),
    }


# --- training (issue 9) ---------------------------------------------------------------------
# The people who learn in West Yorkshire (everyone but family, other forces' staff).
WEST_YORKSHIRE_LEARNERS = frozenset(PERSONAS) - {
    "family_member",
    "other_force_triager",
    "other_force_trainer",
}
# The member of another manager's team: on nobody's team page but their own manager's.
TEAM_OUTSIDER = "Robin Colleague"


def _roster_csv(who: str) -> bytes:
    """A one-person roster: `who` joins today, in induction."""
    return (
        "email,name,kind,audiences,start_date,line_manager_email\r\n"
        f"{who}@example.police.uk,New Joiner,officer,induction,{timezone.localdate()},\r\n"
    ).encode()


def _training_module(
    slug: str,
    *,
    owner: Force | None,
    audiences: list[str],
    quiz: bool,
    status: str = VersionStatus.PUBLISHED,
) -> Module:
    """A module with version 1 in `status`: two parts, and a one-question quiz if `quiz`."""
    module = Module.objects.create(
        slug=slug,
        title=slug.replace("-", " ").capitalize(),
        summary="What to do, and who can help.",
        owner_force=owner,
        audiences=audiences,
        review_due=timezone.localdate() + timedelta(days=200),
        refresh_months=12,
    )
    version = ModuleVersion.objects.create(
        module=module,
        number=1,
        status=status,
        estimated_minutes=15,
        pass_mark=100 if quiz else None,
        published_at=timezone.now() if status == VersionStatus.PUBLISHED else None,
    )
    for order in (1, 2):
        Section.objects.create(
            version=version, order=order, heading=f"Part {order}", body="Keep your *accounts* safe."
        )
    if quiz:
        question = Question.objects.create(
            version=version, order=1, text="Who can you tell?", explanation="Anyone you trust."
        )
        Answer.objects.create(question=question, order=1, text="Nobody", is_correct=False)
        Answer.objects.create(question=question, order=2, text="Someone you trust", is_correct=True)
    return module


def _training_things(people: dict[str, User]) -> dict[str, Thing]:
    """Modules of every owner and audience, a draft, a rule, a roster import, completions, a
    team and a footprint check: what every training route needs, and what it must keep from
    the wrong people (another force's, another team's, another learner's)."""
    officer, trainer = people["officer"], people["trainer"]
    west, north = officer.home_force, Force.objects.get(slug="north-yorkshire")
    wy_module = _training_module(
        "west-yorkshire-local-support", owner=west, audiences=[Audience.FRONTLINE], quiz=True
    )
    national = _training_module(
        "your-online-footprint-matrix", owner=None, audiences=[Audience.INDUCTION], quiz=False
    )
    family = _training_module(
        "keeping-your-family-safe-matrix", owner=None, audiences=[Audience.FAMILY], quiz=False
    )
    _training_module("north-yorkshire-local", owner=north, audiences=["frontline"], quiz=True)
    # A West Yorkshire module still being written: version 1 is a draft.
    unpublished = _training_module(
        "west-yorkshire-coming-soon",
        owner=west,
        audiences=[Audience.LEADERSHIP],
        quiz=False,
        status=VersionStatus.DRAFT,
    )
    wy_version = wy_module.versions.get()
    # The officer completed the force module once, is reading it again (every part read), and
    # failed the quiz; and has read every part of the national module they are assigned.
    completion = Completion.objects.create(
        person=officer,
        module=wy_module,
        version=wy_version,
        force=west,
        completed_at=timezone.now() - timedelta(days=30),
        expires_on=timezone.localdate() + timedelta(days=300),
        score_percent=100,
        name_on_certificate=officer.full_name,
    )
    Progress.objects.create(
        person=officer, version=wy_version, current_section=2, read_all_at=timezone.now()
    )
    wrong = Answer.objects.get(question__version=wy_version, is_correct=False)
    QuizAttempt.objects.create(
        person=officer,
        version=wy_version,
        answers={str(wrong.question_id): wrong.pk},
        correct=0,
        total=1,
        passed=False,
    )
    Progress.objects.create(
        person=officer, version=national.versions.get(), current_section=2, read_all_at=None
    )
    Assignment.objects.create(
        person=officer,
        module=national,
        force=west,
        audience=Audience.INDUCTION,
        source=AssignmentSource.MANUAL,
        due_on=timezone.localdate() + timedelta(days=10),
        assigned_by=trainer,
    )
    # The team: the roster names the staff member as the officer's line manager. Another
    # manager's team member is overdue on the force module: on the compliance page's list.
    TrainingProfile.objects.create(
        person=officer,
        force=west,
        audiences=[Audience.FRONTLINE],
        line_manager=people["staff_member"],
    )
    manager = make_person(full_name="Morgan Manager")
    colleague = make_person(full_name=TEAM_OUTSIDER)
    TrainingProfile.objects.create(
        person=colleague, force=west, audiences=[Audience.FRONTLINE], line_manager=manager
    )
    Assignment.objects.create(
        person=colleague,
        module=wy_module,
        force=west,
        audience=Audience.FRONTLINE,
        source=AssignmentSource.RULE,
        due_on=timezone.localdate() - timedelta(days=5),
    )
    colleagues = Completion.objects.create(
        person=colleague,
        module=national,
        version=national.versions.get(),
        force=west,
        name_on_certificate=TEAM_OUTSIDER,
    )
    Feedback.objects.create(
        completion=colleagues, rating=4, better="More on fitness apps.", changed=Changed.YES
    )
    rule = AudienceRule.objects.create(
        force=west,
        audience=Audience.FRONTLINE,
        module=wy_module,
        within_days=30,
        created_by=trainer,
    )
    # Checked (the dry run), not yet applied.
    roster = roster_preview(
        actor=trainer, force=west, file_name="roster.csv", content=_roster_csv("new.joiner")
    )
    assert roster.status == RosterImport.Status.PREVIEWED, roster.summary
    FootprintCheck.objects.create(person=officer, saved_answers=None)
    mine, nobody = frozenset({"officer"}), frozenset()
    its_trainer = frozenset({"trainer"})
    return {
        # The learner's side, by slug.
        "force module": Thing(wy_module, WEST_YORKSHIRE_LEARNERS, url="slug"),
        "national module": Thing(national, MEMBERS, url="slug"),
        "family module": Thing(family, frozenset(PERSONAS), url="slug"),
        "officer's completion": Thing(completion, mine),
        "colleague's completion": Thing(colleagues, nobody),
        # The training admin's side, by public id: only West Yorkshire's trainer changes its
        # modules; a national one is reviewed and annotated by every force's trainer.
        "force module to edit": Thing(wy_module, its_trainer),
        "national module to annotate": Thing(
            national, frozenset({"trainer", "other_force_trainer"})
        ),
        "unpublished module": Thing(unpublished, its_trainer),
        "draft version": Thing(unpublished.versions.get(), its_trainer),
        "audience rule": Thing(rule, its_trainer),
        "roster import": Thing(roster, its_trainer),
        "national module to review": Thing(
            national, frozenset({"trainer", "other_force_trainer", "platform_admin"})
        ),
    }


# --- trends (issue 10) ----------------------------------------------------------------------------
# The read-only API answers a request without a key or session with 401 (a BI tool cannot
# follow a sign-in page), never 302.
TRENDS_API = "trends:trends_api:"
TRENDS_READERS = frozenset({"force_lead", "oversight", "analyst"})
WEST_YORKSHIRE, NORTH_YORKSHIRE = "West Yorkshire Police", "North Yorkshire Police"


def _trends_things(people: dict[str, User]) -> dict[str, Thing]:
    key, _ = api_token_create(actor=people["force_lead"], name="Matrix key", days=90)
    west = Force.objects.get(slug="west-yorkshire")
    return {
        # A West Yorkshire force page: its lead and oversight, and every analyst.
        "West Yorkshire's trends": Thing(west, TRENDS_READERS, url="slug"),
        # Only its owner revokes it; anyone else's attempt is the 404 of a missing key.
        "force lead's API key": Thing(key, frozenset({"force_lead"})),
    }


def _build_world() -> World:
    people = {name: build() for name, build in PERSONAS.items()}
    officer, family, triager = people["officer"], people["family_member"], people["triager"]
    link_family(officer, family)
    pending = FamilyLink.objects.create(
        member=officer,
        email="invited.relative@example.com",
        relationship=FamilyLink.Relationship.SIBLING,
        force=officer.home_force,
        expires_at=timezone.now() + timedelta(days=7),
    )
    sent = SubmittedReportFactory(reporter=officer)
    draft = DraftReportFactory(reporter=officer)
    psd = people["psd_officer"]
    psd_sent = SubmittedReportFactory(reporter=psd)
    psd_draft = DraftReportFactory(reporter=psd)
    theirs = frozenset({"psd_officer"})
    claimed = ClaimedCaseFactory(assignee=triager)
    mine = frozenset({"officer"})
    things = {
        "officer's notification": Thing(
            NotificationFactory(user=officer, to_email=officer.email, link_path="/reports/"), mine
        ),
        "accepted family link": Thing(
            FamilyLink.objects.get(family_user=family), frozenset({"officer", "family_member"})
        ),
        "pending invitation": Thing(pending, mine),
        "invitation token": Thing(family_invite_token(pending)),
        "sent report": Thing(sent, mine),
        "sent report's evidence": Thing(_text_evidence(sent, officer), mine),
        "draft": Thing(draft, mine),
        "draft's evidence": Thing(_text_evidence(draft, officer), mine),
        "question slug": Thing("description"),
        "psd's sent report": Thing(psd_sent, theirs),
        "psd's sent report's evidence": Thing(_text_evidence(psd_sent, psd), theirs),
        "psd's draft": Thing(psd_draft, theirs),
        "psd's draft's evidence": Thing(_text_evidence(psd_draft, psd), theirs),
        # Shared with the officer, but only its reporter may stop sharing it (as_reporter).
        "family's shared report": Thing(
            family_report(family, shared=True), frozenset({"family_member"})
        ),
        "new case": Thing(CaseFactory(), CASE_WORKERS),
        "claimed case": Thing(claimed, CASE_WORKERS),
        # Reached through its case: by the same people.
        "claimed case's evidence": Thing(
            _text_evidence(claimed.report, claimed.report.reporter), CASE_WORKERS
        ),
        "assessed case": Thing(AssessedCaseFactory(assignee=triager), CASE_WORKERS),
        "case with an outcome": Thing(OutcomeGivenCaseFactory(assignee=triager), CASE_WORKERS),
        "closed case": Thing(ClosedCaseFactory(assignee=triager), CASE_WORKERS),
    }
    things.update(_wellbeing_things(people, frozenset(PERSONAS)))
    things.update(_training_things(people))
    things.update(_trends_things(people))
    # So that claim next has something to hand out in North Yorkshire too.
    CaseFactory(reporter=reporter_in("north-yorkshire"))
    # The trends pages, exports and API show figures (West and North Yorkshire's reports).
    rollup_rebuild()
    return World(
        people=people,
        sessions={name: _signed_in(user) for name, user in people.items()},
        things=things,
        colleague=make_person(Role.TRIAGE, kind=User.Kind.STAFF, full_name="Col League"),
        doxxing=HarmCategory.objects.get(slug="doxxing"),
        north_yorkshire=Force.objects.get(slug="north-yorkshire"),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The people and objects, built once and rolled back after the module's last cell."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_reference_data()
            # Speed only, as tests/conftest.py's _isolated does for each test.
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
            ):
                yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def matrix_client() -> Client:
    """One test client for the module: each new client builds the middleware again, and
    WhiteNoise's scan of the static files alone costs more than a cell (tests/testenv.py)."""
    return Client()


# --- what a permitted request does -----------------------------------------------------------
@dataclass(frozen=True)
class Ctx:
    """What a measure may read: the world, the person acting (None signed out), their client."""

    world: World
    actor: User | None
    client: Client


Measure = Callable[[Ctx], Any]
Check = Callable[[Any, Any, Ctx], bool]


@dataclass(frozen=True)
class Act:
    """A permitted person's request: its status and, for a change, what changes.

    `measure` reads the database before and after the request and `check(before, after, ctx)`
    says whether the change is the right one. With no `measure`, nothing may change at all
    (the route only shows a page). `who` narrows the act to some of the people the rule
    permits; the others get `others`, and nothing changes for them.
    """

    status: int
    data: Callable[[World], dict] = lambda world: {}
    measure: Measure | None = None
    check: Check | None = None
    prepare: Callable[[Ctx], object] | None = None
    who: frozenset[str] | None = None
    others: int | None = None
    # Words the permitted person's page must hold, and words the route's page (or file) never
    # shows anyone it answers 200: another force's or another team's names, say.
    shows: Callable[[Ctx], tuple[str, ...]] | None = None
    hides: Callable[[Ctx], tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Expect:
    """What a route does for a permitted person. `post=None`: the route refuses POST (405)."""

    things: dict[str, str] = field(default_factory=dict)  # kwarg -> world key, over the defaults
    get: Act = field(default_factory=lambda: Act(200))
    post: Act | None = None
    # People to whom the page is not there at all (404), as an object out of their reach is:
    # a family account has no team.
    absent_for: frozenset[str] = frozenset()


def _fresh(ctx: Ctx, key: str):
    """The world object `key` as stored now; None once deleted."""
    obj = ctx.world.things[key].value
    return type(obj).objects.filter(pk=obj.pk).first()


def _reporter_asks_for_line_manager(ctx: Ctx) -> None:
    """The claimed case's reporter asked that their line manager be told, and the roster
    names one (a colleague, not the person sending)."""
    report = ctx.world.things["claimed case"].value.report
    Report.objects.filter(pk=report.pk).update(line_manager_consent=True)
    TrainingProfile.objects.update_or_create(
        person=report.reporter,
        force=report.force,
        defaults={"audiences": ["frontline"], "line_manager": ctx.world.colleague},
    )


def stored(key: str, attr: str) -> Measure:
    """The stored value of the world object's `attr` (the object read afresh)."""
    return lambda ctx: getattr(_fresh(ctx, key), attr)


def exists(key: str) -> Measure:
    return lambda ctx: _fresh(ctx, key) is not None


def related_count(key: str, related: str) -> Measure:
    """How many rows hang off the world object by `related` ("messages", "report.messages")."""

    def count(ctx: Ctx) -> int:
        obj = _fresh(ctx, key)
        for step in related.split("."):
            obj = getattr(obj, step)
        return obj.count()

    return count


def reads_by_actor(ctx: Ctx) -> int:
    return AccessLog.objects.filter(actor_id=getattr(ctx.actor, "pk", None)).count()


def signed_in_as(ctx: Ctx) -> str | None:
    return ctx.client.session.get("_auth_user_id")


def one_more(before, after, ctx: Ctx) -> bool:
    return after == before + 1


def becomes(value) -> Check:
    return lambda before, after, ctx: before != value and after == value


def is_set(before, after, ctx: Ctx) -> bool:
    return before is None and after is not None


def persona_of(ctx: Ctx) -> str:
    return next((name for name, user in ctx.world.people.items() if user == ctx.actor), ANONYMOUS)


def words_for(who: frozenset[str], *words: str) -> Callable[[Ctx], tuple[str, ...]]:
    """`words` for the people in `who`, nothing for anyone else (for Act.shows and .hides)."""
    return lambda ctx: words if persona_of(ctx) in who else ()


def progress_in(key: str) -> Measure:
    """Where the person is in the published version of the module `key`: None if not started."""

    def measure(ctx: Ctx):
        module = ctx.world.things[key].value
        return (
            Progress.objects.filter(person=ctx.actor, version__module=module)
            .values_list("current_section", "read_all_at", "updated_at")
            .first()
        )

    return measure


def count_of(model, **lookups) -> Measure:
    """How many rows of `model` the person acting has by `lookups` ("person": the actor)."""

    def measure(ctx: Ctx) -> int:
        mine = {name: ctx.actor if value is ACTOR else value for name, value in lookups.items()}
        return model.objects.filter(**mine).count()

    return measure


ACTOR = object()  # in count_of's lookups: the person acting


def moved(before, after, ctx: Ctx) -> bool:
    return after is not None and after != before


def _right_answer(world: World) -> dict:
    module = world.things["force module"].value
    right = Answer.objects.get(question__version__module=module, is_correct=True)
    return {"question_1": str(right.public_id)}


def _date_parts(name: str, day) -> dict:
    """A GOV.UK date input's three boxes."""
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def _module_settings(title: str) -> dict:
    return {
        "title": title,
        "summary": "What to do when someone targets you at a public event.",
        "audiences": ["frontline"],
        **_date_parts("review_due", timezone.localdate() + timedelta(days=90)),
        "refresh_months": "24",
    }


def _assign_by_hand(world: World) -> dict:
    """The national module for the staff member (West Yorkshire), due in 30 days."""
    due = timezone.localdate() + timedelta(days=30)
    return {
        "module": "your-online-footprint-matrix",
        "emails": world.people["staff_member"].email,
        "due_on_0": str(due.day),
        "due_on_1": str(due.month),
        "due_on_2": str(due.year),
    }


def _draft_content(world: World) -> dict:
    return {
        "estimated_minutes": "25",
        "change_summary": "A part on fitness apps.",
        "pass_mark": "",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "1",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "50",
        "sections-0-position": "1",
        "sections-0-heading": "Fitness apps",
        "sections-0-body": "Set your runs to *private* and hide where they start.",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "50",
        "action": "save",
    }


# Who sees West Yorkshire's people and modules: its trainer, never another force's.
OTHER_FORCE = frozenset({"other_force_trainer"})
WEST_YORKSHIRE_MODULE = "West yorkshire local support"
# What a West Yorkshire lead's or oversight's trends page or export never names.
OWN_FORCE_ONLY = words_for(frozenset({"force_lead", "oversight"}), NORTH_YORKSHIRE)
# What a page of figures never shows: anyone's name.
NAMES = ("Sam Officer", TEAM_OUTSIDER, "Morgan Manager")

# A POST that shows the page as a GET would and changes nothing.
SHOWS = Act(200)
# A POST that shows the page and records the read in the access log, as the GET does.
SHOWS_AND_LOGS = Act(200, measure=reads_by_actor, check=one_more)
# A person's copy of their own data (privacy): their email in it, no other persona's name, logged.
OWN_DATA = Act(
    200,
    measure=reads_by_actor,
    check=one_more,
    shows=lambda ctx: (ctx.actor.email,),
    hides=lambda ctx: tuple(
        user.full_name
        for user in ctx.world.people.values()
        if user.full_name and user.full_name != ctx.actor.full_name
    ),
)
# A champion's page of a referral from a case: the read is logged for the referral, and for the
# case's report too (so the reporter's "Who has seen your report" lists it).
SHOWS_AND_LOGS_REFERRAL = Act(
    200, measure=reads_by_actor, check=lambda before, after, ctx: after == before + 2
)
# The quick exit: the session is over and its row is gone.
SIGNED_OUT = Act(
    302,
    measure=lambda ctx: (
        signed_in_as(ctx),
        Session.objects.filter(session_key=ctx.client.session.session_key).exists(),
    ),
    check=lambda before, after, ctx: after == (None, False),
)
PLAN = {
    "contact_how": "phone",
    "contact_when": "Weekday mornings, not on a late shift.",
    "needs": "Someone to talk to about what happened.",
    "what_helps": "A call before a hard shift.",
    "what_does_not_help": "Being asked about it in front of colleagues.",
    "checkin_every_days": "14",
}
NEW_DESCRIPTION = "Someone posted my address and a photo of my car outside my house."
STRONG_PASSWORD = "a-long-unusual-passphrase-42"


ROUTES: dict[str, Expect] = {
    # --- project pages ---
    "home": Expect(post=SHOWS),
    "healthz": Expect(),
    "accessibility": Expect(post=SHOWS),
    "privacy": Expect(post=SHOWS),
    "exit": Expect(get=SIGNED_OUT, post=SIGNED_OUT),
    # Nothing is stored: the staff idle timer restarts in the session (test_session_warning).
    "session_extend": Expect(
        get=Act(405),
        post=Act(204, measure=signed_in_as, check=lambda b, after, ctx: after == str(ctx.actor.pk)),
    ),
    "admin:index": Expect(post=SHOWS_AND_LOGS),
    # --- people ---
    "people:family": Expect(
        post=Act(
            302,
            data=lambda world: {"email": "new.relative@example.com", "relationship": "partner"},
            measure=lambda ctx: FamilyLink.objects.filter(
                member=ctx.actor, email="new.relative@example.com"
            ).exists(),
            check=becomes(True),
            # Only members invite: to a family account, inviting does not exist (404).
            who=MEMBERS,
            others=404,
        )
    ),
    "people:family_withdraw": Expect(
        things={"pk": "pending invitation"},
        get=Act(405),
        post=Act(302, measure=stored("pending invitation", "revoked_at"), check=is_set),
    ),
    "people:family_link_end": Expect(
        post=Act(302, measure=stored("accepted family link", "revoked_at"), check=is_set)
    ),
    "people:family_accept": Expect(
        post=Act(
            302,
            data=lambda world: {
                "full_name": "Robin Relative",
                "password1": STRONG_PASSWORD,
                "password2": STRONG_PASSWORD,
            },
            measure=stored("pending invitation", "accepted_at"),
            check=is_set,
            # A signed-in person is told the invitation is someone else's; nothing changes.
            who=frozenset({ANONYMOUS}),
            others=200,
        )
    ),
    "people:about_you": Expect(
        post=Act(
            302,
            data=lambda world: {"religion": "none"},
            measure=lambda ctx: User.objects.get(pk=ctx.actor.pk).religion,
            check=becomes("none"),
        )
    ),
    # --- notifications ---
    "notifications:inbox": Expect(),
    "notifications:mark_all_read": Expect(
        get=Act(405),
        post=Act(
            302,
            prepare=lambda ctx: NotificationFactory(user=ctx.actor, to_email=ctx.actor.email),
            measure=lambda ctx: Notification.objects.filter(user=ctx.actor, read_at=None).count(),
            check=lambda before, after, ctx: before > 0 and after == 0,
        ),
    ),
    "notifications:open": Expect(
        get=Act(302, measure=stored("officer's notification", "read_at"), check=is_set),
        post=Act(302, measure=stored("officer's notification", "read_at"), check=is_set),
    ),
    # --- reports ---
    "reports:list": Expect(post=SHOWS),
    "reports:start": Expect(
        post=Act(
            302,
            measure=lambda ctx: Report.objects.filter(
                reporter=ctx.actor, status=ReportStatus.DRAFT
            ).count(),
            check=one_more,
        )
    ),
    "reports:step": Expect(
        things={"pk": "draft"},
        post=Act(
            302,
            data=lambda world: {"description": NEW_DESCRIPTION, "action": "continue"},
            measure=stored("draft", "description"),
            check=becomes(NEW_DESCRIPTION),
        ),
    ),
    "reports:not_connected": Expect(things={"pk": "draft"}, post=SHOWS),
    "reports:check": Expect(things={"pk": "draft"}, post=SHOWS),
    "reports:submit": Expect(
        things={"pk": "draft"},
        get=Act(405),
        post=Act(302, measure=stored("draft", "status"), check=becomes(ReportStatus.SUBMITTED)),
    ),
    "reports:done": Expect(post=SHOWS),
    "reports:draft_delete": Expect(
        things={"pk": "draft"}, post=Act(302, measure=exists("draft"), check=becomes(False))
    ),
    "reports:evidence_remove": Expect(
        things={"pk": "draft", "evidence_pk": "draft's evidence"},
        get=Act(405),
        post=Act(302, measure=exists("draft's evidence"), check=becomes(False)),
    ),
    "reports:detail": Expect(post=SHOWS_AND_LOGS),
    "reports:message_send": Expect(
        get=Act(405),
        post=Act(
            302,
            data=lambda world: {"body": "Thank you for looking at this."},
            measure=related_count("sent report", "messages"),
            check=one_more,
        ),
    ),
    "reports:withdraw": Expect(
        post=Act(
            302,
            data=lambda world: {"reason": ""},
            measure=stored("sent report", "status"),
            check=becomes(ReportStatus.WITHDRAWN),
        )
    ),
    "reports:stop_sharing": Expect(
        things={"pk": "family's shared report"},
        get=Act(405),
        post=Act(
            302,
            measure=stored("family's shared report", "shared_with_member"),
            check=becomes(False),
        ),
    ),
    "reports:evidence_download": Expect(post=SHOWS_AND_LOGS),
    "reports:add_evidence": Expect(
        post=Act(
            302,
            data=lambda world: {"link_url": "https://example.com/post/1", "action": "add_link"},
            measure=related_count("sent report", "evidence"),
            check=one_more,
        )
    ),
    # --- triage ---
    "triage:queue": Expect(),
    "triage:supervisor": Expect(),
    "triage:claim_next": Expect(
        get=Act(405),
        post=Act(
            302,
            measure=lambda ctx: Case.objects.filter(assignee=ctx.actor).count(),
            check=one_more,
        ),
    ),
    "triage:case": Expect(),
    "triage:evidence": Expect(),
    "triage:claim": Expect(
        things={"pk": "new case"},
        get=Act(405),
        post=Act(
            302,
            measure=stored("new case", "assignee_id"),
            check=lambda before, after, ctx: before is None and after == ctx.actor.pk,
        ),
    ),
    "triage:unclaim": Expect(
        get=Act(405),
        post=Act(302, measure=stored("claimed case", "assignee_id"), check=becomes(None)),
    ),
    "triage:reassign": Expect(
        post=Act(
            302,
            data=lambda world: {"assignee": world.colleague.pk},
            measure=stored("claimed case", "assignee_id"),
            check=lambda before, after, ctx: after == ctx.world.colleague.pk != before,
        )
    ),
    "triage:assess": Expect(
        post=Act(
            302,
            data=lambda world: {
                "risk": "low",
                "categories": [world.doxxing.pk],
                "recording_decision": "no_recording",
            },
            measure=stored("claimed case", "risk"),
            check=becomes("low"),
        )
    ),
    "triage:record_action": Expect(
        things={"pk": "assessed case"},
        post=Act(
            302,
            data=lambda world: {"kind": "safeguarding_advice"},
            measure=related_count("assessed case", "actions"),
            check=one_more,
        ),
    ),
    "triage:add_note": Expect(
        post=Act(
            302,
            data=lambda world: {"body": "Called the reporter back."},
            measure=related_count("claimed case", "notes"),
            check=one_more,
        )
    ),
    "triage:send_message": Expect(
        post=Act(
            302,
            data=lambda world: {"body": "We have asked the platform to take it down."},
            measure=related_count("claimed case", "report.messages"),
            check=one_more,
        )
    ),
    "triage:give_outcome": Expect(
        things={"pk": "assessed case"},
        post=Act(
            302,
            data=lambda world: {"category": "advice", "explanation": "We gave you advice."},
            measure=stored("assessed case", "status"),
            check=becomes(CaseStatus.OUTCOME_GIVEN),
        ),
    ),
    "triage:close": Expect(
        things={"pk": "case with an outcome"},
        get=Act(405),
        post=Act(
            302,
            measure=stored("case with an outcome", "status"),
            check=becomes(CaseStatus.CLOSED),
        ),
    ),
    "triage:reopen": Expect(
        things={"pk": "closed case"},
        post=Act(
            302,
            data=lambda world: {"reason": "The reporter has been contacted again."},
            measure=stored("closed case", "status"),
            check=lambda before, after, ctx: before == CaseStatus.CLOSED != after,
        ),
    ),
    "triage:transfer": Expect(
        post=Act(
            302,
            data=lambda world: {"to_force": world.north_yorkshire.pk, "reason": "They moved."},
            measure=stored("claimed case", "force_id"),
            check=lambda before, after, ctx: after == ctx.world.north_yorkshire.pk != before,
        )
    ),
    "triage:legal_hold": Expect(
        post=Act(
            302,
            data=lambda world: {"reason": "Court order 2026/17."},
            measure=stored("claimed case", "legal_hold_since"),
            check=is_set,
        )
    ),
    "triage:preferences": Expect(
        post=Act(
            302,
            data=lambda world: {"email_when_reporter_writes": "yes"},
            measure=lambda ctx: TriagePreference.objects.filter(
                user=ctx.actor, email_when_reporter_writes=True
            ).exists(),
            check=becomes(True),
        )
    ),
    "triage:line_manager_notice": Expect(
        post=Act(
            302,
            prepare=_reporter_asks_for_line_manager,
            measure=lambda ctx: LineManagerNotice.objects.filter(
                subject_key=str(_fresh(ctx, "claimed case").report.public_id)
            ).count(),
            check=lambda before, after, ctx: (before, after) == (0, 1),
        )
    ),
    "triage:step_aside": Expect(
        post=Act(
            302,
            data=lambda world: {"reason": "I know the reporter."},
            measure=lambda ctx: (
                _fresh(ctx, "claimed case").conflicts.filter(user=ctx.actor).exists()
            ),
            check=becomes(True),
        )
    ),
    # --- wellbeing: the champion's side (a referral: 404 to all but its force's champion) ---
    "wellbeing:home": Expect(),
    "wellbeing:referral": Expect(get=SHOWS_AND_LOGS_REFERRAL),
    "wellbeing:assign": Expect(
        things={"pk": "accepted referral"},
        post=Act(
            302,
            data=lambda world: {"champion": world.people["champion"].pk},
            measure=stored("accepted referral", "champion_id"),
            check=lambda before, after, ctx: before is None and after == ctx.actor.pk,
        ),
    ),
    "wellbeing:choose_service": Expect(
        post=Act(
            302,
            data=lambda world: {"service": world.things["support service"].value.pk},
            measure=stored("assigned referral", "service_id"),
            check=lambda before, after, ctx: (
                before is None and after == ctx.world.things["support service"].value.pk
            ),
        )
    ),
    "wellbeing:start_support": Expect(
        get=Act(405),
        post=Act(
            302,
            measure=stored("assigned referral", "state"),
            check=becomes(ReferralState.IN_SUPPORT),
        ),
    ),
    "wellbeing:step_aside": Expect(
        post=Act(
            302,
            data=lambda world: {"reason": "I know the person from my last team."},
            measure=lambda ctx: (
                _fresh(ctx, "assigned referral").conflicts.filter(user=ctx.actor).exists()
            ),
            check=becomes(True),
        )
    ),
    "wellbeing:close": Expect(
        post=Act(
            302,
            data=lambda world: {"reason": "support_ended"},
            measure=stored("assigned referral", "state"),
            check=becomes(ReferralState.CLOSED),
        )
    ),
    "wellbeing:reopen": Expect(
        things={"pk": "closed referral"},
        get=Act(405),
        post=Act(
            302,
            data=lambda world: {"why": "The person asked for support again."},
            measure=stored("closed referral", "state"),
            check=lambda before, after, ctx: before == ReferralState.CLOSED != after,
        ),
    ),
    "wellbeing:message": Expect(
        get=Act(405),
        post=Act(
            302,
            data=lambda world: {"body": "Would a call on Thursday morning suit you?"},
            measure=related_count("assigned referral", "messages"),
            check=one_more,
        ),
    ),
    "wellbeing:plan": Expect(
        get=SHOWS_AND_LOGS_REFERRAL,
        post=Act(
            302,
            data=lambda world: PLAN,
            measure=related_count("assigned referral", "plans"),
            check=one_more,
        ),
    ),
    "wellbeing:checkin": Expect(
        get=SHOWS_AND_LOGS_REFERRAL,
        post=Act(
            302,
            data=lambda world: {"score": "3", "note": "Sleeping a little better."},
            measure=related_count("assigned referral", "checkins"),
            check=one_more,
        ),
    ),
    "wellbeing:crisis": Expect(
        things={"pk": "referral in crisis"},
        get=SHOWS_AND_LOGS_REFERRAL,
        post=Act(
            302,
            data=lambda world: {"what_was_done": "Called them and arranged an urgent OH slot."},
            measure=stored("referral in crisis", "in_crisis_since"),
            check=lambda before, after, ctx: before is not None and after is None,
        ),
    ),
    # --- wellbeing: the person's side (their own referrals only; everyone signed in) ---
    "wellbeing:mine": Expect(),
    # --- privacy (a person's own data) ---
    # Everyone's own copy (never anyone else's name), shown or downloaded: each is logged.
    "privacy:subject_access": Expect(get=OWN_DATA),
    "privacy:subject_access_json": Expect(get=OWN_DATA),
    "wellbeing:self_refer": Expect(
        post=Act(
            302,
            data=lambda world: {
                "harm_to": "both",
                "support_type": "technical",
                "summary": "My address is on a people-search site and I want it taken down.",
                "share_name": "no",
            },
            measure=lambda ctx: Referral.objects.filter(person=ctx.actor).count(),
            check=one_more,
        )
    ),
    "wellbeing:mine_referral": Expect(things={"pk": "officer's assigned referral"}),
    "wellbeing:respond": Expect(
        things={"pk": "officer's offered referral"},
        post=Act(
            302,
            data=lambda world: {
                "decision": "accept",
                "scope": ConsentScope.SUMMARY,
                "share_name": "yes",
                "harm_to": "me",
                "support_type": "wellbeing",
                "summary": "Someone shared my address online.",
            },
            measure=stored("officer's offered referral", "state"),
            check=becomes(ReferralState.ACCEPTED),
        ),
    ),
    "wellbeing:consent": Expect(
        things={"pk": "officer's assigned referral"},
        post=Act(
            302,
            data=lambda world: {"scope": ConsentScope.SUMMARY_AND_DESCRIPTION, "share_name": "no"},
            measure=stored("officer's assigned referral", "consent_scope"),
            check=becomes(ConsentScope.SUMMARY_AND_DESCRIPTION),
        ),
    ),
    "wellbeing:withdraw": Expect(
        things={"pk": "officer's assigned referral"},
        post=Act(
            302,
            measure=stored("officer's assigned referral", "consent_withdrawn_at"),
            check=is_set,
        ),
    ),
    "wellbeing:mine_message": Expect(
        things={"pk": "officer's assigned referral"},
        get=Act(405),
        post=Act(
            302,
            data=lambda world: {"body": "Thursday morning is fine, thank you."},
            measure=related_count("officer's assigned referral", "messages"),
            check=one_more,
        ),
    ),
    "wellbeing:mine_plan": Expect(
        things={"pk": "officer's assigned referral"},
        post=Act(
            302,
            data=lambda world: PLAN,
            measure=related_count("officer's assigned referral", "plans"),
            check=one_more,
        ),
    ),
    "wellbeing:feedback": Expect(
        things={"pk": "officer's closed referral"},
        post=Act(
            302,
            data=lambda world: {"helpful": "4", "text": "It helped to talk."},
            measure=stored("officer's closed referral", "feedback_at"),
            check=is_set,
        ),
    ),
    "wellbeing:mine_reopen": Expect(
        things={"pk": "officer's closed referral"},
        get=Act(405),
        post=Act(
            302,
            measure=stored("officer's closed referral", "state"),
            check=lambda before, after, ctx: before == ReferralState.CLOSED != after,
        ),
    ),
    # --- wellbeing: triage offers support from a case it works ---
    "wellbeing:offer": Expect(
        post=Act(
            302,
            data=lambda world: {"support_type": "wellbeing"},
            measure=lambda ctx: Referral.objects.filter(
                case=ctx.world.things["assessed case with no offer"].value
            ).exists(),
            check=becomes(True),
        )
    ),
    # --- wellbeing: capacity (aggregates), services, directory and library ---
    "wellbeing:capacity": Expect(),
    "wellbeing:services": Expect(),
    "wellbeing:service_new": Expect(
        post=Act(
            302,
            data=lambda world: {
                "name": "Trauma support team",
                "support_type": "trim",
                "capacity": "12",
                "target_wait_days": "10",
                "active": "on",
            },
            measure=lambda ctx: SupportService.objects.count(),
            check=one_more,
        )
    ),
    "wellbeing:service_edit": Expect(
        post=Act(
            302,
            data=lambda world: {
                "name": "Occupational health",
                "support_type": "occupational_health",
                "capacity": "25",
                "target_wait_days": "14",
                "active": "on",
            },
            measure=stored("support service", "capacity"),
            check=becomes(25),
        )
    ),
    "wellbeing:directory": Expect(),
    "wellbeing:listing_edit": Expect(
        post=Act(
            302,
            data=lambda world: {
                "display_name": "Chris Champion",
                "role_title": "Wellbeing champion",
                "how_to_reach": "Teams or 01234 567890, weekdays 9 to 5.",
                "listed": "on",
            },
            measure=lambda ctx: ChampionListing.objects.filter(user=ctx.actor).exists(),
            check=becomes(True),
        )
    ),
    "wellbeing:library": Expect(),
    "wellbeing:resource_new": Expect(
        post=Act(
            302,
            data=lambda world: {
                "kind": "security",
                "title": "Securing your accounts",
                "summary": "Two-step sign-in on every account.",
                "url": "https://example.org/security",
                "for_families": "on",
            },
            measure=lambda ctx: Resource.objects.count(),
            check=one_more,
        )
    ),
    "wellbeing:resource": Expect(),
    "wellbeing:resource_withdraw": Expect(
        things={"resource_pk": "force resource"},
        get=Act(405),
        post=Act(302, measure=stored("force resource", "withdrawn_at"), check=is_set),
    ),
    # --- training: the learner (their own modules and records; everyone signed in) ---
    "training:home": Expect(),
    "training:module": Expect(),
    # Opening a module's parts starts it, or resumes it where they left off.
    "training:learn": Expect(
        get=Act(200, measure=progress_in("force module"), check=lambda b, after, ctx: bool(after)),
        post=Act(302, measure=progress_in("force module"), check=moved),
    ),
    # The quiz comes after every part is read (the officer has); others are sent to read.
    "training:quiz": Expect(
        get=Act(200, who=frozenset({"officer"}), others=302),
        post=Act(
            302,
            data=_right_answer,
            measure=count_of(QuizAttempt, person=ACTOR),
            check=one_more,
            who=frozenset({"officer"}),
            others=302,
        ),
    ),
    "training:quiz_result": Expect(get=Act(200, who=frozenset({"officer"}), others=302)),
    # "Mark as complete" on a module without a quiz, every part read (the officer has).
    "training:complete": Expect(
        things={"slug": "national module"},
        get=Act(405),
        post=Act(
            302,
            measure=count_of(Completion, person=ACTOR),
            check=one_more,
            who=frozenset({"officer"}),
            others=302,
        ),
    ),
    "training:feedback": Expect(
        things={"pk": "officer's completion"},
        post=Act(
            302,
            data=lambda world: {"rating": "4", "better": "A part on dashcams.", "changed": "yes"},
            measure=lambda ctx: Feedback.objects.filter(
                completion=ctx.world.things["officer's completion"].value
            ).exists(),
            check=becomes(True),
        ),
    ),
    "training:certificate": Expect(
        things={"pk": "officer's completion"},
        get=Act(
            200,
            shows=lambda ctx: (
                "Sam Officer",
                ctx.world.things["officer's completion"].value.verification_code,
            ),
        ),
    ),
    # The footprint self-check: for everyone, family included. Only the fact of it is kept,
    # unless they tick to save their answers, which they can delete.
    "training:footprint": Expect(
        post=Act(
            200,
            data=lambda world: {q.key: q.options[0].value for q in FOOTPRINT_QUESTIONS},
            measure=count_of(FootprintCheck, person=ACTOR, saved_answers__isnull=True),
            check=one_more,
        )
    ),
    # Deleting saved answers, confirmed ("Yes, delete my saved answers").
    "training:footprint_saved": Expect(
        post=Act(
            302,
            data=lambda world: {"confirm": "yes"},
            prepare=lambda ctx: FootprintCheck.objects.create(
                person=ctx.actor,
                saved_answers={q.key: q.options[0].value for q in FOOTPRINT_QUESTIONS},
            ),
            measure=count_of(FootprintCheck, person=ACTOR, saved_answers__isnull=False),
            check=lambda before, after, ctx: (before, after) == (1, 0),
        )
    ),
    # --- training: authoring (training admins of the module's force; platform admins) ---
    "training:manage": Expect(
        get=Act(200, hides=words_for(OTHER_FORCE | {"platform_admin"}, WEST_YORKSHIRE_MODULE))
    ),
    "training:module_new": Expect(
        post=Act(
            302,
            data=lambda world: _module_settings("Staying safe at public events"),
            measure=lambda ctx: Module.objects.filter(
                title="Staying safe at public events"
            ).count(),
            check=one_more,
        )
    ),
    "training:module_edit": Expect(
        things={"pk": "force module to edit"},
        post=Act(
            302,
            data=lambda world: _module_settings("Local support in West Yorkshire"),
            measure=stored("force module to edit", "title"),
            check=becomes("Local support in West Yorkshire"),
        ),
    ),
    "training:version_new": Expect(
        things={"pk": "force module to edit"},
        get=Act(405),
        post=Act(302, measure=related_count("force module to edit", "versions"), check=one_more),
    ),
    "training:module_retire": Expect(
        things={"pk": "force module to edit"},
        post=Act(
            302,
            measure=lambda ctx: (
                _fresh(ctx, "force module to edit")
                .versions.filter(status=VersionStatus.PUBLISHED)
                .count()
            ),
            check=becomes(0),
        ),
    ),
    # A force's own note on a national module: each force's trainer writes their force's.
    "training:force_note": Expect(
        things={"pk": "national module to annotate"},
        post=Act(
            302,
            data=lambda world: {"body": "Call the force welfare line on 01234 567890."},
            measure=count_of(ForceNote, updated_by=ACTOR),
            check=one_more,
        ),
    ),
    "training:version_edit": Expect(
        things={"pk": "draft version"},
        post=Act(
            302,
            data=_draft_content,
            measure=stored("draft version", "estimated_minutes"),
            check=becomes(25),
        ),
    ),
    "training:version_publish": Expect(
        things={"pk": "draft version"},
        post=Act(
            302,
            measure=stored("draft version", "status"),
            check=becomes(VersionStatus.PUBLISHED),
        ),
    ),
    # --- training: audience rules and assigning by hand (each force's training admins) ---
    # A platform admin who trains in no force has no force's rules or people to work on.
    "training:rules": Expect(
        get=Act(
            200,
            shows=words_for(frozenset({"trainer"}), WEST_YORKSHIRE_MODULE),
            hides=words_for(OTHER_FORCE, WEST_YORKSHIRE_MODULE),
        ),
        post=Act(
            302,
            data=lambda world: {
                "module": "your-online-footprint-matrix",
                "audience": "induction",
                "within_days": "30",
            },
            measure=count_of(AudienceRule, created_by=ACTOR),
            check=one_more,
        ),
        absent_for=frozenset({"platform_admin"}),
    ),
    "training:rule_edit": Expect(
        things={"pk": "audience rule"},
        post=Act(
            302,
            data=lambda world: {"within_days": "45", "active": "yes"},
            measure=stored("audience rule", "within_days"),
            check=becomes(45),
        ),
    ),
    # Only to people of the trainer's own force: another force's trainer is told the staff
    # member is no one of theirs (the form again, 200) and nothing is assigned.
    "training:assign": Expect(
        post=Act(
            302,
            data=_assign_by_hand,
            measure=count_of(Assignment, assigned_by=ACTOR),
            check=one_more,
            who=frozenset({"trainer"}),
            others=200,
        ),
        absent_for=frozenset({"platform_admin"}),
    ),
    # --- training: a force's roster (its training admins; a platform admin trains in no
    # force, so these pages are not there for them) ---
    "training:roster": Expect(
        post=Act(
            302,
            data=lambda world: {
                "file": SimpleUploadedFile("roster.csv", _roster_csv("another.joiner"))
            },
            measure=count_of(RosterImport, uploaded_by=ACTOR),
            check=one_more,
        ),
        absent_for=frozenset({"platform_admin"}),
    ),
    # The preview names people: its read is logged. Applying it is all or nothing.
    "training:roster_preview": Expect(
        things={"pk": "roster import"},
        get=SHOWS_AND_LOGS,
        post=Act(
            302,
            measure=stored("roster import", "status"),
            check=becomes(RosterImport.Status.APPLIED),
        ),
    ),
    # --- training: compliance, teams, figures, review and certificate checks ---
    # The overdue list names people: its read is logged. Another force's trainer sees their own.
    "training:compliance": Expect(
        get=Act(
            200,
            measure=reads_by_actor,
            check=one_more,
            who=frozenset({"trainer"}),
            others=200,
            shows=lambda ctx: (TEAM_OUTSIDER, WEST_YORKSHIRE_MODULE),
            hides=words_for(OTHER_FORCE, TEAM_OUTSIDER, WEST_YORKSHIRE_MODULE),
        )
    ),
    # The overdue list's export (names: logged). Another force's trainer exports their own.
    "training:compliance_export": Expect(
        get=Act(
            200,
            data=lambda world: {"format": "csv", "list": "overdue"},
            measure=reads_by_actor,
            check=one_more,
            shows=words_for(frozenset({"trainer"}), TEAM_OUTSIDER, WEST_YORKSHIRE_MODULE),
            hides=words_for(OTHER_FORCE, TEAM_OUTSIDER, WEST_YORKSHIRE_MODULE),
        )
    ),
    # A line manager's team, from the roster; anyone else's team page is empty.
    "training:team": Expect(
        get=Act(
            200,
            measure=reads_by_actor,
            check=one_more,
            who=frozenset({"staff_member"}),
            others=200,
            shows=lambda ctx: ("Sam Officer",),
            hides=lambda ctx: (TEAM_OUTSIDER,),
        ),
        absent_for=frozenset({"family_member"}),
    ),
    "training:team_export": Expect(
        get=Act(
            200,
            data=lambda world: {"format": "csv"},
            measure=reads_by_actor,
            check=one_more,
            shows=words_for(frozenset({"staff_member"}), "Sam Officer"),
            hides=lambda ctx: (TEAM_OUTSIDER,),
        ),
        absent_for=frozenset({"family_member"}),
    ),
    "training:figures": Expect(get=Act(200, hides=lambda ctx: NAMES)),
    # --- trends: API keys (their own only) and the read-only API (GET only: POST is 405) ---
    "trends:api_tokens": Expect(
        post=Act(
            200,
            data=lambda world: {"name": "Power BI", "days": "90"},
            measure=count_of(ApiToken, user=ACTOR),
            check=one_more,
            shows=lambda ctx: ("Copy the key now",),
        )
    ),
    "trends:api_token_revoke": Expect(
        get=Act(200, shows=lambda ctx: ("Revoke the key",)),
        post=Act(302, measure=stored("force lead's API key", "revoked_at"), check=is_set),
    ),
    # A lead or oversight lists their own force; only an analyst sees North Yorkshire.
    "trends:trends_api:forces": Expect(
        get=Act(
            200,
            measure=reads_by_actor,
            check=one_more,
            shows=lambda ctx: ("west-yorkshire",),
            hides=words_for(frozenset({"force_lead", "oversight"}), "north-yorkshire"),
        )
    ),
    "trends:trends_api:figures": Expect(get=Act(200, measure=reads_by_actor, check=one_more)),
    # --- trends: the dashboards (GET only) ---
    # A lead or oversight sees their own force, never another's name; the national pages are
    # for analysts only (their gate: test_trends_routes_are_gated_as_the_access_rules_say).
    "trends:home": Expect(get=Act(200, shows=lambda ctx: (WEST_YORKSHIRE,), hides=OWN_FORCE_ONLY)),
    "trends:force": Expect(get=Act(200, shows=lambda ctx: (WEST_YORKSHIRE,), hides=OWN_FORCE_ONLY)),
    "trends:national": Expect(get=Act(200, shows=lambda ctx: (NORTH_YORKSHIRE,))),
    "trends:non_crime": Expect(),
    # --- trends: exports, recorded in the access log before the first row is streamed ---
    "trends:export_csv": Expect(
        get=Act(
            200,
            measure=reads_by_actor,
            check=one_more,
            shows=lambda ctx: (WEST_YORKSHIRE,),
            hides=OWN_FORCE_ONLY,
        )
    ),
    "trends:export_xlsx": Expect(get=Act(200, measure=reads_by_actor, check=one_more)),
    "trends:trends_api:monthly": Expect(get=Act(200, measure=reads_by_actor, check=one_more)),
    # One force's performance: an analyst must name it (without, 400), so every reader does.
    "trends:trends_api:performance": Expect(
        get=Act(
            200,
            data=lambda world: {"force": "west-yorkshire"},
            measure=reads_by_actor,
            check=one_more,
        )
    ),
    # A national module's review: feedback of the trainer's own force's learners (all forces'
    # for a platform admin); another force's trainer reads none of West Yorkshire's comments.
    "training:review": Expect(
        things={"pk": "national module to review"},
        get=Act(
            200,
            shows=words_for(frozenset({"trainer", "platform_admin"}), "More on fitness apps."),
            hides=words_for(OTHER_FORCE, "More on fitness apps."),
        ),
    ),
    # Checking a certificate's code is logged, found or not; only the learner's force's
    # trainer is told whose it is.
    "training:verify": Expect(
        get=Act(
            200,
            data=lambda world: {
                "code": world.things["officer's completion"].value.verification_code
            },
            measure=reads_by_actor,
            check=one_more,
            shows=words_for(frozenset({"trainer"}), "Sam Officer"),
            hides=words_for(OTHER_FORCE, "Sam Officer"),
        )
    ),
}


# --- working out a cell ------------------------------------------------------------------------
def _expect(route: Route) -> Expect:
    return ROUTES.get(route.name) or Expect()


def _things(route: Route, expect: Expect, world: World) -> dict[str, Thing]:
    things = {}
    for kwarg in route.kwargs:
        key = expect.things.get(kwarg) or DEFAULT_THINGS.get((route.namespace, kwarg))
        if key is None:
            pytest.fail(
                f"{route.pattern} ({route.name}) has a URL kwarg {kwarg!r} that the matrix "
                f"cannot fill. Add ('{route.namespace}', '{kwarg}') to DEFAULT_THINGS, or "
                f"things={{'{kwarg}': ...}} to ROUTES['{route.name}'], naming an object in "
                "the world (_build_world) and who may reach it."
            )
        things[kwarg] = world.things[key]
    return things


@dataclass(frozen=True)
class Cell:
    status: int
    why: str
    act: Act | None = None  # None: a refusal, after which nothing may have changed


def _cell(route: Route, method: str, who: str, world: World, things: dict[str, Thing]) -> Cell:
    if who == ANONYMOUS and route.name.startswith(TRENDS_API):
        return Cell(401, "the trends API answers 401 to a request with no key or session")
    if who == ANONYMOUS and route.name not in PUBLIC:
        return Cell(302, "anonymous visitors are sent to sign in (not in PUBLIC)")
    roles = route.required_roles
    if who != ANONYMOUS and roles:
        user = world.people[who]
        if user.professional_standards:
            return Cell(404, "every staff route is 404 to Professional Standards")
        if not user.has_role(*roles):
            return Cell(403, f"signed in without the route's roles {sorted(roles)}")
    expect = _expect(route)
    act = expect.get if method == "get" else expect.post
    if act is None:
        return Cell(405, "ROUTES gives no POST for this route, so it must refuse POST")
    if act.status == 405:
        return Cell(405, "ROUTES says this route refuses GET")
    outside = [name for name, thing in things.items() if thing.reach and who not in thing.reach]
    if outside:
        return Cell(404, f"the object in {outside} is outside {who}'s reach")
    if who in expect.absent_for:
        return Cell(404, f"the page is not there for {who} (absent_for)")
    if act.who is not None and who not in act.who:
        return Cell(act.others, f"the act is for {sorted(act.who)} only")
    return Cell(act.status, "permitted: ROUTES gives what happens", act)


def _cells() -> list[tuple[Route, str, str]]:
    return [
        (route, method, who) for route in all_routes() for method in ("get", "post") for who in WHO
    ]


# --- nothing changed --------------------------------------------------------------------------
@functools.cache
def _tables() -> list[str]:
    local = ("harmsportal", "reports", "triage", "training", "wellbeing", "campaigns")
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model.__module__.startswith(local) and not model._meta.proxy
    )


def _fingerprint(things: dict[str, Thing]) -> tuple:
    """Row counts of every portal table, and the stored state of the route's objects."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in _tables())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")  # table names from the app registry, not input
        rows = cursor.fetchone()
    states = []
    for thing in things.values():
        obj = thing.value
        if hasattr(obj, "_meta"):
            states.append(type(obj).objects.filter(pk=obj.pk).values().first())
            if hasattr(obj, "report_id"):
                states.append(Report.objects.filter(pk=obj.report_id).values().first())
    return rows, states


# --- the matrix -----------------------------------------------------------------------------------
def test_the_matrix_has_every_persona_of_conftest():
    assert set(PERSONAS) - MATRIX_ONLY == set(conftest.PERSONAS)


def test_every_entry_in_routes_names_a_route_that_exists():
    # A renamed route must not leave a stale entry that quietly stops applying.
    names = {route.name for route in all_routes()}
    assert set(ROUTES) - names == set()
    assert set(PUBLIC) - names == set()


# --- wellbeing: the gates the access rules set (issue 8) --------------------------------------
# A cell is worked out from the view's own gate (role_required or not). This pins each gate to
# the rules, so a referral route that grew a role check (403 where the rules want the 404 of a
# missing referral) or a champion page that lost one fails here, not silently in the matrix.
# Every wellbeing route not listed is for everyone signed in: referral routes go through their
# chokepoint (404), the person's own pages, self-referral, the directory and the library.
CHAMPION_ONLY = frozenset({Role.CHAMPION})
WELLBEING_GATES = {
    "wellbeing:home": CHAMPION_ONLY,
    "wellbeing:services": CHAMPION_ONLY,
    "wellbeing:service_new": CHAMPION_ONLY,
    "wellbeing:service_edit": CHAMPION_ONLY,
    "wellbeing:listing_edit": CHAMPION_ONLY,
    "wellbeing:resource_new": CHAMPION_ONLY,
    "wellbeing:resource_withdraw": CHAMPION_ONLY,
    # Aggregates only: champions and leads of their force, analysts of every force.
    "wellbeing:capacity": frozenset(
        {Role.CHAMPION, Role.FORCE_LEAD, Role.OVERSIGHT, Role.NATIONAL_ANALYST}
    ),
    # Triage offers support from a case it works, as on the case page.
    "wellbeing:offer": TRIAGE_ROLES,
}


def test_wellbeing_routes_are_gated_as_the_access_rules_say():
    gates = {route.name: route.required_roles for route in all_routes()}
    wellbeing = {name: roles for name, roles in gates.items() if name.startswith("wellbeing:")}
    wrong = {
        name: f"gated by {sorted(roles) or 'sign-in only'}, the rules say "
        f"{sorted(WELLBEING_GATES.get(name, ())) or 'sign-in only'}"
        for name, roles in wellbeing.items()
        if roles != WELLBEING_GATES.get(name, frozenset())
    }
    assert wrong == {}


# --- training: the gates the access rules set (issue 9) -----------------------------------------
# Officers and family accounts are refused (403) the training admins' pages, compliance,
# review and roster import; leads, oversight and analysts open only the figures; Professional
# Standards get 404 on all of them. Every training route not listed is for everyone signed in
# (their own modules, records and self-check; a line manager's team), reached through the
# chokepoints of training/selectors.py.
TRAINING_STAFF = frozenset({Role.TRAINING_ADMIN, Role.PLATFORM_ADMIN})
TRAINING_ADMINS = frozenset({Role.TRAINING_ADMIN})
TRAINING_GATES = {
    **dict.fromkeys(
        (
            "training:manage",
            "training:module_new",
            "training:module_edit",
            "training:version_new",
            "training:module_retire",
            "training:force_note",
            "training:version_edit",
            "training:version_publish",
            "training:rules",
            "training:rule_edit",
            "training:assign",
            "training:roster",
            "training:roster_preview",
            # Platform admins review national modules, which they publish.
            "training:review",
        ),
        TRAINING_STAFF,
    ),
    # People's names: a force's own training admins only.
    "training:compliance": TRAINING_ADMINS,
    "training:compliance_export": TRAINING_ADMINS,
    "training:verify": TRAINING_ADMINS,
    # Aggregates only.
    "training:figures": AGGREGATE_ROLES,
}


def test_training_routes_are_gated_as_the_access_rules_say():
    gates = {route.name: route.required_roles for route in all_routes()}
    training = {name: roles for name, roles in gates.items() if name.startswith("training:")}
    wrong = {
        name: f"gated by {sorted(roles) or 'sign-in only'}, the rules say "
        f"{sorted(TRAINING_GATES.get(name, ())) or 'sign-in only'}"
        for name, roles in training.items()
        if roles != TRAINING_GATES.get(name, frozenset())
    }
    assert wrong == {}
    assert set(TRAINING_GATES) <= set(training)


def _sign_in(client: Client, world: World, who: str) -> None:
    client.cookies.clear()
    if who != ANONYMOUS:
        # Signed in once per persona for the module: force_login in every cell is slow.
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def _request(client: Client, method: str, path: str, data: dict):
    # A GET's data is its query (a certificate code to check, say).
    return client.post(path, data) if method == "post" else client.get(path, data)


@pytest.mark.parametrize(
    ("route", "method", "who"),
    _cells(),
    ids=[f"{route.name}-{method}-{who}" for route, method, who in _cells()],
)
def test_permission_matrix(matrix_client, world, route: Route, method: str, who: str):
    client = matrix_client
    _sign_in(client, world, who)
    expect = _expect(route)
    things = _things(route, expect, world)
    path = route.path(**{name: thing.url_value for name, thing in things.items()})
    cell = _cell(route, method, who, world, things)
    ctx = Ctx(world=world, actor=world.people.get(who), client=client)
    act = cell.act
    if act is not None and act.prepare is not None:
        act.prepare(ctx)
    unchanged = act is None or (method == "post" and act.measure is None)
    before = _fingerprint(things) if unchanged else None
    measured = act.measure(ctx) if act and act.measure else None
    # A refused person sends what a permitted one would: the refusal is of a real request.
    payload = (expect.get if method == "get" else expect.post) or Act(405)

    response = _request(client, method, path, payload.data(world))

    assert response.status_code == cell.status, (
        f"{method.upper()} {path} ({route.name}) as {who}: expected {cell.status} because "
        f"{cell.why}; got {response.status_code}. Fix the view, or if the route is new or "
        f"changed, say what it does in ROUTES['{route.name}'] in tests/test_permission_matrix.py."
    )
    if cell.status == 302 and who == ANONYMOUS and route.name not in PUBLIC:
        assert response["Location"].startswith("/accounts/login/"), response["Location"]
    if act is not None and act.shows is not None:
        page = _body(response)
        missing = [words for words in act.shows(ctx) if words not in page]
        assert missing == [], f"{method.upper()} {route.name} as {who} does not show {missing}"
    if payload.hides is not None and response.status_code == 200:
        page = _body(response)
        shown = [words for words in payload.hides(ctx) if words in page]
        assert shown == [], f"{method.upper()} {route.name} as {who} shows {shown}"
    if act is not None and act.measure is not None:
        after = act.measure(ctx)
        assert act.check(measured, after, ctx), (
            f"{method.upper()} {route.name} as {who} did not make its change: "
            f"before {measured!r}, after {after!r}"
        )
    elif unchanged:
        # A refusal, or a POST that only shows a page: nothing is stored, not even a read.
        assert _fingerprint(things) == before, (
            f"{method.upper()} {route.name} as {who} changed data"
        )


# --- Professional Standards as reporters -----------------------------------------------------
# Their own report pages work as anyone's do: the wall keeps out other people's reports only.
PSD_OWN = {
    "sent report": "psd's sent report",
    "sent report's evidence": "psd's sent report's evidence",
    "draft": "psd's draft",
    "draft's evidence": "psd's draft's evidence",
}
OWN_REPORT_PAGES = [
    route
    for route in all_routes()
    if route.namespace == "reports" and route.kwargs and _expect(route).get.status != 405
]


@pytest.mark.parametrize("route", OWN_REPORT_PAGES, ids=[route.name for route in OWN_REPORT_PAGES])
def test_professional_standards_use_their_own_report_pages(matrix_client, world, route: Route):
    expect = _expect(route)
    things = _things(route, expect, world)
    own = {}
    for name, thing in things.items():
        key = next(key for key, value in world.things.items() if value is thing)
        if key not in PSD_OWN and thing.reach:
            pytest.skip(f"{key} has no Professional Standards twin in the world")
        own[name] = world.things.get(PSD_OWN.get(key, key), thing)
    _sign_in(matrix_client, world, "psd_officer")
    response = matrix_client.get(route.path(**{name: t.url_value for name, t in own.items()}))
    assert response.status_code == expect.get.status


# --- wellbeing: everyone's own support; what a champion never reaches ----------------------
# Professional Standards officers and family accounts use their own /wellbeing/mine/ pages as
# anyone does (in the matrix those pages show the officer's referral, so they get 404 there).
OWN_REFERRAL = {"psd_officer": "psd's self-referral", "family_member": "family's self-referral"}
OWN_REFERRAL_PAGES = [
    route
    for route in all_routes()
    if _expect(route).things.get("pk") == "officer's assigned referral"
    and _expect(route).get.status != 405
]


@pytest.mark.parametrize(
    ("route", "who"),
    [(route, who) for route in OWN_REFERRAL_PAGES for who in OWN_REFERRAL],
    ids=[f"{route.name}-{who}" for route in OWN_REFERRAL_PAGES for who in OWN_REFERRAL],
)
def test_professional_standards_and_family_use_their_own_referral_pages(
    matrix_client, world, route: Route, who: str
):
    _sign_in(matrix_client, world, who)
    own = world.things[OWN_REFERRAL[who]]
    response = matrix_client.get(route.path(pk=own.url_value))
    assert response.status_code == _expect(route).get.status


# A champion of the force reaches a referral only once the person consented, never their own,
# their family's, one they stepped aside from, or another force's: each is the 404 of a missing
# referral on every champion route, GET and POST, and nothing is stored (not even a read).
CHAMPION_REFERRAL_ROUTES = [
    route
    for route in all_routes()
    if route.namespace == "wellbeing"
    and "pk" in route.kwargs
    and not route.pattern.startswith("wellbeing/mine/")
]
KEPT_FROM_CHAMPION = [
    "referral not yet accepted",
    "referral the champion's own",
    "referral their family's",
    "referral stepped aside from",
    "referral another force's",
]


@pytest.mark.parametrize(
    ("route", "key"),
    [(route, key) for route in CHAMPION_REFERRAL_ROUTES for key in KEPT_FROM_CHAMPION],
    ids=[f"{route.name}-{key}" for route in CHAMPION_REFERRAL_ROUTES for key in KEPT_FROM_CHAMPION],
)
def test_a_champion_never_reaches_a_referral_kept_from_them(
    matrix_client, world, route: Route, key: str
):
    _sign_in(matrix_client, world, "champion")
    thing = world.things[key]
    path = route.path(pk=thing.url_value)
    expect = _expect(route)
    for method, act in (("get", expect.get), ("post", expect.post)):
        if act is None or act.status == 405:
            continue
        before = _fingerprint({"pk": thing})
        response = _request(matrix_client, method, path, act.data(world))
        assert response.status_code == 404, f"{method.upper()} {route.name} on the {key}"
        assert _fingerprint({"pk": thing}) == before, f"{method.upper()} {route.name} stored"


# --- an empty POST ---------------------------------------------------------------------------
def _permitted(route: Route, world: World) -> str | None:
    things = _things(route, _expect(route), world)
    for who in WHO:
        cell = _cell(route, "post", who, world, things)
        if cell.act is not None:
            return who
    return None


POSTED = [route for route in all_routes() if _expect(route).post is not None]


@pytest.mark.parametrize("route", POSTED, ids=[route.name for route in POSTED])
def test_an_empty_post_from_a_permitted_person_never_fails(matrix_client, world, route: Route):
    """Forms answer a POST with nothing in it with their errors, never a server error."""
    who = _permitted(route, world)
    assert who is not None, f"nobody in the matrix is permitted to POST to {route.name}"
    _sign_in(matrix_client, world, who)
    things = _things(route, _expect(route), world)
    response = matrix_client.post(route.path(**{n: t.url_value for n, t in things.items()}), {})
    assert response.status_code < 500, f"POST {route.name} as {who} with no data"


# --- training: a family account's own modules; nobody's completion but one's own ------------
# In the matrix the learner's module pages show West Yorkshire's module, which is 404 to a
# family account; the family module's pages work for them as the module's do for an officer.
FAMILY_MODULE_PAGES = [
    route
    for route in all_routes()
    if route.namespace == "training" and "slug" in route.kwargs and _expect(route).get.status != 405
]


@pytest.mark.parametrize("route", FAMILY_MODULE_PAGES, ids=[r.name for r in FAMILY_MODULE_PAGES])
def test_a_family_account_uses_the_family_modules_pages(matrix_client, world, route: Route):
    _sign_in(matrix_client, world, "family_member")
    family = world.things["family module"]
    response = matrix_client.get(route.path(slug=family.url_value))
    # The quiz pages send a learner who has not read the module (or has no quiz) to read it.
    expected = _expect(route).get
    assert response.status_code == (expected.others if expected.who else expected.status)


# Another learner's completion (its certificate and feedback) is the 404 of a missing one to
# everyone, whatever their role: their line manager, their force's trainer, a platform admin.
COMPLETION_ROUTES = [
    route for route in all_routes() if _expect(route).things.get("pk") == "officer's completion"
]


@pytest.mark.parametrize(
    ("route", "who"),
    [(route, who) for route in COMPLETION_ROUTES for who in PERSONAS],
    ids=[f"{route.name}-{who}" for route in COMPLETION_ROUTES for who in PERSONAS],
)
def test_nobody_reaches_another_learners_completion(matrix_client, world, route: Route, who: str):
    _sign_in(matrix_client, world, who)
    thing = world.things["colleague's completion"]
    path = route.path(pk=thing.url_value)
    expect = _expect(route)
    for method, act in (("get", expect.get), ("post", expect.post)):
        if act is None or act.status == 405:
            continue
        before = _fingerprint({"pk": thing})
        response = _request(matrix_client, method, path, act.data(world))
        assert response.status_code == 404, f"{method.upper()} {route.name} as {who}"
        assert _fingerprint({"pk": thing}) == before, f"{method.upper()} {route.name} stored"


# --- trends: the gates the access rules set, and another force (issue 10) ---------------------
# Force leads, oversight and analysts open every trends page, export, API key page and API
# endpoint; the national pages are for analysts alone. Everyone else 403, Professional
# Standards 404 (the matrix above, from these gates).
TRENDS_GATES = {
    "trends:national": frozenset({Role.NATIONAL_ANALYST}),
    "trends:non_crime": frozenset({Role.NATIONAL_ANALYST}),
}
TRENDS_ROUTES = [route for route in all_routes() if route.namespace.startswith("trends")]


def test_trends_routes_are_gated_as_the_access_rules_say():
    wrong = {
        route.name: f"gated by {sorted(route.required_roles) or 'sign-in only'}"
        for route in TRENDS_ROUTES
        if route.required_roles != TRENDS_GATES.get(route.name, AGGREGATE_ROLES)
    }
    assert wrong == {}
    assert set(TRENDS_GATES) <= {route.name for route in TRENDS_ROUTES}
    assert any(route.namespace == "trends:trends_api" for route in TRENDS_ROUTES)


# A force in the path that the person may not see is the 404 of one that does not exist: a
# West Yorkshire lead or oversight asking for North Yorkshire, or anyone for a made-up force.
FORCE_PAGES = [route for route in TRENDS_ROUTES if "force" in route.kwargs]
ANOTHER_FORCE = [
    (route, who, slug, status)
    for route in FORCE_PAGES
    for who, slug, status in (
        ("force_lead", "north-yorkshire", 404),
        ("oversight", "north-yorkshire", 404),
        ("analyst", "north-yorkshire", 200),
        ("force_lead", "no-such-force", 404),
        ("analyst", "no-such-force", 404),
    )
]


@pytest.mark.parametrize(
    ("route", "who", "slug", "status"),
    ANOTHER_FORCE,
    ids=[f"{route.name}-{who}-{slug}" for route, who, slug, _ in ANOTHER_FORCE],
)
def test_a_force_page_is_there_only_for_those_who_see_the_force(
    matrix_client, world, route: Route, who: str, slug: str, status: int
):
    _sign_in(matrix_client, world, who)
    before = _fingerprint({})

    response = matrix_client.get(route.path(force=slug))

    assert response.status_code == status
    if status == 404:
        assert NORTH_YORKSHIRE not in _body(response)
        assert _fingerprint({}) == before


# The API's `?force=`: another force is refused exactly as a force that does not exist (400,
# the same message), so a lead can neither read nor probe another force through it.
API_SCOPED = [
    route
    for route in TRENDS_ROUTES
    if route.name
    in {"trends:trends_api:figures", "trends:trends_api:monthly", "trends:trends_api:performance"}
]


@pytest.mark.parametrize("route", API_SCOPED, ids=[route.name for route in API_SCOPED])
@pytest.mark.parametrize("who", ["force_lead", "oversight"])
def test_the_api_never_answers_a_lead_for_another_force(matrix_client, world, route, who):
    _sign_in(matrix_client, world, who)

    other = matrix_client.get(route.path(), {"force": "north-yorkshire"})
    missing = matrix_client.get(route.path(), {"force": "no-such-force"})
    own = matrix_client.get(route.path(), {"force": "west-yorkshire"})

    assert own.status_code == 200
    assert other.status_code == missing.status_code == 400
    assert other.json() == missing.json()
    assert "north-yorkshire" not in other.content.decode().replace("no-such-force", "")


def test_an_analyst_reads_another_force_through_the_api(matrix_client, world):
    _sign_in(matrix_client, world, "analyst")
    route = next(route for route in API_SCOPED if route.name.endswith(":figures"))

    response = matrix_client.get(route.path(), {"force": "north-yorkshire"})

    assert response.status_code == 200
    assert "north-yorkshire" in response.content.decode()
