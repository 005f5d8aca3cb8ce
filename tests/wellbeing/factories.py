"""Wellbeing factories: a referral in each state, support services and check-ins.

Referrals are built field by field (not through the services), so a test can set up any
state cheaply; the fields are what the model's own moves would have left. A referral from a
case gets an assessed West Yorkshire case by default (pass `case=` to reuse one); its person is
the case's reporter. Pass `champion=` to choose who holds an assigned referral.

    OfferedReferralFactory()            offered from a case, not yet answered
    DeclinedReferralFactory()           the person said no
    AcceptedReferralFactory()           consent given (summary only, no name), unassigned
    AssignedReferralFactory()           a champion holds it; next check-in in 14 days
    InSupportReferralFactory()          support has started
    ClosedReferralFactory()             closed: support finished
    SelfReferralFactory()               self-referral: accepted, no case
"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from harmsportal.people.models import Role, User
from tests.factories import force, make_person
from tests.triage.factories import AssessedCaseFactory
from triage.support_offer import first_assessment_handler_replaced
from wellbeing.models import (
    DEFAULT_CHECKIN_DAYS,
    CheckIn,
    CloseReason,
    ConsentScope,
    HarmTo,
    Referral,
    ReferralSource,
    ReferralState,
    SupportService,
    SupportType,
)
from wellbeing.services._shared import reference_allocate

SUMMARY = "Someone shared my address online and I am not sleeping well."


def champion_in(force_slug: str = "west-yorkshire", **fields) -> User:
    """A wellbeing champion of `force_slug` (staff, with TOTP)."""
    return make_person(Role.CHAMPION, force_slug=force_slug, kind=User.Kind.STAFF, **fields)


def assessed_case_without_offer(**fields):
    """An assessed case whose first assessment made no offer (its reporter said yes to
    support, so the seam would have): the referral factories make the referral themselves."""
    with first_assessment_handler_replaced(None):
        return AssessedCaseFactory(**fields)


def _reference(referral) -> str:
    return reference_allocate(force=referral.force, year=timezone.now().year)


class ReferralFactory(factory.django.DjangoModelFactory):
    """Offered from an assessed case: the state triage leaves it in."""

    class Meta:
        model = Referral

    source = ReferralSource.CASE
    case = factory.LazyFunction(assessed_case_without_offer)
    person = factory.LazyAttribute(lambda r: r.case.report.reporter)
    force = factory.LazyAttribute(lambda r: r.case.force if r.case else force())
    offered_by = factory.LazyAttribute(lambda r: r.case.assignee if r.case else None)
    reference = factory.LazyAttribute(_reference)  # unused when the case already has an offer
    state = ReferralState.OFFERED
    harm_to = HarmTo.ME
    support_type = SupportType.WELLBEING

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Assessing a case whose reporter asked for support already offers it (one referral per
        # case): reuse that offer, set to the state asked for, keeping its reference.
        case = kwargs.get("case")
        offer = Referral.objects.filter(case=case).first() if case is not None else None
        if offer is None:
            return super()._create(model_class, *args, **kwargs)
        kwargs.pop("reference", None)
        for name, value in kwargs.items():
            setattr(offer, name, value)
        offer.save()
        return offer


class OfferedReferralFactory(ReferralFactory):
    pass


class DeclinedReferralFactory(ReferralFactory):
    state = ReferralState.DECLINED
    declined_at = factory.LazyFunction(timezone.now)


class AcceptedReferralFactory(ReferralFactory):
    state = ReferralState.ACCEPTED
    summary = SUMMARY
    consent_scope = ConsentScope.SUMMARY
    consent_name = False
    consent_given_at = factory.LazyFunction(timezone.now)
    accepted_at = factory.LazyAttribute(lambda r: r.consent_given_at)


class AssignedReferralFactory(AcceptedReferralFactory):
    state = ReferralState.ASSIGNED
    champion = factory.LazyAttribute(lambda r: champion_in(r.force.slug))
    assigned_at = factory.LazyFunction(timezone.now)
    next_checkin_at = factory.LazyAttribute(
        lambda r: r.assigned_at + timedelta(days=DEFAULT_CHECKIN_DAYS)
    )


class InSupportReferralFactory(AssignedReferralFactory):
    state = ReferralState.IN_SUPPORT
    first_support_at = factory.LazyFunction(timezone.now)


class ClosedReferralFactory(InSupportReferralFactory):
    state = ReferralState.CLOSED
    closed_at = factory.LazyFunction(timezone.now)
    close_reason = CloseReason.SUPPORT_ENDED
    next_checkin_at = None


class SelfReferralFactory(AcceptedReferralFactory):
    """A self-referral: accepted from the start, no case. Pass `person=` (a family account
    too) and `force=`; by default a West Yorkshire officer."""

    source = ReferralSource.SELF
    case = None
    person = factory.LazyFunction(lambda: make_person(full_name="Self Referrer"))
    force = factory.LazyAttribute(lambda r: r.person.home_force or force())
    offered_by = None


class SupportServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportService

    force = factory.LazyFunction(force)
    name = factory.Sequence(lambda n: f"Support service {n}")
    support_type = SupportType.OCCUPATIONAL_HEALTH
    capacity = 10
    target_wait_days = 14
    how_to_refer = "Email the team with the referral's reference."
    active = True


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    referral = factory.SubFactory(AssignedReferralFactory)
    by = factory.LazyAttribute(lambda c: c.referral.champion or c.referral.person)
    at = factory.LazyFunction(timezone.now)
    score = 3
    in_crisis = False
    note = "Sleeping a little better this week."
