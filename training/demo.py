"""Demo training for `manage.py seed_demo`: West Yorkshire's roster, rules and a year of work.

The demo trainer (trainer@demo.harmsportal.test, Kim Ellis) finds a force whose training has
been running for a while:

- audience rules: every new joiner does "Your online footprint" within 30 days of starting,
  frontline staff "Recognising and reporting online harm" within 60, specialists the covert
  module within 30, line managers "Supporting a colleague who is targeted" within 60 and
  leaders "Leading a culture of care" within 90;
- a roster with reporting lines: the force lead (Jordan Fry) manages a team of several (the
  demo officer, staff member, supervisor, champion and trainer, and colleagues), the triage
  supervisor (Dee Hargreaves) manages the triager and colleagues, and colleagues' own line
  managers manage the rest. The demo officer asked, in their doxxing report, that their line
  manager be told: triage's demo case can tell Jordan Fry;
- the demo accounts' own training, so each sees something true on their training page: the
  officer's frontline module expiring within the month (with feedback given) and the
  footprint module overdue; a new joiner (the staff member) with induction due; modules
  completed with feedback, overdue, or due soon; and the family account asked to do the family
  module;
- some forty colleagues (accounts nobody signs in as: no usable password) whose completions,
  overdue work and expiring modules make the compliance figures real, with enough people in the
  frontline row that a force lead's aggregates are shown rather than withheld.

Everything goes through the real services (`assignment_create`, `completion_record`,
`feedback_give`, `rules_apply`), moved back to the days the story says. Seeding again changes
nothing: work is made only for a person and module with none yet, and everything else is found
by its natural key.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from harmsportal.people.demo import DEMO_DOMAIN, HOME_FORCE
from harmsportal.people.models import Force, Membership, Role, User
from training.content import load_national_modules
from training.models import (
    Assignment,
    AssignmentSource,
    Audience,
    AudienceRule,
    Completion,
    Feedback,
    Module,
    TrainingProfile,
)
from training.services.assigning import assignment_create, audience_for
from training.services.audience_rules import rules_apply
from training.services.learning import add_months, completion_record, feedback_give

FOOTPRINT = "your-online-footprint"
FRONTLINE = "recognising-and-reporting-online-harm"
SPECIALIST = "working-in-a-covert-or-specialist-role"
LINE_MANAGER = "supporting-a-colleague-who-is-targeted"
LEADERSHIP = "leading-a-culture-of-care"
FAMILY = "keeping-your-family-safe-online"

# (audience, module slug, days to complete it in): West Yorkshire's audience rules.
RULES: tuple[tuple[str, str, int], ...] = (
    (Audience.INDUCTION, FOOTPRINT, 30),
    (Audience.FRONTLINE, FRONTLINE, 60),
    (Audience.SPECIALIST, SPECIALIST, 30),
    (Audience.LINE_MANAGER, LINE_MANAGER, 60),
    (Audience.LEADERSHIP, LEADERSHIP, 90),
)

# What learners said afterwards: (rating, what would make it better, changed what they do).
FEEDBACK: tuple[tuple[int, str, str], ...] = (
    (5, "", "yes"),
    (4, "More examples from UK forces would make it feel closer to home.", "a_little"),
    (
        5,
        "The part on people-search sites was new to me. I have asked two of them to remove my "
        "details.",
        "yes",
    ),
    (3, "It was a bit long for a refreshment break. Two shorter parts would help.", "a_little"),
    (4, "", "yes"),
    (
        2,
        "I knew most of this already. A quicker route for people who have done it before would "
        "be good.",
        "no",
    ),
)


@dataclass(frozen=True)
class Work:
    """One person's work on one module, as the story has it now.

    kind: "completed" (`days` ago), "expiring" (completed so that it expires in about `days`
    days), "open" (due in `days` days) or "overdue" (due `days` days ago). `feedback`: an index
    into FEEDBACK, given after completing.
    """

    module: str
    kind: str
    days: int
    feedback: int | None = None


@dataclass(frozen=True)
class RosterEntry:
    audiences: tuple[str, ...]
    started_days_ago: int
    line_manager: str | None  # a demo account's key, or a colleague's key
    work: tuple[Work, ...] = ()


# The demo accounts on West Yorkshire's roster (the analyst, oversight, platform admin and the
# North Yorkshire triager are not on it; the family account is never on a roster).
ACCOUNT_ROSTER: dict[str, RosterEntry] = {
    "officer": RosterEntry(
        ("frontline",),
        6 * 365,
        "lead",
        (
            Work(FRONTLINE, "expiring", 18, feedback=1),
            # The trainer asked everyone in the officer's team to do it after a doxxing spike.
            Work(FOOTPRINT, "overdue", 9),
        ),
    ),
    "staff": RosterEntry(("induction",), 12, "lead", (Work(FOOTPRINT, "open", 18),)),
    "triage": RosterEntry(
        ("frontline",),
        3 * 365,
        "supervisor",
        (Work(FRONTLINE, "completed", 95, feedback=2), Work(FOOTPRINT, "open", 20)),
    ),
    "supervisor": RosterEntry(
        ("frontline", "line_manager"),
        11 * 365,
        "lead",
        (Work(FRONTLINE, "completed", 130, feedback=4), Work(LINE_MANAGER, "overdue", 5)),
    ),
    "champion": RosterEntry(("frontline",), 5 * 365, "lead", (Work(FRONTLINE, "overdue", 12),)),
    # No feedback yet: the trainer can try giving it.
    "trainer": RosterEntry(("frontline",), 8 * 365, "lead", (Work(FRONTLINE, "completed", 30),)),
    "lead": RosterEntry(
        ("frontline", "line_manager", "leadership"),
        15 * 365,
        None,
        (
            Work(LEADERSHIP, "expiring", 22),
            Work(LINE_MANAGER, "completed", 60, feedback=0),
            Work(FRONTLINE, "open", 40),
        ),
    ),
    "psd": RosterEntry(
        ("frontline", "specialist"),
        9 * 365,
        None,
        (Work(SPECIALIST, "completed", 180, feedback=3), Work(FRONTLINE, "open", 25)),
    ),
}

# The family account is asked to do the family module (assigned by the trainer).
FAMILY_WORK = Work(FAMILY, "open", 21)

COLLEAGUE_NAMES: tuple[str, ...] = (
    "Aisha Begum", "Ben Whitaker", "Carys Hughes", "Daniel Osei", "Ellie Marsh",
    "Farhan Iqbal", "Grace Holroyd", "Harry Nolan", "Imogen Clarke", "Jack Sutcliffe",
    "Kiran Dhillon", "Laura Pickles", "Mohammed Rafiq", "Niamh Doyle", "Oliver Brook",
    "Poppy Heald", "Qasim Hussain", "Rachel Armitage", "Sean Gallagher", "Tanya Wood",
    "Usman Akhtar", "Vicky Lister", "William Crowther", "Yasmin Patel", "Zoe Ingham",
    "Adam Fothergill", "Bethany Lund", "Callum Reeve", "Deborah Haigh", "Ethan Mellor",
    "Fiona Gill", "George Bairstow", "Hannah Ackroyd", "Ibrahim Sadiq", "Jess Thornton",
    "Kieran Lodge",
)  # fmt: skip
NEW_JOINERS = 10  # the first ten colleagues started recently: induction applies to them
COLLEAGUE_MANAGERS = range(30, 36)  # the last six manage the rest
LEADERS = range(33, 36)  # and the last three also lead


# --- seeding -----------------------------------------------------------------------------------


@transaction.atomic
def seed(accounts: dict[str, User]) -> None:
    """West Yorkshire's training, as its demo trainer finds it (module docstring)."""
    trainer = accounts.get("trainer")
    if trainer is None:
        return
    load_national_modules()  # the data migration loaded them; a flushed database has none
    force = Force.objects.get(slug=HOME_FORCE)
    modules = {module.slug: module for module in Module.objects.filter(owner_force__isnull=True)}
    rules = _rules(force, modules, trainer)
    colleagues = _colleagues(force)
    people = {**accounts, **colleagues}
    roster = {**ACCOUNT_ROSTER, **_colleague_roster()}
    story = Story(force=force, modules=modules, rules=rules, trainer=trainer)
    for key, entry in roster.items():
        person = people.get(key)
        if person is None:
            continue
        _profile(person, force, entry, line_manager=people.get(entry.line_manager or ""))
        for index, work in enumerate(entry.work):
            story.tell(person, work, index=index)
    family = accounts.get("family")
    if family is not None:
        story.tell(family, FAMILY_WORK, index=0)
    # Everyone the rules cover and the story did not: their work, due from today.
    rules_apply(force=force)


