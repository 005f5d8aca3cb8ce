"""Acceptance 6: every role lands on a home page built from its memberships.

Also: a reporter who asked to be offered wellbeing support is told what happens next.

Each test reads the home page as that person sees it and checks exactly which areas of work
(with their force) and which of their own pages it offers. An area whose pages are not built yet
says so plainly, with no link to a page that would refuse them.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harmsportal.people.models import Membership, Role, User
from harmsportal.templatetags.govuk_time import govuk_date
from tests.factories import enrol_totp, force, make_person
from tests.reports.factories import SubmittedReportFactory
from training.models import Module, TrainingProfile
from training.services.assigning import assignment_create

pytestmark = pytest.mark.django_db

WYP = "West Yorkshire Police"
REPORTER_CARDS = [
    "Report harm",
    "My reports",
    "Family",
    "My support",
    "Training",
    "Guidance and helplines",
]
# Every signed-in account, whether or not it can report: its own support, its training and
# the library.
SUPPORT_CARDS = ["My support", "Training", "Guidance and helplines"]


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def _section(html: str, heading_id: str) -> str:
    match = re.search(
        rf'<ul class="app-card-list" aria-labelledby="{heading_id}">(.*?)</ul>', html, re.S
    )
    return match.group(1) if match else ""


def _cards(html: str) -> list[dict[str, str]]:
    """Every card on the page: its title, caption (force), link and text."""
    cards = []
    for body in re.findall(r'<li class="app-card">(.*?)</li>', html, re.S):
        title = re.search(r'class="app-card__heading">(?:<a [^>]*>)?([^<]+)', body).group(1)
        link = re.search(r'class="govuk-link app-card__link" href="([^"]+)"', body)
        caption = re.search(r'<span class="govuk-caption-m[^"]*">([^<]+)<', body)
        cards.append(
            {
                "title": title.strip(),
                "where": caption.group(1).strip() if caption else "",
                "url": link.group(1) if link else "",
                "text": re.sub(r"<[^>]+>", " ", body),
            }
        )
    return cards


def _work(html: str) -> list[tuple[str, str, str]]:
    return [(c["title"], c["where"], c["url"]) for c in _cards(_section(html, "your-work"))]


def _titles(html: str) -> list[str]:
    return [c["title"] for c in _cards(html)]


def _national_analyst() -> User:
    # A national analyst reports under no force: their only membership is the analyst role.
    analyst = make_person(kind=User.Kind.STAFF, full_name="Ana Lyst")
    Membership.objects.filter(user=analyst).delete()
    Membership.objects.create(user=analyst, force=force(), role=Role.NATIONAL_ANALYST)
    enrol_totp(analyst)
    analyst.forget_roles()
    return analyst


def _reporter_home(html: str) -> None:
    """The reporter's home: their own pages, no work section, no staff menu."""
    assert _titles(html) == REPORTER_CARDS
    assert "Your work" not in html
    for staff_link in ('href="/triage/"', 'href="/admin/"'):
        assert staff_link not in html
    assert f"Your report goes to {WYP}." in html


def test_officer_home_offers_reporting_their_reports_and_inviting_family(client, officer):
    html = _home(client, officer)

    _reporter_home(html)
    cards = {c["title"]: c for c in _cards(html)}
    assert cards["Report harm"]["url"] == reverse("reports:start")
    assert cards["My reports"]["url"] == reverse("reports:list")
    assert cards["Family"]["url"] == reverse("people:family")
    assert "Invite family members" in cards["Family"]["text"]
    assert cards["My support"]["url"] == reverse("wellbeing:mine")
    assert cards["Guidance and helplines"]["url"] == reverse("wellbeing:library")
    assert cards["Training"]["url"] == reverse("training:home")
    assert "You have no training to do at the moment." in cards["Training"]["text"]


def test_staff_member_home_is_the_reporters_home(client, staff_member):
    _reporter_home(_home(client, staff_member))


def test_special_constable_home_is_the_reporters_home(client):
    special = make_person(kind=User.Kind.VOLUNTEER, full_name="Spec Constable")

    _reporter_home(_home(client, special))


def test_family_member_home_offers_reporting_and_their_link_but_not_inviting(client, family_member):
    html = _home(client, family_member)

    cards = {c["title"]: c for c in _cards(html)}
    assert list(cards) == REPORTER_CARDS
    assert "Invite family members" not in html
    assert "See who your account is linked to" in cards["Family"]["text"]
    # The force of the member who linked them.
    assert f"Your report goes to {WYP}." in cards["Report harm"]["text"]


def test_triager_home_lists_the_triage_queue_of_their_force(client, triager):
    html = _home(client, triager)

    assert _work(html) == [("Triage queue", WYP, reverse("triage:queue"))]
    assert _titles(_section(html, "for-you")) == REPORTER_CARDS


