"""Signing up as an officer, staff member or volunteer, and the voluntary "About you"."""

from __future__ import annotations

import re

from harmsportal.people.forms import SignupForm
from harmsportal.people.models import Force, Membership, Role, User

SIGNUP = "/accounts/signup/"
ABOUT_YOU = "/people/about-you/"
PASSWORD = "kettle-orchard-lantern-93"
ANSWERS = {
    "age_band": "35_44",
    "sex": "female",
    "gender_same_as_sex": "prefer_not_to_say",
    "ethnicity": "mixed",
    "disability": "no",
    "sexual_orientation": "bisexual",
    "religion": "none",
}


def signup_data(**overrides) -> dict:
    return {
        "full_name": "Robin Newcomer",
        "email": "Robin.Newcomer@example.police.uk",
        "kind": "staff",
        "force": str(Force.objects.get(slug="police-scotland").pk),
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


def test_signup_creates_a_reporter_membership_in_the_chosen_force(client, db):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="robin.newcomer@example.police.uk")
    assert (user.full_name, user.kind) == ("Robin Newcomer", User.Kind.STAFF)
    membership = Membership.objects.get(user=user)
    assert (membership.force.slug, membership.role) == ("police-scotland", Role.REPORTER)
    assert user.home_force.name == "Police Scotland"


def test_signup_offers_every_force_by_name_and_no_family_option(db):
    form = SignupForm()
    forces = list(form.fields["force"].queryset)
    assert len(forces) == 48
    assert [f.name for f in forces] == sorted(f.name for f in forces)
    assert [value for value, _ in form.fields["kind"].choices] == ["officer", "staff", "volunteer"]


def test_signup_refuses_a_family_account(client, db):
    response = client.post(SIGNUP, signup_data(kind="family"))
    assert response.status_code == 200
    assert not User.objects.filter(email="robin.newcomer@example.police.uk").exists()


def test_signup_needs_a_force_and_keeps_what_was_entered(client, db):
    response = client.post(SIGNUP, signup_data(force=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select your force." in page
    assert 'value="Robin Newcomer"' in page
    assert not User.objects.exists()


def test_about_you_explains_why_it_asks(client, officer):
    client.force_login(officer)
    page = client.get(ABOUT_YOU).content.decode()
    assert "only ever counted" in page
    assert "never shown with your name" in page
    assert page.count('value="prefer_not_to_say"') == 7


def test_about_you_saves_the_answers_given(client, officer):
    client.force_login(officer)
    response = client.post(ABOUT_YOU, ANSWERS, follow=True)
    assert response.status_code == 200
    assert "Your answers are saved" in response.content.decode()
    officer.refresh_from_db()
    assert {name: getattr(officer, name) for name in ANSWERS} == ANSWERS


def test_about_you_can_be_sent_with_nothing_answered(client, officer):
    officer.age_band = "under_25"
    officer.save(update_fields=["age_band"])
    client.force_login(officer)
    response = client.post(ABOUT_YOU, {})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert all(getattr(officer, name) == "" for name in ANSWERS)


def test_about_you_refuses_an_answer_that_is_not_offered(client, officer):
    client.force_login(officer)
    response = client.post(ABOUT_YOU, {**ANSWERS, "religion": "jedi"})
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.religion == ""
    assert officer.age_band == ""


def test_about_you_shows_previous_answers(client, officer):
    officer.ethnicity = "asian"
    officer.save(update_fields=["ethnicity"])
    client.force_login(officer)
    page = client.get(ABOUT_YOU).content.decode()
    assert re.search(r'<input[^>]*value="asian"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="white"[^>]*checked', page)


def test_about_you_needs_sign_in(client, db):
    response = client.get(ABOUT_YOU)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
