"""The read-only trends API: who may call it, what each caller sees, the published figures,
bad parameters, the audit and the rate limit."""

from __future__ import annotations

import re
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.throttling import UserRateThrottle

from harmsportal.audit.models import AccessLog
from harmsportal.disclosure import publish_count
from harmsportal.people.models import AGGREGATE_ROLES, Force, Membership, Role
from harmsportal.trends.figures import Scope, scope_figures
from harmsportal.trends.models import (
    DimensionRollup,
    PerformanceRollup,
    ReportRollup,
    RollupState,
)
from harmsportal.trends.periods import parse_period
from harmsportal.trends.tokens import api_token_create
from tests.routes import all_routes

pytestmark = pytest.mark.django_db

API = "/trends/api/v1/"
LONDON = ZoneInfo("Europe/London")
AS_AT = datetime(2026, 6, 2, 6, 15, tzinfo=LONDON)
# FY 2025-26 (April 2025 to March 2026) is wholly in the past on every day these tests run.
PERIOD = "fy2025-26"
SINGLE = ("recording_decision", "reporter_kind", "outcome")
ENDPOINTS = ["forces/", "figures/", "monthly/", "performance/", "schema/"]


# --- rollup rows, as the rebuild leaves them ------------------------------------------------
def put(
    force_slug: str,
    month: date,
    reports: int,
    *,
    key_sum: int | None = None,
    category: str = "doxxing",
    platform: str = "x",
    impact: str = "none",
    recording_decision: str = "crime",
    reporter_kind: str = "officer",
    outcome: str = "pending",
) -> None:
    """`reports` reports, each with one value of every dimension: one ReportRollup row and the
    DimensionRollup rows the rebuild would make from it."""
    force = Force.objects.get(slug=force_slug)
    key_sum = reports * 41 if key_sum is None else key_sum
    values = {
        "category": category,
        "platform": platform,
        "impact": impact,
        "recording_decision": recording_decision,
        "reporter_kind": reporter_kind,
        "outcome": outcome,
    }
    ReportRollup.objects.create(
        month=month,
        force=force,
        first_category=True,
        first_platform=True,
        first_impact=True,
        reports=reports,
        key_sum=key_sum,
        **values,
    )
    for dimension, value in [("total", ""), *values.items()]:
        row, _ = DimensionRollup.objects.get_or_create(
            month=month,
            force=force,
            dimension=dimension,
            value=value,
            defaults={"reports": 0, "key_sum": 0},
        )
        row.reports += reports
        row.key_sum += key_sum
        row.save()


def built(when: datetime = AS_AT) -> None:
    RollupState.objects.update_or_create(pk=1, defaults={"completed_at": when})


def history() -> None:
    """West Yorkshire: 12 reports in May 2025 and 3 in June; North Yorkshire: 40 in May."""
    put("west-yorkshire", date(2025, 5, 1), 12, key_sum=1234)
    put("west-yorkshire", date(2025, 6, 1), 3, category="threats", recording_decision="non_crime")
    put("north-yorkshire", date(2025, 5, 1), 40, platform="facebook")
    built()


def key_for(user) -> str:
    _, key = api_token_create(actor=user, name="Power BI", days=90)
    return key


def get(client, path: str, key: str | None = None, **params):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get(API + path, params, headers=headers)


# --- who may call it ------------------------------------------------------------------------
def test_every_api_route_is_marked_for_the_aggregate_roles():
    api = [route for route in all_routes() if route.pattern.startswith("trends/api/")]
    assert {route.name.rpartition(":")[2] for route in api} == {
        "forces",
        "figures",
        "monthly",
        "performance",
        "schema",
    }
    assert {route.name: route.required_roles for route in api} == {
        route.name: AGGREGATE_ROLES for route in api
    }


