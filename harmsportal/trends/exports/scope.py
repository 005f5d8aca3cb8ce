"""What a trends export covers, read from the request through the one scope chokepoint
(`trends.selectors`), and the audit row written before it streams.

A force lead or oversight exports the force(s) they hold that role in; a national analyst every
force. `?force=<slug>` narrows to one force the user may see: a force they may not see is
refused exactly like one that does not exist, so nobody can probe which forces are on the
portal. `?period=` takes the period slugs of `trends.periods` (none: every month the figures
hold) and `?category=` a harm category's slug. Anything else is refused with a message for
the person (a 400), never a 500 and never another force's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.people.models import Force, Role
from harmsportal.trends.figures import CATEGORY, value_labels
from harmsportal.trends.periods import Period, PeriodError, parse_period
from harmsportal.trends.selectors import (
    FORCE_ROLES,
    find_force_for_user,
    sees_every_force,
    trends_forces_for,
)
from reports.models import HarmCategory

if TYPE_CHECKING:
    from datetime import date

    from django.http import QueryDict

    from harmsportal.people.models import User

# The audit log's name for what was exported.
EXPORT_OBJECT = "trends.export"
ALL_FORCES = "all-forces"


class ExportFilterError(ValueError):
    """A filter the export cannot take. The message is for the person who asked."""


@dataclass(frozen=True)
class ExportScope:
    """The rows an export holds: some forces (None: every force), a period (None: every month
    the figures hold) and perhaps one harm category (its slug)."""

    forces: tuple[Force, ...] | None
    period: Period | None = None
    category: str | None = None

    @property
    def force_ids(self) -> tuple[int, ...] | None:
        return None if self.forces is None else tuple(force.pk for force in self.forces)

    @property
    def single_force(self) -> Force | None:
        return self.forces[0] if self.forces is not None and len(self.forces) == 1 else None

    @property
    def forces_slug(self) -> str:
        if self.forces is None:
            return ALL_FORCES
        return "-and-".join(force.slug for force in self.forces) or "no-forces"

    @property
    def forces_label(self) -> str:
        if self.forces is None:
            return "All forces"
        return ", ".join(force.name for force in self.forces) or "No forces"

    @property
    def period_label(self) -> str:
        return "Every month" if self.period is None else self.period.label

    @property
    def category_label(self) -> str:
        if self.category is None:
            return "Every harm category"
        name = HarmCategory.objects.filter(slug=self.category).values_list("name", flat=True)
        return name.first() or self.category

    def filename(self, extension: str) -> str:
        """harms-portal-trends-<forces>-<period>[-<category>].<extension>"""
        parts = [
            "harms-portal-trends",
            self.forces_slug,
            "all-months" if self.period is None else self.period.slug,
        ]
        if self.category is not None:
            parts.append(self.category)
        return f"{'-'.join(parts)}.{extension}"


def export_scope_for(user: User, params: QueryDict, *, today: date) -> ExportScope:
    """The scope `params` (a request's GET) asks for, limited to what `user` may see.

    Raises ExportFilterError, with a message for the person, for a force they may not see (or that
    does not exist: the same message), a period that is not one, or an unknown category.
    """
    return ExportScope(
        forces=_forces(user, params.get("force", "").strip()),
        period=_period(params.get("period", "").strip(), today=today),
        category=_category(params.get("category", "").strip()),
    )


def _forces(user: User, slug: str) -> tuple[Force, ...] | None:
    if slug:
        force = find_force_for_user(user, slug)
        if force is None:
            raise ExportFilterError(
                "There are no figures you can export for that force. Leave the force out to "
                "export every force you can see, or give the force's id as data.police.uk "
                "writes it, such as west-yorkshire."
            )
        return (force,)
    if sees_every_force(user):
        return None
    forces = tuple(trends_forces_for(user))
    if not forces:
        raise ExportFilterError("There are no forces whose figures you can export.")
    return forces


def _period(value: str, *, today: date) -> Period | None:
    if not value:
        return None
    try:
        return parse_period(value, today=today)
    except PeriodError as error:
        raise ExportFilterError(str(error)) from None


def _category(slug: str) -> str | None:
    if not slug:
        return None
    # Checked in Python against the categories the figures know, never sent to the database as
    # it came: a NUL (`?category=%00`) is an error on Postgres, not an unknown category.
    if slug not in value_labels(CATEGORY):
        raise ExportFilterError(
            "There is no harm category with that id. Leave the category out to export every "
            "category, or give a category's id as the data dictionary lists it, such as "
            "doxxing."
        )
    return slug


def _acting_role(user: User, scope: ExportScope) -> str:
    """The role that lets `user` export `scope`: national analyst for every force, otherwise
    force lead where they hold it in every force exported, else oversight."""
    if sees_every_force(user):
        return Role.NATIONAL_ANALYST
    held = [user.roles_in(force) & set(FORCE_ROLES) for force in scope.forces or ()]
    if held and all(Role.FORCE_LEAD in roles for roles in held):
        return Role.FORCE_LEAD
    return Role.OVERSIGHT


def trends_export_record(*, actor: User, scope: ExportScope, export_format: str) -> AccessLog:
    """Record that `actor` exported `scope` as `export_format`, before a row is sent.

    The rows are streamed after this returns, so how many there will be is not known yet: the
    log says what was asked for (forces, period, category), which is what was sent.
    """
    force = scope.single_force
    return access_record(
        actor=actor,
        action=AccessLog.Action.EXPORT,
        object_type=EXPORT_OBJECT,
        object_id=force.slug if force else scope.forces_slug[:64],
        force=force,
        role=_acting_role(actor, scope),
        reason=(
            f"Trends figures ({export_format}) for "
            f"{'all forces' if scope.forces is None else scope.forces_label}; "
            f"period: {scope.period_label}; category: {scope.category_label}"
        ),
    )
