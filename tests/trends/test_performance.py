"""The PCC's figures: medians from histograms, shares within target, small bases withheld,
national and peer medians, comparisons in words, and the performance page and pack.

Rollup rows are made here directly: these tests are about reading them, not building them.
"""

from __future__ import annotations

import datetime
import re
import statistics
from datetime import date

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from harmsportal.disclosure import Withheld, WithheldTotal, publish_count
from harmsportal.trends.accountability import accountability_report
from harmsportal.trends.figures import Scope, scope_figures
from harmsportal.trends.models import (
    DimensionRollup,
    PeerForce,
    PerformanceRollup,
    RollupState,
    TrainingRollup,
)
from harmsportal.trends.performance import (
    Median,
    force_figures,
    histogram_median,
    merge_histograms,
    training_table,
)
from harmsportal.trends.periods import parse_period
from tests.factories import force, make_person

TODAY = date(2026, 11, 29)
NOW = datetime.datetime(2026, 11, 29, 9, 30, tzinfo=datetime.UTC)  # 9:30am in London
Q2 = parse_period("fy2026-27-q2", today=TODAY)  # July to September 2026
JULY, AUGUST, SEPTEMBER = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)
CAP = 720


def histogram(*values: int) -> list[int]:
    """The rollup's form: counts by whole hour (or day), up to the last one with a count."""
    found = [0] * (max(values) + 1) if values else []
    for value in values:
        found[value] += 1
    return found


def performance(slug: str, month: date, *, hours=(), days=(), in_target=None, **fields):
    """A PerformanceRollup row whose histograms and counts agree."""
    hours, days = list(hours), list(days)
    fields.setdefault("received", max(len(hours), len(days)))
    return PerformanceRollup.objects.create(
        month=month,
        force=force(slug),
        responded=len(hours),
        responded_in_target=len(hours) if in_target is None else in_target,
        response_hours=histogram(*hours),
        outcomes=len(days),
        outcomes_in_28_days=sum(1 for d in days if d < 28),
        outcome_days=histogram(*days),
        **fields,
    )


def reports(slug: str, month: date, count: int, key_sum: int = 0) -> None:
    """The dashboards' total for a month: what 'reports received' is read from."""
    DimensionRollup.objects.create(
        month=month, force=force(slug), dimension="total", value="", reports=count, key_sum=key_sum
    )


@pytest.fixture
def built(db):
    return RollupState.objects.create(pk=1, completed_at=NOW)


def figures_of(slug: str, period=Q2):
    return force_figures(force(slug), period).values


# --- medians and shares -------------------------------------------------------------------


def test_the_median_time_to_first_response_comes_from_every_month_s_histogram(db):
    performance("west-yorkshire", JULY, hours=[1, 1, 2])
    performance("west-yorkshire", AUGUST, hours=[5, 7, 9, 30])
    # 1, 1, 2, 5, 7, 9, 30: the middle one is 5 (July's alone would say 1, August's 8).
    assert figures_of("west-yorkshire")["response_median"] == Median(5)


def test_an_even_number_of_responses_has_the_mean_of_the_middle_two_as_its_median(db):
    performance("west-yorkshire", JULY, hours=[2, 3, 3, 10])
    performance("west-yorkshire", SEPTEMBER, hours=[4, 6])
    assert figures_of("west-yorkshire")["response_median"] == Median(3.5)


def test_the_median_time_to_outcome_is_in_days_across_the_quarter(db):
    performance("west-yorkshire", JULY, days=[10, 12, 40])
    performance("west-yorkshire", AUGUST, days=[3, 60])
    assert figures_of("west-yorkshire")["outcome_median"] == Median(12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), max_size=12), min_size=1, max_size=4))
def test_the_median_of_merged_histograms_is_the_median_of_all_their_values(months):
    merged = merge_histograms(*(histogram(*values) for values in months))
    everything = [value for values in months for value in values]
    found = histogram_median(merged, cap=CAP)
    if not everything:
        assert found is None
    else:
        assert found == Median(statistics.median(everything))


def test_a_median_in_the_last_bucket_says_or_more(db):
    performance("west-yorkshire", JULY, hours=[CAP, CAP, CAP, 1, 2])
    median = figures_of("west-yorkshire")["response_median"]
    assert median == Median(CAP, open_ended=True)


def test_the_share_within_target_is_of_the_reports_that_had_a_first_response(db):
    performance("west-yorkshire", JULY, hours=[1, 2, 3, 4, 5] * 2, in_target=8, received=14)
    performance("west-yorkshire", AUGUST, hours=[1, 2, 3, 4, 5] * 2, in_target=7, received=12)
    # 15 of 20 responded within target; the 4 not responded to yet are in neither figure.
    assert figures_of("west-yorkshire")["response_in_target"] == pytest.approx(75.0)


