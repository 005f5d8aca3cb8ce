"""An email backend that records every message to a file, so that sends from any process
(each pool child of each worker, before and after a SIGKILL) can be counted afterwards.

A message counts as accepted by the "mail server" once its line is written: one `write` on a
file opened for appending, so a line is either whole or (cut by a SIGKILL) skipped when read.
The "send" hang point (worker_app.py) stops before that write, which is outside decision
0003's window: the mail server has not accepted anything yet.
"""

from __future__ import annotations

import json
import os

from django.core.mail.backends.base import BaseEmailBackend

from tests.resilience.hang import hang_here


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        path = os.environ["RESILIENCE_MAILBOX"]
        for message in email_messages:
            for address in message.to:
                hang_here("send", address)
            line = json.dumps({"to": message.to, "subject": message.subject, "pid": os.getpid()})
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, (line + "\n").encode())
            finally:
                os.close(descriptor)
        return len(email_messages)
