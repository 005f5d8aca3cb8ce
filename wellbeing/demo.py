"""Demo wellbeing for `manage.py seed_demo`: West Yorkshire's referrals in every state, its
support services (some over capacity), the champions' directory and the signposting library.

The demo champion (champion@demo.harmsportal.test, Robin Shaw) finds a queue that has been
worked for a while:

- from the demo cases, offered at their assessment (triage's demo has just assessed them, so
  these happen now): the officer's doxxing case, accepted with the report's description and
  their name shared, assigned, with a support plan and a message; the family member's case,
  offered and not yet answered; the officer's impersonation case, offered and declined;
- self-referrals, told as stories over the past weeks and made through the real services, then
  moved back to the days they happened: the family member's family support, in support; a
  staff member waiting for a champion; a Professional Standards officer's occupational health
  support with a check-in overdue; the triager's peer support, whose scores fell twice in a row
  (needs attention); the supervisor's TRiM support after a crisis check-in; and the training
  admin's employee assistance, closed with feedback;
- colleagues of the force (accounts nobody signs in as) whose referrals give the capacity view
  real figures: open counts against capacity, waits, and cells too small to show.

A second champion (Taylor Quinn, no password) holds some of the colleagues' referrals and hears
of the crisis check-in. Seeding again changes nothing: a story runs only when its referral is not
there yet (for a case, while its offer is unanswered), and everything else is found by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from harmsportal.notifications.models import Notification
from harmsportal.people.demo import DEMO_DOMAIN, HOME_FORCE
from harmsportal.people.models import Force, Membership, Role, User
from triage.models import Case
from wellbeing.models import (
    DEFAULT_CHECKIN_DAYS,
    ChampionListing,
    CheckIn,
    CloseReason,
    ConsentScope,
    HarmTo,
    Referral,
    ReferralEvent,
    ReferralMessage,
    ReferralSource,
    ReferralState,
    Resource,
    SupportPlan,
    SupportService,
    SupportType,
)
from wellbeing.selectors import current_plan
from wellbeing.services._shared import reference_allocate
from wellbeing.services.checkins import checkin_record
from wellbeing.services.messages import referral_message_send
from wellbeing.services.moves import (
    referral_assign,
    referral_close,
    referral_service_choose,
    referral_support_start,
)
from wellbeing.services.offers import (
    referral_accept,
    referral_decline,
    referral_feedback,
    referral_offer,
    referral_self_refer,
)
from wellbeing.services.plans import support_plan_update

# --- what West Yorkshire offers ------------------------------------------------------------------

# (name, type, capacity, target wait in days). Occupational health and peer support hold more
# open referrals than they have room for: the capacity view shows it.
SERVICES: tuple[tuple[str, str, int, int], ...] = (
    ("Peer support network", SupportType.WELLBEING, 6, 7),
    ("Occupational Health psychological support", SupportType.OCCUPATIONAL_HEALTH, 3, 28),
    ("TRiM practitioners", SupportType.TRIM, 10, 3),
    ("Employee assistance programme", SupportType.EAP, 40, 2),
    ("Digital footprint and account security", SupportType.TECHNICAL, 10, 5),
    ("Family liaison and support", SupportType.FAMILY, 8, 14),
)

COLLEAGUE_CHAMPION = ("champion-colleague", "Taylor Quinn")

LISTINGS: dict[str, tuple[str, str]] = {
    # account email key -> (role title, how to reach)
    "champion": (
        "Wellbeing champion, Leeds District",
        "Send me a message through Harms Portal, or call 07700 900 456 on weekdays between "
        "8am and 4pm. I can meet in person at Elland Road or Killingbeck.",
    ),
    COLLEAGUE_CHAMPION[0]: (
        "Wellbeing champion, Bradford District",
        "Send me a message through Harms Portal. I work late shifts, so I often answer in the "
        "evening.",
    ),
}


@dataclass(frozen=True)
class DemoResource:
    title: str
    kind: str
    summary: str
    url: str = ""
    phone: str = ""
    for_families: bool = True
    force: str | None = None  # None: a national resource
    shared_with_all_forces: bool = False


RESOURCES: tuple[DemoResource, ...] = (
    DemoResource(
        "Samaritans",
        Resource.Kind.HELPLINE,
        "Whatever you are going through, you can talk to Samaritans, free, any time of day or "
        "night. If life is at risk right now, call 999.",
        url="https://www.samaritans.org",
        phone="116 123",
    ),
    DemoResource(
        "Police Care UK",
        Resource.Kind.HELPLINE,
        "A charity offering confidential support to serving and former police officers, staff "
        "and volunteers, and their families, who have been harmed because of policing.",
        url="https://www.policecare.org.uk",
    ),
    DemoResource(
        "Oscar Kilo, the National Police Wellbeing Service",
        Resource.Kind.GUIDANCE,
        "Wellbeing guidance and resources for everyone in policing, including trauma and "
        "peer support.",
        url="https://www.oscarkilo.org.uk",
        for_families=False,
    ),
    DemoResource(
        "Police Federation of England and Wales",
        Resource.Kind.GUIDANCE,
        "Your staff association: welfare support, and advice if you are targeted because of "
        "your work. Your local branch can help too.",
        url="https://www.polfed.org",
        for_families=False,
    ),
    DemoResource(
        "Mind: support for emergency services (Blue Light)",
        Resource.Kind.HELPLINE,
        "Mental health information and support for emergency services staff, volunteers and "
        "their families. Mind's Infoline can help you find support near you.",
        url="https://www.mind.org.uk",
        phone="0300 123 3393",
    ),
    DemoResource(
        "Get Safe Online",
        Resource.Kind.SECURITY,
        "Plain-English advice on securing your accounts, devices and home network, and what to "
        "do if an account has been taken over.",
        url="https://www.getsafeonline.org",
    ),
    DemoResource(
        "Your right to get your data deleted (ICO)",
        Resource.Kind.REMOVAL,
        "The Information Commissioner's Office explains the right to erasure: how to ask an "
        "organisation, including a people-search site, to delete your personal data, and what "
        "to do if it refuses.",
        url="https://ico.org.uk/for-the-public/your-right-to-get-your-data-deleted/",
    ),
    DemoResource(
        "Report Harmful Content",
        Resource.Kind.REMOVAL,
        "A UK service that helps you report harmful content online, and can follow it up with "
        "the platform if your report was not acted on.",
        url="https://reportharmfulcontent.com",
    ),
    DemoResource(
        "Urgent occupational health support in West Yorkshire Police",
        Resource.Kind.HELPLINE,
        "If you need support today, ask the force control room to page the on-call "
        "occupational health practitioner, at any hour. Out of hours, your duty inspector can "
        "arrange it too.",
        for_families=False,
        force=HOME_FORCE,
    ),
    DemoResource(
        "Removing your home address from people-search sites: a checklist",
        Resource.Kind.REMOVAL,
        "Our technical support team's step-by-step checklist: which people-search and "
        "data-broker sites to check, how to ask each to remove you, how to opt out of the open "
        "electoral register, and how to check again a month later. Written in West Yorkshire "
        "and shared with every force.",
        force=HOME_FORCE,
        shared_with_all_forces=True,
    ),
    DemoResource(
        "North Yorkshire Police wellbeing hub",
        Resource.Kind.GUIDANCE,
        "Where North Yorkshire colleagues find their force's wellbeing offer.",
        for_families=False,
        force="north-yorkshire",
    ),
)


# --- the demo accounts' referrals, as stories ---------------------------------------------------


@dataclass(frozen=True)
class Step:
    days_ago: float  # when it happened (self-referrals; a case's story happens now)
    move: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStory:
    person: str  # the demo account the referral is for
    support_type: str
    harm_to: str
    summary: str
    steps: tuple[Step, ...]
    report_key: str = ""  # offered from this demo report's case
    scope: str = ConsentScope.SUMMARY
    share_name: bool = False


def _plan(by: str, **values: Any) -> Step:
    return Step(values.pop("days_ago", 0), "plan", {"by": by, **values})


STORIES: tuple[DemoStory, ...] = (
    DemoStory(
        # Offered at the case's first assessment (the officer asked for support), accepted
        # with the report's description and their name, and assigned: the officer sees their
        # plan and the date of their first check-in.
        person="officer",
        report_key="demo-officer-doxxing",
        support_type=SupportType.TECHNICAL,
        harm_to=HarmTo.BOTH,
        summary=(
            "My address was posted online after an arrest video. I'd like help getting my "
            "details off people-search sites, and someone to talk to about my partner's worry."
        ),
        scope=ConsentScope.SUMMARY_AND_DESCRIPTION,
        share_name=True,
        steps=(
            Step(0, "accept"),
            Step(0, "assign"),
            _plan(
                "person",
                contact_how=SupportPlan.Contact.PHONE,
                contact_when="Weekday mornings; not on nights.",
                needs="Get my address off the people-search sites, and check my accounts.",
                what_helps="Knowing what has been done, and what happens next.",
                what_does_not_help="Being told to stay off social media.",
                checkin_every_days=DEFAULT_CHECKIN_DAYS,
                remind_person=True,
            ),
            Step(
                0,
                "message",
                {
                    "by": "champion",
                    "body": "Hello Sam, I'm Robin, your wellbeing champion. I've read your "
                    "plan. I'll start on the people-search sites this week and call you on "
                    "Tuesday morning.",
                },
            ),
        ),
    ),
    DemoStory(
        # Offered at assessment; the family member has not answered yet.
        person="family",
        report_key="demo-family-harassment",
        support_type=SupportType.FAMILY,
        harm_to=HarmTo.ME,
        summary="",
        steps=(),
    ),
    DemoStory(
        # Offered by the triager; the officer said no for now (and can change their mind).
        person="officer",
        report_key="demo-officer-impersonation",
        support_type=SupportType.WELLBEING,
        harm_to=HarmTo.ME,
        summary="",
        steps=(Step(0, "decline", {}),),
    ),
    DemoStory(
        person="family",
        support_type=SupportType.FAMILY,
        harm_to=HarmTo.FAMILY,
        summary=(
            "Since my partner's address was posted I don't feel safe at home with the children. "
            "I'd like to talk to someone who understands what police families go through."
        ),
        share_name=True,
        steps=(
            Step(10, "self_refer"),
            Step(9, "assign"),
            Step(8, "service"),
            _plan(
                "person",
                days_ago=8,
                contact_how=SupportPlan.Contact.PORTAL,
                contact_when="School hours",
                needs="To feel safe at home again, and to know what to tell the children.",
                what_helps="Practical steps, and someone checking in.",
                what_does_not_help="Phone calls in the evening when the children are up.",
                checkin_every_days=7,
                remind_person=True,
            ),
            Step(4, "checkin", {"score": 3, "note": "Sleeping better since the camera went up."}),
            Step(
                2,
                "message",
                {
                    "by": "person",
                    "body": "Thank you for the leaflet about talking to children. It helped.",
                },
            ),
        ),
    ),
    DemoStory(
        # Accepted (a self-referral), waiting for a champion; their name is not shared.
        person="staff",
        support_type=SupportType.WELLBEING,
        harm_to=HarmTo.ME,
        summary=(
            "A pile-on after the force posted about my team has left me anxious about going "
            "online at all. I'd like to talk to someone."
        ),
        steps=(Step(2, "self_refer"),),
    ),
    DemoStory(
        # In support with occupational health; the last check-in was 17 days ago on a 14-day
        # cadence, so the next one is overdue.
        person="psd",
        support_type=SupportType.OCCUPATIONAL_HEALTH,
        harm_to=HarmTo.ME,
        summary="Abuse online about a misconduct case I worked on. It's affecting my sleep.",
        steps=(
            Step(40, "self_refer"),
            Step(38, "assign"),
            Step(33, "service"),
            Step(31, "checkin", {"score": 2, "note": "First OH appointment booked."}),
            Step(17, "checkin", {"score": 3, "note": "Two sessions in; a little better."}),
        ),
    ),
    DemoStory(
        # Peer support whose scores fell twice in a row: flagged for the champion's attention.
        person="triage",
        support_type=SupportType.WELLBEING,
        harm_to=HarmTo.ME,
        summary="Reading reports of abuse all day is getting to me, and now I'm a target too.",
        share_name=True,
        steps=(
            Step(35, "self_refer"),
            Step(34, "assign"),
            Step(33, "start"),
            Step(29, "checkin", {"score": 4, "note": "Good to have someone to talk to."}),
            Step(15, "checkin", {"score": 3, "note": "Busy fortnight on the queue."}),
            Step(1, "checkin", {"score": 2, "note": "Tired; the abuse account is back."}),
        ),
    ),
    DemoStory(
        # TRiM after a serious incident that was filmed and shared: a crisis check-in yesterday.
        person="supervisor",
        support_type=SupportType.TRIM,
        harm_to=HarmTo.ME,
        summary="Footage of a fatal collision I attended is being shared with my name on it.",
        share_name=True,
        steps=(
            Step(12, "self_refer"),
            Step(11.5, "assign"),
            Step(11, "service"),
            Step(8, "checkin", {"score": 3, "note": "TRiM assessment done."}),
            Step(
                1,
                "checkin",
                {
                    "score": 1,
                    "in_crisis": True,
                    "note": "Very low today after the footage resurfaced. Talked through "
                    "staying safe tonight; Samaritans number shared.",
                },
            ),
        ),
    ),
    DemoStory(
        # Employee assistance, finished, with feedback.
        person="trainer",
        support_type=SupportType.EAP,
        harm_to=HarmTo.ME,
        summary="Trolling after a training video I appear in was posted publicly.",
        steps=(
            Step(70, "self_refer"),
            Step(69, "assign"),
            Step(68, "service"),
            Step(54, "checkin", {"score": 3, "note": "Counselling sessions started."}),
            Step(40, "checkin", {"score": 4, "note": "Feeling more in control."}),
            Step(26, "checkin", {"score": 5, "note": "Doing well; happy to close."}),
            Step(25, "close", {"reason": CloseReason.SUPPORT_ENDED}),
            Step(
                24,
                "feedback",
                {"helpful": 5, "text": "Robin was kind and practical. Thank you."},
            ),
        ),
    ),
)


# --- colleagues: figures for the capacity view -----------------------------------------------

# (full name, type, state, days ago accepted, days' wait to first support or None)
COLLEAGUES: tuple[tuple[str, str, str, int, int | None], ...] = (
    ("Aisha Khan", SupportType.WELLBEING, ReferralState.IN_SUPPORT, 60, 3),
    ("Ben Walsh", SupportType.WELLBEING, ReferralState.IN_SUPPORT, 45, 9),
    ("Carys Jones", SupportType.WELLBEING, ReferralState.IN_SUPPORT, 30, 5),
    ("Dan Okafor", SupportType.WELLBEING, ReferralState.ASSIGNED, 12, None),
    ("Ellie Hughes", SupportType.WELLBEING, ReferralState.ACCEPTED, 9, None),
    ("Femi Adeyemi", SupportType.WELLBEING, ReferralState.IN_SUPPORT, 20, 12),
    ("Grace Lin", SupportType.WELLBEING, ReferralState.CLOSED, 120, 4),
    ("Harry Doyle", SupportType.WELLBEING, ReferralState.CLOSED, 90, 6),
    ("Imran Hussain", SupportType.OCCUPATIONAL_HEALTH, ReferralState.IN_SUPPORT, 80, 26),
    ("Jess Turner", SupportType.OCCUPATIONAL_HEALTH, ReferralState.IN_SUPPORT, 70, 35),
    ("Kofi Mensah", SupportType.OCCUPATIONAL_HEALTH, ReferralState.ASSIGNED, 40, None),
    ("Laura Price", SupportType.OCCUPATIONAL_HEALTH, ReferralState.ACCEPTED, 31, None),
    ("Mo Farouk", SupportType.OCCUPATIONAL_HEALTH, ReferralState.CLOSED, 150, 21),
    ("Nia Roberts", SupportType.TECHNICAL, ReferralState.IN_SUPPORT, 25, 2),
    ("Owen Clarke", SupportType.TECHNICAL, ReferralState.IN_SUPPORT, 18, 4),
    ("Priya Nair", SupportType.TECHNICAL, ReferralState.IN_SUPPORT, 14, 1),
    ("Rhys Evans", SupportType.TECHNICAL, ReferralState.IN_SUPPORT, 8, 7),
    ("Sophie Grant", SupportType.TECHNICAL, ReferralState.ASSIGNED, 3, None),
    ("Tom Reilly", SupportType.TECHNICAL, ReferralState.CLOSED, 100, 3),
    ("Uma Shah", SupportType.TRIM, ReferralState.IN_SUPPORT, 16, 2),
    ("Vic Moore", SupportType.EAP, ReferralState.IN_SUPPORT, 22, 1),
    ("Will Barker", SupportType.EAP, ReferralState.ASSIGNED, 4, None),
    ("Zara Ali", SupportType.FAMILY, ReferralState.IN_SUPPORT, 28, 10),
)


# --- seeding -----------------------------------------------------------------------------------


@transaction.atomic
def seed(accounts: dict[str, User]) -> None:
    """West Yorkshire's wellbeing, as its demo champion finds it (module docstring)."""
    champion = accounts.get("champion")
    if champion is None:
        return
    force = Force.objects.get(slug=HOME_FORCE)
    colleague = _colleague_champion(force)
    services = _services(force)
    _listings(force, {"champion": champion, COLLEAGUE_CHAMPION[0]: colleague})
    _resources(champion)
    people = {**accounts, "champion": champion}
    for story in STORIES:
        _tell(story, people=people, champion=champion, services=services)
    _colleagues(force, champions=[champion, colleague], services=services)


