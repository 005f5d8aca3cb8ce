"""Subject access: a person's own data, as a readable page and as a JSON download.

One person (`officer`) with a report, evidence, messages, a case that triage worked, a wellbeing
referral with a plan, check-ins and messages, a footprint self-check, two-factor and
notifications; around them, other people's reports, internal notes and secrets marked with
words that must never appear in the officer's copy. Each absent word is written where a leak
would put it, so each test fails if that record leaked.
"""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from harmsportal.audit.models import AccessLog
from harmsportal.notifications.models import Notification
from privacy.services.subject_access import OBJECT_TYPE
from reports.evidence.storage import store_encrypted
from reports.models import Evidence, ReportMessage
from tests.factories import enrol_totp, make_person
from tests.notifications.factories import NotificationFactory
from tests.reports.factories import SubmittedReportFactory, family_report
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    FeedbackFactory,
    ModuleFactory,
    TrainingProfileFactory,
    add_quiz,
    right_answers,
)
from tests.triage.factories import CaseFactory, triager_in
from tests.wellbeing.factories import (
    CheckInFactory,
    InSupportReferralFactory,
    assessed_case_without_offer,
    champion_in,
)
from training.footprint_checklist import QUESTIONS as FOOTPRINT_QUESTIONS
from training.models import FootprintCheck, QuizAttempt
from triage.models import CaseAction, CaseConflict, CaseNote
from wellbeing.models import ReferralConflict, ReferralEvent, ReferralMessage, SupportPlan

PAGE = "privacy:subject_access"
DOWNLOAD = "privacy:subject_access_json"

# The officer's own words: in their copy.
OWN_DESCRIPTION = "Someone posted my shift pattern and my car's registration online."
OWN_MESSAGE = "I have saved more screenshots since I reported this."
TEAM_MESSAGE = "Thank you. We have asked the platform to take the post down."
OWN_SUMMARY = "Struggling to sleep since the post about my car."
OWN_NEEDS = "Someone to talk to after night shifts."
CHAMPION_MESSAGE = "Shall we speak on Thursday afternoon?"
EVIDENCE_NAME = "screenshot-of-the-post.txt"

# Never in the officer's copy: internal notes, assessments, other people and secrets.
TRIAGE_NOTE = "TRIAGE-NOTE: reporter sounded very distressed on the phone"
ACTION_NOTE = "ACTION-NOTE: spoke to the platform's law enforcement desk"
CRIME_REFERENCE = "CRIME-REF-77321"
OFFENCE = "OFFENCE-CROSSWALK-harassment-s2"
CONFLICT_REASON = "CONFLICT-REASON: I play football with the reporter"
CHAMPION_NOTE = "CHAMPION-NOTE: seemed withdrawn, consider occupational health"
REFERRAL_WHY = "REFERRAL-WHY: champion on leave"
REFERRAL_CONFLICT = "REFERRAL-CONFLICT: we live on the same street"
OTHER_DESCRIPTION = "OTHER-PERSON: my neighbour filmed my house"
OTHER_MESSAGE = "OTHER-PERSON-MESSAGE: is there any news?"
FAMILY_DESCRIPTION = "FAMILY-MEMBER: they messaged my sister about you"
ALERT_TITLE = "Immediate risk (threat to life) on case OH-WYP-2026-123456"
RESET_BODY = "RESET-LINK: https://portal.example/accounts/password/reset/key/abc-123/"
TRIAGER_NAME = "Tamsin Triage-Worker"
CHAMPION_NAME = "Chandra Champion-Person"
OTHER_NAME = "Otto Other-Reporter"
FAMILY_NAME = "Jo Family"

ABSENT = (
    TRIAGE_NOTE,
    ACTION_NOTE,
    CRIME_REFERENCE,
    OFFENCE,
    CONFLICT_REASON,
    CHAMPION_NOTE,
    REFERRAL_WHY,
    REFERRAL_CONFLICT,
    OTHER_DESCRIPTION,
    OTHER_MESSAGE,
    FAMILY_DESCRIPTION,
    ALERT_TITLE,
    RESET_BODY,
    TRIAGER_NAME,
    CHAMPION_NAME,
    OTHER_NAME,
    FAMILY_NAME,
)


