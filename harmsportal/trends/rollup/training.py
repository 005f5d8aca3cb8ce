"""The training snapshot: each force's current training work by audience, as at the run.

Completion is a state, not an event, so this is not a monthly series: every run replaces the
whole table. Who counts and what "completed" means are training's own rules
(`training.compliance.current_work` and the `completed` rule of `_rules`), read here, never
written again. One aggregate query, grouped by force and audience, with the key sums of the
assignments counted (`harmsportal.disclosure.record_key_sql`).
"""

from __future__ import annotations

from datetime import date

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from harmsportal.disclosure import record_key_sql
from harmsportal.trends.models import TrainingRollup
from training.compliance import _rules, current_work
from training.models import Assignment


def _key() -> RawSQL:
    column = f'"{Assignment._meta.db_table}"."id"'
    # The ORM runs this with parameters, so the modulo sign is escaped for the driver.
    return RawSQL(record_key_sql(column).replace("%", "%%"), (), output_field=IntegerField())


def _sum(condition: Q | None = None):
    return Coalesce(Sum(_key(), filter=condition), Value(0))


def training_snapshot(*, today: date) -> int:
    """Replace TrainingRollup with the counts as at `today`; return the rows written."""
    completed = _rules(today).completed
    found = (
        current_work()
        .values("force_id", "audience")
        .annotate(
            assigned=Count("pk"),
            assigned_key_sum=_sum(),
            completed=Count("pk", filter=completed),
            completed_key_sum=_sum(completed),
        )
        .order_by()
    )
    rows = [TrainingRollup(**row) for row in found.using(DEFAULT_DB_ALIAS)]
    TrainingRollup.objects.using(DEFAULT_DB_ALIAS).all().delete()
    TrainingRollup.objects.using(DEFAULT_DB_ALIAS).bulk_create(rows)
    return len(rows)
