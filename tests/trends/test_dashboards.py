"""The trends dashboards: a force's page, the national pages and the filter, read through the
HTTP client. Rollup rows are built directly here, as the rebuild would leave them."""

from __future__ import annotations

import datetime
import itertools
import re
from html import unescape

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from harmsportal.disclosure import Withheld, WithheldTotal, record_key
from harmsportal.people.models import DEMOGRAPHIC_FIELDS, Force, Membership, Role, User
from harmsportal.trends.figures import Scope, non_crime_figures
from harmsportal.trends.models import (
    DemographicRollup,
    DimensionRollup,
    ReportRollup,
    RollupState,
)
from harmsportal.trends.periods import month_period
from tests.factories import make_person

NOW = datetime.datetime(2026, 5, 20, 10, 30, tzinfo=datetime.UTC)
APRIL = datetime.date(2026, 4, 1)
MAY = datetime.date(2026, 5, 1)
MARCH = datetime.date(2026, 3, 1)
_pks = itertools.count(1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _may_2026():
    # Periods run up to "today": the dashboards are read on 20 May 2026.
    with time_machine.travel(NOW, tick=False):
        yield


def force(slug: str) -> Force:
    return Force.objects.get(slug=slug)


def put_reports(
    slug: str,
    month: datetime.date,
    count: int,
    *,
    category: str = "doxxing",
    platform: str = "x",
    decision: str = "crime",
    kind: str = "officer",
    impact: str = "none",
    outcome: str = "pending",
    answers: dict[str, str] | None = None,
) -> None:
    """`count` reports received in `month` by a force, each with one value of every dimension,
    written to the three rollups the dashboards read."""
    key_sum = sum(record_key(next(_pks)) for _ in range(count))
    where = {"month": month, "force": force(slug)}
    ReportRollup.objects.create(
        **where,
        category=category,
        recording_decision=decision,
        reporter_kind=kind,
        platform=platform,
        impact=impact,
        outcome=outcome,
        first_category=True,
        first_platform=True,
        first_impact=True,
        reports=count,
        key_sum=key_sum,
    )
    values = {
        "category": category,
        "platform": platform,
        "impact": impact,
        "recording_decision": decision,
        "reporter_kind": kind,
        "outcome": outcome,
        "total": "",
    }
    for dimension, value in values.items():
        DimensionRollup.objects.create(
            **where, dimension=dimension, value=value, reports=count, key_sum=key_sum
        )
    for dimension in DEMOGRAPHIC_FIELDS:
        DemographicRollup.objects.create(
            **where,
            dimension=dimension,
            value=(answers or {}).get(dimension, ""),
            reports=count,
            key_sum=key_sum,
            reporters=count,  # each report from a different person
        )


def rolled_up() -> None:
    RollupState.objects.update_or_create(pk=1, defaults={"completed_at": NOW})


def without_nonces(response) -> str:
    # Each response carries a fresh CSP nonce and CSRF token; everything else must match.
    page = re.sub(r'nonce="[^"]*"', "", text(response))
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def text(response) -> str:
    return response.content.decode()


def table(html: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert match, f"no table {table_id}"
    return match.group(0)


def row(html: str, table_id: str, label: str) -> list[str]:
    """The cells of the row headed `label` in a table, as the eye reads them."""
    for found in re.finditer(r"<tr[^>]*>(.*?)</tr>", table(html, table_id), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)
        if cells and unescape(re.sub(r"<[^>]+>", "", cells[0])).strip() == label:
            return [_seen(cell) for cell in cells[1:]]
    raise AssertionError(f"no row {label!r} in {table_id}")


def _seen(cell: str) -> str:
    # What a sighted reader sees: the visually hidden words left out.
    cell = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", cell)
    return unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def error_message(html: str) -> str:
    match = re.search(r'<p class="govuk-error-message"[^>]*>(.*?)</p>', html, re.S)
    assert match, "no inline error message"
    return _seen(match.group(1))


@pytest.fixture
def west_yorkshire_year():
    # A year of West Yorkshire's reports with one small platform, and a little of North
    # Yorkshire's, which no West Yorkshire lead may see.
    put_reports("west-yorkshire", APRIL, 20, category="doxxing", platform="x")
    put_reports(
        "west-yorkshire",
        APRIL,
        10,
        category="threats",
        platform="facebook",
        decision="non_crime",
        kind="family",
        answers={"sex": "female"},
    )
    put_reports("west-yorkshire", MAY, 15, category="doxxing", platform="x", impact="home-visited")
    put_reports("west-yorkshire", MAY, 3, category="hate", platform="tiktok")
    put_reports(
        "north-yorkshire",
        APRIL,
        35,
        category="harassment",
        platform="youtube",
        decision="non_crime",
    )
    rolled_up()


def force_page(client, slug: str = "west-yorkshire", **query):
    return client.get(reverse("trends:force", args=[slug]), query)


# --- a force lead's own force --------------------------------------------------------------------


def test_a_force_lead_sees_their_own_forces_trends(client, force_lead, west_yorkshire_year):
    client.force_login(force_lead)

    response = force_page(client, period="fy2026-27")

    assert response.status_code == 200
    html = text(response)
    assert "West Yorkshire Police" in html
    # 20 + 10 + 15 + 3 = 48 reports: published as a multiple of 5.
    assert _seen(re.search(r'id="headline-total">(.*?)</dd>', html, re.S).group(1)) in {
        "45",
        "50",
    }
    assert row(html, "trend", "Doxxing or malicious identification") == ["20", "15", "35"]
    assert row(html, "recording", "Non-crime incident") == ["10", "0", "10"]
    assert row(html, "reporters", "Family member") == ["10"]
    assert "YouTube" in html
    assert row(html, "platforms", "YouTube") == ["0"]


def test_a_force_lead_gets_404_for_another_forces_page_exactly_as_for_a_missing_one(
    client, force_lead, west_yorkshire_year
):
    client.force_login(force_lead)

    other = force_page(client, "north-yorkshire")
    missing = force_page(client, "no-such-force")

    assert other.status_code == 404
    assert missing.status_code == 404
    assert without_nonces(other) == without_nonces(missing)


def test_a_lead_naming_another_force_in_the_filter_is_told_as_for_an_unknown_force(
    client, force_lead, west_yorkshire_year
):
    client.force_login(force_lead)

    other = force_page(client, force="north-yorkshire")
    unknown = force_page(client, force="atlantis")

    assert other.status_code == 400
    assert unknown.status_code == 400
    assert (
        error_message(text(other))
        == error_message(text(unknown))
        == ("Select a force from the list")
    )
    # No figures at all, and nothing of North Yorkshire's but the slug the lead typed.
    assert 'id="key-figures"' not in text(other)
    assert "North Yorkshire Police" not in text(other)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "2026-13"}, "Select a period from the list"),
        ({"period": "2026-02-30"}, "Select a period from the list"),
        ({"period": "fy2026-28"}, "Select a period from the list"),
        ({"period": "0000-05"}, "Select a period from the list"),
        ({"period": "1999"}, "Select a period from 2000 onwards"),
        ({"period": "2027-01"}, "Select a period that has started"),
        ({"period": "9" * 400}, "Select a period from the list"),
        ({"category": "not-a-category"}, "Select a harm category from the list"),
        ({"category": "x" * 5000}, "Select a harm category from the list"),
        ({"force": "../../admin"}, "Select a force from the list"),
    ],
)
def test_a_bad_filter_value_is_a_400_with_a_message_on_the_field(
    client, force_lead, west_yorkshire_year, query, message
):
    client.force_login(force_lead)

    response = force_page(client, **query)

    assert response.status_code == 400
    html = text(response)
    assert "govuk-error-summary" in html
    assert "<title>Error: " in html
    assert error_message(html).startswith(message)
    assert 'id="key-figures"' not in html


