"""The access log records reads and can never be rewritten."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from harmsportal.audit.models import AccessLog
from harmsportal.audit.selectors import accesses_of
from harmsportal.audit.services import access_record
from harmsportal.people.models import Force

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on Postgres only; CI runs this on Postgres",
)


def test_a_recorded_read_appears_with_who_role_force_and_reason(triager):
    force = Force.objects.get(slug="west-yorkshire")
    access_record(
        actor=triager, action="read", obj=force, force=force, role="triage", reason="assessing"
    )

    row = accesses_of(force).get()
    assert row.actor == triager
    assert (row.actor_role, row.force_slug, row.action) == ("triage", "west-yorkshire", "read")
    assert (row.object_type, row.object_id) == ("people.force", str(force.pk))
    assert row.reason == "assessing"


def test_accesses_can_leave_out_the_owners_own_reads(officer, triager):
    force = Force.objects.get(slug="west-yorkshire")
    access_record(actor=officer, action="read", obj=force, role="reporter")
    access_record(actor=triager, action="read", obj=force, role="triage")
    assert [r.actor_role for r in accesses_of(force, exclude_actor_id=officer.pk)] == ["triage"]


def test_access_record_needs_an_object():
    with pytest.raises(ValueError, match="obj or object_type"):
        access_record(actor=None, action="read")


@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_update_of_an_audit_row(triager):
    row = access_record(actor=triager, action="read", object_type="reports.report", object_id=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(reason="tampered")
    row.refresh_from_db()
    assert row.reason == ""


@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_delete_of_an_audit_row(triager):
    row = access_record(actor=triager, action="read", object_type="reports.report", object_id=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    assert AccessLog.objects.filter(pk=row.pk).exists()


@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_raw_sql_update(triager):
    access_record(actor=triager, action="read", object_type="reports.report", object_id=1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_accesslog SET actor_role = 'someone else'")
