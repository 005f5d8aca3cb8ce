"""An email backend that appends each message's recipients to a file, one line per message.

Every worker process appends to the same file with one O_APPEND write per message, so a
bench can count across processes what was sent and what was sent twice. The message is
still rendered to bytes, as an SMTP backend would, so the cost of building it is measured.
"""

from __future__ import annotations

import os

from django.core.mail.backends.base import BaseEmailBackend


class RecordingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        path = os.environ["BENCH_MAIL_LOG"]
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            for message in email_messages:
                message.message().as_bytes()
                os.write(fd, (",".join(message.recipients()) + "\n").encode())
        finally:
            os.close(fd)
        return len(email_messages)