def test_a_nul_in_a_filter_value_is_the_portals_400_page_with_no_figures(
    client, force_lead, west_yorkshire_year
):
    """A NUL never reaches the filters: the portal refuses it at the door (its 400 page)."""
    client.force_login(force_lead)

    response = force_page(client, period="2026-05\x00")

    assert response.status_code == 400
    html = text(response)
    assert "Sorry, there is a problem with that request" in html
    assert 'id="key-figures"' not in html


def test_a_refused_value_stays_chosen_in_its_select(client, force_lead, west_yorkshire_year):
    client.force_login(force_lead)

    html = text(force_page(client, period="2026-13", category="Hate"))

    assert re.search(r'<option value="2026-13" selected>2026-13 \(not recognised\)</option>', html)
    assert re.search(r'<option value="Hate" selected>Hate \(not recognised\)</option>', html)


def test_a_real_period_older_than_the_list_is_offered_and_answered(
    client, force_lead, west_yorkshire_year
):
    client.force_login(force_lead)

    response = force_page(client, period="2015")

    assert response.status_code == 200
    assert re.search(r'<option value="2015" selected>2015</option>', text(response))


def test_the_period_select_groups_periods_by_kind(client, force_lead, west_yorkshire_year):
    client.force_login(force_lead)

    html = text(force_page(client))

    groups = re.findall(r'<optgroup label="([^"]+)">', html)
    assert groups == [
        "Financial years (April to March)",
        "Financial-year quarters",
        "Calendar years",
        "Months",
    ]
    # With no period asked for, the financial year so far.
    assert re.search(r'<option value="fy2026-27" selected>', html)