def _demo_user(key: str, full_name: str, force: Force, *roles: str) -> User:
    """An account of the demo nobody signs in as (no usable password)."""
    email = f"{key}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, full_name=full_name, kind=User.Kind.STAFF)
    for role in (Role.REPORTER, *roles):
        Membership.objects.get_or_create(user=user, force=force, role=role)
    user.forget_roles()
    return user


def _colleague_champion(force: Force) -> User:
    key, name = COLLEAGUE_CHAMPION
    return _demo_user(key, name, force, Role.CHAMPION)


def _services(force: Force) -> dict[str, SupportService]:
    services = {}
    for name, support_type, capacity, target in SERVICES:
        service, _ = SupportService.objects.get_or_create(
            force=force,
            name=name,
            defaults={
                "support_type": support_type,
                "capacity": capacity,
                "target_wait_days": target,
                "how_to_refer": "Ask a wellbeing champion to refer you through Harms Portal.",
            },
        )
        services[support_type] = service
    return services


def _listings(force: Force, champions: dict[str, User]) -> None:
    for key, user in champions.items():
        role_title, how_to_reach = LISTINGS[key]
        ChampionListing.objects.get_or_create(
            force=force,
            user=user,
            defaults={
                "display_name": user.get_full_name(),
                "role_title": role_title,
                "how_to_reach": how_to_reach,
            },
        )