@pytest.fixture
def world(officer, family_member):
    """The officer's records and, around them, everything that must stay out of their copy."""
    triager = triager_in(full_name=TRIAGER_NAME)
    champion = champion_in(full_name=CHAMPION_NAME)
    case = assessed_case_without_offer(
        reporter=officer, assignee=triager, description=OWN_DESCRIPTION
    )
    report = case.report
    type(case).objects.filter(pk=case.pk).update(
        crime_reference=CRIME_REFERENCE, offence_crosswalk=OFFENCE
    )
    CaseNote.objects.create(case=case, author=triager, body=TRIAGE_NOTE)
    CaseAction.objects.create(
        case=case, kind=CaseAction.Kind.TECHNICAL_SUPPORT, note=ACTION_NOTE, by=triager
    )
    CaseConflict.objects.create(case=case, user=champion, reason=CONFLICT_REASON)
    ReportMessage.objects.create(
        report=report, author=officer, from_reporter=True, body=OWN_MESSAGE
    )
    ReportMessage.objects.create(
        report=report, author=triager, from_reporter=False, body=TEAM_MESSAGE
    )
    evidence = Evidence.objects.create(
        report=report,
        kind=Evidence.Kind.TEXT,
        original_filename=EVIDENCE_NAME,
        mime="text/plain",
        size=22,
        stored_path=store_encrypted(b"the post, as I saw it"),
        uploaded_by=officer,
    )

    referral = InSupportReferralFactory(case=case, champion=champion, summary=OWN_SUMMARY)
    SupportPlan.objects.create(referral=referral, needs=OWN_NEEDS, by=champion)
    CheckInFactory(referral=referral, by=champion, score=2, note=CHAMPION_NOTE)
    ReferralMessage.objects.create(
        referral=referral, author=champion, from_person=False, body=CHAMPION_MESSAGE
    )
    ReferralEvent.objects.create(
        referral=referral, kind=ReferralEvent.Kind.REASSIGNED, by=champion, why=REFERRAL_WHY
    )
    other_champion = champion_in()
    ReferralConflict.objects.create(
        referral=referral, user=other_champion, reason=REFERRAL_CONFLICT
    )

    FootprintCheck.objects.create(
        person=officer,
        saved_answers={q.key: q.options[0].value for q in FOOTPRINT_QUESTIONS},
    )
    totp_secret = enrol_totp(officer)
    NotificationFactory(
        user=officer,
        kind=Notification.Kind.UPDATE,
        title=f"There is a new message about your report {report.reference}",
    )
    NotificationFactory(user=officer, kind=Notification.Kind.ALERT, title=ALERT_TITLE)
    NotificationFactory(
        user=officer,
        kind=Notification.Kind.UPDATE,
        title=f"{FAMILY_NAME} accepted your family invitation",
        link_path=reverse("people:family"),
    )
    NotificationFactory(
        user=officer,
        kind=Notification.Kind.ACCOUNT,
        title="Account email",
        email_subject="Reset your password",
        email_body=RESET_BODY,
    )

    # Other people: someone else's report and message, and the officer's family member's
    # report shared with the officer (theirs to read in the portal, but not the officer's data).
    other = make_person(full_name=OTHER_NAME)
    other_case = CaseFactory(reporter=other, description=OTHER_DESCRIPTION)
    ReportMessage.objects.create(
        report=other_case.report, author=other, from_reporter=True, body=OTHER_MESSAGE
    )
    family_report(family_member, shared=True, description=FAMILY_DESCRIPTION)
    return {"report": report, "evidence": evidence, "totp_secret": totp_secret}


def _download(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse(DOWNLOAD))
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.django_db
def test_the_download_holds_the_persons_report_answers_evidence_and_messages(
    client, officer, world
):
    data = _download(client, officer)

    [report] = data["reports"]
    assert report["reference"] == world["report"].reference
    answers = {row["question"]: row["answer"] for row in report["answers"]}
    assert answers["What happened, in your words"] == OWN_DESCRIPTION
    assert answers["What happened"] == ["Doxxing or malicious identification"]
    [evidence] = report["evidence"]
    assert evidence["file_name"] == EVIDENCE_NAME
    assert evidence["download_path"] == reverse(
        "reports:evidence_download",
        args=[world["report"].public_id, world["evidence"].public_id],
    )
    assert [(m["from"], m["message"]) for m in report["messages"]] == [
        ("You", OWN_MESSAGE),
        ("The team handling this report", TEAM_MESSAGE),
    ]
    assert [event["status"] for event in report["progress"]] == ["Being looked at"]


@pytest.mark.django_db
def test_the_download_holds_the_referral_plan_check_ins_and_messages(client, officer, world):
    data = _download(client, officer)

    [referral] = data["wellbeing_referrals"]
    assert referral["your_summary"] == OWN_SUMMARY
    assert referral["from_your_report"] == world["report"].reference
    assert referral["champion_assigned"] is True
    assert [plan["what_you_need"] for plan in referral["support_plans"]] == [OWN_NEEDS]
    assert referral["check_ins"] == [
        {"at": referral["check_ins"][0]["at"], "score": "2: struggling", "in_crisis": False}
    ]
    assert [(m["from"], m["message"]) for m in referral["messages"]] == [
        ("Your champion", CHAMPION_MESSAGE)
    ]