def test_small_counts_show_as_fewer_than_5_read_out_in_words(
    client, force_lead, west_yorkshire_year
):
    client.force_login(force_lead)

    html = text(force_page(client, period="2026-05"))

    assert row(html, "platforms", "TikTok") == ["<5"]
    tiktok = re.search(r"TikTok</th>\s*<td[^>]*>(.*?)</td>", table(html, "platforms"), re.S)
    assert tiktok.group(1) == (
        '<span aria-hidden="true">&lt;5</span><span class="govuk-visually-hidden">fewer than 5'
        "</span>"
    )
    # Left out of the chart: no number behind it.
    assert 'data-value="">' in tiktok.group(0)
    assert "fewer than 5" in html
    assert "How to read these figures" in html


def test_a_total_withheld_to_protect_a_cell_shows_as_not_shown():
    rendered = Template("{% load trends_figures %}{% figure a %}|{% figure b %}|{% figure c %}")

    html = rendered.render(Context({"a": WithheldTotal(5), "b": Withheld(5), "c": 12345}))

    assert html.startswith("not shown|")
    assert html.endswith("|12,345")


def test_four_one_report_kinds_leave_the_total_not_shown_on_every_page_that_holds_it(
    client, analyst
):
    """One report of each reporter kind in West Yorkshire in April: "<5" for the total beside
    four "<5" kinds would say 1 each. The force's April page withholds the total, and so do
    the pages whose total is that same count, the force's quarter and the national April:
    they take the force's month as published before its audit, and it is not shown there."""
    for kind in ("officer", "staff", "volunteer", "family"):
        put_reports("west-yorkshire", APRIL, 1, kind=kind)
    rolled_up()
    client.force_login(analyst)
    pages = [
        force_page(client, period="2026-04"),
        force_page(client, period="fy2026-27-q1"),
        client.get(reverse("trends:national"), {"period": "2026-04"}),
    ]

    for response in pages:
        assert response.status_code == 200
        html = text(response)
        headline = re.search(r'id="headline-total">(.*?)</dd>', html, re.S).group(1)
        assert _seen(headline) == "not shown"
        assert "<5" not in _seen(headline)


