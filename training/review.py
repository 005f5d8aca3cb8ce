"""A module's review and certificate checks: what a module's owners read about it.

**Review** (`version_reviews`, `review_comments`): for each version of a module, how many
completed it, how much of the work assigned while it was the published version has been
completed, the learners' ratings (average and spread), their answer to "has it changed what you
will do", and what they wrote would make it better. No names: the page reads feedback, never
who gave it. Whose learners count is `review_force_ids`: a force module's own force; for a
national module, every force for a platform admin (who publishes it), otherwise only the
forces where the reader is a training admin, so a force's trainer never reads another force's
learners' comments.

**Certificate checks** (`certificate_for_trainer`): a training admin finds a completion by its
verification code only when the learner's force is one of theirs; any other code, from another
force or from nowhere, is the same "not found". Every check is recorded
(`certificate_check_record`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.people.models import Role
from training.compliance import percent
from training.models import (
    RATING_CHOICES,
    Assignment,
    Changed,
    Completion,
    Feedback,
    VersionStatus,
)
from training.selectors import may_publish_national, trainer_force_ids

if TYPE_CHECKING:
    from harmsportal.people.models import User
    from training.models import Module, ModuleVersion


# --- module review (the module's owners) -----------------------------------------------------------


@dataclass(frozen=True)
class VersionReview:
    """What learners made of one version: the basis of the module's review."""

    version: ModuleVersion
    completions: int
    # Work assigned while this version was the published one, and how much of it is done.
    assigned: int
    assigned_completed: int
    completion_rate: int | None  # None: nothing was assigned in that time
    feedback: int
    average_rating: Decimal | None  # None: no feedback yet
    # (rating, label, count), best first; (value, label, count) for "changed what I will do".
    ratings: list[tuple[int, str, int]]
    changed: list[tuple[str, str, int]]


def review_force_ids(user: User, module: Module) -> list[int] | None:
    """Whose learners' completions and feedback `user` reads for `module` (None: every force).

    A force module: its own force's. A national module: every force's for a platform admin
    (who publishes it), otherwise only the forces where `user` is a training admin.
    """
    if not module.is_national:
        return [module.owner_force_id]
    if may_publish_national(user):
        return None
    return trainer_force_ids(user)


def _scoped(queryset, force_ids: list[int] | None, field: str = "force_id"):
    return queryset if force_ids is None else queryset.filter(**{f"{field}__in": force_ids})


def version_reviews(module: Module, force_ids: list[int] | None) -> list[VersionReview]:
    """One `VersionReview` per version of `module`, newest first, over `force_ids`' learners.
    Four queries whatever the number of learners."""
    versions = list(module.versions.exclude(status=VersionStatus.DRAFT).order_by("-number"))
    completions = dict(
        _scoped(Completion.objects.filter(module=module), force_ids)
        .values_list("version_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    feedback: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for version_id, rating, changed, n in (
        _scoped(
            Feedback.objects.filter(completion__module=module), force_ids, "completion__force_id"
        )
        .values_list("completion__version_id", "rating", "changed")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        feedback[version_id].append((rating, changed, n))
    now = timezone.now()
    windows = {
        version.pk: Q(assigned_at__gte=version.published_at)
        & Q(assigned_at__lt=version.retired_at or now)
        for version in versions
        if version.published_at is not None
    }
    aggregates = {}
    for pk, window in windows.items():
        aggregates[f"a{pk}"] = Count("pk", filter=window)
        aggregates[f"c{pk}"] = Count("pk", filter=window & Q(completion__isnull=False))
    assigned = (
        _scoped(
            Assignment.objects.filter(module=module, cancelled_at__isnull=True), force_ids
        ).aggregate(**aggregates)
        if aggregates
        else {}
    )
    return [
        _version_review(
            version,
            completions=completions.get(version.pk, 0),
            assigned=assigned.get(f"a{version.pk}", 0),
            assigned_completed=assigned.get(f"c{version.pk}", 0),
            feedback=feedback.get(version.pk, []),
        )
        for version in versions
    ]


def _version_review(version, *, completions, assigned, assigned_completed, feedback):
    by_rating: dict[int, int] = defaultdict(int)
    by_changed: dict[str, int] = defaultdict(int)
    for rating, changed, n in feedback:
        by_rating[rating] += n
        by_changed[changed] += n
    given = sum(by_rating.values())
    average = None
    if given:
        total = sum(rating * n for rating, n in by_rating.items())
        average = (Decimal(total) / Decimal(given)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return VersionReview(
        version=version,
        completions=completions,
        assigned=assigned,
        assigned_completed=assigned_completed,
        completion_rate=percent(assigned_completed, assigned) if assigned else None,
        feedback=given,
        average_rating=average,
        ratings=[(value, label, by_rating.get(value, 0)) for value, label in RATING_CHOICES],
        changed=[(value, label, by_changed.get(value, 0)) for value, label in Changed.choices],
    )


def review_comments(version: ModuleVersion, force_ids: list[int] | None) -> QuerySet[Feedback]:
    """What learners wrote on "what would make it better" for `version`, newest first, with no
    link to who wrote it beyond the feedback itself (pages show no names)."""
    return (
        _scoped(
            Feedback.objects.filter(completion__version=version), force_ids, "completion__force_id"
        )
        .exclude(better="")
        .only("pk", "rating", "changed", "better", "at")
        .order_by("-at", "-pk")
    )


# --- certificate checks (training admins) ----------------------------------------------------------


def certificate_for_trainer(user: User, code: str) -> Completion | None:
    """The completion with verification `code` whose learner's force is one where `user` is a
    training admin; None for a code that does not exist and for one from another force alike."""
    force_ids = trainer_force_ids(user)
    if not force_ids:
        return None
    completion = (
        Completion.objects.select_related("module", "version", "force")
        .filter(verification_code=code, force_id__in=force_ids)
        .first()
    )
    if completion is not None:
        # The certificate is genuine, but a later version may have to be completed again.
        completion.newer_required = newer_version_required(completion)
    return completion


def newer_version_required(completion: Completion) -> ModuleVersion | None:
    """The newest version published after the one `completion` is of that everyone must
    complete again (so the certificate alone no longer shows the training is up to date)."""
    return (
        completion.module.versions.filter(
            number__gt=completion.version.number,
            requires_recompletion=True,
            published_at__isnull=False,
        )
        .order_by("-number")
        .first()
    )


@transaction.atomic
def certificate_check_record(*, actor: User, code: str, completion: Completion | None) -> None:
    """A training admin checked a certificate code: found (in one of their forces) or not."""
    access_record(
        actor=actor,
        action=AccessLog.Action.READ,
        object_type="training.completion",
        object_id=completion.pk if completion is not None else "",
        force=completion.force if completion is not None else None,
        role=Role.TRAINING_ADMIN,
        reason=f"Certificate check {code}: {'found' if completion else 'not found'}",
    )
