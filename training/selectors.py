"""Every read of training data starts here, scoped to the person asking.

One chokepoint per kind of object, each a 404 alike for an object that does not exist and one
the user may not see:

- `get_module_for_learner(user, slug)`: a published module the person may take. Family
  accounts see only family modules; everyone else sees national modules and their own force's.
- `get_completion_for_learner(user, pk)`: the person's own completion (its certificate and
  feedback). Nobody else's, whatever their role.
- `get_module_for_trainer(user, pk)`: a module a training admin may review and annotate: their
  force's own modules and every national one. `may_edit_module` says whether they may also
  change its content (force modules: their training admins; national ones: platform admins).
- `get_version_for_editor(user, pk)`, `get_rule_for_trainer(user, pk)`,
  `get_roster_import_for_trainer(user, pk)`: the same reach for versions, rules and imports.
- `team_profiles(user)`: the roster profiles of the people who report to `user`.

Training admins work only within the forces where they hold the role (`trainer_force_ids`);
the trainer of another force sees none of this force's people, rules, imports or figures.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from harmsportal.people.models import TRAINING_ROLES, Force, Role, User
from harmsportal.people.selectors import reporting_force_of
from training.models import (
    COUNTED_PERSON,
    Assignment,
    Audience,
    AudienceRule,
    Completion,
    FootprintCheck,
    ForceNote,
    Module,
    ModuleVersion,
    Progress,
    QuizAttempt,
    RosterImport,
    TrainingProfile,
    VersionStatus,
)

# --- learners ------------------------------------------------------------------------------


def is_family_account(user: User) -> bool:
    return user.kind == User.Kind.FAMILY


def learner_force(user: User) -> Force | None:
    """The force whose modules, notes and rules apply to `user` (the force they report under)."""
    return reporting_force_of(user)


def modules_for_learner(user: User) -> QuerySet[Module]:
    """Modules with a published version that `user` may take, national first, then by title.

    Audiences are a short JSON list on a few dozen modules; the family filter runs in the
    query where the database can (`audiences__contains` is not on SQLite), so it is applied by
    `_family_only` on the ids instead.
    """
    if not user.is_authenticated:
        return Module.objects.none()
    force = learner_force(user)
    owner = Q(owner_force__isnull=True)
    if force is not None:
        owner |= Q(owner_force=force)
    modules = Module.objects.filter(owner, versions__status=VersionStatus.PUBLISHED).distinct()
    if is_family_account(user):
        modules = modules.filter(pk__in=_family_module_ids(modules))
    return modules.order_by("owner_force", "title")


def _family_module_ids(modules: QuerySet[Module]) -> list[int]:
    return [m.pk for m in modules.only("pk", "audiences") if Audience.FAMILY in m.audiences]


def get_module_for_learner(user: User, slug: str) -> Module:
    """The one chokepoint for a learner's module pages; 404 for missing and forbidden alike."""
    try:
        return modules_for_learner(user).select_related("owner_force").get(slug=slug)
    except Module.DoesNotExist:
        raise Http404 from None


def published_version(module: Module) -> ModuleVersion:
    version = module.versions.filter(status=VersionStatus.PUBLISHED).first()
    if version is None:  # retired between the list and the click
        raise Http404
    return version


def get_completion_for_learner(user: User, pk: UUID | str) -> Completion:
    """The person's own completion, for its certificate and feedback; 404 for anyone else's."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Completion.objects.select_related("module", "version", "force").get(
            public_id=pk, person=user
        )
    except Completion.DoesNotExist:
        raise Http404 from None


# The learner's own records: every query is filtered to `person=user`, so none reaches anyone
# else's training. Pages reach a module only through `get_module_for_learner` first.


def open_assignments_of(user: User) -> QuerySet[Assignment]:
    """The person's open work (not completed, not cancelled), soonest due first."""
    return Assignment.objects.open().filter(person=user).order_by("due_on", "pk")