def _rules(force: Force, modules: dict[str, Module], trainer: User) -> dict:
    rules = {}
    for audience, slug, days in RULES:
        module = modules.get(slug)
        if module is None:
            continue
        rule, _ = AudienceRule.objects.get_or_create(
            force=force,
            audience=audience,
            module=module,
            defaults={"within_days": days, "created_by": trainer},
        )
        rules[(audience, module.pk)] = rule
    return rules


def _colleague_key(name: str) -> str:
    return "training-" + name.lower().replace(" ", "-")


def _colleagues(force: Force) -> dict[str, User]:
    """The force's other people on the roster: accounts of the demo nobody signs in as."""
    people = {}
    for index, name in enumerate(COLLEAGUE_NAMES):
        key = _colleague_key(name)
        email = f"{key}@{DEMO_DOMAIN}"
        person = User.objects.filter(email=email).first()
        if person is None:
            kind = User.Kind.OFFICER if index % 3 else User.Kind.STAFF
            # No password: create_user gives an unusable one, so nobody can sign in as them.
            person = User.objects.create_user(email, full_name=name, kind=kind)
        Membership.objects.get_or_create(user=person, force=force, role=Role.REPORTER)
        people[key] = person
    return people


def _colleague_roster() -> dict[str, RosterEntry]:
    """Each colleague's audiences, start date, line manager and work, from their place in the
    list: frontline work in every state (so the frontline figures are large enough to show),
    new joiners' induction, specialists, line managers and leaders."""
    keys = [_colleague_key(name) for name in COLLEAGUE_NAMES]
    managers = [keys[i] for i in COLLEAGUE_MANAGERS]
    roster = {}
    for i, key in enumerate(keys):
        audiences = ["frontline"]
        work = [_frontline(i)]
        if i < NEW_JOINERS:
            audiences.insert(0, "induction")
            work.append(_induction(i))
        if i % 4 == 1:
            audiences.append("specialist")
            work.append(Work(SPECIALIST, *_spread(i, completed_days=200)))
        if i in COLLEAGUE_MANAGERS:
            audiences.append("line_manager")
            work.append(Work(LINE_MANAGER, *_spread(i + 1, completed_days=150)))
        if i in LEADERS:
            audiences.append("leadership")
            work.append(Work(LEADERSHIP, *_spread(i, completed_days=300)))
        if i < 4:
            line_manager = "lead"
        elif i < 7:
            line_manager = "supervisor"
        elif i in COLLEAGUE_MANAGERS:
            line_manager = None
        else:
            line_manager = managers[i % len(managers)]
        started = 10 + 9 * i if i < NEW_JOINERS else 400 + 97 * i
        roster[key] = RosterEntry(tuple(audiences), started, line_manager, tuple(work))
    return roster


