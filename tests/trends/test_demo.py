"""The trends demo: two years of varied synthetic history, seeded once, rolled up.

The demo's history is made once for the module (as `seed_demo` makes it after the demo
accounts) and rolled back after the last test.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from harmsportal.disclosure import Withheld
from harmsportal.people.demo import seed_accounts
from harmsportal.people.models import Force, Role, User
from harmsportal.trends import demo as trends_demo
from harmsportal.trends.demo import story
from harmsportal.trends.demo.plans import history_months
from harmsportal.trends.figures import MONTH, Scope, figures_by, first_month
from harmsportal.trends.models import ApiToken, DimensionRollup, PeerForce, ReportRollup
from harmsportal.trends.periods import default_period
from reports.models import ReferenceCounter, Report
from tests.conftest import load_reference_data
from triage.models import Case
from triage.models.choices import OPEN_STATUSES
from wellbeing.models import Referral, ReferralCounter
from wellbeing.models.choices import OPEN_STATES

pytestmark = pytest.mark.django_db
HISTORY = {"demo_key__startswith": story.DEMO_KEY_PREFIX}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo accounts and the trends demo, seeded once and rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
            ):
                load_reference_data()
                accounts = seed_accounts("trends-demo-password")
                trends_demo.seed(accounts)
                yield accounts
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _history():
    return Report.objects.filter(**HISTORY)


def _everything() -> dict[str, int]:
    return {
        "reports": Report.objects.count(),
        "cases": Case.objects.count(),
        "referrals": Referral.objects.count(),
        "people": User.objects.count(),
        "peers": PeerForce.objects.count(),
        "api keys": ApiToken.objects.count(),
        "rollup rows": ReportRollup.objects.count(),
        "rollup reports": sum(ReportRollup.objects.values_list("reports", flat=True)),
    }


def test_seeding_again_adds_nothing(demo):
    before = _everything()

    trends_demo.seed(demo)

    assert _everything() == before
    assert before["reports"] > 2000


def test_the_history_covers_the_24_months_before_this_one(demo):
    today = timezone.localdate()
    months = {
        timezone.localdate(sent).replace(day=1)
        for sent in _history().values_list("submitted_at", flat=True)
    }
    complete = history_months(today)[:-1]

    assert len(complete) == 24
    assert set(complete) <= months
    assert min(months) == complete[0]
    assert max(months) <= today.replace(day=1)
    # The rollup holds them all: the dashboards' periods start there.
    assert first_month() == complete[0]
    assert set(complete) <= set(DimensionRollup.objects.values_list("month", flat=True))


def test_the_history_spans_several_forces_and_one_small_one(demo):
    per_force = dict(_history().values_list("force__slug").annotate(n=Count("id")))

    assert set(per_force) == {force.slug for force in story.FORCES}
    assert len(per_force) >= 6
    assert per_force["city-of-london"] < 40  # a handful a year: its cells show "<5"
    assert per_force["west-yorkshire"] > 500


def test_the_history_is_varied_in_every_dimension(demo):
    reports = list(
        _history()
        .annotate(
            categories_n=Count("categories", distinct=True),
            platforms_n=Count("platforms", distinct=True),
        )
        .values_list("categories_n", "platforms_n", "offline_impacts", "reporter__kind", "status")
    )
    categories = Counter(n for n, *_ in reports)
    platforms = Counter(n for _, n, *_ in reports)
    impacts = Counter(len([i for i in row[2] if i != "none"]) for row in reports)

    assert {1, 2, 3} <= set(categories)  # multi-select
    assert {0, 1, 2} <= set(platforms)  # none, one, several
    assert min(impacts[0], impacts[1], impacts[2]) > 0  # none, one, several
    assert ["none"] in [row[2] for row in reports]  # "None of these"
    assert [] in [row[2] for row in reports]  # not answered
    assert {kind for *_, kind, _ in reports} == set(User.Kind.values)  # family included
    assert {"closed", "outcome_given", "withdrawn"} <= {status for *_, status in reports}
    decisions = set(
        Case.objects.filter(report__in=_history()).values_list("recording_decision", flat=True)
    )
    assert {"crime", "non_crime_incident", "no_recording"} <= decisions
    outcomes = set(_history().values_list("outcome_category", flat=True))
    assert len(outcomes - {""}) >= 5


def test_history_cases_have_realistic_times(demo):
    cases = Case.objects.filter(report__in=_history(), first_responded_at__isnull=False)
    times = list(
        cases.values_list(
            "submitted_at", "first_responded_at", "outcome_given_at", "first_response_due"
        )
    )

    assert all(sent <= responded for sent, responded, *_ in times)
    assert all(outcome is None or responded <= outcome for _, responded, outcome, _ in times)
    in_target = sum(responded <= due for _, responded, _, due in times)
    # Most met the first-response target, not all: a PCC has something to ask about.
    assert 0.5 < in_target / len(times) < 0.97


def test_some_people_volunteered_who_they_are_and_some_did_not(demo):
    people = User.objects.filter(reports__in=_history()).distinct()
    answered = people.exclude(ethnicity="").count()

    assert 0.2 < answered / people.count() < 0.8
    assert people.filter(sex="prefer_not_to_say").exists()


def test_support_was_offered_accepted_and_declined(demo):
    referrals = Referral.objects.filter(case__report__in=_history())
    states = Counter(referrals.values_list("state", flat=True))

    assert referrals.filter(accepted_at__isnull=False).count() > 100
    assert states["declined"] > 50
    assert not referrals.filter(state__in=OPEN_STATES).exists()


def test_nothing_in_the_history_is_waiting_in_anyones_queue(demo):
    # An open history case would sit in a triage queue and be escalated on every breach run.
    assert not Case.objects.filter(report__in=_history(), status__in=OPEN_STATUSES).exists()


def test_nobody_can_sign_in_as_a_history_reporter(demo):
    people = User.objects.filter(reports__in=_history()).distinct()

    assert people.count() > 500
    assert not any(person.has_usable_password() for person in people)
    assert set(people.values_list("full_name", flat=True)) == {""}
    pattern = re.compile(r"history-\d+@demo\.harmsportal\.test")
    assert all(pattern.fullmatch(email) for email in people.values_list("email", flat=True))


@pytest.mark.parametrize(
    ("model", "references"),
    [
        (ReferenceCounter, Report.objects.filter(**HISTORY)),
        (
            ReferralCounter,
            Referral.objects.filter(case__report__demo_key__startswith=story.DEMO_KEY_PREFIX),
        ),
    ],
    ids=["reports", "referrals"],
)
def test_history_references_come_from_each_forces_counter(demo, model, references):
    listed = list(references.values_list("reference", flat=True))
    highest: dict[tuple[str, int], int] = {}
    for reference in listed:
        _, code, year, number = reference.split("-")
        highest[(code, int(year))] = max(highest.get((code, int(year)), 0), int(number))
    counters = {
        (row.force.code, row.year): row.last for row in model.objects.select_related("force")
    }

    assert len(set(listed)) == len(listed)
    assert all(counters[key] >= number for key, number in highest.items())


def test_west_yorkshire_has_its_peer_group(demo):
    peers = PeerForce.objects.filter(force__slug="west-yorkshire")

    assert set(peers.values_list("peer__slug", flat=True)) == set(
        story.PEER_GROUPS["west-yorkshire"]
    )
    assert all(peer.source for peer in peers)


def test_the_lead_has_a_live_api_key_to_list_and_revoke(demo):
    (key,) = ApiToken.objects.filter(user=demo["lead"])

    assert key.is_live()
    assert key.name == story.LEAD_API_KEY
    assert not ApiToken.objects.exclude(user=demo["lead"]).exists()


def test_the_leads_dashboard_shows_some_figures_and_withholds_others(demo):
    lead_force = demo["lead"].forces_with_role(Role.FORCE_LEAD).get()
    scope = Scope(forces=(lead_force.pk,), period=default_period(timezone.localdate()))

    by_month = figures_by(scope, by=MONTH)
    cells = [
        row.figure
        for figures in by_month.values()
        for breakdown in figures.breakdowns.values()
        for row in breakdown.rows
    ]

    assert lead_force.slug == "west-yorkshire"
    assert any(isinstance(cell, Withheld) for cell in cells)
    assert any(isinstance(cell, int) and cell >= 5 for cell in cells)


def test_the_small_forces_months_are_withheld(demo):
    city = Force.objects.get(slug="city-of-london")
    scope = Scope(forces=(city.pk,), period=default_period(timezone.localdate()))

    totals = [figures.total for figures in figures_by(scope, by=MONTH).values()]

    assert any(isinstance(total, Withheld) for total in totals)
    assert not any(isinstance(total, int) and 0 < total < 5 for total in totals)