def _resources(champion: User) -> None:
    forces = {force.slug: force for force in Force.objects.all()}
    for spec in RESOURCES:
        force = forces.get(spec.force) if spec.force else None
        if spec.force and force is None:
            continue
        Resource.objects.get_or_create(
            force=force,
            title=spec.title,
            defaults={
                "kind": spec.kind,
                "summary": spec.summary,
                "url": spec.url,
                "phone": spec.phone,
                "for_families": spec.for_families,
                "shared_with_all_forces": spec.shared_with_all_forces,
                "published_by": champion
                if force is not None and force.slug == HOME_FORCE
                else None,
            },
        )


# --- a story -------------------------------------------------------------------------------------


def _tell(story: DemoStory, *, people: dict[str, User], champion: User, services) -> None:
    person = people.get(story.person)
    if person is None:
        return
    if story.report_key:
        case = Case.objects.filter(report__demo_key=story.report_key).first()
        if case is None or not case.is_assessed:
            return
        referral = Referral.objects.filter(case=case).first()
        if referral is None:
            # Triage offers it (a reporter who asked for support was offered it at assessment).
            if case.assignee is None:
                return
            referral = referral_offer(
                actor=case.assignee, case=case, support_type=story.support_type
            )
        if referral.state != ReferralState.OFFERED:
            return  # answered on an earlier run, or by someone trying the demo
        backdate = False
    else:
        already = Referral.objects.filter(
            person=person, source=ReferralSource.SELF, support_type=story.support_type
        )
        if already.exists():
            return
        referral, backdate = None, True
    now = timezone.now()
    for step in story.steps:
        started = timezone.now()
        before = _times(referral)
        referral = _move(step, story, referral, person=person, champion=champion, services=services)
        if backdate:
            _backdate(referral, before, started=started, when=now - timedelta(days=step.days_ago))
    if referral is not None:
        _schedule_next_checkin(referral)