@pytest.mark.django_db
def test_the_download_holds_training_account_two_factor_and_notifications(client, officer, world):
    data = _download(client, officer)

    [check] = data["training"]["footprint_checks"]
    assert len(check["saved_answers"]) == len(FOOTPRINT_QUESTIONS)
    assert check["saved_answers"][0] == {
        "question": FOOTPRINT_QUESTIONS[0].text,
        "answer": FOOTPRINT_QUESTIONS[0].options[0].label,
    }
    assert data["account"]["email"] == officer.email
    assert data["account"]["full_name"] == "Sam Officer"
    assert data["account"]["roles"][0]["role"] == "Reporter"
    assert data["two_factor_authentication"]["enabled"] is True
    assert [m["method"] for m in data["two_factor_authentication"]["methods"]] == [
        Authenticator.Type.TOTP.label
    ]
    wordings = [n["what_it_said"] for n in data["notifications"]]
    assert f"There is a new message about your report {world['report'].reference}" in wordings
    assert "Reset your password" in wordings
    # The staff alert is listed, by kind and date, without the words naming another's case.
    assert "Staff alert" in [n["kind"] for n in data["notifications"]]


@pytest.mark.parametrize("url_name", [PAGE, DOWNLOAD])
@pytest.mark.django_db
def test_the_copy_holds_no_internal_note_nor_anything_about_other_people(
    client, officer, world, url_name
):
    client.force_login(officer)
    body = client.get(reverse(url_name)).content.decode()

    assert OWN_DESCRIPTION in body or OWN_DESCRIPTION.replace("'", "&#x27;") in body
    leaked = [word for word in ABSENT if word in body]
    assert leaked == []


@pytest.mark.parametrize("url_name", [PAGE, DOWNLOAD])
@pytest.mark.django_db
def test_the_copy_holds_no_secret(client, officer, world, url_name):
    client.force_login(officer)
    body = client.get(reverse(url_name)).content.decode()

    authenticator = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    assert world["totp_secret"] not in body
    assert json.dumps(authenticator.data) not in body
    for value in authenticator.data.values():
        assert str(value) not in body
    assert officer.password not in body
    assert officer.password.split("$")[-1] not in body


@pytest.mark.django_db
def test_a_triager_gets_none_of_the_cases_they_worked_nor_the_notes_they_wrote(client, world):
    # The triager wrote the internal note and the team's message on the officer's case: their
    # own copy is about them, not about the people whose cases they work.
    triager = world["report"].case.assignee
    client.force_login(triager)
    body = client.get(reverse(DOWNLOAD)).content.decode()

    assert json.loads(body)["reports"] == []
    for word in (TRIAGE_NOTE, ACTION_NOTE, TEAM_MESSAGE, OWN_DESCRIPTION, "Sam Officer"):
        assert word not in body
    assert world["report"].reference not in body


@pytest.mark.django_db
def test_a_family_member_sees_their_own_report_and_not_the_officers(
    client, officer, family_member, world
):
    data = _download(client, family_member)

    [report] = data["reports"]
    answers = {row["question"]: row["answer"] for row in report["answers"]}
    assert answers["What happened, in your words"] == FAMILY_DESCRIPTION
    body = json.dumps(data)
    assert OWN_DESCRIPTION not in body
    assert "Sam Officer" not in body
    assert data["family_links"][0]["you_are"] == "The family member invited"


@pytest.mark.django_db
def test_the_page_shows_the_data_readably_with_a_download_link_for_each_own_file(
    client, officer, world
):
    client.force_login(officer)
    response = client.get(reverse(PAGE))

    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Your data</h1>' in html
    assert world["report"].reference in html
    assert "What happened, in your words" in html
    assert CHAMPION_MESSAGE in html
    href = reverse(
        "reports:evidence_download",
        args=[world["report"].public_id, world["evidence"].public_id],
    )
    assert f'<a class="govuk-link" href="{href}">Download {EVIDENCE_NAME}</a>' in html
    assert reverse(DOWNLOAD) in html
    # The link is the person's own download, and it gives them the file.
    download = client.get(href)
    assert download.status_code == 200
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == (
        b"the post, as I saw it"
    )


@pytest.mark.django_db
def test_the_download_is_a_dated_json_attachment_never_cached(client, officer):
    client.force_login(officer)
    response = client.get(reverse(DOWNLOAD))

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="harms-portal-your-data-'
    )
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_showing_and_downloading_are_each_logged_for_the_person(client, officer):
    client.force_login(officer)

    client.get(reverse(PAGE))
    client.get(reverse(DOWNLOAD))

    logged = list(
        AccessLog.objects.filter(object_type=OBJECT_TYPE)
        .order_by("id")
        .values_list("actor_id", "object_id", "action")
    )
    assert logged == [
        (officer.pk, str(officer.pk), AccessLog.Action.READ),
        (officer.pk, str(officer.pk), AccessLog.Action.DOWNLOAD),
    ]


