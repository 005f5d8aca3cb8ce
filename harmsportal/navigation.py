"""Role-aware navigation and home pages: tables filtered per user.

An entry whose URL name does not resolve yet (its app is not built) is left out of the menu,
so apps join the navigation by adding their URLs, not by editing templates. On the home page
such an area of work is still listed, and says plainly that it is not available yet, rather
than linking to a page that would refuse the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from harmsportal.people.models import (
    AGGREGATE_ROLES,
    TRIAGE_ROLES,
    WELLBEING_ROLES,
    Force,
    Role,
    User,
)
from harmsportal.people.selectors import can_invite_family, reporting_force_of
from harmsportal.templatetags.govuk_time import govuk_date
from training.selectors import open_assignments_of, renewals_due_of, team_profiles


def _can_report(user: User) -> bool:
    return reporting_force_of(user) is not None


def _has_own_reports(user: User) -> bool:
    # A family account keeps its reports after its link ends, so it keeps the page too.
    return _can_report(user) or user.kind == User.Kind.FAMILY


def _not_champion(user: User) -> bool:
    # Champions reach capacity from their queue, under their one "Wellbeing" item.
    return not user.has_role(*WELLBEING_ROLES)


def _has_family_page(user: User) -> bool:
    # A family account sees its link; a member invites family into the force they report to.
    if user.kind == User.Kind.FAMILY:
        return True
    return can_invite_family(user) and _can_report(user)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in
    staff_area: bool = False  # staff work pages hide the reporter's "Exit this page" button
    when: Callable[[User], bool] | None = None  # a further condition on the person


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Report harm", "reports:start", when=_can_report),
    NavItem("My reports", "reports:list", when=_has_own_reports),
    NavItem("Family", "people:family", when=_has_family_page),
    NavItem("My support", "wellbeing:mine"),
    NavItem("Triage", "triage:queue", TRIAGE_ROLES, True),
    NavItem("Wellbeing", "wellbeing:home", WELLBEING_ROLES, True),
    NavItem("Wellbeing capacity", "wellbeing:capacity", AGGREGATE_ROLES, True, _not_champion),
    NavItem("Training", "training:home"),
    NavItem("Trends", "trends:home", AGGREGATE_ROLES, True),
    NavItem("Administration", "admin:index", frozenset({Role.PLATFORM_ADMIN}), True),
)


def _url(url_name: str, *args: str) -> str | None:
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None


def _allowed(item: NavItem, user: User) -> bool:
    if item.url_name == "admin:index":
        return user.is_platform_admin
    if item.roles is not None and not user.has_role(*item.roles):
        return False
    return item.when is None or item.when(user)


def nav_for(user) -> list[dict[str, str]]:
    if not user.is_authenticated:
        return []
    items = []
    for item in NAV_ITEMS:
        if not _allowed(item, user):
            continue
        url = _url(item.url_name)
        if url is None:
            continue
        items.append({"label": item.label, "url": url})
    return items


# --- home pages ------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkArea:
    """An area of work a staff role opens, as the home page lists it."""

    title: str
    url_name: str
    roles: frozenset[str]
    description: str
    # Said instead of a link while the area's pages are not built ("{force}" is filled in).
    not_yet: str = ""
    national: bool = False  # covers every force, whatever force the membership names
    # The URL names the force (`<slug:force>`): each force's card links to its own page.
    per_force: bool = False


WORK_AREAS: tuple[WorkArea, ...] = (
    WorkArea(
        "Triage queue",
        "triage:queue",
        TRIAGE_ROLES,
        "Work your force's queue: assess each report, take action and keep people informed.",
    ),
    WorkArea(
        "Triage supervision",
        "triage:supervisor",
        frozenset({Role.TRIAGE_SUPERVISOR}),
        "Who holds which case, deadlines at risk and escalations, and reassigning work.",
    ),
    WorkArea(
        "Wellbeing referrals",
        "wellbeing:home",
        frozenset({Role.CHAMPION}),
        "Support referrals, check-ins and the capacity of your force's support services.",
    ),
    WorkArea(
        "Training administration",
        "training:manage",
        frozenset({Role.TRAINING_ADMIN}),
        "Assign modules, import rosters and see who has completed their training.",
    ),
    WorkArea(
        "Trends for your force",
        "trends:force",
        frozenset({Role.FORCE_LEAD}),
        "What is reported to your force month by month: harm categories, crime and non-crime, "
        "platforms and who reports, with small numbers hidden.",
        per_force=True,
    ),
    WorkArea(
        "Force performance",
        "trends:performance",
        frozenset({Role.OVERSIGHT}),
        "How your force responds to reports: volumes, times to respond and targets met, "
        "against other forces, and the pack for the performance meeting.",
        per_force=True,
    ),
    WorkArea(
        "Wellbeing capacity",
        "wellbeing:capacity",
        frozenset({Role.FORCE_LEAD, Role.OVERSIGHT}),
        "Demand for wellbeing support against the capacity of your force's services, and "
        "waiting times, with small numbers hidden.",
    ),
    WorkArea(
        "Training figures",
        "training:figures",
        frozenset({Role.FORCE_LEAD, Role.OVERSIGHT}),
        "How many people have completed, are overdue with or are due to refresh their "
        "training, by audience and module, with small numbers hidden.",
    ),
    WorkArea(
        "National trends",
        "trends:national",
        frozenset({Role.NATIONAL_ANALYST}),
        "Figures across every force, comparisons between forces and harms no offence covers, "
        "with small numbers hidden.",
        national=True,
    ),
    WorkArea(
        "Wellbeing capacity",
        "wellbeing:capacity",
        frozenset({Role.NATIONAL_ANALYST}),
        "Demand for wellbeing support against capacity, and waiting times, across every force, "
        "with small numbers hidden.",
        national=True,
    ),
    WorkArea(
        "Training figures",
        "training:figures",
        frozenset({Role.NATIONAL_ANALYST}),
        "Training completion by audience and module across every force, with small numbers hidden.",
        national=True,
    ),
    WorkArea(
        "National training modules",
        "training:manage",
        frozenset({Role.PLATFORM_ADMIN}),
        "Publish and review the national training modules every force uses.",
        national=True,
    ),
    WorkArea(
        "Administration",
        "admin:index",
        frozenset({Role.PLATFORM_ADMIN}),
        "Platform administration. Everything you do here is recorded.",
        national=True,
    ),
)
ALL_FORCES = "All UK forces"


@dataclass(frozen=True)
class HomeCard:
    title: str
    where: str  # the force it covers, or "All UK forces"
    description: str
    url: str | None  # None: not available yet, and `description` says so


@dataclass
class Home:
    work: list[HomeCard] = field(default_factory=list)
    personal: list[dict[str, str]] = field(default_factory=list)  # the reporter's own pages
    reporting_force: Force | None = None

    @property
    def card_level(self) -> int:
        # Under "Your work" and "For you and your family" headings, or straight under the h1.
        return 3 if self.work else 2


def _work_cards(user: User) -> list[HomeCard]:
    cards: list[HomeCard] = []
    memberships = user.membership_list()
    for area in WORK_AREAS:
        if area.url_name == "admin:index":
            # Superusers may hold no membership at all; the admin's own rule decides.
            forces = {ALL_FORCES: None} if user.is_platform_admin else {}
        elif area.national:
            forces = {ALL_FORCES: None} if any(m.role in area.roles for m in memberships) else {}
        else:
            forces = {m.force.name: m.force for m in memberships if m.role in area.roles}
        for where, force in forces.items():
            url = _url(area.url_name, force.slug) if area.per_force else _url(area.url_name)
            text = area.description if url else area.not_yet.format(force=where)
            cards.append(HomeCard(area.title, where, text, url))
    return cards + _team_cards(user)


def _team_cards(user: User) -> list[HomeCard]:
    """A line manager's team, from their force's training roster (not a role: anyone the
    roster names as someone's line manager)."""
    url = _url("training:team")
    if url is None:
        return []
    forces = sorted({profile.force.name for profile in team_profiles(user)})
    text = "Who in your team has completed their training, and what is due or overdue."
    return [HomeCard("Your team's training", where, text, url) for where in forces]


def _training_description(user: User) -> str:
    """The person's training card: their next piece of work and how much there is."""
    today = timezone.localdate()
    work = list(open_assignments_of(user).select_related("module"))
    # A completion that runs out within 30 days (or has) is due again too.
    renewals = renewals_due_of(user, today=today)
    count = len(work) + len(renewals)
    if not count:
        whom = "you and your family" if user.kind == User.Kind.FAMILY else "you"
        return (
            f"Short modules to help {whom} stay safer online. You have no training to do at "
            "the moment."
        )
    if work and (not renewals or work[0].due_on <= renewals[0].expires_on):
        first = work[0]
        when = govuk_date(first.due_on)
        if first.due_on < today:
            next_one = f"{first.module.title} was due on {when}."
        else:
            next_one = f"{first.module.title} is due on {when}."
    else:
        renewal = renewals[0]
        when = govuk_date(renewal.expires_on)
        if renewal.expires_on <= today:
            next_one = f"Your completion of {renewal.module.title} ran out on {when}."
        else:
            next_one = (
                f"Your completion of {renewal.module.title} runs out on {when}; "
                "complete it again before then."
            )
    if count == 1:
        return f"You have 1 module to do. {next_one}"
    return f"You have {count} modules to do. {next_one}"


def home_for(user: User) -> Home:
    """What this person's home page offers: their areas of work, then their own pages."""
    personal = [item for item in nav_for(user) if item["label"] in PERSONAL_LABELS]
    for item in personal:
        if item["label"] == "Training":
            item["description"] = _training_description(user)
    for label, url_name in HOME_ONLY_LINKS:
        url = _url(url_name)
        if url is not None:
            personal.append({"label": label, "url": url})
    return Home(work=_work_cards(user), personal=personal, reporting_force=reporting_force_of(user))


PERSONAL_LABELS = frozenset({"Report harm", "My reports", "Family", "My support", "Training"})
# Cards on everyone's home page that are not in the menu.
HOME_ONLY_LINKS = (("Guidance and helplines", "wellbeing:library"),)