def _move(step: Step, story: DemoStory, referral, *, person, champion, services) -> Referral:
    args = dict(step.args)
    if step.move == "self_refer":
        return referral_self_refer(
            actor=person,
            harm_to=story.harm_to,
            support_type=story.support_type,
            summary=story.summary,
            scope=story.scope,
            share_name=story.share_name,
        )
    if step.move == "accept":
        referral_accept(
            actor=person,
            referral=referral,
            summary=story.summary,
            scope=story.scope,
            share_name=story.share_name,
            harm_to=story.harm_to,
            support_type=story.support_type,
        )
    elif step.move == "decline":
        referral_decline(actor=person, referral=referral, **args)
    elif step.move == "assign":
        referral_assign(actor=champion, referral=referral, champion=champion)
    elif step.move == "service":
        referral_service_choose(
            actor=champion, referral=referral, service=services[story.support_type]
        )
    elif step.move == "start":
        referral_support_start(actor=champion, referral=referral)
    elif step.move == "plan":
        by = person if args.pop("by") == "person" else champion
        support_plan_update(actor=by, referral=referral, **args)
    elif step.move == "checkin":
        checkin_record(
            actor=champion,
            referral=referral,
            score=args["score"],
            in_crisis=args.get("in_crisis", False),
            note=args.get("note", ""),
        )
    elif step.move == "message":
        by = person if args["by"] == "person" else champion
        referral_message_send(actor=by, referral=referral, body=args["body"])
    elif step.move == "close":
        referral_close(actor=champion, referral=referral, reason=args["reason"])
    elif step.move == "feedback":
        referral_feedback(actor=person, referral=referral, **args)
    else:
        raise ValueError(f"unknown demo move {step.move!r}")
    return Referral.objects.get(pk=referral.pk)