def completions_of(user: User) -> QuerySet[Completion]:
    """Every completion of the person, of every version, newest first: their history."""
    return Completion.objects.filter(person=user).select_related("module", "version", "feedback")


def progress_of(user: User, version: ModuleVersion) -> Progress | None:
    return Progress.objects.filter(person=user, version=version).first()


def progress_by_version(user: User, version_ids: list[int]) -> dict[int, Progress]:
    progress = Progress.objects.filter(person=user, version_id__in=version_ids)
    return {p.version_id: p for p in progress}


def renewals_due_of(user: User, *, today: date, within_days: int = 30) -> list[Completion]:
    """The person's latest completion of each module they may take that runs out within
    `within_days` of `today` (or has run out), where no work is open on the module: completing
    it again is due. Soonest first."""
    open_modules = set(open_assignments_of(user).values_list("module_id", flat=True))
    latest: dict[int, Completion] = {}
    for completion in completions_of(user).filter(module__in=modules_for_learner(user)):
        latest.setdefault(completion.module_id, completion)  # newest first
    horizon = today + timedelta(days=within_days)
    due = [
        c
        for c in latest.values()
        if c.module_id not in open_modules and c.expires_on is not None and c.expires_on <= horizon
    ]
    return sorted(due, key=lambda c: (c.expires_on, c.module.title))


def latest_attempt(user: User, version: ModuleVersion) -> QuizAttempt | None:
    return QuizAttempt.objects.filter(person=user, version=version).order_by("-at", "-pk").first()


def force_note_for(module: Module, force: Force | None) -> ForceNote | None:
    """The note the learner's own force attached to `module`, if any."""
    if force is None:
        return None
    return ForceNote.objects.filter(module=module, force=force).first()


# --- training admins -----------------------------------------------------------------------


def trainer_force_ids(user: User) -> list[int]:
    """Ids of the forces where `user` is a training admin, from the membership cache."""
    if not user.is_authenticated or user.professional_standards:
        return []
    return sorted({m.force_id for m in user.membership_list() if m.role in TRAINING_ROLES})


def trainer_forces(user: User) -> QuerySet[Force]:
    return Force.objects.filter(pk__in=trainer_force_ids(user))


def is_trainer_of(user: User, force: Force | int) -> bool:
    force_id = force if isinstance(force, int) else force.pk
    return force_id in trainer_force_ids(user)


def may_publish_national(user: User) -> bool:
    return user.is_authenticated and not user.professional_standards and user.is_platform_admin


def modules_for_trainer(user: User) -> QuerySet[Module]:
    """The modules a trainer may review and annotate: their forces' own and every national one.
    Platform admins reach national modules (which they publish) but no force's own."""
    force_ids = trainer_force_ids(user)
    if not force_ids and not may_publish_national(user):
        return Module.objects.none()
    return Module.objects.filter(Q(owner_force__isnull=True) | Q(owner_force_id__in=force_ids))


def may_edit_module(user: User, module: Module) -> bool:
    if module.is_national:
        return may_publish_national(user)
    return is_trainer_of(user, module.owner_force_id)


def get_module_for_trainer(user: User, pk: UUID | str) -> Module:
    try:
        return modules_for_trainer(user).select_related("owner_force").get(public_id=pk)
    except Module.DoesNotExist:
        raise Http404 from None


def get_module_for_editor(user: User, pk: UUID | str) -> Module:
    """A module whose content `user` may change; 404 otherwise (a force's trainer reading a
    national module gets its review and note pages, never its editor)."""
    module = get_module_for_trainer(user, pk)
    if not may_edit_module(user, module):
        raise Http404
    return module


def get_version_for_editor(user: User, pk: UUID | str) -> ModuleVersion:
    try:
        version = ModuleVersion.objects.select_related("module", "module__owner_force").get(
            public_id=pk
        )
    except ModuleVersion.DoesNotExist:
        raise Http404 from None
    if not may_edit_module(user, version.module):
        raise Http404
    return version