@pytest.mark.parametrize("url_name", [PAGE, DOWNLOAD])
@pytest.mark.django_db
def test_a_signed_out_visitor_is_sent_to_sign_in_and_nothing_is_logged(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not AccessLog.objects.filter(object_type=OBJECT_TYPE).exists()


@pytest.mark.django_db
def test_the_download_asks_the_same_number_of_queries_however_many_reports(client, officer):
    client.force_login(officer)
    SubmittedReportFactory(reporter=officer)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(DOWNLOAD))
    for _ in range(4):
        SubmittedReportFactory(reporter=officer)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse(DOWNLOAD))
    assert len(five) == len(one)


@pytest.mark.django_db
def test_the_home_page_links_to_the_persons_data(client, triager):
    client.force_login(triager)

    html = client.get(reverse("home")).content.decode()

    assert f'<a class="govuk-link" href="{reverse(PAGE)}">See or download your data</a>' in html


@pytest.mark.django_db
def test_the_page_leaves_empty_answers_off_and_names_each_item(client, officer, world):
    client.force_login(officer)

    html = client.get(reverse(PAGE)).content.decode()

    # Messages are titled by who wrote them and when; the unanswered withdrawal is not a row.
    assert '<h5 class="govuk-summary-card__title">You, ' in html
    assert "Withdrawal reason" not in html


@pytest.mark.django_db
def test_a_report_about_a_family_member_names_them_by_relationship_only(
    client, officer, family_member
):
    link = officer.family_links.get(family_user=family_member)
    SubmittedReportFactory(reporter=officer, subject="family", family_link=link)

    data = _download(client, officer)

    [report] = data["reports"]
    assert report["answers"][0] == {
        "question": "Who was harmed",
        "answer": "A family member (partner or spouse)",
    }
    assert FAMILY_NAME not in json.dumps(data)


@pytest.mark.django_db
def test_the_download_holds_training_records_without_naming_the_line_manager(client, officer):
    manager = make_person(full_name="Lina Line-Manager")
    TrainingProfileFactory(person=officer, line_manager=manager)
    module = ModuleFactory(title="Keeping your family safe online")
    version = module.published_version()
    add_quiz(version, questions=1)
    answers = {str(q): a for q, a in right_answers(version).items()}
    QuizAttempt.objects.create(
        person=officer, version=version, answers=answers, correct=1, total=1, passed=True
    )
    completion = CompletionFactory(person=officer, module=module)
    FeedbackFactory(completion=completion, rating=2, better="Shorter videos, please.")
    AssignmentFactory(person=officer)

    data = _download(client, officer)

    training = data["training"]
    assert training["profiles"][0]["line_manager_named"] is True
    assert training["profiles"][0]["audiences"] == ["Frontline"]
    assert [c["module"] for c in training["completions"]] == ["Keeping your family safe online"]
    assert training["completions"][0]["verification_code"] == completion.verification_code
    assert training["completions"][0]["feedback"]["rating"] == "Poor"
    assert training["completions"][0]["feedback"]["what_would_make_it_better"] == (
        "Shorter videos, please."
    )
    assert training["quiz_attempts"][0]["your_answers"] == [
        {"question": "Question 1: which is right?", "answer": "Second answer to 1"}
    ]
    assert len(training["assignments"]) == 1
    assert "Lina Line-Manager" not in json.dumps(data)


@pytest.mark.django_db
def test_the_download_asks_the_same_number_of_queries_however_many_completions(client, officer):
    client.force_login(officer)
    FeedbackFactory(completion=CompletionFactory(person=officer))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(DOWNLOAD))
    for _ in range(3):
        FeedbackFactory(completion=CompletionFactory(person=officer))
    with CaptureQueriesContext(connection) as four:
        client.get(reverse(DOWNLOAD))
    assert len(four) == len(one)


@pytest.mark.django_db
def test_the_download_asks_the_same_number_of_queries_however_many_referrals(client, officer):
    champion = champion_in()

    def referral_with_everything():
        case = assessed_case_without_offer(reporter=officer)
        referral = InSupportReferralFactory(case=case, champion=champion)
        SupportPlan.objects.create(referral=referral, needs=OWN_NEEDS, by=champion)
        CheckInFactory(referral=referral, by=champion, score=2)
        ReferralMessage.objects.create(
            referral=referral, author=champion, from_person=False, body=CHAMPION_MESSAGE
        )

    client.force_login(officer)
    referral_with_everything()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(DOWNLOAD))
    for _ in range(3):
        referral_with_everything()
    with CaptureQueriesContext(connection) as four:
        data = json.loads(client.get(reverse(DOWNLOAD)).content)
    assert len(data["wellbeing_referrals"]) == 4
    assert len(four) == len(one)
