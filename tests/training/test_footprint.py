"""The digital-footprint self-check: advice tailored to the answers, and only the fact of
completion kept unless the person chooses to save their answers."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from training.footprint_advice_text import ADVICE
from training.footprint_checklist import QUESTIONS
from training.markdown import render_markdown
from training.models import FootprintCheck
from training.services.footprint import (
    footprint_advice,
    footprint_answers_delete,
    footprint_check_record,
)

URL = reverse("training:footprint")
SAVED_URL = reverse("training:footprint_saved")


def _first(predicate) -> dict[str, str]:
    """For each question, the first option matching `predicate` (else its last option)."""
    answers = {}
    for question in QUESTIONS:
        match = [o for o in question.options if predicate(o)]
        answers[question.key] = (match or list(question.options))[-1 if not match else 0].value
    return answers


# Every answer that leads to advice, and every answer that is already good practice.
ALL_TO_DO = _first(lambda o: o.advice is not None)
ALL_DOING = _first(lambda o: o.doing is not None)


def _post(client, answers: dict[str, str], *, save: bool = False, url: str = URL):
    data = dict(answers)
    if save:
        data["save_answers"] = "on"
    return client.post(url, data)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the advice -----------------------------------------------------------------------------


def test_every_question_has_options_that_lead_to_advice_or_are_acknowledged():
    reachable = set()
    for question in QUESTIONS:
        assert len(question.options) >= 2, question.key
        assert any(o.doing for o in question.options), question.key
        assert any(o.advice for o in question.options), question.key
        for option in question.options:
            assert option.advice is None or option.advice in ADVICE, option
            assert not (option.advice and option.doing), option
            reachable.add(option.advice)
    assert set(ADVICE) <= reachable, "every piece of advice can be reached"
    areas = {q.area for q in QUESTIONS}
    assert areas == {
        "findable",
        "register",
        "people_search",
        "photos",
        "children",
        "fitness",
        "security",
    }


def test_advice_is_only_what_applies_and_acknowledges_what_the_person_already_does():
    answers = dict(ALL_DOING, open_register="on", two_step="some", passwords="no")
    advice = footprint_advice(answers)
    assert [a.key for a in advice.to_do] == ["open_register", "two_step", "passwords"]
    assert "You have searched for your own name recently." in advice.doing
    assert "2-step verification is on for your email and social media." not in advice.doing
    assert len(advice.doing) == len(QUESTIONS) - 3


def test_answers_that_do_not_apply_give_neither_advice_nor_praise():
    advice = footprint_advice(dict(ALL_DOING, children_accounts="none", fitness_app="no"))
    assert advice.to_do == []
    assert not any("children" in line for line in advice.doing)
    assert not any("fitness" in line.lower() for line in advice.doing)


def test_not_registered_to_vote_gets_the_opt_out_when_registering_not_the_opt_out_letter():
    keys = [a.key for a in footprint_advice({"open_register": "not_registered"}).to_do]
    assert keys == ["register_opted_out"]


def test_advice_markdown_renders_with_safe_links_only():
    for item in ADVICE.values():
        html = str(render_markdown(item.body))
        assert "**" not in html
        assert "](" not in html
        for href in re.findall(r'href="([^"]+)"', html):
            assert href.startswith(("https://", "mailto:")), href


# --- recording it ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_refuses_missing_or_unknown_answers(officer):
    with pytest.raises(ValidationError) as refused:
        footprint_check_record(
            actor=officer, answers=dict(ALL_DOING, open_register="maybe"), save_answers=True
        )
    assert refused.value.messages == ["Select whether you are on the open register."]
    assert not FootprintCheck.objects.exists()


@pytest.mark.django_db
def test_saving_again_keeps_one_set_of_saved_answers_and_every_completion(officer):
    first = footprint_check_record(actor=officer, answers=ALL_TO_DO, save_answers=True)
    second = footprint_check_record(actor=officer, answers=ALL_DOING, save_answers=True)
    first.refresh_from_db()
    assert first.saved_answers is None
    assert second.saved_answers == ALL_DOING
    assert FootprintCheck.objects.filter(person=officer).count() == 2


@pytest.mark.django_db
def test_a_check_without_saving_leaves_earlier_saved_answers_for_the_person_to_delete(officer):
    saved = footprint_check_record(actor=officer, answers=ALL_TO_DO, save_answers=True)
    footprint_check_record(actor=officer, answers=ALL_DOING, save_answers=False)
    saved.refresh_from_db()
    assert saved.saved_answers == ALL_TO_DO
    assert footprint_answers_delete(actor=officer) == 1
    assert footprint_answers_delete(actor=officer) == 0


# --- the pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_in_is_needed(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_a_family_account_can_do_the_check_and_save_its_answers(client, family_member):
    client.force_login(family_member)
    page = client.get(URL)
    assert page.status_code == 200
    text = _text(page)
    assert "Check your digital footprint" in text
    assert "Save my answers so I can come back to them" in text
    for question in QUESTIONS:
        assert f'name="{question.key}"' in text

    response = _post(client, ALL_TO_DO, save=True)
    assert response.status_code == 200
    assert FootprintCheck.objects.get(person=family_member).saved_answers == ALL_TO_DO
    saved = client.get(SAVED_URL)
    assert saved.status_code == 200


@pytest.mark.django_db
def test_submitting_shows_tailored_advice_and_stores_only_the_completion(client, officer):
    client.force_login(officer)
    answers = dict(ALL_DOING, fitness_app="not_checked", camera_location="not_sure")
    response = _post(client, answers)
    assert response.status_code == 200
    assert response.templates[0].name == "training/footprint_advice.html"
    text = _text(response)
    assert "Things you could do (2)" in text
    assert "Hide where your routes start and finish" in text
    assert "Turn off location for your camera" in text
    assert "Opt out of the open register" not in text
    assert "Turn on 2-step verification" not in text
    assert "You have opted out of the open register." in text
    assert "Your answers were not saved" in text
    check = FootprintCheck.objects.get(person=officer)
    assert check.saved_answers is None
    assert check.completed_at is not None


@pytest.mark.django_db
def test_answers_are_stored_only_when_the_person_chooses(client, officer):
    client.force_login(officer)
    _post(client, ALL_TO_DO)
    assert FootprintCheck.objects.get(person=officer).saved_answers is None
    response = _post(client, ALL_TO_DO, save=True)
    assert "Your answers are saved." in _text(response)
    newest = FootprintCheck.objects.filter(person=officer).first()
    assert newest.saved_answers == ALL_TO_DO
    assert FootprintCheck.objects.filter(person=officer).count() == 2


@pytest.mark.django_db
def test_missing_answers_give_govuk_errors_and_keep_what_was_entered(client, officer):
    client.force_login(officer)
    partial = {"searched_name": "yes", "open_register": "on", "save_answers": "on"}
    response = client.post(URL, partial)
    assert response.status_code == 200
    text = _text(response)
    assert "<title>Error: Check your digital footprint" in text
    assert "There is a problem" in text
    assert 'href="#id_searched_images_0"' in text
    assert "Select whether you have done a reverse image search of your profile photos." in text
    assert "Select whether you have searched online" not in text
    # What was entered is still chosen.
    assert re.search(r'id="id_searched_name_0" checked', text)
    assert re.search(r'id="id_open_register_1"[^>]*checked', text)
    assert re.search(r'id="id_save_answers"[^>]*checked', text)
    assert not FootprintCheck.objects.exists()


@pytest.mark.django_db
def test_an_answer_that_is_not_an_option_is_an_error(client, officer):
    client.force_login(officer)
    response = _post(client, dict(ALL_DOING, passwords="9223372036854775808"))
    assert response.status_code == 200
    assert "Select whether you use a different password for each important account." in _text(
        response
    )
    assert not FootprintCheck.objects.exists()


@pytest.mark.django_db
def test_saved_answers_are_filled_in_when_the_person_comes_back(client, officer):
    client.force_login(officer)
    _post(client, ALL_TO_DO, save=True)
    text = _text(client.get(URL))
    assert "You saved your answers on" in text
    assert re.search(r'id="id_open_register_1"[^>]*checked', text)  # "Yes, I am on it"
    assert re.search(r'id="id_save_answers"[^>]*checked', text)


@pytest.mark.django_db
def test_the_saved_page_shows_the_answers_and_deleting_keeps_only_the_completion(
    client, officer, staff_member
):
    footprint_check_record(actor=staff_member, answers=ALL_DOING, save_answers=True)
    client.force_login(officer)
    _post(client, ALL_TO_DO, save=True)
    text = _text(client.get(SAVED_URL))
    assert "Are you on the open register?" in text
    assert "Yes, I am on it" in text
    assert "Opt out of the open register" in text  # the advice for those answers

    response = client.post(SAVED_URL, {"confirm": "yes"})  # "Yes, delete my saved answers"
    assert response.status_code == 302
    assert response["Location"] == SAVED_URL
    page = _text(client.get(SAVED_URL))
    assert "Your saved answers have been deleted." in page
    assert "You have no saved answers." in page
    assert "You last completed the check on" in page
    mine = FootprintCheck.objects.get(person=officer)
    assert mine.saved_answers is None
    assert mine.completed_at is not None
    # Somebody else's saved answers are untouched.
    assert FootprintCheck.objects.get(person=staff_member).saved_answers == ALL_DOING


@pytest.mark.django_db
def test_nobody_sees_another_persons_saved_answers(client, officer, family_member):
    footprint_check_record(actor=family_member, answers=ALL_TO_DO, save_answers=True)
    client.force_login(officer)
    text = _text(client.get(SAVED_URL))
    assert "You have no saved answers." in text
    assert "Yes, I am on it" not in text
    assert "You saved your answers on" not in _text(client.get(URL))


@pytest.mark.django_db
def test_the_saved_page_refuses_other_methods(client, officer):
    client.force_login(officer)
    assert client.put(SAVED_URL).status_code == 405
    assert client.delete(URL).status_code == 405
