"""Acceptance 6 (triage's side): the triager holding a case tells the reporter's line manager,
once, only when the reporter asked, with nothing of the report in what the line manager gets;
the reporter sees it was done. Reached only through the case chokepoint."""

from __future__ import annotations

import html as html_lib

import pytest
from django.core import mail

from harmsportal.notifications.models import Notification
from harmsportal.people.models import User
from reports.services.evidence import report_evidence_add, report_link_add
from reports.services.sending import report_submit
from tests.factories import force, make_person
from tests.reports.factories import DraftReportFactory, image_upload
from training.models import LineManagerNotice, TrainingProfile
from triage.models import Case, CaseEvent
from triage.services.claiming import case_claim

pytestmark = pytest.mark.django_db

# A string that appears in every free-text answer, the evidence's name and link, and the
# reporter's name: it must reach nothing the line manager is sent.
CANARY = "QzCanary93xv"
TITLE = (
    "A member of your team has reported online harm linked to their role and asked that you know"
)


@pytest.fixture
def manager(db) -> User:
    # The reporter's line manager on West Yorkshire's training roster.
    return make_person(full_name="Lin Manager")


def _case(*, manager: User | None, asked: bool = True, holder: User | None = None) -> Case:
    reporter = make_person(full_name=f"Rep {CANARY} Orter")
    if manager is not None:
        TrainingProfile.objects.create(
            person=reporter, force=force(), audiences=["frontline"], line_manager=manager
        )
    draft = DraftReportFactory(
        reporter=reporter,
        line_manager_consent=asked,
        description=f"They posted my address. {CANARY} description.",
        perpetrator_known="yes",
        perpetrator_details=f"The account @{CANARY}",
        categories=["doxxing", "threats"],
    )
    upload = image_upload(f"{CANARY}-screenshot.jpg")
    report_evidence_add(actor=reporter, report=draft, data=upload.read(), filename=upload.name)
    report_link_add(actor=reporter, report=draft, url=f"https://example.com/{CANARY}/post/1")
    report = report_submit(actor=reporter, report=draft)
    case = Case.objects.get(report=report)
    if holder is not None:
        case_claim(actor=holder, case=case)
    return Case.objects.get(pk=case.pk)


def _url(case: Case) -> str:
    return f"/triage/cases/{case.public_id}/line-manager/"


def _page(client, path: str) -> str:
    return html_lib.unescape(client.get(path).content.decode())


def test_the_case_page_offers_to_tell_the_line_manager_when_the_reporter_asked(
    client, triager, manager
):
    case = _case(manager=manager, holder=triager)
    client.force_login(triager)

    page = _page(client, f"/triage/cases/{case.public_id}/")

    assert f'href="{_url(case)}">Tell the line manager</a>' in page
    assert "The reporter asked that their line manager be told. Not told yet." in page
    confirm = _page(client, _url(case))
    assert "Lin Manager" in confirm
    assert TITLE + "." in confirm


@pytest.mark.parametrize(
    ("asked", "on_roster", "says"),
    [
        (False, True, None),
        (True, False, "The reporter asked that their line manager be told, but the training"),
    ],
)
def test_no_offer_unless_the_reporter_asked_and_the_roster_names_a_line_manager(
    client, triager, manager, asked, on_roster, says
):
    case = _case(manager=manager if on_roster else None, asked=asked, holder=triager)
    client.force_login(triager)

    page = _page(client, f"/triage/cases/{case.public_id}/")

    assert "Tell the line manager" not in page
    if says:
        assert says in page
    else:
        assert 'id="line-manager"' not in page


def test_telling_the_line_manager_sends_one_notice_and_a_second_press_sends_nothing(
    client, triager, manager
):
    case = _case(manager=manager, holder=triager)
    client.force_login(triager)

    first = client.post(_url(case))
    second = client.post(_url(case))

    assert first.status_code == second.status_code == 302
    assert first["Location"] == f"/triage/cases/{case.public_id}/"
    (notice,) = LineManagerNotice.objects.all()
    assert (notice.line_manager, notice.sent_by, notice.subject_key) == (
        manager,
        triager,
        str(case.report.public_id),
    )
    (sent,) = Notification.objects.filter(user=manager)
    assert sent.title == TITLE
    assert sent.link_path == "/training/modules/supporting-a-colleague-who-is-targeted/?from=notice"
    assert case.events.filter(kind=CaseEvent.Kind.ACTION_RECORDED).count() == 1
    page = _page(client, f"/triage/cases/{case.public_id}/")
    assert "Line manager told on " in page
    assert "The line manager was already told, on " in page  # the second press's message
    assert f'href="{_url(case)}"' not in page