def test_a_part_its_forces_month_withholds_is_not_shown_on_the_national_month_either(
    client, analyst
):
    """West Yorkshire's April: 8 reports, officers 5 and one each of staff, volunteers and
    family, 4 crimes and 4 non-crime incidents. With the kinds (at least 8) the total is at
    most 8, so two "<5" decisions would say 4 each: the force's page withholds them. The
    national April holds the same reports and must withhold them too, though its audit takes
    the force's month as published before that page's audit."""
    put_reports("west-yorkshire", APRIL, 4, decision="crime")
    put_reports("west-yorkshire", APRIL, 1, decision="non_crime")
    for kind in ("staff", "volunteer", "family"):
        put_reports("west-yorkshire", APRIL, 1, decision="non_crime", kind=kind)
    rolled_up()
    client.force_login(analyst)
    pages = [
        force_page(client, period="2026-04"),
        client.get(reverse("trends:national"), {"period": "2026-04"}),
    ]

    for response in pages:
        html = text(response)
        for decision in ("Crime", "Non-crime incident"):
            assert set(row(html, "recording", decision)) == {"not shown"}


def test_every_table_says_whether_it_counts_reports_or_mentions(
    client, force_lead, west_yorkshire_year
):
    client.force_login(force_lead)

    html = text(force_page(client))

    tables = re.findall(r'<table[^>]*id="([^"]+)"[^>]* aria-describedby="([^"]+)"', html)
    assert len(tables) >= 6 + len(DEMOGRAPHIC_FIELDS)
    for table_id, note_id in tables:
        note = re.search(rf'<p class="govuk-body-s" id="{note_id}">(.*?)</p>', html, re.S)
        assert note, f"{table_id} has no note"
        words = note.group(1)
        assert "counts reports" in words or "counted once in each" in words, table_id
    assert "counted once in each" in re.search(r'id="platforms-note">(.*?)<', html).group(1)
    assert "counts reports" in re.search(r'id="reporters-note">(.*?)<', html).group(1)


def test_demographics_show_each_answer_and_those_not_answered(
    client, force_lead, west_yorkshire_year
):
    client.force_login(force_lead)

    html = text(force_page(client, period="2026-04"))

    assert row(html, "about-sex", "Female") == ["10"]
    assert row(html, "about-sex", "Not answered") == ["20"]
    assert row(html, "about-sex", "Prefer not to say") == ["0"]
    assert row(html, "about-ethnicity", "Not answered") == ["30"]


def test_every_dashboard_says_when_its_data_is_from(
    client, force_lead, analyst, west_yorkshire_year
):
    client.force_login(analyst)
    pages = [
        reverse("trends:home"),
        reverse("trends:force", args=["west-yorkshire"]),
        reverse("trends:national"),
        reverse("trends:non_crime"),
    ]

    for url in pages:
        html = text(client.get(url))
        # 10:30 UTC is 11:30 in London in May.
        assert "Data as at 20 May 2026 at 11:30am." in html, url


def test_the_pages_say_plainly_when_the_figures_have_never_been_built(client, analyst):
    client.force_login(analyst)

    for url in (reverse("trends:force", args=["west-yorkshire"]), reverse("trends:national")):
        response = client.get(url)
        assert response.status_code == 200
        html = text(response)
        assert "The figures have not been built yet, so there are none to show." in html
        assert "<table" not in html


def test_the_home_page_gives_a_lead_their_force_and_an_analyst_every_force(
    client, force_lead, analyst, west_yorkshire_year
):
    client.force_login(force_lead)
    html = text(client.get(reverse("trends:home")))
    assert reverse("trends:force", args=["west-yorkshire"]) in html
    assert reverse("trends:performance", args=["west-yorkshire"]) in html
    assert reverse("trends:pack", args=["west-yorkshire"]) in html
    assert reverse("trends:api_tokens") in html
    assert reverse("trends:export_csv") in html
    assert reverse("trends:national") not in html
    assert "north-yorkshire" not in html

    client.force_login(analyst)
    html = text(client.get(reverse("trends:home")))
    assert reverse("trends:national") in html
    assert reverse("trends:non_crime") in html
    for each in Force.objects.all():
        assert reverse("trends:force", args=[each.slug]) in html
    headings = re.findall(r'<h3 class="govuk-heading-s" id="nation-\d+">(.*?)</h3>', html)
    assert headings == [
        "England",
        "Wales",
        "Scotland",
        "Northern Ireland",
        "National and special forces",
    ]


