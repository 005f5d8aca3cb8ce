"""Seeding West Yorkshire's demo training (training/demo/__init__.py) through the real
services, moved back to the days the roster's story says."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from harmsportal.people.demo import DEMO_DOMAIN, HOME_FORCE
from harmsportal.people.models import Force, Membership, Role, User
from training.content import load_national_modules
from training.demo.roster import (
    ACCOUNT_ROSTER,
    COLLEAGUE_NAMES,
    FAMILY_WORK,
    FEEDBACK,
    RULES,
    RosterEntry,
    Work,
    colleague_key,
    colleague_roster,
)
from training.models import (
    Assignment,
    AssignmentSource,
    AudienceRule,
    Completion,
    Feedback,
    Module,
    ModuleVersion,
    TrainingProfile,
)
from training.services.assigning import assignment_create, audience_for
from training.services.audience_rules import rules_apply
from training.services.learning import add_months, completion_record, feedback_give

# The demo's story has colleagues completing modules up to about a year ago, so the national
# modules' first versions are dated as published two years ago (the migration dates them on the
# day it ran): otherwise a learner reads "published 29 November 2026" beside "completed in
# December 2025", and a module's review finds no work done while its version was published.
DEMO_IN_USE_DAYS = 730


def _national_versions_in_use_since(moment: datetime.datetime) -> None:
    ModuleVersion.objects.filter(
        module__owner_force__isnull=True, number=1, published_at__gt=moment
    ).update(published_at=moment, created_at=moment)


@transaction.atomic
def seed(accounts: dict[str, User]) -> None:
    """West Yorkshire's training, as its demo trainer finds it (module docstring)."""
    trainer = accounts.get("trainer")
    if trainer is None:
        return
    load_national_modules()  # the data migration loaded them; a flushed database has none
    _national_versions_in_use_since(timezone.now() - timedelta(days=DEMO_IN_USE_DAYS))
    force = Force.objects.get(slug=HOME_FORCE)
    modules = {module.slug: module for module in Module.objects.filter(owner_force__isnull=True)}
    rules = _rules(force, modules, trainer)
    colleagues = _colleagues(force)
    people = {**accounts, **colleagues}
    roster = {**ACCOUNT_ROSTER, **colleague_roster()}
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


def _colleagues(force: Force) -> dict[str, User]:
    """The force's other people on the roster: accounts of the demo nobody signs in as."""
    people = {}
    for index, name in enumerate(COLLEAGUE_NAMES):
        key = colleague_key(name)
        email = f"{key}@{DEMO_DOMAIN}"
        person = User.objects.filter(email=email).first()
        if person is None:
            kind = User.Kind.OFFICER if index % 3 else User.Kind.STAFF
            # No password: create_user gives an unusable one, so nobody can sign in as them.
            person = User.objects.create_user(email, full_name=name, kind=kind)
        Membership.objects.get_or_create(user=person, force=force, role=Role.REPORTER)
        people[key] = person
    return people


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