def test_supervisor_home_lists_the_queue_and_supervision(client, triage_supervisor):
    html = _home(client, triage_supervisor)

    assert _work(html) == [
        ("Triage queue", WYP, reverse("triage:queue")),
        ("Triage supervision", WYP, reverse("triage:supervisor")),
    ]


def test_champion_home_links_to_their_forces_wellbeing_referrals(client, champion):
    html = _home(client, champion)

    assert _work(html) == [("Wellbeing referrals", WYP, reverse("wellbeing:home"))]
    (card,) = _cards(_section(html, "your-work"))
    assert "Not available" not in card["text"]
    assert "Support referrals, check-ins" in card["text"]
    assert "ask your lead" not in html
    assert _titles(_section(html, "for-you")) == REPORTER_CARDS


def test_trainer_home_links_to_training_administration(client, trainer):
    html = _home(client, trainer)

    assert _work(html) == [("Training administration", WYP, reverse("training:manage"))]
    assert "Assign modules, import rosters" in html
    assert "Not available" not in html
    assert _titles(_section(html, "for-you")) == REPORTER_CARDS


def test_force_lead_home_links_to_their_forces_trends(client, force_lead):
    html = _home(client, force_lead)

    assert _work(html) == [
        ("Trends for your force", WYP, reverse("trends:force", args=["west-yorkshire"])),
        ("Wellbeing capacity", WYP, reverse("wellbeing:capacity")),
        ("Training figures", WYP, reverse("training:figures")),
    ]
    assert "Not available" not in html
    assert _titles(_section(html, "for-you")) == REPORTER_CARDS


def test_oversight_home_links_to_their_forces_performance(client, oversight):
    html = _home(client, oversight)

    assert _work(html) == [
        ("Force performance", WYP, reverse("trends:performance", args=["west-yorkshire"])),
        ("Wellbeing capacity", WYP, reverse("wellbeing:capacity")),
        ("Training figures", WYP, reverse("training:figures")),
    ]
    assert "Not available" not in html


def test_a_lead_of_two_forces_has_a_trends_card_for_each(client, force_lead):
    Membership.objects.create(user=force_lead, force=force("north-yorkshire"), role=Role.FORCE_LEAD)
    force_lead.forget_roles()

    html = _home(client, force_lead)

    trends = [card for card in _work(html) if card[0] == "Trends for your force"]
    assert trends == [
        (
            "Trends for your force",
            "North Yorkshire Police",
            reverse("trends:force", args=["north-yorkshire"]),
        ),
        ("Trends for your force", WYP, reverse("trends:force", args=["west-yorkshire"])),
    ]
    for _, _, url in trends:
        assert client.get(url).status_code == 200


def test_national_analyst_home_covers_all_forces_and_offers_no_report(client):
    html = _home(client, _national_analyst())

    assert _work(html) == [
        ("National trends", "All UK forces", reverse("trends:national")),
        ("Wellbeing capacity", "All UK forces", reverse("wellbeing:capacity")),
        ("Training figures", "All UK forces", reverse("training:figures")),
    ]
    assert "Not available" not in html
    assert _titles(html) == [
        "National trends",
        "Wellbeing capacity",
        "Training figures",
        *SUPPORT_CARDS,
    ]
    assert 'href="/reports/' not in html
    assert "not linked to a force you can report harm to" in html