# The referral's own times a move sets. The next check-in is worked out once the story is told.
_TIMES = (
    "created_at",
    "accepted_at",
    "declined_at",
    "assigned_at",
    "first_support_at",
    "closed_at",
    "consent_given_at",
    "consent_withdrawn_at",
    "in_crisis_since",
    "feedback_at",
)


def _times(referral: Referral | None) -> dict[str, datetime | None]:
    if referral is None:
        return {}
    return dict(Referral.objects.filter(pk=referral.pk).values(*_TIMES).get())


def _backdate(referral: Referral, before: dict, *, started: datetime, when: datetime) -> None:
    """Move what one step just did (the referral's times it set, its history, check-ins, plan,
    messages and notifications) back to `when`, the day the story says it happened."""
    delta = when - started
    after = _times(referral)
    moved = {
        name: value + delta
        for name, value in after.items()
        if value is not None and value != before.get(name)
    }
    if moved:
        Referral.objects.filter(pk=referral.pk).update(**moved)
    for model, name in (
        (ReferralEvent, "at"),
        (CheckIn, "at"),
        (CheckIn, "crisis_alerted_at"),
        (SupportPlan, "at"),
        (ReferralMessage, "sent_at"),
    ):
        model.objects.filter(referral=referral, **{f"{name}__gte": started}).update(
            **{name: F(name) + delta}
        )
    Notification.objects.filter(created_at__gte=started).update(created_at=F("created_at") + delta)


