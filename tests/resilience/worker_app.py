"""The portal's Celery app as the resilience tests run it (`celery -A tests.resilience.worker_app`).

Production settings, with three test-only additions:

- a short broker visibility timeout (RESILIENCE_VISIBILITY_SECONDS) checked every second, so
  Redis hands back an unacknowledged task within seconds of its worker dying rather than an
  hour (production keeps 3600 s; the outbox lease, not the broker, recovers a crashed send);
- hang points: a pool child reaching one of them for a listed notification writes its pid to
  a marker file and waits there to be killed. "task_start" is before the claim, "send" is
  while holding the claim but before the mail server accepted anything (mailbox.py), and
  "after_mark" is after the row was marked sent but before the task is acknowledged. All
  three are outside decision 0003's window. Each hangs once: after a restart or redelivery
  the marker exists and the task goes on;
- a task log: every start and finish of a notification task, with its result, as JSON lines.
"""

from __future__ import annotations

import json
import os
import time

from celery.signals import task_postrun, task_prerun

from harmsportal.celery import app
from tests.resilience.hang import hang_here

DELIVER = "harmsportal.notifications.tasks.notification_deliver_task"

if os.environ.get("RESILIENCE_VISIBILITY_SECONDS"):
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": float(os.environ["RESILIENCE_VISIBILITY_SECONDS"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


# Test-only: settings a test changes to show what breaks without them (a mutation check).
app.conf.update(json.loads(os.environ.get("RESILIENCE_CELERY_CONF") or "{}"))


def _log(event: str, task, args, **fields) -> None:
    path = os.environ.get("RESILIENCE_TASK_LOG")
    if not path:
        return
    line = json.dumps({"event": event, "task": task.name, "args": list(args or []), **fields})
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode())
    finally:
        os.close(descriptor)


@task_prerun.connect
def _before(task_id=None, task=None, args=None, **kwargs) -> None:
    _log("start", task, args, pid=os.getpid(), at=time.time())
    if task.name == DELIVER and args:
        hang_here("task_start", str(args[0]))


@task_postrun.connect
def _after(task_id=None, task=None, args=None, retval=None, state=None, **kwargs) -> None:
    _log("finish", task, args, pid=os.getpid(), at=time.time(), retval=repr(retval), state=state)
    if task.name == DELIVER and args:
        hang_here("after_mark", str(args[0]))