def test_the_share_of_outcomes_within_28_days_counts_outcomes_before_day_28(db):
    performance("west-yorkshire", JULY, days=[27, 28, 3, 50, 1] * 2 + [2, 29, 4, 30, 5])
    assert figures_of("west-yorkshire")["outcome_in_28_days"] == pytest.approx(60.0)


def test_medians_and_shares_are_withheld_when_fewer_than_k_are_behind_them(db):
    performance("west-yorkshire", JULY, hours=[1, 2], days=[3, 4, 5, 6], in_target=1)
    performance("west-yorkshire", AUGUST, hours=[9], days=[7])
    found = figures_of("west-yorkshire")
    # 3 responses: withheld however telling; 5 outcomes: shown.
    assert isinstance(found["response_median"], Withheld)
    assert isinstance(found["response_in_target"], Withheld)
    assert found["outcome_median"] == Median(5)
    assert found["outcome_in_28_days"] == pytest.approx(100.0)


def test_referral_counts_are_published_with_the_cell_key_and_the_acceptance_rate_needs_k(db):
    performance(
        "west-yorkshire",
        JULY,
        referrals_offered=7,
        referrals_offered_key_sum=300,
        referrals_accepted=3,
        referrals_accepted_key_sum=50,
    )
    found = figures_of("west-yorkshire")
    assert found["referrals_offered"] == publish_count(7, 300)
    assert isinstance(found["referrals_accepted"], Withheld)
    # 3 of 7 is 43%: beside "5" offered (5 to 9) only 3 of 7 gives it, so it would give the 3.
    assert isinstance(found["acceptance"], WithheldTotal)


def test_a_percentage_that_would_pin_a_count_withheld_as_fewer_than_k_is_not_shown(db):
    # 5 offered (shown "5": 5 to 9), 1 accepted ("<5"): "20%" fits only 1 of 5.
    performance("west-yorkshire", JULY, referrals_offered=5, referrals_accepted=1)
    found = figures_of("west-yorkshire")
    assert isinstance(found["referrals_accepted"], Withheld)
    assert isinstance(found["acceptance"], WithheldTotal)


def test_a_percentage_that_would_pin_the_few_not_counted_in_it_is_not_shown(db):
    # 8 assigned (shown 10: 6 to 14), 7 completed: "88%" fits only 7 of 8, so 1 has not.
    wy = force("west-yorkshire")
    TrainingRollup.objects.create(
        force=wy, audience="frontline", assigned=8, assigned_key_sum=200, completed=7
    )
    table = training_table(wy)
    assert isinstance(table.rows[0].percent, WithheldTotal)
    assert isinstance(table.completion, WithheldTotal)
    headline = _headline(_report(), "training")
    assert headline.figure.text == (
        "Not shown: the percentage would let a number under 5 be worked out"
    )


def test_a_percentage_of_0_or_100_is_a_true_zero_and_shown(db):
    performance("west-yorkshire", JULY, hours=[1] * 5, in_target=5, days=[40] * 6)
    found = figures_of("west-yorkshire")
    assert found["response_in_target"] == 100.0
    assert found["outcome_in_28_days"] == 0.0


def test_reports_received_is_the_dashboard_s_own_total_for_the_scope(db):
    reports("west-yorkshire", JULY, 23, key_sum=1000)
    reports("west-yorkshire", AUGUST, 9, key_sum=77)
    performance("west-yorkshire", JULY, received=999)  # never read for the count
    expected = scope_figures(Scope(forces=(force("west-yorkshire").pk,), period=Q2)).total
    assert figures_of("west-yorkshire")["received"] == expected
    assert expected in (30, 35)


def test_training_completion_is_withheld_with_its_completed_count_when_few_are_assigned(db):
    wy = force("west-yorkshire")
    TrainingRollup.objects.create(
        force=wy, audience="frontline", assigned=40, assigned_key_sum=9, completed=30
    )
    TrainingRollup.objects.create(force=wy, audience="leadership", assigned=3, completed=0)
    rows = {row.audience: row for row in training_table(wy).rows}
    assert rows["frontline"].assigned == 40
    assert rows["frontline"].percent == pytest.approx(75.0)
    # "fewer than 5 assigned, 0 completed" would say that none of a few people has done it.
    assert isinstance(rows["leadership"].assigned, Withheld)
    assert isinstance(rows["leadership"].completed, Withheld)
    assert isinstance(rows["leadership"].percent, Withheld)
    assert training_table(wy).completion == pytest.approx(100 * 30 / 43)