@pytest.mark.parametrize("path", ENDPOINTS)
def test_nobody_signed_in_gets_401_with_a_plain_message(client, path):
    response = client.get(API + path)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == 'Bearer realm="trends"'
    assert "Authorization: Bearer" in response.json()["detail"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_professional_standards_get_the_404_of_an_address_that_does_not_exist(
    client, psd_officer, path
):
    client.force_login(psd_officer)
    missing = client.get(API + "no-such-endpoint/")
    response = client.get(API + path)
    assert response.status_code == missing.status_code == 404
    assert _without_nonces(response) == _without_nonces(missing)
    assert AccessLog.objects.filter(actor=psd_officer).count() == 0


@pytest.mark.parametrize(
    "who", ["officer", "family_member", "triager", "champion", "trainer", "platform_admin"]
)
def test_people_without_a_role_that_sees_trends_get_403(client, persona, who):
    client.force_login(persona(who))
    for path in ENDPOINTS:
        response = client.get(API + path)
        assert response.status_code == 403, path
        assert "force leads, oversight" in response.json()["detail"]
    assert AccessLog.objects.filter(object_type="trends.api").count() == 0


@pytest.mark.parametrize("who", ["force_lead", "oversight", "analyst"])
def test_leads_oversight_and_analysts_may_call_it_signed_in(client, persona, who):
    client.force_login(persona(who))
    assert client.get(API + "figures/").status_code == 200


def test_the_api_takes_only_get(client, analyst):
    client.force_login(analyst)
    response = client.post(API + "figures/", {})
    assert response.status_code == 405
    assert ReportRollup.objects.count() == 0


# --- scope: a lead sees their own force, an analyst every force -----------------------------
def test_a_lead_lists_only_their_own_force(client, force_lead):
    body = get(client, "forces/", key_for(force_lead)).json()
    assert [force["slug"] for force in body["results"]] == ["west-yorkshire"]
    assert body["count"] == 1
    assert body["scope"] == {"all_forces": False, "forces": ["west-yorkshire"], "category": None}


def test_an_analyst_lists_every_force_a_page_at_a_time(client, analyst):
    key = key_for(analyst)
    first = get(client, "forces/", key, page_size=20).json()
    assert first["count"] == Force.objects.count() == 48
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert "page=2" in first["next"]
    last = get(client, "forces/", key, page_size=20, page=3).json()
    assert len(last["results"]) == 8
    assert last["next"] is None
    assert last["scope"]["all_forces"] is True


def test_a_leads_figures_are_their_own_forces_only(client, force_lead):
    history()
    body = get(client, "figures/", key_for(force_lead), period=PERIOD).json()
    # 15 West Yorkshire reports; North Yorkshire's 40 are not in it.
    assert body["scope"]["forces"] == ["west-yorkshire"]
    platforms = {row["value"]: row["figure"] for row in _breakdown(body, "platform")["rows"]}
    assert platforms["facebook"] == {"value": 0}
    wy = Force.objects.get(slug="west-yorkshire")
    expected = scope_figures(Scope(forces=(wy.pk,), period=_period()))
    assert body["total"] == _published(expected.total)


def test_a_lead_asking_for_another_force_gets_the_400_of_a_force_that_does_not_exist(
    client, force_lead
):
    history()
    key = key_for(force_lead)
    other = get(client, "figures/", key, period=PERIOD, force="north-yorkshire")
    unknown = get(client, "figures/", key, period=PERIOD, force="no-such-force")
    assert other.status_code == unknown.status_code == 400
    assert other.json() == unknown.json()
    assert other.json()["errors"] == {"force": [mock.ANY]}
    assert "total" not in other.json()
    monthly = get(client, "monthly/", key, period=PERIOD, force="north-yorkshire")
    assert monthly.status_code == 400
    assert monthly.json() == unknown.json()
    # Nothing was read, so nothing was logged.
    assert AccessLog.objects.filter(object_type="trends.api").count() == 0


def test_a_lead_may_name_their_own_force(client, force_lead):
    history()
    response = get(client, "figures/", key_for(force_lead), period=PERIOD, force="west-yorkshire")
    assert response.status_code == 200
    assert response.json()["scope"]["forces"] == ["west-yorkshire"]


def test_an_analyst_sees_every_force_or_the_one_they_name(client, analyst):
    history()
    key = key_for(analyst)
    everything = get(client, "figures/", key, period=PERIOD).json()
    assert everything["scope"]["all_forces"] is True
    assert len(everything["scope"]["forces"]) == 48
    assert everything["total"] == _published(scope_figures(Scope(None, _period())).total)
    north = get(client, "figures/", key, period=PERIOD, force="north-yorkshire").json()
    assert north["scope"] == {"all_forces": False, "forces": ["north-yorkshire"], "category": None}
    # 40 reports, rounded to a multiple of 5 by their cell key.
    assert north["total"] == {"value": publish_count(40, 40 * 41)}


def test_a_keys_reach_follows_its_owners_roles_at_each_call(client, force_lead):
    history()
    key = key_for(force_lead)
    assert get(client, "forces/", key).json()["count"] == 1
    Membership.objects.create(
        user=force_lead, force=Force.objects.get(slug="west-yorkshire"), role=Role.NATIONAL_ANALYST
    )
    assert get(client, "forces/", key).json()["count"] == 48
    Membership.objects.filter(user=force_lead).exclude(role=Role.REPORTER).delete()
    assert get(client, "forces/", key).status_code == 401


# --- the figures are the published figures -------------------------------------------------
def test_small_counts_are_withheld_and_others_rounded_as_everywhere_else(client, force_lead):
    history()
    key = key_for(force_lead)
    body = get(client, "figures/", key, period=PERIOD).json()
    categories = {row["value"]: row["figure"] for row in _breakdown(body, "category")["rows"]}
    assert categories["threats"] == {"value": None, "withheld": "<5"}  # 3 reports
    assert categories["doxxing"] == {"value": publish_count(12, 1234)}
    assert categories["doxxing"]["value"] in (10, 15)
    months = get(client, "monthly/", key, period=PERIOD).json()["results"]
    june = next(month for month in months if month["month"] == "2025-06-01")
    assert june["total"] == {"value": None, "withheld": "<5"}


def test_a_total_that_would_give_away_a_withheld_part_is_not_shown(client, force_lead):
    # 4 reports, one from each kind of reporter: four parts "<5" add up to at least 4, so a
    # total of "<5" would pin it at 4. publish_total withholds it; the API says "not shown".
    for kind in ("officer", "staff", "volunteer", "family"):
        put("west-yorkshire", date(2025, 5, 1), 1, key_sum=7, reporter_kind=kind)
    built()
    body = get(client, "figures/", key_for(force_lead), period="2025-05").json()
    assert body["total"] == {"value": None, "withheld": "not shown"}
    kinds = {row["value"]: row["figure"] for row in _breakdown(body, "reporter_kind")["rows"]}
    assert set(map(str, kinds.values())) == {str({"value": None, "withheld": "<5"})}


def test_every_breakdown_says_what_it_counts(client, analyst):
    history()
    body = get(client, "figures/", key_for(analyst), period=PERIOD).json()
    counts = {item["dimension"]: item["counts"] for item in body["breakdowns"]}
    assert counts == {
        "category": "mentions",
        "platform": "mentions",
        "impact": "mentions",
        **dict.fromkeys(SINGLE, "reports"),
    }
    assert all(item["note"] for item in body["breakdowns"])


def test_a_category_narrows_the_figures(client, force_lead):
    history()
    body = get(client, "figures/", key_for(force_lead), period=PERIOD, category="threats").json()
    assert body["scope"]["category"] == "threats"
    assert body["total"] == {"value": None, "withheld": "<5"}
    assert "category" not in {item["dimension"] for item in body["breakdowns"]}


def test_monthly_lists_every_built_month_with_0_where_nothing_was_received(client, force_lead):
    history()
    body = get(client, "monthly/", key_for(force_lead), period=PERIOD, dimension="platform").json()
    months = [month["month"] for month in body["results"]]
    assert months == [f"{year}-{m:02d}-01" for year, m in _fy_months(2025)]
    april = body["results"][0]
    assert april["label"] == "April 2025"
    assert april["total"] == {"value": 0}
    assert {row["figure"]["value"] for row in april["breakdown"]["rows"]} == {0}
    may = body["results"][1]
    assert may["breakdown"]["dimension"] == "platform"
    assert may["total"] == {"value": publish_count(12, 1234)}


def test_monthly_stops_at_the_month_the_figures_were_built(client, force_lead):
    history()
    built(datetime(2025, 7, 3, 1, 0, tzinfo=LONDON))
    body = get(client, "monthly/", key_for(force_lead), period=PERIOD).json()
    assert [month["month"] for month in body["results"]] == [
        "2025-04-01",
        "2025-05-01",
        "2025-06-01",
        "2025-07-01",
    ]
    assert body["results"][0]["breakdown"] is None


# --- from reports to the API, through the real rollup ----------------------------------------
def test_the_api_reads_what_the_rollup_built_from_reports_and_nothing_personal(client, analyst):
    from harmsportal.trends.rollup.rebuild import rollup_rebuild
    from tests.trends.conftest import at, submitted_report

    reports = [
        submitted_report(submitted_at=at(2025, 5, 3), categories=("doxxing", "threats")),
        *[submitted_report(submitted_at=at(2025, 5, 9 + n)) for n in range(6)],
        submitted_report(submitted_at=at(2025, 6, 2), force_slug="north-yorkshire"),
    ]
    rollup_rebuild()
    key = key_for(analyst)
    west = get(client, "figures/", key, period="2025-05", force="west-yorkshire").json()
    wy = Force.objects.get(slug="west-yorkshire")
    expected = scope_figures(Scope((wy.pk,), parse_period("2025-05", today=date(2026, 6, 1))))
    # 7 reports counted once each; doxxing is in all 7, threats in 1 (a mention, withheld).
    assert west["total"] == _published(expected.total)
    assert west["total"]["value"] in (5, 10)
    categories = {row["value"]: row["figure"] for row in _breakdown(west, "category")["rows"]}
    assert categories["threats"] == {"value": None, "withheld": "<5"}
    assert categories["doxxing"] == west["total"]
    assert west["data_as_at"] is not None
    # Aggregates only: no reporter's name, email, reference or words anywhere in any answer.
    answers = "".join(
        get(client, path, key, period=period).content.decode()
        for path in ("figures/", "monthly/")
        for period in ("fy2025-26", "2025-05")
    )
    for report in reports:
        assert report.reporter.email not in answers
        assert report.reporter.full_name not in answers
        assert report.reference not in answers
        assert report.description[:40] not in answers


# --- performance: the PCC's figures ----------------------------------------------------------
def perform(slug: str, month: date, *, hours=(), days=(), in_target=None, **fields) -> None:
    """A PerformanceRollup row whose histograms and counts agree."""

    def histogram(values):
        found = [0] * (max(values) + 1) if values else []
        for value in values:
            found[value] += 1
        return found

    PerformanceRollup.objects.create(
        month=month,
        force=Force.objects.get(slug=slug),
        received=max(len(hours), len(days)),
        responded=len(hours),
        responded_in_target=len(hours) if in_target is None else in_target,
        response_hours=histogram(list(hours)),
        outcomes=len(days),
        outcomes_in_28_days=sum(1 for d in days if d < 28),
        outcome_days=histogram(list(days)),
        **fields,
    )


def performance_history() -> None:
    history()
    # West Yorkshire, May 2025: 20 first responses (15 in target), 3 outcomes (too few for a
    # median), 30 referrals offered, 25 accepted.
    perform(
        "west-yorkshire",
        date(2025, 5, 1),
        hours=[1, 2, 2, 3, 4, 5, 6, 8, 30, 40] * 2,
        days=[10, 12, 40],
        in_target=15,
        referrals_offered=30,
        referrals_offered_key_sum=77,
        referrals_accepted=25,
        referrals_accepted_key_sum=55,
    )
    others = (("north-yorkshire", 6), ("humberside", 8), ("cleveland", 12))
    for slug, hours in (*others, ("durham", 3), ("northumbria", 7)):
        perform(slug, date(2025, 5, 1), hours=[hours] * 5)


def _measure(body: dict, key: str) -> dict:
    return next(item for item in body["measures"] if item["key"] == key)


def test_a_leads_performance_is_their_own_force_without_naming_it(client, oversight):
    performance_history()
    body = get(client, "performance/", key_for(oversight), period="2025-05").json()
    assert body["force"]["slug"] == "west-yorkshire"
    assert body["scope"]["forces"] == ["west-yorkshire"]
    assert _measure(body, "response_median")["value"] == {
        "value": 4.5,
        "text": "4.5 hours",
        "open_ended": False,
    }
    assert _measure(body, "response_in_target")["value"] == {"value": 75, "text": "75%"}
    # Three outcomes: fewer than k behind the median, so it is withheld, and says why.
    assert _measure(body, "outcome_median")["value"] == {
        "value": None,
        "text": "Not shown: fewer than 5 reports had an outcome",
        "withheld": "not shown",
    }
    offered = _measure(body, "referrals_offered")["value"]
    assert offered["value"] == publish_count(30, 77)
    assert _measure(body, "acceptance")["value"]["value"] == 83  # 25 of 30, a whole number
    assert _measure(body, "received")["value"]["value"] == publish_count(12, 1234)


def test_performance_is_compared_with_the_nation_the_peers_and_earlier_periods(client, analyst):
    performance_history()
    body = get(
        client, "performance/", key_for(analyst), period="2025-05", force="west-yorkshire"
    ).json()
    response = _measure(body, "response_median")
    # The median of the five other forces' medians (3, 6, 7, 8 and 12; never its own 4.5),
    # without saying how many forces it is over.
    assert response["national_median"] == {"value": 7.0, "text": "7 hours", "open_ended": False}
    assert response["peer_median"] == response["national_median"]  # England's forces
    assert response["previous_period"] == {
        "value": None,
        "text": "No figure: no reports had a first response",
    }
    assert body["previous_period"]["period"]["slug"] == "2025-04"
    assert body["year_before"]["before_data"] is True
    assert body["complete"] is True
    # Counts are compared with earlier periods but never between forces.
    assert _measure(body, "received")["national_median"] is None


def test_performance_gives_the_same_words_as_the_performance_page(client, analyst):
    from harmsportal.trends.accountability import accountability_report

    performance_history()
    body = get(
        client, "performance/", key_for(analyst), period="2025-05", force="west-yorkshire"
    ).json()
    page = accountability_report(
        Force.objects.get(slug="west-yorkshire"), _month("2025-05"), today=date(2026, 6, 1)
    )
    assert {h.measure.key: h.figure.text for h in page.headlines} == {
        item["key"]: item["value"]["text"] for item in body["measures"]
    }


def test_performance_needs_a_force_when_the_caller_sees_several(client, analyst, force_lead):
    performance_history()
    response = get(client, "performance/", key_for(analyst), period="2025-05")
    assert response.status_code == 400
    assert "slug of one of your forces" in response.json()["errors"]["force"][0]
    key = key_for(force_lead)
    other = get(client, "performance/", key, force="north-yorkshire")
    unknown = get(client, "performance/", key, force="atlantis")
    assert other.status_code == unknown.status_code == 400
    assert other.json() == unknown.json()
    assert get(client, "performance/", key, category="threats").status_code == 400


@pytest.mark.parametrize(
    ("percent", "published"), [(0, 0), (0.3, 1), (42.5, 42), (42.51, 43), (99.6, 99), (100, 100)]
)
def test_a_percentage_is_a_whole_number_that_is_0_or_100_only_when_exact(percent, published):
    from harmsportal.trends.api.performance import whole_percent

    assert whole_percent(percent) == published


# --- every answer carries its context ---------------------------------------------------------
def test_every_answer_says_when_for_what_and_how_figures_are_protected(client, force_lead):
    history()
    key = key_for(force_lead)
    for path in ("forces/", "figures/", "monthly/"):
        body = get(client, path, key).json()
        assert body["data_as_at"] == "2026-06-02T06:15:00+01:00", path
        assert body["data_as_at_text"] == "Data as at 2 June 2026 at 6:15am"
        assert body["scope"]["forces"] == ["west-yorkshire"]
        assert body["disclosure"]["k"] == 5
        assert '"<5"' in body["disclosure"]["note"]
    figures = get(client, "figures/", key, period="fy2025-26-q1").json()
    assert figures["period"] == {
        "slug": "fy2025-26-q1",
        "kind": "quarter",
        "label": "Quarter 1 2025 to 2026 (April to June 2025)",
        "start": "2025-04-01",
        "end": "2025-06-30",
    }
    assert get(client, "forces/", key).json()["period"] is None


def test_before_the_first_build_the_answer_says_so(client, force_lead):
    body = get(client, "figures/", key_for(force_lead)).json()
    assert body["data_as_at"] is None
    assert body["data_as_at_text"] == "Figures have not been built yet, so every figure is 0."
    assert body["total"] == {"value": 0}


def test_the_period_defaults_to_the_financial_year_to_date(client, force_lead):
    body = get(client, "figures/", key_for(force_lead)).json()
    assert body["period"]["kind"] == "financial_year"
    assert body["period"]["start"] <= timezone.localdate().isoformat() <= body["period"]["end"]


# --- bad parameters: 400 with a message, never a 500 --------------------------------------------
@pytest.mark.parametrize(
    ("path", "params", "field", "words"),
    [
        ("figures/", {"period": "2026-13"}, "period", "Enter a period like 2026-05"),
        ("figures/", {"period": "0000-05"}, "period", "Enter a period like 2026-05"),
        ("figures/", {"period": "2999"}, "period", "has started"),
        ("figures/", {"period": "1999"}, "period", "from 2000"),
        ("figures/", {"period": ""}, "period", "Enter a period"),
        ("figures/", {"period": "x" * 500}, "period", "Enter a period like"),
        ("figures/", {"category": "no-such-harm"}, "category", "harm category"),
        ("figures/", {"force": ""}, "force", "slug of a force you can see"),
        ("figures/", {"perod": "2026"}, "perod", "Unknown parameter"),
        ("monthly/", {"dimension": "shoe_size"}, "dimension", "Enter a dimension"),
        (
            "monthly/",
            {"dimension": "category", "category": "threats"},
            "dimension",
            "Leave out dimension=category",
        ),
        ("forces/", {"page_size": "100000000000000000000000"}, "page_size", "100 at most"),
        ("forces/", {"page_size": "0"}, "page_size", "from 1 to 100"),
        ("forces/", {"page_size": "ten"}, "page_size", "whole number"),
        ("forces/", {"page": "0"}, "page", "from 1"),
        ("forces/", {"page": "99999999999999999999"}, "page", "Enter a page from 1"),
        ("forces/", {"page": "2"}, "page", "There is 1 page of 50"),
        ("forces/", {"page": "4", "page_size": "20"}, "page", "There are 3 pages of 20"),
    ],
)
def test_a_bad_parameter_gets_400_with_a_message(client, analyst, path, params, field, words):
    response = get(client, path, key_for(analyst), **params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["errors"]) == [field]
    assert words in body["errors"][field][0]
    assert body["detail"] == body["errors"][field][0]


def test_a_parameter_given_twice_gets_400(client, analyst):
    response = client.get(
        API + "figures/?force=west-yorkshire&force=north-yorkshire",
        headers={"Authorization": f"Bearer {key_for(analyst)}"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"force": ["Give this parameter once."]}


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["forces/", "figures/", "monthly/", "performance/"])
@pytest.mark.parametrize("asked", ["yaml", "xml", ""])
def test_a_format_the_api_does_not_give_is_a_json_400_like_any_unknown_parameter(
    client, analyst, settings, debug, path, asked
):
    settings.DEBUG = debug
    response = get(client, path, key_for(analyst), format=asked)
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert "Unknown parameter" in response.json()["errors"]["format"][0]


@pytest.mark.parametrize("debug", [False, True])
def test_professional_standards_asking_for_a_format_still_get_the_plain_404(
    client, psd_officer, settings, debug
):
    settings.DEBUG = debug
    client.force_login(psd_officer)
    missing = client.get(API + "no-such-endpoint/")
    response = client.get(API + "figures/", {"format": "yaml"})
    assert response.status_code == missing.status_code == 404
    assert _without_nonces(response) == _without_nonces(missing)


def test_the_schema_still_comes_as_yaml_when_asked(client, analyst):
    response = get(client, "schema/", key_for(analyst), format="yaml")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi:")


# --- the audit and the rate limit ----------------------------------------------------------------
def test_each_read_is_logged_once_with_who_role_and_scope(client, force_lead, analyst):
    history()
    get(client, "figures/", key_for(force_lead), period=PERIOD, category="threats")
    get(client, "monthly/", key_for(analyst), period="2025-05")
    lead_read, analyst_read = AccessLog.objects.filter(object_type="trends.api").order_by("id")
    assert (lead_read.actor, lead_read.actor_role, lead_read.action) == (
        force_lead,
        Role.FORCE_LEAD,
        AccessLog.Action.READ,
    )
    assert lead_read.object_id == "figures"
    assert lead_read.force_slug == "west-yorkshire"
    assert lead_read.reason == "API figures; period fy2025-26; category threats; west-yorkshire"
    assert (analyst_read.actor, analyst_read.actor_role) == (analyst, Role.NATIONAL_ANALYST)
    assert analyst_read.reason == "API monthly; period 2025-05; all forces"
    assert analyst_read.force_slug == ""


def test_the_rate_limit_answers_429_with_when_to_try_again(client, force_lead):
    key = key_for(force_lead)
    with mock.patch.object(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min"}):
        statuses = [get(client, "forces/", key).status_code for _ in range(4)]
        refused = get(client, "forces/", key)
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Too many requests")


def test_the_rate_limit_is_the_settings_rate_for_each_person(settings):
    from rest_framework.settings import api_settings

    assert [UserRateThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES
    assert UserRateThrottle.THROTTLE_RATES["user"] == settings.HARMSPORTAL_API_RATE


# --- helpers ----------------------------------------------------------------------------------
def _period():
    return parse_period(PERIOD, today=date(2026, 6, 1))


def _month(slug: str):
    return parse_period(slug, today=date(2026, 6, 1))


def _fy_months(year: int):
    return [(year + (m < 4), m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def _breakdown(body: dict, dimension: str) -> dict:
    return next(item for item in body["breakdowns"] if item["dimension"] == dimension)


def _published(figure) -> dict:
    from harmsportal.trends.api.views import figure as as_json

    return as_json(figure)


def _without_nonces(response) -> str:
    # Each page carries a fresh CSP nonce and CSRF token; everything else must match.
    page = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