def test_when_the_reporter_did_not_ask_the_post_is_refused_and_nothing_is_sent(
    client, triager, manager
):
    case = _case(manager=manager, asked=False, holder=triager)
    client.force_login(triager)

    response = client.post(_url(case))

    assert response.status_code == 200
    page = html_lib.unescape(response.content.decode())
    assert "There is a problem" in page
    assert "The reporter did not ask for their line manager to be told" in page
    assert not LineManagerNotice.objects.exists()
    assert not Notification.objects.filter(user=manager).exists()


def test_a_triager_who_does_not_hold_the_case_cannot_send_it(client, triager, manager):
    case = _case(manager=manager)  # nobody has claimed it
    client.force_login(triager)

    page = html_lib.unescape(client.post(_url(case)).content.decode())

    assert "Claim this case before working on it." in page
    assert not LineManagerNotice.objects.exists()


def test_nothing_of_the_report_reaches_the_line_manager(
    client, triager, manager, mailoutbox, django_capture_on_commit_callbacks
):
    case = _case(manager=manager, holder=triager)
    report = case.report
    before = set(Notification.objects.values_list("pk", flat=True))
    mail.outbox.clear()
    client.force_login(triager)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_url(case)).status_code == 302

    made = list(Notification.objects.exclude(pk__in=before))
    assert {n.user for n in made} == {manager, report.reporter}
    assert len(mailoutbox) == 2  # the line manager's alert and the reporter's update
    notice = LineManagerNotice.objects.get()
    words = [
        *(f"{n.title} {n.link_path} {n.to_email} {n.email_subject} {n.email_body}" for n in made),
        *(f"{m.subject} {m.body} {m.to}" for m in mailoutbox),
        f"{notice.subject_key} {notice.public_id}",
    ]
    leaks = [
        CANARY,
        report.reference,
        report.reporter.get_full_name(),
        "doxx",
        "Threat",
    ]
    for text in words:
        for leak in leaks:
            assert leak.lower() not in text.lower(), f"{leak!r} reached {text!r}"
    (to_manager,) = [m for m in mailoutbox if m.to == [manager.email]]
    assert "Sign in to read it" in to_manager.body


def test_the_reporter_sees_that_their_line_manager_was_told(client, triager, manager):
    case = _case(manager=manager, holder=triager)
    report_page = f"/reports/{case.report.public_id}/"
    client.force_login(case.report.reporter)
    assert "Your line manager was told" not in _page(client, report_page)

    client.force_login(triager)
    client.post(_url(case))
    client.force_login(case.report.reporter)
    page = _page(client, report_page)

    assert "Your line manager was told on " in page
    assert ", as you asked." in page
    told = Notification.objects.get(
        user=case.report.reporter, title="Your line manager has been told, as you asked"
    )
    assert told.link_path == report_page


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_forces_triager_gets_404_and_sends_nothing(
    client, other_force_triager, manager, method
):
    case = _case(manager=manager)
    client.force_login(other_force_triager)

    assert getattr(client, method)(_url(case)).status_code == 404
    assert not LineManagerNotice.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_professional_standards_gets_404(client, psd_officer, manager, method):
    case = _case(manager=manager)
    client.force_login(psd_officer)

    assert getattr(client, method)(_url(case)).status_code == 404
    assert not LineManagerNotice.objects.exists()


def test_the_line_manager_themselves_cannot_send_it(client, manager):
    triager = make_person("triage", kind=User.Kind.STAFF, full_name="Tri Manager")
    case = _case(manager=triager, holder=triager)
    client.force_login(triager)

    page = html_lib.unescape(client.post(_url(case)).content.decode())

    assert "The roster names you as the reporter's line manager." in page
    assert not LineManagerNotice.objects.exists()


def test_a_line_manager_in_professional_standards_is_not_told_and_the_triager_sees_why(
    client, triager, manager
):
    manager.professional_standards = True
    manager.save(update_fields=["professional_standards"])
    case = _case(manager=manager, holder=triager)
    client.force_login(triager)

    response = client.post(_url(case))

    assert response.status_code == 200
    page = html_lib.unescape(response.content.decode())
    assert "There is a problem" in page
    assert "The roster names a line manager who works in Professional Standards" in page
    assert not LineManagerNotice.objects.exists()
    assert not Notification.objects.filter(user=manager).exists()
