"""Legal hold on the case page: a triage supervisor of the case's force places and lifts it,
with a reason kept in the case history; nobody else can (triage/views/hold_pages.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from harmsportal.people.models import Role, User
from tests.factories import make_person
from tests.triage.factories import ClosedCaseFactory
from triage.models import Case, CaseEvent
from triage.services.legal_hold import case_legal_hold_lift, case_legal_hold_place

pytestmark = pytest.mark.django_db

REASON = "Court order 2031/17: keep until the trial ends."


@pytest.fixture
def case() -> Case:
    return ClosedCaseFactory()


def hold_path(case: Case) -> str:
    return reverse("triage:legal_hold", args=[case.public_id])


def case_path(case: Case) -> str:
    return reverse("triage:case", args=[case.public_id])


def test_a_supervisor_places_a_hold_from_the_case_page(client, triage_supervisor, case):
    client.force_login(triage_supervisor)
    page = client.get(case_path(case)).content.decode()
    assert f'href="{hold_path(case)}">Place a legal hold</a>' in page

    form = client.get(hold_path(case))
    assert "Place a legal hold on this case" in form.content.decode()
    response = client.post(hold_path(case), {"reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == case_path(case)
    held = Case.objects.get(pk=case.pk)
    assert held.legal_hold_since is not None
    assert (held.legal_hold_by, held.legal_hold_reason) == (triage_supervisor, REASON)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.LEGAL_HOLD_PLACED)
    assert (event.actor, event.detail) == (triage_supervisor, REASON)
    page = client.get(case_path(case)).content.decode()
    assert 'id="legal-hold"' in page
    assert f'href="{hold_path(case)}">Lift the legal hold</a>' in page


def test_a_hold_needs_a_reason(client, triage_supervisor, case):
    client.force_login(triage_supervisor)

    response = client.post(hold_path(case), {"reason": "   "})

    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter why the case must be kept." in body
    assert Case.objects.get(pk=case.pk).legal_hold_since is None


def test_a_supervisor_lifts_the_hold_with_a_reason(client, triage_supervisor, case):
    case_legal_hold_place(actor=triage_supervisor, case=case, reason=REASON)
    client.force_login(triage_supervisor)

    form = client.get(hold_path(case)).content.decode()
    assert REASON in form
    assert "Lift the legal hold" in form
    response = client.post(hold_path(case), {"reason": "The trial has ended."})

    assert response.status_code == 302
    lifted = Case.objects.get(pk=case.pk)
    assert (lifted.legal_hold_since, lifted.legal_hold_by, lifted.legal_hold_reason) == (
        None,
        None,
        "",
    )
    assert CaseEvent.objects.filter(
        case=case, kind=CaseEvent.Kind.LEGAL_HOLD_LIFTED, detail="The trial has ended."
    ).exists()


def test_a_triager_who_is_not_a_supervisor_is_refused_and_sees_no_link(client, triager, case):
    client.force_login(triager)

    assert client.post(hold_path(case), {"reason": REASON}).status_code == 403
    assert hold_path(case) not in client.get(case_path(case)).content.decode()
    assert Case.objects.get(pk=case.pk).legal_hold_since is None


def test_another_forces_supervisor_gets_404_as_for_a_missing_case(client, case):
    elsewhere = make_person(
        Role.TRIAGE_SUPERVISOR, force_slug="north-yorkshire", kind=User.Kind.STAFF
    )
    client.force_login(elsewhere)

    assert client.post(hold_path(case), {"reason": REASON}).status_code == 404
    with pytest.raises(PermissionDenied):
        case_legal_hold_place(actor=elsewhere, case=case, reason=REASON)
    assert Case.objects.get(pk=case.pk).legal_hold_since is None


def test_placing_and_lifting_twice_changes_nothing_more(triage_supervisor, case):
    assert case_legal_hold_place(actor=triage_supervisor, case=case, reason=REASON)
    assert not case_legal_hold_place(actor=triage_supervisor, case=case, reason="Another")
    assert Case.objects.get(pk=case.pk).legal_hold_reason == REASON
    assert case_legal_hold_lift(actor=triage_supervisor, case=case, reason="Ended")
    assert not case_legal_hold_lift(actor=triage_supervisor, case=case, reason="Ended")
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count(CaseEvent.Kind.LEGAL_HOLD_PLACED) == 1
    assert kinds.count(CaseEvent.Kind.LEGAL_HOLD_LIFTED) == 1


def test_a_supervisor_elsewhere_who_triages_this_force_gets_404_and_sees_nothing_of_a_hold(
    client, triage_supervisor, case
):
    """Supervising North Yorkshire and triaging West Yorkshire: the West Yorkshire case's hold
    page is not theirs, read or written, and answers 404 like a missing case (not the form with
    the hold's reason and who placed it, nor a 403 that says the case exists)."""
    from harmsportal.people.models import Membership
    from tests.factories import force

    case_legal_hold_place(actor=triage_supervisor, case=case, reason=REASON)
    both = make_person(Role.TRIAGE_SUPERVISOR, force_slug="north-yorkshire", kind=User.Kind.STAFF)
    Membership.objects.create(user=both, force=force("west-yorkshire"), role=Role.TRIAGE)
    both.forget_roles()
    client.force_login(both)
    assert client.get(case_path(case)).status_code == 200  # they do triage this force

    shown = client.get(hold_path(case))
    lifted = client.post(hold_path(case), {"reason": "Lifting it from elsewhere"})

    assert (shown.status_code, lifted.status_code) == (404, 404)
    assert REASON not in shown.content.decode()
    assert Case.objects.get(pk=case.pk).legal_hold_reason == REASON


def test_a_hold_asked_for_as_retention_erases_the_case_is_a_404_not_an_error(
    client, triage_supervisor, case, monkeypatch
):
    """The page read the case; retention erased it before the hold locked the row."""
    from triage.views import hold_pages

    read = hold_pages.get_case_for_supervisor

    def read_then_erased(user, pk):
        from wellbeing.models import Referral

        found = read(user, pk)
        Referral.objects.filter(case_id=found.pk).update(case=None)  # as retention strips it
        Case.objects.filter(pk=found.pk).delete()
        return found

    monkeypatch.setattr(hold_pages, "get_case_for_supervisor", read_then_erased)
    client.force_login(triage_supervisor)

    assert client.post(hold_path(case), {"reason": REASON}).status_code == 404
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.LEGAL_HOLD_PLACED).exists()


@pytest.mark.parametrize("route", ["triage:transfer", "triage:reassign"])
def test_a_supervisor_elsewhere_who_triages_this_force_gets_404_on_its_supervisor_pages(
    client, case, route
):
    """Transfer and reassign are the case's own force's supervisors' moves, like the hold: a
    supervisor of another force who triages this one gets a 404, not the page then a 403."""
    from django.urls import reverse

    from harmsportal.people.models import Membership
    from tests.factories import force

    both = make_person(Role.TRIAGE_SUPERVISOR, force_slug="north-yorkshire", kind=User.Kind.STAFF)
    Membership.objects.create(user=both, force=force("west-yorkshire"), role=Role.TRIAGE)
    both.forget_roles()
    client.force_login(both)
    path = reverse(route, kwargs={"pk": case.public_id})

    assert client.get(case_path(case)).status_code == 200  # they do triage this force
    assert client.get(path).status_code == 404
    assert client.post(path, {}).status_code == 404
