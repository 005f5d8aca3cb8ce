"""The seam: a case's first assessment offers the support its reporter asked for, once, and
triage never imports wellbeing (triage/support_offer.py, decision 0008)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from harmsportal.notifications.models import Notification
from reports.models import Report
from tests.factories import force
from tests.triage.factories import ClaimedCaseFactory, triager_in
from triage import support_offer
from triage.models import Case, CaseEvent
from triage.services.claiming import case_claim
from triage.services.moving import case_transfer
from triage.services.working import case_assess
from wellbeing.models import Referral, ReferralEvent, ReferralSource, ReferralState
from wellbeing.services.offers import referral_decline, referral_offer_at_first_assessment

pytestmark = pytest.mark.django_db


def _assess(case: Case, actor=None, risk: str = "medium") -> None:
    case_assess(
        actor=actor or case.assignee,
        case=Case.objects.get(pk=case.pk),
        risk=risk,
        categories=case.categories.all(),
        recording_decision="non_crime_incident",
    )


def _claimed(wants_support: str) -> Case:
    case = ClaimedCaseFactory()
    Report.objects.filter(pk=case.report_id).update(wants_support=wants_support)
    return Case.objects.select_related("report").get(pk=case.pk)


def test_wellbeing_registers_its_handler_with_triage():
    assert support_offer.registered_first_assessment_handler() is (
        referral_offer_at_first_assessment
    )


def test_registering_a_second_different_handler_is_refused():
    with pytest.raises(ImproperlyConfigured):
        support_offer.register_first_assessment_handler(lambda case, *, actor: None)
    # The same one again is harmless (ready() may run twice in a test run).
    support_offer.register_first_assessment_handler(referral_offer_at_first_assessment)


def test_the_first_assessment_offers_support_when_the_reporter_asked_for_it():
    case = _claimed("yes")
    _assess(case)

    referral = Referral.objects.get(case=case)
    assert referral.state == ReferralState.OFFERED
    assert referral.source == ReferralSource.CASE
    assert referral.person == case.report.reporter
    assert referral.force == case.force
    assert referral.offered_by == case.assignee
    assert referral.reference.startswith(f"WB-{case.force.code}-")
    assert list(referral.events.values_list("kind", flat=True)) == [ReferralEvent.Kind.OFFERED]
    told = Notification.objects.get(user=case.report.reporter, link_path__contains="/wellbeing/")
    assert "Wellbeing support is offered" in told.title
    assert "accept or decline it in My support" in told.title
    assert told.link_path == f"/wellbeing/mine/{referral.public_id}/"
    # The case's history says so; the case itself stays assessed (nobody chose an action).
    event = case.events.filter(kind=CaseEvent.Kind.ACTION_RECORDED).get()
    assert "reporter asked for support" in event.detail
    assert Case.objects.get(pk=case.pk).status == "assessed"


@pytest.mark.parametrize("answer", ["no", "not_sure", ""])
def test_no_offer_is_made_when_the_reporter_did_not_say_yes(answer):
    case = _claimed(answer)
    _assess(case)
    assert not Referral.objects.filter(case=case).exists()


def test_assessing_again_makes_no_second_offer_and_tells_nobody_again():
    case = _claimed("yes")
    _assess(case)
    _assess(case, risk="high")
    _assess(case, risk="low")
    assert Referral.objects.filter(case=case).count() == 1
    assert (
        Notification.objects.filter(user=case.report.reporter, title__contains="offered").count()
        == 1
    )


def test_a_declined_offer_stays_declined_when_the_case_is_assessed_again():
    case = _claimed("yes")
    _assess(case)
    referral = Referral.objects.get(case=case)
    referral_decline(actor=case.report.reporter, referral=referral)
    _assess(case, risk="high")
    assert Referral.objects.get(case=case).state == ReferralState.DECLINED


def test_a_transferred_case_assessed_in_its_new_force_keeps_its_one_offer(triage_supervisor):
    case = _claimed("yes")
    _assess(case)
    case_transfer(
        actor=triage_supervisor,
        case=Case.objects.get(pk=case.pk),
        to_force=force("north-yorkshire"),
        reason="Lives in North Yorkshire.",
    )
    there = triager_in("north-yorkshire")
    case_claim(actor=there, case=Case.objects.get(pk=case.pk))
    _assess(case, actor=there)
    assert Referral.objects.filter(case=case).count() == 1


def test_when_the_offer_fails_the_assessment_rolls_back_too():
    case = _claimed("yes")

    def broken(case, *, actor):
        raise RuntimeError("wellbeing is down")

    with support_offer.first_assessment_handler_replaced(broken), pytest.raises(RuntimeError):
        _assess(case)
    assert Case.objects.get(pk=case.pk).assessed_at is None


def test_with_no_handler_the_assessment_still_happens():
    case = _claimed("yes")
    with support_offer.first_assessment_handler_replaced(None):
        _assess(case)
    assert Case.objects.get(pk=case.pk).assessed_at is not None
    assert not Referral.objects.filter(case=case).exists()


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("app", ["triage", "reports"])
def test_triage_and_reports_never_import_wellbeing(app):
    base = Path(settings.BASE_DIR) / app
    files = list(base.rglob("*.py"))
    assert files
    offenders = {
        str(path.relative_to(base)): sorted(
            name for name in _imports(path) if name.startswith("wellbeing")
        )
        for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}
