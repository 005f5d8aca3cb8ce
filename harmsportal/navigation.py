"""Role-aware navigation: one table, filtered per user.

An entry whose URL name does not resolve yet (its app is not built) is left out, so apps
join the navigation by adding their URLs, not by editing templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from harmsportal.people.models import AGGREGATE_ROLES, TRIAGE_ROLES, WELLBEING_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in
    staff_area: bool = False  # staff work pages hide the reporter's "Exit this page" button


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Report harm", "reports:start"),
    NavItem("My reports", "reports:list"),
    NavItem("Family", "people:family"),
    NavItem("Triage", "triage:queue", TRIAGE_ROLES, True),
    NavItem("Wellbeing", "wellbeing:home", WELLBEING_ROLES, True),
    NavItem("Training", "training:home"),
    NavItem("Trends", "trends:home", AGGREGATE_ROLES, True),
    NavItem("Administration", "admin:index", frozenset({Role.PLATFORM_ADMIN}), True),
)


def nav_for(user) -> list[dict[str, str]]:
    if not user.is_authenticated:
        return []
    items = []
    for item in NAV_ITEMS:
        if item.url_name == "admin:index":
            allowed = user.is_platform_admin
        else:
            allowed = item.roles is None or user.has_role(*item.roles)
        if not allowed:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url})
    return items