def _schedule_next_checkin(referral: Referral) -> None:
    """The next check-in as the services schedule it: the plan's cadence after the last
    check-in (or the assignment), on the story's own dates."""
    referral = Referral.objects.get(pk=referral.pk)
    if referral.state not in (ReferralState.ASSIGNED, ReferralState.IN_SUPPORT):
        return
    plan = current_plan(referral)
    every = plan.checkin_every_days if plan is not None else DEFAULT_CHECKIN_DAYS
    last = referral.checkins.values_list("at", flat=True).first()
    start = last or referral.assigned_at
    Referral.objects.filter(pk=referral.pk).update(
        next_checkin_at=start + timedelta(days=every), reminded_for=None, missed_for=None
    )


# --- colleagues ----------------------------------------------------------------------------------


def _colleagues(force: Force, *, champions: list[User], services) -> None:
    """Colleagues' referrals, written directly with their history (nobody is told: they
    happened before the demo)."""
    now = timezone.now()
    for index, (name, support_type, state, days_ago, wait) in enumerate(COLLEAGUES):
        key = "colleague-" + name.lower().replace(" ", "-")
        person = _demo_user(key, name, force)
        if Referral.objects.filter(person=person).exists():
            continue
        champion = champions[index % len(champions)]
        accepted = now - timedelta(days=days_ago)
        referral = Referral(
            force=force,
            person=person,
            source=ReferralSource.SELF,
            state=ReferralState.ACCEPTED,
            harm_to=(HarmTo.ME, HarmTo.FAMILY, HarmTo.BOTH)[index % 3],
            support_type=support_type,
            summary="Abuse online because of my job; I'd like some support.",
            consent_name=index % 2 == 0,
            consent_given_at=accepted,
            accepted_at=accepted,
            created_at=accepted,
            reference=reference_allocate(force=force, year=accepted.year),
        )
        history = [(ReferralEvent.Kind.SELF_REFERRED, person, accepted, "", "")]
        if state != ReferralState.ACCEPTED:
            referral.champion = champion
            referral.assigned_at = accepted + timedelta(hours=20)
            referral.state = ReferralState.ASSIGNED
            history.append(
                (
                    ReferralEvent.Kind.ASSIGNED,
                    champion,
                    referral.assigned_at,
                    "accepted",
                    "assigned",
                )
            )
        if wait is not None:
            referral.first_support_at = accepted + timedelta(days=wait)
            referral.service = services[support_type]
            referral.state = ReferralState.IN_SUPPORT
            history.append(
                (
                    ReferralEvent.Kind.SERVICE_CHOSEN,
                    champion,
                    referral.first_support_at,
                    "assigned",
                    "in_support",
                )
            )
        if state == ReferralState.CLOSED:
            referral.state = ReferralState.CLOSED
            referral.closed_at = referral.first_support_at + timedelta(days=42)
            referral.close_reason = CloseReason.SUPPORT_ENDED
            history.append(
                (ReferralEvent.Kind.CLOSED, champion, referral.closed_at, "in_support", "closed")
            )
        elif referral.champion_id:
            referral.next_checkin_at = now + timedelta(days=1 + index % 12)
        referral.save()
        ReferralEvent.objects.bulk_create(
            ReferralEvent(
                referral=referral, kind=kind, by=by, at=at, from_state=was, to_state=now_is
            )
            for kind, by, at, was, now_is in history
        )