def get_rule_for_trainer(user: User, pk: UUID | str) -> AudienceRule:
    try:
        return AudienceRule.objects.select_related("module", "force").get(
            public_id=pk, force_id__in=trainer_force_ids(user)
        )
    except AudienceRule.DoesNotExist:
        raise Http404 from None


def get_roster_import_for_trainer(user: User, pk: UUID | str) -> RosterImport:
    try:
        return RosterImport.objects.select_related("force").get(
            public_id=pk, force_id__in=trainer_force_ids(user)
        )
    except RosterImport.DoesNotExist:
        raise Http404 from None


def rules_for_trainer(user: User, force: Force) -> QuerySet[AudienceRule]:
    """`force`'s audience rules, for one of its training admins (none for anyone else)."""
    if not is_trainer_of(user, force):
        return AudienceRule.objects.none()
    return AudienceRule.objects.filter(force=force).select_related("module")


def people_of_force(force: Force) -> QuerySet[User]:
    """Active people who work for `force`: they report under it, or its roster lists them.
    Who a training admin of the force may assign work to. Never a family account: they report
    under the member's force, but see only family modules and nothing internal (and a roster
    refuses them too)."""
    return (
        User.objects.filter(
            Q(memberships__force=force, memberships__role=Role.REPORTER)
            | Q(training_profiles__force=force),
            is_active=True,
        )
        .exclude(kind=User.Kind.FAMILY)
        .distinct()
    )


def roster_imports_for_trainer(user: User, force: Force) -> QuerySet[RosterImport]:
    """A force's roster imports, newest first, for its training admins (none for anyone else).
    The files themselves are left in the database: a list needs only what they were."""
    if not is_trainer_of(user, force):
        return RosterImport.objects.none()
    return (
        RosterImport.objects.filter(force=force)
        .select_related("uploaded_by")
        .defer("content")
        .order_by("-created_at", "-pk")
    )


def chosen_trainer_force(user: User, slug: str | None) -> Force:
    """The force a trainer's page works on: `?force=<slug>` among theirs, else their first.
    A slug outside their forces is a 404, like any object out of reach."""
    forces = trainer_forces(user)
    if slug:
        force = forces.filter(slug=slug).first()
        if force is None:
            raise Http404
        return force
    force = forces.first()
    if force is None:
        raise Http404
    return force


# --- line managers -------------------------------------------------------------------------


def team_profiles(user: User) -> QuerySet[TrainingProfile]:
    """The profiles of the people whose roster names `user` as their line manager, in the
    forces where `user` still works (holds a membership) and is active: a line manager who has
    moved force or left reaches nobody there, whatever an old roster says. Only the force's
    workforce is listed (`COUNTED_PERSON`): never a family account, never one that is closed."""
    if not user.is_authenticated or not user.is_active or is_family_account(user):
        return TrainingProfile.objects.none()
    force_ids = {membership.force_id for membership in user.membership_list()}
    return TrainingProfile.objects.filter(
        COUNTED_PERSON, line_manager=user, force_id__in=force_ids
    ).select_related("person", "force")


def line_manager_of(person: User, force: Force) -> User | None:
    """The line manager the roster of `force` names for `person`, if any, still active and
    still working in `force` (holding a membership there)."""
    profile = (
        TrainingProfile.objects.filter(
            person=person,
            force=force,
            line_manager__is_active=True,
            line_manager__memberships__force=force,
        )
        .select_related("line_manager")
        .first()
    )
    return profile.line_manager if profile is not None else None


# --- the digital-footprint self-check --------------------------------------------------------


def footprint_checks_of(user: User) -> QuerySet[FootprintCheck]:
    """The person's own self-check completions, newest first; nobody else's, whatever their
    role."""
    if not user.is_authenticated:
        return FootprintCheck.objects.none()
    return FootprintCheck.objects.filter(person=user)


def saved_footprint_check(user: User) -> FootprintCheck | None:
    """The person's completion whose answers they chose to save, if any (there is one at most)."""
    return footprint_checks_of(user).filter(saved_answers__isnull=False).first()
