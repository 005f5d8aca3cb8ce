"""The rollup engine: what it counts, for a handful of hand-built reports, against counts made
directly from the source rows; months by UK time; running twice; erased reports; the
training snapshot; the task, the command and the nightly beat entry."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from harmsportal.celery import app as celery_app
from harmsportal.disclosure import record_key
from harmsportal.people.models import DEMOGRAPHIC_FIELDS, User
from harmsportal.trends.figures import OUTCOME, value_labels
from harmsportal.trends.models import (
    DemographicRollup,
    DimensionRollup,
    PerformanceRollup,
    ReportRollup,
    RollupState,
    TrainingRollup,
)
from harmsportal.trends.rollup import rollup_rebuild, rollup_refresh
from harmsportal.trends.rollup.sql import milliseconds_between_sql
from harmsportal.trends.tasks import trends_full_rebuild_task, trends_rollup_task
from reports.models import Report, ReportStatus
from tests.trends.conftest import (
    assess,
    at,
    case_of,
    erase,
    give_outcome,
    respond,
    rollup_snapshot,
    submitted_report,
    withdraw,
)
from triage.models import Case

pytestmark = pytest.mark.django_db

WYP, NYP = "west-yorkshire", "north-yorkshire"
NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


# --- counts made directly from the sources (the test's own reading of decision 0013) ---------


def _values(report: Report) -> dict[str, list[str]]:
    case = Case.objects.get(report=report)
    categories = sorted(case.categories.values_list("slug", flat=True)) or sorted(
        report.categories.values_list("slug", flat=True)
    )
    impacts = sorted(set(report.offline_impacts) - {"none"})
    if report.outcome_category:
        outcome = report.outcome_category
    else:
        outcome = "withdrawn" if report.status == ReportStatus.WITHDRAWN else "pending"
    decision = {"crime": "crime", "non_crime_incident": "non_crime"}
    return {
        "category": categories or [""],
        "platform": sorted(report.platforms.values_list("slug", flat=True)) or [""],
        "impact": impacts or ["none"],
        "recording_decision": [decision.get(case.recording_decision, "none")],
        "reporter_kind": [report.reporter.kind],
        "outcome": [outcome],
    }


def _month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def direct_dimension_counts() -> dict[tuple, tuple[int, int]]:
    found: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for report in Report.objects.exclude(submitted_at=None):
        key = (_month(report.submitted_at), report.force_id)
        values = _values(report)
        values["total"] = [""]
        for dimension, listed in values.items():
            for value in listed:
                cell = found[(*key, dimension, value)]
                cell[0] += 1
                cell[1] += record_key(report.pk)
    return {key: tuple(cell) for key, cell in found.items()}


def direct_demographic_counts() -> dict[tuple, tuple[int, int]]:
    found: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for report in Report.objects.exclude(submitted_at=None).select_related("reporter"):
        for field in DEMOGRAPHIC_FIELDS:
            cell = found[
                (
                    _month(report.submitted_at),
                    report.force_id,
                    field,
                    getattr(report.reporter, field),
                )
            ]
            cell[0] += 1
            cell[1] += record_key(report.pk)
    return {key: tuple(cell) for key, cell in found.items()}


def rolled(model) -> dict[tuple, tuple[int, int]]:
    return {
        (row.month, row.force_id, row.dimension, row.value): (row.reports, row.key_sum)
        for row in model.objects.all()
    }


@pytest.fixture
def handful():
    """Seven reports over two months and two forces, chosen to cover each rule."""
    with time_machine.travel(NOW, tick=False):
        many = submitted_report(
            submitted_at=at(2026, 3, 10),
            categories=("threats", "doxxing"),
            platforms=("x", "facebook"),
            offline_impacts=("home_visited", "approached"),
            age_band="35_to_44",
        )
        plain = submitted_report(submitted_at=at(2026, 3, 11), offline_impacts=("none",))
        bare = submitted_report(
            submitted_at=at(2026, 3, 12),
            categories=(),
            platforms=(),
            offline_impacts=(),
            kind=User.Kind.FAMILY,
        )
        # Triage changed the categories: the case's count, not the reporter's.
        recategorised = submitted_report(
            submitted_at=at(2026, 4, 2),
            categories=("abuse",),
            offline_impacts=("none", "approached"),
        )
        assess(recategorised, decision="crime", categories=("stalking", "threats"))
        answered = submitted_report(submitted_at=at(2026, 4, 3), force_slug=NYP)
        assess(answered, decision="non_crime_incident")
        give_outcome(answered, category="takedown")
        gone = submitted_report(submitted_at=at(2026, 4, 4), kind=User.Kind.STAFF)
        withdraw(gone)
        draft = submitted_report(submitted_at=at(2026, 4, 5))
        Report.objects.filter(pk=draft.pk).update(status=ReportStatus.DRAFT, submitted_at=None)
    return {"many": many, "plain": plain, "bare": bare, "recategorised": recategorised}


def test_the_dimension_rollup_equals_counts_made_directly_from_the_reports(handful):
    rollup_rebuild()

    assert rolled(DimensionRollup) == direct_dimension_counts()


def test_a_report_counts_once_in_each_value_it_carries_and_once_in_the_total(handful):
    rollup_rebuild()
    march = date(2026, 3, 1)

    def count(dimension, value):
        row = DimensionRollup.objects.get(
            month=march, force__slug=WYP, dimension=dimension, value=value
        )
        return row.reports

    assert count("total", "") == 3
    assert count("category", "doxxing") == 2
    assert count("category", "threats") == 1
    assert count("category", "") == 1
    assert count("platform", "x") == 2
    assert count("platform", "facebook") == 1
    assert count("impact", "home_visited") == 1
    assert count("impact", "none") == 2
    assert count("reporter_kind", "family") == 1
    # The main rollup's rows for one report: 2 categories x 2 platforms x 2 impacts.
    many = ReportRollup.objects.filter(month=march, key_sum=record_key(handful["many"].pk))
    assert many.count() == 8
    firsts = many.filter(first_category=True, first_platform=True, first_impact=True).get()
    assert (firsts.category, firsts.platform, firsts.impact) == (
        "doxxing",
        "facebook",
        "approached",
    )


def test_triages_categories_replace_the_reporters_and_withdrawn_reports_still_count(handful):
    rollup_rebuild()
    april = DimensionRollup.objects.filter(month=date(2026, 4, 1), force__slug=WYP)

    categories = dict(april.filter(dimension="category").values_list("value", "reports"))
    assert categories == {"stalking": 1, "threats": 1, "doxxing": 1}
    outcomes = dict(april.filter(dimension="outcome").values_list("value", "reports"))
    assert outcomes == {"pending": 1, "withdrawn": 1}
    # The draft (never sent) is not counted anywhere.
    assert april.get(dimension="total").reports == 2
    decisions = DimensionRollup.objects.filter(
        month=date(2026, 4, 1), force__slug=NYP, dimension="recording_decision"
    )
    assert list(decisions.values_list("value", "reports")) == [("non_crime", 1)]


def test_the_main_rollup_adds_up_to_the_dimension_rollup_for_every_dimension(handful):
    rollup_rebuild()
    flags = {"category", "platform", "impact"}
    for dimension in ("category", "platform", "impact", "recording_decision", "outcome"):
        keep = {f"first_{other}": True for other in flags - {dimension}}
        found = Counter()
        for row in ReportRollup.objects.filter(**keep):
            found[(row.month, row.force_id, getattr(row, dimension))] += row.reports
        expected = {
            (row.month, row.force_id, row.value): row.reports
            for row in DimensionRollup.objects.filter(dimension=dimension)
        }
        assert dict(found) == expected, dimension


def test_demographics_count_each_report_by_its_reporters_answers(handful):
    rollup_rebuild()

    assert rolled(DemographicRollup) == direct_demographic_counts()
    row = DemographicRollup.objects.get(
        month=date(2026, 3, 1), force__slug=WYP, dimension="age_band", value="35_to_44"
    )
    assert row.reports == 1


def test_a_report_sent_just_after_midnight_uk_time_counts_in_the_new_month():
    # 00:30 on 1 April in BST is 23:30 on 31 March in UTC.
    report = submitted_report(submitted_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    rollup_rebuild()

    row = DimensionRollup.objects.get(dimension="total")
    assert (row.month, row.key_sum) == (date(2026, 4, 1), record_key(report.pk))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL spelling (CI runs it)"
)
def test_milliseconds_between_round_half_away_from_zero_in_whole_microseconds_on_postgres():
    # PostgreSQL's spelling counts in integers: these spans are where rounding could slip
    # (half a millisecond either way, a microsecond either side, days and years long).
    micros = [0, 1, 499, 500, 501, 999, 1_500, 2_500, 3_600_000_500, 3_599_999_499]
    micros += [days * 86_400_000_000 + 500 for days in (27, 28, 365, 3_650)]
    micros += [-value for value in micros]
    earlier = datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=UTC)
    spans = [(earlier + timedelta(microseconds=value), earlier) for value in micros]
    expression = milliseconds_between_sql(connection.vendor, "t.later", "t.earlier")
    with connection.cursor() as cursor:
        found = []
        for later, first in spans:
            cursor.execute(
                f"SELECT {expression} FROM (SELECT %s::timestamptz AS later,"
                " %s::timestamptz AS earlier) t",
                [later, first],
            )
            found.append(cursor.fetchone()[0])
    half_away = [(v + 500) // 1000 if v >= 0 else -((-v + 500) // 1000) for v in micros]
    assert found == half_away


def test_performance_counts_responses_outcomes_histograms_and_referrals():
    sent = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # UTC: timedeltas are elapsed time
    with time_machine.travel(sent, tick=False):
        quick = submitted_report(submitted_at=sent)
        slow = submitted_report(submitted_at=sent)
        submitted_report(submitted_at=sent)  # never answered
    with time_machine.travel(sent + timedelta(hours=3, minutes=59), tick=False):
        respond(quick)  # within 24 hours (unassessed), 3 whole hours
        assess(quick, decision="crime")  # offers the support the reporter asked for
    with time_machine.travel(sent + timedelta(days=20, hours=1), tick=False):
        give_outcome(quick)
    with time_machine.travel(sent + timedelta(days=40), tick=False):
        respond(slow)  # 960 hours: late, in the last bucket
    with time_machine.travel(sent + timedelta(days=50), tick=False):
        assess(slow, decision="crime")
        give_outcome(slow)
    rollup_rebuild()

    march = PerformanceRollup.objects.get(month=date(2026, 3, 1))
    assert (march.received, march.responded, march.responded_in_target) == (3, 2, 1)
    assert (march.outcomes, march.outcomes_in_28_days) == (2, 1)
    assert len(march.response_hours) == 721
    assert (march.response_hours[3], march.response_hours[720], sum(march.response_hours)) == (
        1,
        1,
        2,
    )
    assert march.outcome_days[20] == 1
    assert march.outcome_days[50] == 1
    keys = sum(record_key(r.pk) for r in Report.objects.all())
    assert march.received_key_sum == keys
    # The offer was made on the day of the assessment, so it counts in March.
    referral = case_of(quick).report.reporter.wellbeing_referrals.get()
    assert (march.referrals_offered, march.referrals_accepted) == (1, 0)
    assert march.referrals_offered_key_sum == record_key(referral.pk)


def test_running_twice_changes_nothing(handful):
    first = rollup_rebuild()
    once = rollup_snapshot()
    rollup_rebuild()
    rollup_refresh()

    assert rollup_snapshot() == once
    assert first.full
    # The reports' months, and the month the handful's referral was made.
    assert first.months == (date(2026, 3, 1), date(2026, 4, 1), date(2026, 7, 1))


def test_a_refresh_leaves_untouched_months_alone_and_rebuilds_touched_ones(handful):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        rollup_rebuild()
    march = DimensionRollup.objects.filter(month=date(2026, 3, 1), dimension="total")
    march.update(reports=999)  # would be put right if March were recomputed
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assess(handful["recategorised"], decision="non_crime_incident")
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        result = rollup_refresh()

    assert result.months == (date(2026, 4, 1),)
    assert march.get().reports == 999
    april = DimensionRollup.objects.filter(month=date(2026, 4, 1), force__slug=WYP)
    assert april.get(dimension="recording_decision", value="non_crime").reports == 1


def test_an_erased_reports_month_is_rebuilt_from_its_changed_fingerprint(handful):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        rollup_rebuild()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        erase(handful["plain"])
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        result = rollup_refresh()

    assert result.months == (date(2026, 3, 1),)
    total = DimensionRollup.objects.get(month=date(2026, 3, 1), force__slug=WYP, dimension="total")
    assert total.reports == 2
    state = RollupState.objects.get(pk=1)
    assert state.fingerprints["2026-03-01"][0] == 2


def test_a_change_to_only_a_cases_categories_is_found_by_the_next_refresh(handful):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        rollup_rebuild()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        # Same risk and recording decision: only the categories change.
        assess(handful["recategorised"], decision="crime", categories=("hate",))
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        rollup_refresh()

    april = DimensionRollup.objects.filter(
        month=date(2026, 4, 1), force__slug=WYP, dimension="category"
    )
    assert dict(april.values_list("value", "reports")) == {"hate": 1, "doxxing": 1}


def test_data_as_at_is_when_the_run_began_and_a_full_rebuild_is_recorded(handful):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        rollup_rebuild()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        rollup_refresh()
    state = RollupState.objects.get(pk=1)

    assert state.completed_at == state.started_at == NOW + timedelta(hours=2)
    assert state.full_rebuilt_at == NOW + timedelta(hours=1)


def test_rebuilding_chosen_months_leaves_data_as_at_alone(handful):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        rollup_rebuild()
    DimensionRollup.objects.all().update(reports=999)
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        result = rollup_rebuild(months=[date(2026, 3, 20)])

    assert result.months == (date(2026, 3, 1),)
    assert not result.full
    assert not DimensionRollup.objects.filter(month=date(2026, 3, 1), reports=999).exists()
    assert DimensionRollup.objects.filter(month=date(2026, 4, 1), reports=999).exists()
    assert RollupState.objects.get(pk=1).completed_at == NOW + timedelta(hours=1)


def test_the_training_snapshot_counts_current_work_and_completions_by_audience():
    from tests.training.factories import AssignmentFactory, CompletionFactory, ModuleFactory
    from training.models import Audience

    module = ModuleFactory(audiences=[Audience.FRONTLINE])
    done = [AssignmentFactory(module=module) for _ in range(3)]
    for assignment in done[:2]:
        completion = CompletionFactory(person=assignment.person, module=module)
        assignment.completion = completion
        assignment.completed_at = completion.completed_at
        assignment.save()
    leader = AssignmentFactory(audience=Audience.LEADERSHIP)
    rollup_rebuild()

    rows = {row.audience: row for row in TrainingRollup.objects.filter(force__slug=WYP)}
    assert (rows["frontline"].assigned, rows["frontline"].completed) == (3, 2)
    assert rows["frontline"].assigned_key_sum == sum(record_key(a.pk) for a in done)
    assert rows["frontline"].completed_key_sum == sum(record_key(a.pk) for a in done[:2])
    assert (rows["leadership"].assigned, rows["leadership"].completed) == (1, 0)
    assert rows["leadership"].assigned_key_sum == record_key(leader.pk)


def test_the_tasks_refresh_and_rebuild(handful):
    summary = trends_rollup_task.delay().get()
    # The first run builds everything: the handful's two months of reports and the month
    # their referral was made.
    assert summary.startswith("Full rebuild: 3 month(s)")
    assert RollupState.objects.get(pk=1).completed_at is not None

    assert trends_full_rebuild_task.delay().get().startswith("Full rebuild")
    assert "Refresh" in trends_rollup_task.delay().get()


def test_the_command_rebuilds_everything_and_says_what_it_did(handful):
    out = StringIO()
    call_command("trends_rebuild", stdout=out)

    assert "Full rebuild: 3 month(s), 2026-03 to 2026-07" in out.getvalue()
    assert DimensionRollup.objects.filter(dimension="total").count() == 3


def test_beat_runs_a_refresh_every_15_minutes_and_a_full_rebuild_nightly():
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"] for entry in schedule.values()}
    assert "harmsportal.trends.tasks.trends_rollup_task" in tasks
    assert "harmsportal.trends.tasks.trends_full_rebuild_task" in tasks
    assert "harmsportal.trends.tasks.trends_full_rebuild_task" in celery_app.tasks


def test_withdrawn_has_words_in_the_outcome_labels():
    assert value_labels(OUTCOME)["withdrawn"] == "Withdrawn by the reporter"


def test_a_full_rebuild_keeps_the_same_fingerprints_as_reading_the_reports_gives(handful):
    """A full run reads its fingerprints from its own source table: they must be exactly what
    a refresh reads from the reports, or the next refresh would see every month changed."""
    from django.db import connection

    from harmsportal.trends.rollup.rebuild import _fingerprints

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        rollup_rebuild()
    with connection.cursor() as cursor:
        expected = _fingerprints(cursor, connection.vendor)

    assert expected  # the handful's months
    assert RollupState.objects.get(pk=1).fingerprints == expected
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert rollup_refresh().months == ()


def test_a_deleted_referral_is_found_by_the_next_refresh_through_its_months_fingerprint(
    handful,
):
    """A referral's month (when it was made) can differ from its report's, and deleting it
    leaves no timestamp: the refresh finds it by that month's fingerprint, as the nightly
    rebuild would."""
    from wellbeing.models import Referral

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        rollup_rebuild()
    referral_months = {
        row.month for row in PerformanceRollup.objects.filter(referrals_offered__gt=0)
    }
    assert referral_months  # the handful holds a referral
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        Referral.objects.all().delete()
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        result = rollup_refresh()

    assert referral_months <= set(result.months)
    assert not PerformanceRollup.objects.filter(referrals_offered__gt=0).exists()
