"""Hang points for the resilience tests' subprocesses (worker_app.py describes them)."""

from __future__ import annotations

import json
import os
import time


def hang_here(point: str, key: str) -> None:
    """Stop forever if the test asked for a hang at `point` for `key` and none happened yet."""
    wanted = json.loads(os.environ.get("RESILIENCE_HANG") or "{}")
    if key not in wanted.get(point, []):
        return
    marker = os.path.join(os.environ["RESILIENCE_HANG_FOLDER"], f"{point}-{key}")
    try:
        descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # hung here once already: this is the retry, let it through
    os.write(descriptor, str(os.getpid()).encode())
    os.close(descriptor)
    while True:  # until the test kills this process
        time.sleep(60)
