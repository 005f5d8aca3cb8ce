"""Send trends' reads to a read replica when one is configured (`DATABASE_REPLICA_URL`).

Only the trends tables are read there, and only outside a transaction on the default: the
rebuild reads and writes inside one transaction on the default, and a page that has just
written (an API key) reads its own write. Every write goes to the default.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# The trends tables a dashboard reads; API keys are read where they are written.
_READ_FROM_REPLICA = frozenset(
    {
        "reportrollup",
        "dimensionrollup",
        "demographicrollup",
        "performancerollup",
        "trainingrollup",
        "publishedmonthfigure",
        "rollupstate",
        "peerforce",
    }
)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            REPLICA in settings.DATABASES
            and model._meta.app_label == "trends"
            and model._meta.model_name in _READ_FROM_REPLICA
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
