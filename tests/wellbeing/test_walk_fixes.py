"""What a walk through the demo as a champion and as leads found, each fixed and kept fixed."""

from __future__ import annotations

import html as html_lib
import importlib
import inspect
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from harmsportal.navigation import nav_for
from harmsportal.people.models import Membership, Role
from tests.factories import force
from tests.wellbeing.factories import (
    AssignedReferralFactory,
    DeclinedReferralFactory,
    SupportServiceFactory,
)
from wellbeing.models import Resource, SupportType

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def url(name: str, referral) -> str:
    return reverse(f"wellbeing:{name}", args=[referral.public_id])


def text(response) -> str:
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split()))


def helpline(force_slug: str = "west-yorkshire", **fields) -> Resource:
    values = {
        "force": force(force_slug),
        "kind": Resource.Kind.HELPLINE,
        "title": "Occupational health urgent line",
        "summary": "Answered by a nurse 24 hours a day.",
        "phone": "0113 000 0000",
        **fields,
    }
    return Resource.objects.create(**values)


# 1. The crisis page lists the force's own urgent routes -------------------------------------


@pytest.mark.parametrize("in_crisis", [False, True])
def test_the_crisis_page_lists_the_forces_own_helplines(client, champion, in_crisis):
    referral = AssignedReferralFactory(
        champion=champion, in_crisis_since=timezone.now() if in_crisis else None
    )
    helpline(title="West Yorkshire OH urgent line", phone="0113 111 2222")
    helpline(title="Withdrawn line", withdrawn_at=timezone.now())
    helpline(title="West Yorkshire guidance", kind=Resource.Kind.GUIDANCE)
    helpline("north-yorkshire", title="North Yorkshire urgent line")
    Resource.objects.create(
        force=None, kind=Resource.Kind.HELPLINE, title="National line", summary="National."
    )
    client.force_login(champion)

    page = text(client.get(url("crisis", referral)))

    assert re.search(r"West Yorkshire OH urgent line\s*: 0113 111 2222", page)
    assert "Answered by a nurse 24 hours a day." in page
    for other in ("Withdrawn line", "West Yorkshire guidance", "North Yorkshire", "National line"):
        assert other not in page
    assert settings.HARMSPORTAL_URGENT_OH_ROUTE not in page
    assert "999" in page
    assert "116 123" in page
    if not in_crisis:
        assert "Your force's urgent routes" in page


def test_the_crisis_page_falls_back_to_the_general_route_when_the_force_has_none(client, champion):
    referral = AssignedReferralFactory(champion=champion, in_crisis_since=timezone.now())
    helpline("north-yorkshire", title="North Yorkshire urgent line")
    client.force_login(champion)

    page = text(client.get(url("crisis", referral)))

    assert settings.HARMSPORTAL_URGENT_OH_ROUTE in page
    assert "North Yorkshire urgent line" not in page
    assert "999" in page
    assert "116 123" in page


def test_the_referral_page_in_crisis_lists_the_forces_own_helplines(client, champion):
    referral = AssignedReferralFactory(champion=champion, in_crisis_since=timezone.now())
    helpline(title="West Yorkshire OH urgent line")
    client.force_login(champion)

    page = text(client.get(url("referral", referral)))

    assert "West Yorkshire OH urgent line" in page


# 2. Champions see exact open counts and whether a service is full --------------------------


def row_of(html: str, name: str) -> str:
    return html.split(name, 1)[1].split("</tr>", 1)[0]


def test_the_services_page_shows_exact_small_counts_and_full_services(client, champion):
    full = SupportServiceFactory(name="Oscar Kilo counselling", capacity=3)
    for _ in range(3):
        AssignedReferralFactory(service=full)
    roomy = SupportServiceFactory(name="Peer support", capacity=8)
    AssignedReferralFactory(service=roomy)
    client.force_login(champion)

    html = client.get(reverse("wellbeing:services")).content.decode()

    full_row = row_of(html, "Oscar Kilo counselling")
    assert 'data-label="Open referrals">3<' in full_row
    assert ">Full<" in full_row
    roomy_row = row_of(html, "Peer support")
    assert 'data-label="Open referrals">1<' in roomy_row
    assert "Taking referrals" in roomy_row
    assert "&lt;5" not in html


