"""The month tables' published figures the rebuild stores for the exports (`PublishedMonthFigure`,
trends/rollup/published.py): for every force and month, exactly what `figures_by(…, by=MONTH)`
publishes and the API's monthly answer shows, rows of 0 and their order included; the same
after a refresh or a rebuild of chosen months as after a full rebuild; withheld figures stored
as "fewer" and "not shown"; and k stored with them."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harmsportal.disclosure import Withheld, WithheldTotal, record_key
from harmsportal.people.models import Force, User
from harmsportal.trends.figures import (
    CATEGORY,
    DIMENSIONS,
    IMPACT,
    MONTH,
    OUTCOME,
    PLATFORM,
    RECORDING_DECISION,
    REPORTER_KIND,
    TOTAL,
    Scope,
    figures_by,
)
from harmsportal.trends.models import (
    NO_CATEGORY,
    NO_IMPACT,
    NO_PLATFORM,
    DimensionRollup,
    PublishedMonthFigure,
)
from harmsportal.trends.periods import calendar_year_of, month_period
from harmsportal.trends.rollup import rollup_rebuild, rollup_refresh
from harmsportal.trends.rollup.published import published_month_figures_write
from harmsportal.trends.tokens import api_token_create
from reports.models import Report
from tests.trends.conftest import (
    assess,
    at,
    case_of,
    erase,
    give_outcome,
    submitted_report,
    withdraw,
    worker_for,
)
from triage.services.moving import case_transfer

pytestmark = pytest.mark.django_db

START = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
MONTHS = ((2025, 5), (2025, 6), (2025, 7))
FORCES = ("west-yorkshire", "north-yorkshire")
KINDS = (User.Kind.OFFICER, User.Kind.STAFF, User.Kind.VOLUNTEER, User.Kind.FAMILY)


# --- what is stored, and what the portal publishes -------------------------------------------
def as_stored(figure) -> tuple[int | None, str]:
    """A published figure as the model keeps it: (figure, withheld)."""
    if isinstance(figure, WithheldTotal):
        return None, "not shown"
    if isinstance(figure, Withheld):
        return None, "fewer"
    return figure, ""


def stored() -> dict[tuple[int, date], list[tuple]]:
    """{(force, month): [(dimension, value, figure, withheld, k), …]} in the order written."""
    found = defaultdict(list)
    rows = PublishedMonthFigure.objects.order_by("id").values_list(
        "force_id", "month", "dimension", "value", "figure", "withheld", "k"
    )
    for force_id, month, *row in rows:
        found[(force_id, month)].append(tuple(row))
    return dict(found)


def published(k: int = 5) -> dict[tuple[int, date], list[tuple]]:
    """The same from `figures_by(Scope(forces=(force,), period=…), by=MONTH)` for every force,
    each month read once through its month's own period and once through its calendar year's
    (the two must agree: a force's month table depends on nothing outside it)."""
    found = {}
    months = sorted(set(DimensionRollup.objects.values_list("month", flat=True)))
    for force_id in Force.objects.values_list("pk", flat=True):
        for year in sorted({month.year for month in months}):
            period = calendar_year_of(date(year, 1, 1))
            for month, figures in figures_by(Scope((force_id,), period), by=MONTH).items():
                alone = figures_by(Scope((force_id,), month_period(month)), by=MONTH)[month]
                rows = [(TOTAL, "", *as_stored(figures.total), k)]
                rows += [
                    (dimension, row.value, *as_stored(row.figure), k)
                    for dimension in DIMENSIONS
                    for row in figures.breakdowns[dimension].rows
                ]
                again = [(TOTAL, "", *as_stored(alone.total), k)]
                again += [
                    (dimension, row.value, *as_stored(row.figure), k)
                    for dimension in DIMENSIONS
                    for row in alone.breakdowns[dimension].rows
                ]
                assert again == rows
                found[(force_id, month)] = rows
    return found


# --- from synthetic rollup rows (many tables, fast) ------------------------------------------
def dimension_rows(reports) -> list[DimensionRollup]:
    """The DimensionRollup rows the rebuild makes of `reports`, each (id, force id, month,
    categories, platforms, impacts, decision, kind, outcome): a multi-select value counts a
    report once in each value it carries, its "none" value when it carries none."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    none = {CATEGORY: NO_CATEGORY, PLATFORM: NO_PLATFORM, IMPACT: NO_IMPACT}
    for pk, force_id, month, categories, platforms, impacts, decision, kind, outcome in reports:
        values = {
            TOTAL: {""},
            CATEGORY: set(categories) or {none[CATEGORY]},
            PLATFORM: set(platforms) or {none[PLATFORM]},
            IMPACT: set(impacts) or {none[IMPACT]},
            RECORDING_DECISION: {decision},
            REPORTER_KIND: {kind},
            OUTCOME: {outcome},
        }
        for dimension, chosen in values.items():
            for value in chosen:
                cell = cells[(month, force_id, dimension, value)]
                cell[0] += 1
                cell[1] += record_key(pk)
    return [
        DimensionRollup(
            month=month, force_id=force_id, dimension=dimension, value=value, reports=n, key_sum=s
        )
        for (month, force_id, dimension, value), (n, s) in cells.items()
    ]


def few(values, most=2):
    return st.lists(st.sampled_from(values), unique=True, max_size=most)


# "retired" and "old-app" are values the taxonomy no longer lists: they still count.
synthetic_report = st.tuples(
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(FORCES),
    st.sampled_from(MONTHS),
    few(("doxxing", "threats", "abuse", "retired")),
    few(("x", "facebook", "old-app")),
    few(("home_visited", "approached")),
    st.sampled_from(("crime", "non_crime", "none")),
    st.sampled_from(KINDS),
    st.sampled_from(("pending", "advice", "withdrawn", "takedown")),
)
# Clusters of like reports, so some values reach k and are rounded and others stay under it.
synthetic_world = st.lists(
    st.tuples(synthetic_report, st.integers(min_value=1, max_value=9)), min_size=1, max_size=8
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=synthetic_world, k=st.sampled_from((4, 5, 10)))
# One report of each reporter kind: the total is "not shown", each kind "fewer" (see below);
# beside rounded figures, a retired category and an app the taxonomy no longer lists (its
# slug with a tab, a backslash and a newline, which COPY's text must escape).
@example(
    world=[
        ((n, FORCES[0], MONTHS[0], ["doxxing"], ["x"], [], "crime", kind, "pending"), 1)
        for n, kind in enumerate(KINDS, start=1)
    ]
    + [
        (
            (
                9,
                FORCES[1],
                MONTHS[2],
                ["retired", "abuse"],
                ["old\tapp\\2\n"],
                [],
                "none",
                KINDS[0],
                "advice",
            ),
            7,
        )
    ],
    k=5,
)
def test_stored_figures_are_what_figures_by_publishes_for_every_force_and_month(world, k):
    forces = dict(Force.objects.filter(slug__in=FORCES).values_list("slug", "pk"))
    reports = []
    for (pk, force, month, *rest), copies in world:
        for copy in range(copies):
            reports.append((pk * 10 + copy, forces[force], date(*month, 1), *rest))
    with transaction.atomic(), override_settings(HARMSPORTAL_DISCLOSURE_K=k):
        DimensionRollup.objects.bulk_create(dimension_rows(reports))
        with connection.cursor() as cursor:
            written = published_month_figures_write(cursor, connection.vendor, None)
        expected = published(k)
        assert stored() == expected
        assert written == sum(len(rows) for rows in expected.values())
        transaction.set_rollback(True)


def test_only_the_chosen_months_are_written():
    force = Force.objects.get(slug="west-yorkshire")
    reports = [
        (n, force.pk, date(2025, month, 1), ["doxxing"], [], [], "crime", "officer", "pending")
        for n, month in enumerate((5, 5, 6, 7, 7, 7), start=1)
    ]
    DimensionRollup.objects.bulk_create(dimension_rows(reports))
    with connection.cursor() as cursor:
        published_month_figures_write(cursor, connection.vendor, [date(2025, 6, 1)])
        published_month_figures_write(cursor, connection.vendor, [])
    assert set(stored()) == {(force.pk, date(2025, 6, 1))}


# --- through the real rebuild, from reports --------------------------------------------------
def send(rng: random.Random) -> Report:
    return submitted_report(
        submitted_at=at(*rng.choice(MONTHS), day=rng.randint(1, 28)),
        force_slug=rng.choice(FORCES),
        categories=tuple(rng.sample(("doxxing", "threats", "abuse"), rng.randint(0, 2))),
        platforms=tuple(rng.sample(("x", "facebook"), rng.randint(0, 2))),
        offline_impacts=tuple(rng.sample(("none", "home_visited", "approached"), 1)),
        kind=rng.choice(KINDS),
    )


def triage(rng: random.Random, report: Report) -> None:
    """Triage assesses the case: its own categories now, and a recording decision."""
    assess(
        report,
        decision=rng.choice(("crime", "non_crime_incident", "no_recording")),
        categories=tuple(rng.sample(("stalking", "threats", "hate"), rng.randint(1, 2))),
    )


def change(rng: random.Random, sent: list[Report]) -> None:
    """Something triage, the reporter or retention does to one report (or a new report)."""
    live = [report for report in sent if Report.objects.filter(pk=report.pk).exists()]
    what = rng.choice(("send", "assess", "outcome", "withdraw", "transfer", "erase"))
    if what == "send" or not live:
        sent.append(send(rng))
        return
    report = rng.choice(live)

    def transfer() -> None:
        case = case_of(report)
        to = Force.objects.get(slug=FORCES[1] if case.force.slug == FORCES[0] else FORCES[0])
        case_transfer(actor=worker_for(report), case=case, to_force=to, reason="Lives there.")

    actions = {
        "assess": lambda: triage(rng, report),
        "outcome": lambda: give_outcome(report, category=rng.choice(("advice", "takedown"))),
        "withdraw": lambda: withdraw(report),
        "transfer": transfer,
        "erase": lambda: erase(report),
    }
    try:
        with transaction.atomic():
            actions[what]()
    except (ValidationError, PermissionDenied):
        pass  # a move the case's state refuses: nothing changed


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rebuild_stores_the_published_month_tables_and_a_refresh_keeps_them(seed):
    rng = random.Random(seed)
    sent: list[Report] = []
    with time_machine.travel(START, tick=False):
        for _ in range(rng.randint(8, 16)):
            sent.append(send(rng))
        for report in rng.sample(sent, 4):
            triage(rng, report)
        result = rollup_rebuild()
        assert stored() == published()
        assert result.rows["published"] == PublishedMonthFigure.objects.count()
    for hour in range(1, 7):
        with time_machine.travel(START + timedelta(hours=hour), tick=False):
            change(rng, sent)
    with time_machine.travel(START + timedelta(hours=8), tick=False):
        rollup_refresh()
        refreshed = stored()
        assert refreshed == published()
        rollup_rebuild(months=[date(*MONTHS[1], 1)])
        assert stored() == refreshed
        rollup_rebuild()
        assert stored() == refreshed


def test_a_month_with_reports_has_every_row_figures_by_lists_and_one_without_has_none():
    with time_machine.travel(START, tick=False):
        for _ in range(6):
            submitted_report(submitted_at=at(2025, 6, 10), categories=("threats",))
        rollup_rebuild()
    west = Force.objects.get(slug="west-yorkshire")
    rows = stored()
    assert set(rows) == {(west.pk, date(2025, 6, 1))}
    june = {
        (d, v): (figure, withheld)
        for d, v, figure, withheld, _ in rows[(west.pk, date(2025, 6, 1))]
    }
    # Every harm category the taxonomy lists has its row, 0 where no report has it.
    assert june[(CATEGORY, "doxxing")] == (0, "")
    assert june[(CATEGORY, "threats")] == june[(TOTAL, "")]
    assert june[(REPORTER_KIND, User.Kind.FAMILY)] == (0, "")
    assert rows == published()


def test_withheld_figures_are_stored_as_fewer_and_not_shown_with_their_k():
    # Four reports, one of each reporter kind: each kind is 1 of "<5" and together they are
    # 4, so the total would pin them all to 1: it is "not shown", and so is every figure that
    # is the total itself (all four in one category, one platform, ...).
    with time_machine.travel(START, tick=False):
        for kind in KINDS:
            submitted_report(submitted_at=at(2025, 6, 10), kind=kind)
        rollup_rebuild()
    west = Force.objects.get(slug="west-yorkshire")
    rows = stored()[(west.pk, date(2025, 6, 1))]
    by_key = {(d, v): (figure, withheld, k) for d, v, figure, withheld, k in rows}
    assert by_key[(TOTAL, "")] == (None, "not shown", 5)
    assert by_key[(CATEGORY, "doxxing")] == (None, "not shown", 5)
    for kind in KINDS:
        assert by_key[(REPORTER_KIND, kind)] == (None, "fewer", 5)
    assert by_key[(CATEGORY, "threats")] == (0, "", 5)
    assert stored() == published()


def test_k_is_the_setting_at_the_rebuild_and_stored_in_every_row():
    with time_machine.travel(START, tick=False):
        for n in range(11):
            submitted_report(submitted_at=at(2025, 6, 10), kind=KINDS[n % 2])
        with override_settings(HARMSPORTAL_DISCLOSURE_K=4):
            rollup_rebuild()
            assert stored() == published(4)
    assert set(PublishedMonthFigure.objects.values_list("k", flat=True)) == {4}


def api_figure(figure: int | None, withheld: str, k: int) -> dict:
    """A stored figure as the API writes a published one."""
    if withheld == "not shown":
        return {"value": None, "withheld": "not shown"}
    if withheld == "fewer":
        return {"value": None, "withheld": f"<{k}"}
    return {"value": figure}


def test_the_api_monthly_answer_shows_the_stored_figures(client, force_lead):
    rng = random.Random(7)
    with time_machine.travel(START, tick=False):
        sent = [send(rng) for _ in range(14)]
        for report in sent[:5]:
            assess(report, decision="non_crime_incident", categories=("hate",))
        rollup_rebuild()
        _, key = api_token_create(actor=force_lead, name="Power BI", days=90)
        west = Force.objects.get(slug="west-yorkshire")
        rows = stored()
        for dimension in DIMENSIONS:
            body = client.get(
                "/trends/api/v1/monthly/",
                {"period": "2025", "dimension": dimension},
                headers={"Authorization": f"Bearer {key}"},
            ).json()
            for month in body["results"]:
                table = rows.get((west.pk, date.fromisoformat(month["month"])))
                if table is None:  # no report that month: shown as 0, nothing stored
                    assert month["total"] == {"value": 0}
                    continue
                assert month["total"] == api_figure(*table[0][2:])
                shown = [(row["value"], row["figure"]) for row in month["breakdown"]["rows"]]
                assert shown == [
                    (value, api_figure(figure, withheld, k))
                    for d, value, figure, withheld, k in table
                    if d == dimension
                ]
    assert any(key[0] == west.pk for key in rows)