# --- national analysts ---------------------------------------------------------------------------


def test_an_analyst_sees_every_force_compared(client, analyst, west_yorkshire_year):
    client.force_login(analyst)

    response = client.get(reverse("trends:national"), {"period": "2026-04"})

    assert response.status_code == 200
    html = text(response)
    # Reports, crime, non-crime, neither, and the period before.
    assert row(html, "forces", "West Yorkshire Police") == ["30", "20", "10", "0", "0"]
    assert row(html, "forces", "North Yorkshire Police") == ["35", "0", "35", "0", "0"]
    assert row(html, "forces", "Kent Police") == ["0", "0", "0", "0", "0"]
    assert row(html, "forces", "All forces") == ["65", "20", "45", "0", "0"]
    assert len(re.findall(r"<tr ", table(html, "forces"))) == Force.objects.count() + 2


def test_the_force_filter_narrows_an_analysts_national_figures(
    client, analyst, west_yorkshire_year
):
    client.force_login(analyst)

    html = text(
        client.get(reverse("trends:national"), {"period": "2026-04", "force": "north-yorkshire"})
    )

    assert (
        "The figures here are for North Yorkshire Police only, except where every force is compared."
        in html
    )
    assert row(html, "trend", "Harassment and unwanted contact") == ["35", "35"]
    assert row(html, "trend", "Doxxing or malicious identification") == ["0", "0"]
    # The comparison still covers every force.
    assert row(html, "forces", "West Yorkshire Police")[0] == "30"


def test_an_unknown_force_on_the_national_page_is_a_400_with_a_message(client, analyst):
    client.force_login(analyst)

    response = client.get(reverse("trends:national"), {"force": "gotham"})

    assert response.status_code == 400
    assert error_message(text(response)) == "Select a force from the list"


def test_the_force_select_takes_someone_who_sees_several_forces_to_that_forces_page(
    client, analyst
):
    client.force_login(analyst)

    response = force_page(client, force="north-yorkshire", period="2026-04")

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("trends:force", args=["north-yorkshire"]) + "?period=2026-04"
    )


def test_force_leads_cannot_open_the_national_pages(client, force_lead, oversight):
    for user in (force_lead, oversight):
        client.force_login(user)
        assert client.get(reverse("trends:national")).status_code == 403
        assert client.get(reverse("trends:non_crime")).status_code == 403


def test_the_non_crime_view_counts_only_non_crime_incidents(client, analyst, west_yorkshire_year):
    put_reports("west-yorkshire", APRIL, 25, category="threats", platform="facebook")
    client.force_login(analyst)

    html = text(client.get(reverse("trends:non_crime"), {"period": "2026-04"}))

    # Threats on Facebook: 10 non-crime in West Yorkshire, 25 crime beside them.
    assert row(html, "non-crime-categories", "Threats to you or your family") == ["10", "35"]
    assert row(html, "non-crime-categories", "Harassment and unwanted contact") == ["35", "35"]
    assert row(html, "non-crime-categories", "Doxxing or malicious identification") == [
        "0",
        "20",
    ]
    assert row(html, "non-crime-platforms", "Facebook") == ["10", "35"]
    assert row(html, "non-crime-cross", "Threats to you or your family") == ["10", "0"]
    cross_columns = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table(html, "non-crime-cross"))
    assert cross_columns == ["Harm category", "Facebook", "YouTube"]
    assert _seen(re.search(r'id="headline-non-crime">(.*?)</dd>', html, re.S).group(1)) == "45"


