"""The Celery application. Reliability settings live in settings.py (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harmsportal.settings")

app = Celery("harmsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender=None, **kwargs) -> None:
    """Before and after every task in a worker, treat database connections as Django does
    before and after a request: close one that is older than CONN_MAX_AGE, that had an
    error and no longer answers, or that a task left inside a transaction, and otherwise
    keep it, checked again on its first use (CONN_HEALTH_CHECKS).

    Celery's Django fixup would instead close every connection around every task, so each
    task paid a new Postgres connection (about 4 ms, more than a delivery's own work) even
    with DATABASE_CONN_MAX_AGE set; CELERY_DB_REUSE_MAX (settings.py) turns that down to
    once every few hundred tasks. An eager task runs inside its caller's request or
    transaction, whose connection is not ours to close.
    """
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
