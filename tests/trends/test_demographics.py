"""The demographics on the dashboards: figures describe people, so one person's many reports
never pass for a group, and no answer can be pinned from the same question by force."""

from __future__ import annotations

import datetime

import pytest

from harmsportal.disclosure import (
    Withheld,
    WithheldTotal,
    publish_count,
    record_key,
    system_pins,
)
from harmsportal.people.models import Force
from harmsportal.trends.demographics import demographic_figures
from harmsportal.trends.figures import Scope
from harmsportal.trends.models import DemographicRollup
from harmsportal.trends.periods import month_period
from harmsportal.trends.rollup import rollup_rebuild
from tests.factories import make_person
from tests.trends.conftest import at, submitted_report

pytestmark = pytest.mark.django_db

APRIL_2025 = datetime.date(2025, 4, 1)


def figures_of(scope: Scope, dimension: str) -> dict[str, object]:
    total = next(b for b in demographic_figures(scope, total=0) if b.dimension == dimension)
    return {row.value: row.figure for row in total.rows}


def test_the_rollup_counts_the_different_people_behind_each_answer():
    city = "city-of-london"
    often = make_person(force_slug=city, religion="none")
    once = make_person(force_slug=city, religion="none")
    other = make_person(force_slug=city, religion="buddhist")
    for day in range(1, 4):
        submitted_report(submitted_at=at(2026, 4, day), reporter=often)
    submitted_report(submitted_at=at(2026, 5, 2), reporter=often)
    submitted_report(submitted_at=at(2026, 4, 5), reporter=once)
    submitted_report(submitted_at=at(2026, 4, 6), reporter=other)
    rollup_rebuild()

    rows = DemographicRollup.objects.filter(force__slug=city, dimension="religion")
    found = {(row.month, row.value): (row.reports, row.reporters) for row in rows}
    assert found == {
        (datetime.date(2026, 4, 1), "none"): (4, 2),
        (datetime.date(2026, 4, 1), "buddhist"): (1, 1),
        (datetime.date(2026, 5, 1), "none"): (1, 1),
    }


def test_one_person_with_six_reports_is_not_shown_as_a_group():
    city = "city-of-london"
    person = make_person(force_slug=city, religion="none")
    reports = [
        submitted_report(submitted_at=at(2026, 4, day), reporter=person) for day in range(1, 7)
    ]
    rollup_rebuild()
    force = Force.objects.get(slug=city)
    scope = Scope(forces=(force.pk,), period=month_period(datetime.date(2026, 4, 1)))
    total = publish_count(6, sum(record_key(r.pk) for r in reports))

    figures = {
        row.value: row.figure
        for b in demographic_figures(scope, total=total)
        if b.dimension == "religion"
        for row in b.rows
    }

    assert isinstance(figures["none"], WithheldTotal)  # "not shown", never 5 or 10
    assert str(figures["none"]) == "not shown"
    # Nor do the other answers' zeros say what the one person answered.
    assert all(isinstance(figure, WithheldTotal) for figure in figures.values())


def _put(force: Force, value: str, reports: int, reporters: int, first_pk: int) -> int:
    key_sum = sum(record_key(pk) for pk in range(first_pk, first_pk + reports))
    DemographicRollup.objects.create(
        month=APRIL_2025,
        force=force,
        dimension="sexual_orientation",
        value=value,
        reports=reports,
        key_sum=key_sum,
        reporters=reporters,
    )
    return key_sum


def test_national_figures_beside_each_forces_figures_pin_no_answer():
    # April 2025: one gay or lesbian reporter in each of four forces. "<5" nationally beside
    # "<5" in each force would say each is exactly 1.
    forces = list(Force.objects.order_by("pk")[:4])
    pk, key_sum, count = 1, 0, 0
    for force in forces:
        key_sum += _put(force, "straight", 40, 40, pk)
        key_sum += _put(force, "gay_lesbian", 1, 1, pk + 40)
        pk, count = pk + 41, count + 41
    period = month_period(APRIL_2025)
    national = demographic_figures(
        Scope(forces=None, period=period), total=publish_count(count, key_sum)
    )
    national_gay = next(
        row.figure
        for b in national
        if b.dimension == "sexual_orientation"
        for row in b.rows
        if row.value == "gay_lesbian"
    )
    per_force = [
        figures_of(Scope(forces=(force.pk,), period=period), "sexual_orientation")["gay_lesbian"]
        for force in forces
    ]
    assert all(isinstance(figure, Withheld) for figure in per_force)

    # What an analyst sees: the national figure is the sum of the forces' figures.
    pinned = system_pins([national_gay, *per_force], [(0, [1, 2, 3, 4], True)])

    assert pinned == set()
    assert isinstance(national_gay, WithheldTotal)
