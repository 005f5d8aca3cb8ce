"""outbox_write: what writing a notification through the outbox costs over a bare INSERT.

Services call `notification_send` inside their own transaction, so it is measured there: on
top of the row it adds a savepoint (its own @transaction.atomic) and an on_commit hook that
asks a worker to deliver. The baseline is `Notification.objects.create` of the same row in the
same kind of transaction. Each round's transaction is rolled back, which captures and discards
the on_commit hooks: no broker, no worker, no email, only the write path (and the table stays
the same size from round to round). Eager Celery is off, so nothing could run in-process.
"""

from __future__ import annotations

import os

from bench import BenchResult, median, per_call_seconds

NAME = "outbox_write"
TARGET = 3.0
ITERATIONS = int(os.environ.get("BENCH_OUTBOX_ITERATIONS", "2000"))
ROUNDS = int(os.environ.get("BENCH_OUTBOX_ROUNDS", "5"))


def run() -> BenchResult:
    from django.db import connection, transaction

    from harmsportal import celery_app
    from harmsportal.notifications.models import Notification
    from harmsportal.notifications.services import notification_send

    celery_app.conf.task_always_eager = False
    row = {
        "to_email": "officer@example.police.uk",
        "kind": Notification.Kind.UPDATE,
        "title": "There is an update on your report",
        "link_path": "/reports/",
    }

    def raw() -> None:
        Notification.objects.create(**row, email_status=Notification.EmailStatus.PENDING)

    def outbox() -> None:
        notification_send(**row)

    def round_of(fn, iterations: int) -> tuple[float, int]:
        with transaction.atomic():
            seconds = per_call_seconds(fn, iterations)
            hooks = len(connection.run_on_commit)
            transaction.set_rollback(True)
        return seconds, hooks

    round_of(raw, ITERATIONS // 10)  # warm caches, the connection and the query compiler
    round_of(outbox, ITERATIONS // 10)
    ratios, raw_times, outbox_times, hooks = [], [], [], 0
    for index in range(ROUNDS):
        # Alternate which goes first, so drift during a round does not favour either side.
        if index % 2:
            outbox_s, hooks = round_of(outbox, ITERATIONS)
            raw_s, _ = round_of(raw, ITERATIONS)
        else:
            raw_s, _ = round_of(raw, ITERATIONS)
            outbox_s, hooks = round_of(outbox, ITERATIONS)
        raw_times.append(raw_s)
        outbox_times.append(outbox_s)
        ratios.append(outbox_s / raw_s)

    details = (
        f"notification_send {median(outbox_times) * 1e6:.0f}us vs create "
        f"{median(raw_times) * 1e6:.0f}us per row, median of {ROUNDS}x{ITERATIONS} on "
        f"{connection.vendor}; {hooks} on_commit hooks captured, none run"
    )
    return BenchResult(NAME, median(ratios), "<=", TARGET, details)