def test_national_analyst_who_tries_to_report_gets_a_clear_page(client):
    client.force_login(_national_analyst())

    page = client.get(reverse("reports:start"))
    tried = client.post(reverse("reports:start"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "You cannot start a report from this account" in text
    assert "A national analyst account is for figures across all forces." in text
    assert "Start now" not in text
    assert tried.status_code == 200
    assert "not linked to a police force" in tried.content.decode()


def test_professional_standards_officer_sees_the_reporters_home(client, psd_officer):
    _reporter_home(_home(client, psd_officer))


def test_platform_admin_home_lists_administration(client, platform_admin):
    html = _home(client, platform_admin)

    assert _work(html) == [
        ("National training modules", "All UK forces", reverse("training:manage")),
        ("Administration", "All UK forces", reverse("admin:index")),
    ]
    assert "Everything you do here is recorded." in html


def test_roles_in_two_forces_list_each_force(client):
    person = make_person(Role.TRIAGE, kind=User.Kind.STAFF)
    Membership.objects.create(user=person, force=force("north-yorkshire"), role=Role.TRIAGE)
    person.forget_roles()

    html = _home(client, person)

    assert _work(html) == [
        ("Triage queue", "North Yorkshire Police", reverse("triage:queue")),
        ("Triage queue", WYP, reverse("triage:queue")),
    ]


def test_home_and_sign_up_call_special_constables_the_same_thing(client):
    page = html_lib.unescape(client.get(reverse("home")).content.decode())
    signup = html_lib.unescape(client.get(reverse("account_signup")).content.decode())

    listed = re.search(
        r'<ul class="govuk-list govuk-list--bullet" id="who-can-use">(.*?)</ul>', page, re.S
    )
    items = [item.strip() for item in re.findall(r"<li>([^<]+)</li>", listed.group(1))]
    assert items == [
        User.Kind.OFFICER.label.lower(),
        User.Kind.STAFF.label.lower(),
        User.Kind.VOLUNTEER.label.lower(),
    ]
    assert "special constable" in User.Kind.VOLUNTEER.label
    assert User.Kind.VOLUNTEER.label in signup
    assert "officer, including a special constable" not in page


# --- a reporter who asked for wellbeing support is told what happens next --------------------
@pytest.mark.parametrize("page", ["reports:done", "reports:detail"])
def test_a_reporter_who_wants_support_is_told_a_champion_will_contact_them(client, officer, page):
    report = SubmittedReportFactory(reporter=officer, wants_support="yes")
    client.force_login(officer)

    html = html_lib.unescape(client.get(reverse(page, args=[report.public_id])).content.decode())
    text = re.sub(r"<[^>]+>", "", html)

    assert (
        "You said you would like to be offered wellbeing support. A wellbeing champion in "
        f"{WYP} will be in touch once your report has been assessed and you accept the offer, "
        "which will be waiting for you in My support." in text
    )
    assert f'href="{reverse("wellbeing:mine")}"' in html


def test_once_assessed_the_reporter_is_told_support_was_offered(client, officer):
    from tests.triage.factories import AssessedCaseFactory

    case = AssessedCaseFactory(reporter=officer)
    client.force_login(officer)

    html = html_lib.unescape(
        client.get(reverse("reports:detail", args=[case.report.public_id])).content.decode()
    )

    text = re.sub(r"<[^>]+>", "", html)
    assert (
        "Wellbeing support was offered when your report was assessed. You can see it in My "
        "support, where you can accept it, decline it or change your answer at any time." in text
    )
    assert "Once you accept it" not in text


@pytest.mark.parametrize(
    ("answer", "told"), [("not_sure", "You can ask for it at any time"), ("no", None)]
)
def test_a_reporter_who_is_unsure_or_said_no_is_not_promised_contact(client, officer, answer, told):
    report = SubmittedReportFactory(reporter=officer, wants_support=answer)
    client.force_login(officer)

    html = html_lib.unescape(
        client.get(reverse("reports:done", args=[report.public_id])).content.decode()
    )

    assert "A wellbeing champion" not in html
    if told:
        assert told in html
    else:
        assert 'id="support-next"' not in html


def test_the_demo_analyst_is_not_offered_a_report(client):
    from harmsportal.people.demo import seed_accounts

    analyst = seed_accounts("demo-password-for-tests")["analyst"]
    enrol_totp(analyst)

    html = _home(client, analyst)

    assert analyst.roles == {Role.NATIONAL_ANALYST}
    assert _titles(html) == [
        "National trends",
        "Wellbeing capacity",
        "Training figures",
        *SUPPORT_CARDS,
    ]


# --- training: everyone's next module, and a line manager's team ------------------------------
def _assign(person: User, slug: str, due_in_days: int):
    return assignment_create(
        person=person,
        module=Module.objects.get(slug=slug),
        force=force(),
        audience="frontline",
        source="manual",
        due_on=timezone.localdate() + timedelta(days=due_in_days),
    )


def _training_card(html: str) -> dict[str, str]:
    return {c["title"]: c for c in _cards(html)}["Training"]


def test_the_training_card_names_the_next_module_and_how_many_are_due(client, officer):
    first = _assign(officer, "recognising-and-reporting-online-harm", 9)
    _assign(officer, "your-online-footprint", 40)

    card = _training_card(_home(client, officer))

    assert card["url"] == reverse("training:home")
    text = " ".join(card["text"].split())
    assert (
        "You have 2 modules to do. Recognising and reporting online harm is due on "
        f"{govuk_date(first.due_on)}." in text
    )


def test_the_training_card_says_when_the_next_module_was_due(client, officer):
    _assign(officer, "your-online-footprint", -3)

    text = " ".join(_training_card(_home(client, officer))["text"].split())

    assert "You have 1 module to do. Your online footprint was due on " in text


def test_a_family_accounts_training_card_speaks_to_the_family(client, family_member):
    text = " ".join(_training_card(_home(client, family_member))["text"].split())

    assert "help you and your family stay safer online" in text


def test_a_line_manager_sees_their_teams_training(client, officer, staff_member):
    TrainingProfile.objects.create(
        person=staff_member, force=force(), audiences=["frontline"], line_manager=officer
    )

    html = _home(client, officer)

    assert _work(html) == [("Your team's training", WYP, reverse("training:team"))]
    assert _titles(_section(html, "for-you")) == REPORTER_CARDS
    assert "Your work" not in _home(client, staff_member)
