"""A triager chooses whether a reporter's message also reaches them by email."""

from __future__ import annotations

from triage.models import TriagePreference

URL = "/triage/preferences/"


def test_a_triager_starts_with_portal_only_which_the_page_shows_as_their_current_choice(
    client, triager
):
    client.force_login(triager)
    page = client.get(URL).content.decode()
    assert "How you hear from reporters" in page
    no_option = page[page.index('value="no"') :].split(">", 1)[0]
    assert "checked" in no_option  # the saved state, not a suggested answer
    assert not TriagePreference.objects.filter(user=triager).exists()


def test_a_triager_turns_email_on_and_off(client, triager):
    client.force_login(triager)

    response = client.post(URL, {"email_when_reporter_writes": "yes"})

    assert response.status_code == 302
    assert TriagePreference.objects.get(user=triager).email_when_reporter_writes is True
    client.post(URL, {"email_when_reporter_writes": "no"})
    assert TriagePreference.objects.get(user=triager).email_when_reporter_writes is False


def test_no_answer_is_a_govuk_error_and_changes_nothing(client, triager):
    client.force_login(triager)
    page = client.post(URL, {}).content.decode()
    assert "Select whether you also want an email." in page
    assert not TriagePreference.objects.filter(user=triager).exists()


def test_the_email_goes_only_to_a_holder_who_chose_it(triager):
    from triage.services._shared import wants_email

    assert wants_email(triager) is False
    TriagePreference.objects.create(user=triager, email_when_reporter_writes=True)
    assert wants_email(triager) is True


def test_people_outside_triage_are_refused(client, officer, champion, psd_officer):
    for person, status in ((officer, 403), (champion, 403), (psd_officer, 404)):
        client.force_login(person)
        assert client.get(URL).status_code == status
        assert client.post(URL, {"email_when_reporter_writes": "yes"}).status_code == status
    assert not TriagePreference.objects.exists()