def test_handing_to_a_service_shows_places_used_and_the_target_wait(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    counselling = SupportServiceFactory(
        name="Oscar Kilo counselling", capacity=3, target_wait_days=28
    )
    for _ in range(5):
        AssignedReferralFactory(service=counselling)
    SupportServiceFactory(
        name="Employee assistance programme",
        support_type=SupportType.EAP,
        capacity=10,
        target_wait_days=1,
    )
    SupportServiceFactory(name="Trauma team", support_type=SupportType.TRIM, capacity=1)
    client.force_login(champion)

    page = text(client.get(url("choose_service", referral)))

    assert (
        "Oscar Kilo counselling (Occupational health or psychological support): "
        "5 of 3 places used (full), target 28 days"
    ) in page
    assert "Employee assistance programme: 0 of 10 places used, target 1 day" in page
    assert "Employee assistance programme (Employee assistance programme)" not in page
    assert "Trauma team (Trauma risk management (TRiM)): 0 of 1 place used, target 14 days" in page


# 3. "Too long" errors name the field -------------------------------------------------------


def test_a_too_long_checkin_note_says_which_field_and_keeps_the_words(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    note = "x" * 5001

    response = client.post(url("checkin", referral), {"score": "3", "note": note})

    page = text(response)
    assert response.status_code == 200
    assert "Your note must be 5,000 characters or fewer." in page
    assert "Ensure this value" not in page
    assert note in response.content.decode()


def test_a_too_long_message_to_the_person_names_the_message(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)

    response = client.post(url("message", referral), {"body": "y" * 5001})

    assert "Your message must be 5,000 characters or fewer." in text(response)


def test_a_too_long_directory_entry_names_the_field(client, champion):
    client.force_login(champion)
    data = {"display_name": "Cham Pion", "role_title": "", "how_to_reach": "z" * 1001}

    response = client.post(reverse("wellbeing:listing_edit"), {**data, "listed": "on"})

    assert "How colleagues can reach you must be 1,000 characters or fewer." in text(response)
    assert "This must be" not in text(response)


def _wellbeing_form_fields():
    for module_name in ("champion", "checkin", "directory", "offer", "person", "plan"):
        module = importlib.import_module(f"wellbeing.forms.{module_name}")
        for name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                for field_name, field in form.base_fields.items():
                    if getattr(field, "max_length", None):
                        yield f"{module_name}.{name}.{field_name}", field


def test_every_wellbeing_length_limit_has_a_message_that_names_the_field():
    checked = 0
    for where, field in _wellbeing_form_fields():
        message = field.error_messages["max_length"]
        assert "Ensure this value" not in str(message), where
        assert not str(message).startswith("This must be"), where
        assert f"{field.max_length:,} characters or fewer" in str(message), where
        checked += 1
    assert checked >= 15


# 4. A lead with one force asking for another -----------------------------------------------


def test_a_lead_asking_for_another_forces_capacity_gets_a_404(client, force_lead):
    client.force_login(force_lead)
    capacity = reverse("wellbeing:capacity")

    assert client.get(capacity, {"force": "greater-manchester"}).status_code == 404
    assert client.get(capacity, {"force": "atlantis"}).status_code == 404
    own = client.get(capacity, {"force": "west-yorkshire"})
    assert own.status_code == 200
    assert "There is a problem" not in text(own)
    assert client.get(capacity).status_code == 200


def test_an_analyst_asking_for_a_force_still_sees_it(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("wellbeing:capacity"), {"force": "greater-manchester"})
    assert response.status_code == 200
    assert "There is a problem" not in text(response)


# 5. Wording --------------------------------------------------------------------------------


def test_a_checkin_still_to_come_is_due_and_a_past_one_was_due(client, champion):
    with time_machine.travel(NOW, tick=False):
        coming = AssignedReferralFactory(champion=champion, next_checkin_at=NOW + timedelta(3))
        gone = AssignedReferralFactory(champion=champion, next_checkin_at=NOW - timedelta(3))
        client.force_login(champion)
        assert "This check-in is due on 13 December" in text(client.get(url("checkin", coming)))
        assert "This check-in was due on 7 December" in text(client.get(url("checkin", gone)))


def test_the_plan_asks_the_champion_how_they_would_like_to_be_contacted(client, champion):
    referral = AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    champion_page = text(client.get(url("plan", referral)))
    assert "How would they like to be contacted?" in champion_page
    assert "How would you like to be contacted?" not in champion_page
    missing = text(client.post(url("plan", referral), {"checkin_every_days": "14"}))
    assert "Select how they would like to be contacted." in missing

    client.force_login(referral.person)
    person_page = text(client.get(url("mine_plan", referral)))
    assert "How would you like to be contacted?" in person_page


def test_an_offer_already_declined_offers_only_accepting(client):
    with time_machine.travel(NOW, tick=False):
        referral = DeclinedReferralFactory()
    client.force_login(referral.person)

    page = text(client.get(url("respond", referral)))

    assert "You declined this offer on 10 December 2026. You can still accept it." in page
    assert "Accept support" in page
    assert "Decline the support" not in page
    assert "No thanks, not now" not in page


# 6. Layout and the menu --------------------------------------------------------------------


def test_the_queue_header_row_only_labels_so_it_hides_on_a_phone(client, champion):
    AssignedReferralFactory(champion=champion)
    client.force_login(champion)
    html = client.get(reverse("wellbeing:home")).content.decode()
    thead = re.search(r"<thead[^>]*>", html).group(0)
    assert "app-table__header--label-only" in thead


def test_the_queue_state_filter_labels_are_short(client, champion):
    client.force_login(champion)
    html = client.get(reverse("wellbeing:home")).content.decode()
    select = html.split('name="state"', 1)[1].split("</select>", 1)[0]
    labels = [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]
    assert "Open" in labels
    assert all(len(label) <= 25 for label in labels), labels


def labels(user) -> list[str]:
    return [item["label"] for item in nav_for(user)]


@pytest.mark.parametrize("who", ["force_lead", "oversight", "analyst"])
def test_leads_oversight_and_analysts_have_capacity_in_the_menu(client, persona, who):
    user = persona(who)
    assert "Wellbeing capacity" in labels(user)
    client.force_login(user)
    html = client.get(reverse("wellbeing:capacity")).content.decode()
    active = re.findall(
        r'govuk-service-navigation__item--active">\s*<a[^>]*>(?:<strong[^>]*>)?([^<]+)', html
    )
    assert [label.strip() for label in active] == ["Wellbeing capacity"]


def test_a_champion_has_one_wellbeing_item_even_as_a_force_lead(champion):
    assert [label for label in labels(champion) if "Wellbeing" in label] == ["Wellbeing"]
    Membership.objects.create(user=champion, force=force(), role=Role.FORCE_LEAD)
    champion.forget_roles()
    assert [label for label in labels(champion) if "Wellbeing" in label] == ["Wellbeing"]