# --- national and peer medians, comparisons -------------------------------------------------


def _report(slug: str = "west-yorkshire", period=Q2):
    return accountability_report(force(slug), period, today=TODAY)


def _headline(report, key: str):
    return next(h for h in report.headlines if h.measure.key == key)


def _sentences(report, key: str) -> list[str]:
    return [c.sentence for c in _headline(report, key).comparisons]


OTHERS = (("north-yorkshire", 4), ("kent", 6), ("essex", 8), ("cleveland", 9), ("durham", 12))


def test_the_national_median_is_the_middle_of_the_other_forces_figures_with_a_base_of_k(db):
    performance("west-yorkshire", JULY, hours=[2] * 5)
    for slug, hours in OTHERS:
        performance(slug, AUGUST, hours=[hours] * 5)
    # Only 4 responses: its 100 hours must not drag the national median up.
    performance("dorset", JULY, hours=[100] * 4)
    national = _headline(_report(), "response_median").cells[2]
    assert national.column.key == "national"
    assert national.other == "8 hours"  # 4, 6, 8, 9, 12: West Yorkshire's own 2 left out
    assert national.direction == "better than"
    # Never how many forces it is over: that would say which had fewer than k.
    assert national.sentence == "Better than the national median (8 hours)"


def test_a_national_median_of_fewer_than_five_other_forces_is_not_shown(db):
    # With its own figure, 5 forces; but the median of 5 with a lead's own among them
    # narrows the others, and of 3 it is one named force's exact figure.
    performance("west-yorkshire", JULY, hours=[2] * 5)
    for slug, hours in OTHERS[:4]:
        performance(slug, JULY, hours=[hours] * 5)
    national = _headline(_report(), "response_median").cells[2]
    assert national.direction is None
    assert national.other == (
        "not shown, as too few other forces have figures large enough to compare"
    )
    assert not re.search(r"\d", national.other)


def test_a_loaded_peer_group_of_two_gives_no_peer_median(db):
    wy = force("west-yorkshire")
    for slug in ("north-yorkshire", "kent"):
        PeerForce.objects.create(force=wy, peer=force(slug), source="Test")
    performance("west-yorkshire", JULY, hours=[2] * 5)
    for slug, hours in OTHERS:
        performance(slug, JULY, hours=[hours] * 5)
    peer = _headline(_report(), "response_median").cells[-1]
    assert peer.column.key == "peer"
    assert peer.direction is None
    assert peer.other == (
        "not shown, as the peer group has too few forces with figures large enough to compare"
    )


def test_the_peer_median_defaults_to_the_other_forces_of_the_same_nation(db):
    performance("west-yorkshire", JULY, hours=[100] * 5)
    for slug, hours in (*OTHERS, ("south-wales", 1), ("gwent", 1)):
        performance(slug, JULY, hours=[hours] * 5)
    report = _report()
    peer = _headline(report, "response_median").cells[-1]
    assert peer.column.against == "the median of forces in England"
    assert peer.other == "8 hours"  # 4, 6, 8, 9, 12 (the Welsh forces and its own left out)
    assert peer.direction == "worse than"


def test_comparisons_with_earlier_periods_say_better_worse_or_about_the_same(db):
    performance("west-yorkshire", JULY, hours=[3] * 10, days=[20] * 10, in_target=5)
    performance("west-yorkshire", date(2026, 4, 1), hours=[9] * 10, days=[20] * 10, in_target=9)
    performance("west-yorkshire", date(2025, 7, 1), hours=[3] * 10, days=[40] * 10)
    report = _report()
    assert _sentences(report, "response_median")[:2] == [
        "Better than the previous quarter, April to June 2026 (9 hours)",
        "About the same as the same quarter a year before, July to September 2025 (3 hours)",
    ]
    assert _sentences(report, "response_in_target")[0] == (
        "The previous quarter, April to June 2026: not shown: the percentage would let a "
        "number under 5 be worked out"  # 9 of 10: it would say exactly 1 was not
    )
    assert _sentences(report, "outcome_median")[1].startswith("Better than the same quarter")


def test_a_withheld_figure_is_never_compared(db):
    performance("west-yorkshire", JULY, hours=[50, 60])  # 2 responses: withheld
    performance("west-yorkshire", date(2026, 4, 1), hours=[1] * 10)
    headline = _headline(_report(), "response_median")
    assert not headline.shown
    assert headline.figure.text == "Not shown: fewer than 5 reports had a first response"
    assert headline.comparisons == []