def test_non_crime_figures_keep_a_report_once_in_each_category_and_platform_it_carries():
    april = force("west-yorkshire")
    ReportRollup.objects.bulk_create(
        ReportRollup(
            month=APRIL,
            force=april,
            category=c,
            platform=p,
            recording_decision="non_crime",
            reporter_kind="officer",
            impact="none",
            outcome="pending",
            first_category=fc,
            first_platform=fp,
            first_impact=True,
            reports=10,
            key_sum=0,
        )
        # Ten reports each of threats and hate, on X and Facebook.
        for c, fc in (("threats", True), ("hate", False))
        for p, fp in (("x", True), ("facebook", False))
    )
    figures = non_crime_figures(Scope((april.pk,), month_period(APRIL)))

    assert figures.total == 10
    assert {r.value: r.figure for r in figures.categories.rows}["hate"] == 10
    assert {r.value: r.figure for r in figures.platforms.rows}["facebook"] == 10
    assert figures.cross.cells[("hate", "facebook")] == 10


def test_the_pages_hold_no_names_or_email_addresses(
    client, force_lead, analyst, west_yorkshire_year
):
    make_person(full_name="Robin Reporter", email="robin.reporter@example.police.uk")
    people = list(User.objects.all())
    for user, url in (
        (force_lead, reverse("trends:force", args=["west-yorkshire"])),
        (force_lead, reverse("trends:home")),
        (analyst, reverse("trends:national")),
        (analyst, reverse("trends:non_crime")),
    ):
        client.force_login(user)
        html = text(client.get(url)).lower()
        for person in people:
            assert person.email.lower() not in html, url
            if person.full_name:
                assert person.full_name.lower() not in html, url


def test_charts_are_drawn_from_their_tables_by_a_script_with_the_pages_nonce(
    client, force_lead, west_yorkshire_year
):
    client.force_login(force_lead)

    response = force_page(client)

    html = text(response)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}" src="/static/trends/vendor/chart.umd.min.js">' in html
    assert f'<script type="module" nonce="{nonce}" src="/static/trends/charts.mjs">' in html
    charts = re.findall(r'<figure class="app-chart"[^>]*data-table="([^"]+)"[^>]*hidden>', html)
    assert {"trend", "recording", "platforms", "reporters", "impacts"} <= set(charts)
    for name in re.findall(r'<canvas role="img" aria-labelledby="([^"]+)">', html):
        assert f'id="{name}"' in html
    # Each table scrolls sideways in a region that takes focus, named by the table's caption.
    regions = re.findall(
        r'<div class="app-table-region" role="region" aria-labelledby="([^"]+)" tabindex="0">'
        r'\s*<table[^>]*aria-labelledby="([^"]+)"',
        html,
    )
    assert len(regions) == len(re.findall(r"<table ", html))
    for region, table_name in regions:
        assert region == table_name
        assert re.search(rf'<p class="govuk-heading-s app-table-caption" id="{region}">\w', html)
    assert "style=" not in html


def test_a_lead_with_roles_in_two_forces_chooses_between_them(client, west_yorkshire_year):
    lead = make_person(Role.FORCE_LEAD)
    Membership.objects.create(user=lead, force=force("north-yorkshire"), role=Role.OVERSIGHT)
    lead.forget_roles()
    client.force_login(lead)

    html = text(force_page(client, "north-yorkshire", period="2026-04"))

    assert row(html, "trend", "Harassment and unwanted contact") == ["35", "35"]
    assert '<option value="west-yorkshire">West Yorkshire Police</option>' in html
    assert force_page(client, force="kent").status_code == 400


def test_a_chosen_category_narrows_the_figures_but_not_the_demographics(
    client, force_lead, west_yorkshire_year
):
    client.force_login(force_lead)

    html = text(force_page(client, period="2026-04", category="threats"))

    assert "Reports of Threats to you or your family each month" in html
    assert row(html, "trend", "Threats to you or your family") == ["10", "10"]
    assert row(html, "recording", "Non-crime incident") == ["10", "10"]
    assert row(html, "recording", "Crime") == ["0", "0"]
    # The demographic rollup has no category: every report of the month, and it says so.
    assert row(html, "about-ethnicity", "Not answered") == ["30"]
    assert "they are not broken down by category" in html
