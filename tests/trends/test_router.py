"""Acceptance 7: trends reads go to the read replica, every write to the default.

The replica is a second alias, "replica", pointed at the same database as the default (in
production `DATABASE_REPLICA_URL`; here the test database itself, as settings' `TEST: MIRROR`
does). Each test watches both connections (`CaptureQueriesContext`) and says which one every
statement went to. The tests are transactional: inside a test wrapped in a transaction every
read would stay on the default, which is the rule for a transaction (see router.py).
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from harmsportal.people.models import Force, Role
from harmsportal.trends.models import (
    ApiToken,
    DemographicRollup,
    DimensionRollup,
    PeerForce,
    PerformanceRollup,
    PublishedMonthFigure,
    ReportRollup,
    RollupState,
    TrainingRollup,
)
from harmsportal.trends.router import REPLICA
from harmsportal.trends.tokens import api_token_create
from reports.models import Report
from tests.factories import make_person

ROOT = Path(__file__).resolve().parents[2]
ROLLUP_TABLES = (
    "trends_reportrollup",
    "trends_dimensionrollup",
    "trends_demographicrollup",
    "trends_performancerollup",
    "trends_trainingrollup",
    "trends_publishedmonthfigure",
    "trends_rollupstate",
    "trends_peerforce",
)
READ_ON_REPLICA = (
    ReportRollup,
    DimensionRollup,
    DemographicRollup,
    PerformanceRollup,
    TrainingRollup,
    PublishedMonthFigure,
    RollupState,
    PeerForce,
)
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|TRUNCATE)\b", re.I)


# serialized_rollback: the flush after each test must not re-run post_migrate (as in
# tests/wellbeing/test_reminders.py), or later serialized tests meet content types made again
# under new ids.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def replica(transactional_db, monkeypatch):
    """A "replica" alias on the default's database, configured for this test only.

    The router reads `settings.DATABASES`; the connection is added to `connections` as one made
    at run time (Django's test case refuses connections to configured aliases a test did not
    ask for, and this one did not exist when the test case was set up).
    """
    config = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    config["TEST"] = {**config.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    monkeypatch.setattr(settings, "DATABASES", {**settings.DATABASES, REPLICA: config})
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, REPLICA)
    connections[REPLICA] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[REPLICA]
        # Content types read through the replica are cached under its alias, and the cache
        # outlives the test's flush: a later test would recreate types the cache says exist.
        ContentType.objects.clear_cache()


class Watched:
    """The statements sent to each alias while the block ran."""

    def __init__(self) -> None:
        self.default = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])
        self.replica = CaptureQueriesContext(connections[REPLICA])

    def __enter__(self) -> Watched:
        self.default.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.replica.__exit__(*exc)
        self.default.__exit__(*exc)

    @staticmethod
    def _sql(context: CaptureQueriesContext) -> list[str]:
        return [query["sql"] for query in context.captured_queries]

    @property
    def on_default(self) -> list[str]:
        return self._sql(self.default)

    @property
    def on_replica(self) -> list[str]:
        return self._sql(self.replica)


def _touching(statements: list[str], tables=ROLLUP_TABLES) -> list[str]:
    return [sql for sql in statements if any(table in sql for table in tables)]


def _writes(statements: list[str]) -> list[str]:
    return [sql for sql in statements if WRITES.match(sql)]


def _a_month_of_west_yorkshire() -> Force:
    west = Force.objects.get(slug="west-yorkshire")
    month = timezone.localdate().replace(day=1)
    DimensionRollup.objects.create(
        month=month, force=west, dimension="total", value="", reports=12, key_sum=1500
    )
    DimensionRollup.objects.create(
        month=month, force=west, dimension="category", value="doxxing", reports=12, key_sum=1500
    )
    _report_row(west, month).save()
    PublishedMonthFigure.objects.create(
        month=month, force=west, dimension="total", value="", figure=10, withheld="", k=5
    )
    RollupState.objects.update_or_create(
        pk=1, defaults={"completed_at": timezone.now(), "full_rebuilt_at": timezone.now()}
    )
    return west


# --- the rule, model by model -----------------------------------------------------------------
def test_without_a_replica_every_trends_read_goes_to_the_default():
    assert REPLICA not in settings.DATABASES
    for model in READ_ON_REPLICA:
        assert router.db_for_read(model) == DEFAULT_DB_ALIAS, model.__name__


def test_with_a_replica_the_rollup_tables_are_read_from_it_and_written_to_the_default(replica):
    for model in READ_ON_REPLICA:
        assert router.db_for_read(model) == REPLICA, model.__name__
        assert router.db_for_write(model) == DEFAULT_DB_ALIAS, model.__name__


def test_api_keys_and_every_other_apps_tables_are_read_from_the_default(replica):
    # A key is checked where it was made or revoked: a revoked key stops working at once.
    for model in (ApiToken, Report, Force):
        assert router.db_for_read(model) == DEFAULT_DB_ALIAS, model.__name__


def test_inside_a_transaction_on_the_default_trends_reads_stay_on_the_default(replica):
    # The rebuild reads and writes the rollup in one transaction: it must read its own writes.
    with transaction.atomic():
        assert router.db_for_read(DimensionRollup) == DEFAULT_DB_ALIAS
    assert router.db_for_read(DimensionRollup) == REPLICA


def test_the_replica_is_never_migrated(replica):
    assert router.allow_migrate(REPLICA, "trends") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "trends") is True


# --- the statements themselves -----------------------------------------------------------------
def test_rollup_writes_go_to_the_default_and_nothing_to_the_replica(replica):
    west = Force.objects.get(slug="west-yorkshire")
    month = timezone.localdate().replace(day=1)
    with Watched() as watched:
        DimensionRollup.objects.create(
            month=month, force=west, dimension="total", value="", reports=7, key_sum=300
        )
        ReportRollup.objects.bulk_create([_report_row(west, month)])
        PerformanceRollup.objects.update_or_create(
            month=month, force=west, defaults={"received": 7, "received_key_sum": 300}
        )
        DimensionRollup.objects.filter(force=west).update(reports=8)
        ReportRollup.objects.filter(force=west).delete()

    assert watched.on_replica == []
    writes = [sql.lstrip().split()[0].upper() for sql in _writes(_touching(watched.on_default))]
    assert {"INSERT", "UPDATE", "DELETE"} <= set(writes), writes
    assert DimensionRollup.objects.using(DEFAULT_DB_ALIAS).get().reports == 8


def test_rollup_reads_outside_a_transaction_run_on_the_replica_only(replica):
    west = _a_month_of_west_yorkshire()
    with Watched() as watched:
        read = list(DimensionRollup.objects.filter(force=west).values_list("reports", flat=True))
        as_at = RollupState.objects.get(pk=1).completed_at
        peers = PeerForce.objects.filter(force=west).count()

    assert read == [12, 12]
    assert as_at is not None
    assert peers == 0
    assert len(_touching(watched.on_replica)) == 3
    assert _writes(watched.on_replica) == []
    assert _touching(watched.on_default) == []


def _report_row(force: Force, month: date) -> ReportRollup:
    return ReportRollup(
        month=month,
        force=force,
        category="doxxing",
        recording_decision="crime",
        reporter_kind="officer",
        platform="x",
        impact="none",
        outcome="pending",
        first_category=True,
        first_platform=True,
        first_impact=True,
        reports=7,
        key_sum=300,
    )


def test_a_read_inside_a_transaction_sees_the_transactions_own_writes(replica):
    west = Force.objects.get(slug="west-yorkshire")
    with Watched() as watched, transaction.atomic():
        DimensionRollup.objects.create(
            month=timezone.localdate().replace(day=1),
            force=west,
            dimension="total",
            value="",
            reports=3,
            key_sum=9,
        )
        seen = DimensionRollup.objects.filter(force=west).count()

    assert seen == 1
    assert _touching(watched.on_replica) == []


def test_a_related_force_is_read_from_the_default_after_a_rollup_row_from_the_replica(replica):
    west = _a_month_of_west_yorkshire()
    with Watched() as watched:
        row = DimensionRollup.objects.filter(dimension="total").get()
        name = row.force.name

    assert name == west.name
    assert len(_touching(watched.on_replica)) == 1
    assert any("people_force" in sql for sql in watched.on_default)
    assert not any("people_force" in sql for sql in watched.on_replica)


# --- through the pages -------------------------------------------------------------------------
def _lead_client(client):
    lead = make_person(Role.FORCE_LEAD)
    client.force_login(lead)
    return lead


def test_a_force_dashboard_reads_its_rollup_from_the_replica(replica, client):
    west = _a_month_of_west_yorkshire()
    _lead_client(client)

    with Watched() as watched:
        response = client.get(reverse("trends:force", args=[west.slug]))

    assert response.status_code == 200
    on_replica = _touching(watched.on_replica)
    assert any("trends_dimensionrollup" in sql for sql in on_replica), watched.on_replica
    assert any("trends_rollupstate" in sql for sql in on_replica), watched.on_replica
    # Nothing of the rollup was read from the default, and nothing was written anywhere but
    # the default (the session, the audit log).
    assert _touching(watched.on_default) == []
    assert _writes(watched.on_replica) == []


def test_making_an_api_key_writes_it_to_the_default_and_nothing_to_the_replica(replica, client):
    lead = _lead_client(client)

    with Watched() as watched:
        response = client.post(
            reverse("trends:api_tokens"), {"name": "Force BI dashboard", "days": "90"}
        )

    assert response.status_code in {200, 302}
    assert ApiToken.objects.filter(user=lead, name="Force BI dashboard").count() == 1
    inserts = [sql for sql in _writes(watched.on_default) if "trends_apitoken" in sql]
    assert inserts, watched.on_default
    assert _writes(watched.on_replica) == []
    assert not any("trends_apitoken" in sql for sql in watched.on_replica)


def test_revoking_an_api_key_takes_effect_on_the_default_at_once(replica, client):
    lead = _lead_client(client)
    token = ApiToken.objects.create(
        user=lead,
        name="Old key",
        prefix="hp_abc",
        key_hash="0" * 64,
        expires_at=timezone.now() + timedelta(days=30),
    )

    with Watched() as watched:
        response = client.post(reverse("trends:api_token_revoke", args=[token.public_id]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert [sql for sql in _writes(watched.on_default) if "trends_apitoken" in sql]
    assert watched.on_replica == []


def test_an_api_call_with_a_key_checks_the_key_on_the_default_and_reads_figures_on_the_replica(
    replica, client
):
    _a_month_of_west_yorkshire()
    lead = make_person(Role.FORCE_LEAD)
    _token, key = api_token_create(actor=lead, name="Power BI", days=90)

    with Watched() as watched:
        response = client.get(
            reverse("trends:trends_api:figures"), HTTP_AUTHORIZATION=f"Bearer {key}"
        )

    assert response.status_code == 200, response.content
    # The key is read where it is revoked (the default), and its use is written there.
    assert any("trends_apitoken" in sql for sql in watched.on_default)
    assert not any("trends_apitoken" in sql for sql in watched.on_replica)
    assert any("trends_dimensionrollup" in sql for sql in _touching(watched.on_replica))
    assert _touching(watched.on_default) == []
    assert _writes(watched.on_replica) == []


def _copies_by_alias(monkeypatch) -> list[str]:
    """On PostgreSQL the CSV export streams through COPY on psycopg's own cursor, which
    Django's query log never sees: record which alias's connection each COPY ran on."""
    import psycopg

    ran: list[str] = []
    copy = psycopg.Cursor.copy

    def watched_copy(cursor, statement, *args, **kwargs):
        ran.extend(
            alias
            for alias in (DEFAULT_DB_ALIAS, REPLICA)
            if connections[alias].connection is cursor.connection
        )
        return copy(cursor, statement, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "copy", watched_copy)
    return ran


def test_an_export_is_recorded_on_the_default_and_streamed_from_the_replica(
    replica, client, monkeypatch
):
    _a_month_of_west_yorkshire()
    _lead_client(client)
    copies = _copies_by_alias(monkeypatch) if replica.vendor == "postgresql" else None

    with Watched() as watched:
        response = client.get(reverse("trends:export_csv"))
        body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert body.count(b"\n") > 1
    if copies is None:
        assert any("trends_publishedmonthfigure" in sql for sql in watched.on_replica)
    else:
        assert copies == [REPLICA]
    assert _touching(watched.on_default) == []
    assert [sql for sql in _writes(watched.on_default) if "audit_accesslog" in sql]
    assert _writes(watched.on_replica) == []


# --- the settings that make the alias ----------------------------------------------------------
def test_database_replica_url_adds_a_replica_alias_mirrored_in_tests():
    """`DATABASE_REPLICA_URL` set: settings name the alias, mirrored onto the default in tests."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'aliases': sorted(s.DATABASES), "
        "'test': s.DATABASES['replica'].get('TEST'), 'routers': s.DATABASE_ROUTERS}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "harmsportal.settings",
        "DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/harmsportal",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert found["test"]["MIRROR"] == "default"
    assert found == {
        "aliases": ["default", "replica"],
        "test": found["test"],
        "routers": ["harmsportal.trends.router.ReplicaRouter"],
    }