def test_counts_are_not_compared_while_the_period_is_still_going_on(db):
    reports("west-yorkshire", date(2026, 10, 1), 40)
    reports("west-yorkshire", JULY, 10)
    current = parse_period("fy2026-27-q3", today=TODAY)
    sentences = _sentences(_report(period=current), "received")
    assert sentences[0] == (
        "The previous quarter, July to September 2026: not compared until this period is over"
    )


# --- the pages ------------------------------------------------------------------------------

PERFORMANCE = "/trends/forces/{}/performance/"
PACK = "/trends/forces/{}/pack/"


@pytest.fixture
def some_figures(built):
    reports("west-yorkshire", JULY, 42, key_sum=400)
    performance("west-yorkshire", JULY, hours=[1, 2, 3, 4, 5, 6], days=[5, 9, 30, 2, 1])


@pytest.mark.parametrize("route", [PERFORMANCE, PACK])
@pytest.mark.parametrize("who", ["force_lead", "oversight"])
def test_a_force_s_own_people_get_404_for_another_force(client, persona, built, route, who):
    client.force_login(persona(who))
    assert client.get(route.format("west-yorkshire") + "?period=fy2026-27-q2").status_code == 200
    assert client.get(route.format("north-yorkshire")).status_code == 404
    assert client.get(route.format("no-such-force")).status_code == 404


def test_an_analyst_sees_any_force_s_performance(client, analyst, built):
    client.force_login(analyst)
    assert client.get(PERFORMANCE.format("north-yorkshire")).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_performance_page_opens_on_the_last_complete_quarter(client, oversight, some_figures):
    client.force_login(oversight)
    page = client.get(PERFORMANCE.format("west-yorkshire")).content.decode()
    assert "Performance: Quarter 2 2026 to 2027 (July to September 2026)" in page
    assert '<option value="fy2026-27-q2" selected>' in page
    assert "Data as at 29 November 2026 at 9:30am" in page
    assert "3.5 hours" in page  # the median first response in July


@pytest.mark.parametrize("period", ["2026-13", "fy2026-28", "nonsense", "2031-01"])
def test_a_period_that_does_not_exist_is_a_400_with_an_error_summary(
    client, oversight, built, period
):
    client.force_login(oversight)
    response = client.get(PERFORMANCE.format("west-yorkshire"), {"period": period})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#period">Enter a period' in page
    assert "<title>Error: " in page
    assert f'<option value="{period}" selected>{period} (not recognised)</option>' in page


@pytest.mark.parametrize("period", ["2026-08", "fy2026-27", "2026"])
def test_the_pack_refuses_a_period_that_is_not_a_quarter(client, oversight, built, period):
    client.force_login(oversight)
    response = client.get(PACK.format("west-yorkshire"), {"period": period})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The accountability pack covers one financial-year quarter: choose a quarter" in page
    assert f'<option value="{period}" selected>{period} (not a quarter)</option>' in page
    assert 'id="headlines"' not in page


@time_machine.travel(NOW, tick=False)
def test_the_pack_links_its_print_stylesheet_for_print_only(client, oversight, some_figures):
    client.force_login(oversight)
    page = client.get(PACK.format("west-yorkshire"), {"period": "fy2026-27-q2"}).content.decode()
    assert re.search(
        r'<link rel="stylesheet" href="[^"]*trends/pack-print\.css" media="print">', page
    )
    assert "data-app-print-page hidden" in page  # shown by print-page.mjs when it can work
    assert "use your browser's print option" in page
    for block in ("Force", "Quarter", "Data as at", "Produced for"):
        assert f'<dt class="govuk-summary-list__key">{block}</dt>' in page


@time_machine.travel(NOW, tick=False)
def test_the_pages_say_when_figures_have_not_been_built(client, oversight, db):
    client.force_login(oversight)
    page = client.get(PERFORMANCE.format("west-yorkshire")).content.decode()
    assert "Figures have not been built yet" in page
    assert 'id="headlines"' not in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("route", [PERFORMANCE, PACK])
def test_no_name_or_email_appears_on_the_pages(client, oversight, some_figures, route):
    reporter = make_person(full_name="Morwenna Quillfeather")
    client.force_login(oversight)
    page = client.get(route.format("west-yorkshire"), {"period": "fy2026-27-q2"}).content.decode()
    assert 'id="headlines"' in page
    for person in (reporter, oversight):
        assert person.full_name not in page
        assert person.email not in page