def _frontline(i: int) -> Work:
    feedback = i % len(FEEDBACK) if i % 2 == 0 else None
    match i % 6:
        case 0 | 1 | 2:
            # Within the module's year, so every one of them is still in date.
            return Work(FRONTLINE, "completed", 20 + (11 * i) % 300, feedback=feedback)
        case 3:
            return Work(FRONTLINE, "open", 10 + i)
        case 4:
            return Work(FRONTLINE, "overdue", 3 + i)
        case _:
            return Work(FRONTLINE, "expiring", 4 + i % 25, feedback=feedback)


def _induction(i: int) -> Work:
    if i < 6:
        return Work(FOOTPRINT, "completed", 2 + i, feedback=(i + 2) % len(FEEDBACK))
    if i < 8:
        return Work(FOOTPRINT, "open", 25 - i)
    return Work(FOOTPRINT, "overdue", i - 5)


def _spread(i: int, *, completed_days: int) -> tuple[str, int]:
    """Mostly completed, some due soon, a few overdue."""
    match i % 5:
        case 0 | 1 | 2:
            return ("completed", completed_days - 7 * (i % 9))
        case 3:
            return ("open", 15 + i % 20)
        case _:
            return ("overdue", 2 + i % 10)


def _profile(person: User, force: Force, entry: RosterEntry, *, line_manager: User | None):
    TrainingProfile.objects.get_or_create(
        person=person,
        force=force,
        defaults={
            "audiences": list(entry.audiences),
            "start_date": timezone.localdate() - timedelta(days=entry.started_days_ago),
            "line_manager": line_manager,
        },
    )


