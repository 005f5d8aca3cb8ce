"""The permission matrix of every route, generated from the URLconf (tests/routes.py).

Every route is requested with GET and POST by every persona and by an anonymous visitor. Each
cell expects exactly one status, worked out by one rule, in this order:

1. An anonymous visitor is sent to sign in (302), unless the route is public (`PUBLIC`).
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
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from harmsportal.audit.models import AccessLog
from harmsportal.notifications.models import Notification
from harmsportal.people.models import TRIAGE_ROLES, FamilyLink, Force, Role, User
from harmsportal.people.services import family_invite_token
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
from training.models import LineManagerNotice, TrainingProfile
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
}
WHO = (ANONYMOUS, *PERSONAS)
CASE_WORKERS = frozenset({"triager", "triage_supervisor"})  # West Yorkshire triage
MEMBERS = frozenset(PERSONAS) - {"family_member"}  # officers, staff and volunteers


@dataclass(frozen=True)
class Thing:
    """A value for a URL kwarg: an object and who may reach it, or a plain value (reach None)."""

    value: Any
    reach: frozenset[str] | None = None

    @property
    def url_value(self) -> object:
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
    # So that claim next has something to hand out in North Yorkshire too.
    CaseFactory(reporter=reporter_in("north-yorkshire"))
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


@dataclass(frozen=True)
class Expect:
    """What a route does for a permitted person. `post=None`: the route refuses POST (405)."""

    things: dict[str, str] = field(default_factory=dict)  # kwarg -> world key, over the defaults
    get: Act = field(default_factory=lambda: Act(200))
    post: Act | None = None


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


# A POST that shows the page as a GET would and changes nothing.
SHOWS = Act(200)
# A POST that shows the page and records the read in the access log, as the GET does.
SHOWS_AND_LOGS = Act(200, measure=reads_by_actor, check=one_more)
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
    assert set(PERSONAS) == set(conftest.PERSONAS)


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


def _sign_in(client: Client, world: World, who: str) -> None:
    client.cookies.clear()
    if who != ANONYMOUS:
        # Signed in once per persona for the module: force_login in every cell is slow.
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]


def _request(client: Client, method: str, path: str, data: dict):
    return client.post(path, data) if method == "post" else client.get(path)


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