@dataclass
class Story:
    """Tells one person's work on a module through the services, at the times it happened."""

    force: Force
    modules: dict[str, Module]
    rules: dict
    trainer: User

    def tell(self, person: User, work: Work, *, index: int) -> None:
        module = self.modules.get(work.module)
        if module is None:
            return
        if Assignment.objects.filter(person=person, module=module).exists():
            return  # told on an earlier run (or worked on by someone trying the demo)
        if Completion.objects.filter(person=person, module=module).exists():
            return
        now = timezone.now()
        today = timezone.localdate(now)
        if work.kind in ("completed", "expiring"):
            at = now - timedelta(days=self._completed_days_ago(module, work, today), hours=index)
            due_on = timezone.localdate(at) + timedelta(days=12)
            self._assign(person, module, due_on=due_on, at=at - timedelta(days=20))
            self._complete(person, module, work, at=at, index=index)
        elif work.kind == "open":
            self._assign(
                person, module, due_on=today + timedelta(days=work.days), at=now - timedelta(days=3)
            )
        else:  # overdue
            self._assign(
                person,
                module,
                due_on=today - timedelta(days=work.days),
                at=now - timedelta(days=work.days + 30),
            )

    @staticmethod
    def _completed_days_ago(module: Module, work: Work, today: datetime.date) -> int:
        if work.kind == "completed" or not module.refresh_months:
            return work.days
        # Completed one refresh interval before the day it now expires on.
        expires = today + timedelta(days=work.days)
        return (today - add_months(expires, -module.refresh_months)).days

    def _assign(self, person: User, module: Module, *, due_on, at) -> None:
        audience = audience_for(person, module, self.force)
        # Through the force's rule when the roster gives the person its audience; otherwise
        # the trainer asked them by hand (the officer's footprint module, the family module).
        profile = TrainingProfile.objects.filter(person=person, force=self.force).first()
        held = profile is not None and audience in profile.audiences
        rule = self.rules.get((audience, module.pk)) if held else None
        assignment_create(
            person=person,
            module=module,
            force=self.force,
            audience=audience,
            source=AssignmentSource.RULE if rule else AssignmentSource.MANUAL,
            due_on=due_on,
            actor=None if rule else self.trainer,
            rule=rule,
            now=at,
        )

    def _complete(self, person: User, module: Module, work: Work, *, at, index: int) -> None:
        version = module.published_version()
        if version is None:
            return
        score = (80, 100, 90, 100)[(person.pk + index) % 4] if version.has_quiz else None
        completion = completion_record(person=person, version=version, score_percent=score, at=at)
        if work.feedback is None:
            return
        rating, better, changed = FEEDBACK[work.feedback]
        feedback = feedback_give(
            actor=person, completion=completion, rating=rating, better=better, changed=changed
        )
        Feedback.objects.filter(pk=feedback.pk).update(at=at + timedelta(minutes=4))
