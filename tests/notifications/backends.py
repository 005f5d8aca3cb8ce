"""Email backends for delivery tests: one that counts across threads, one that always fails."""

from __future__ import annotations

import smtplib
import threading
import time

from django.core.mail.backends.base import BaseEmailBackend


class CountingBackend(BaseEmailBackend):
    """Records every message from any thread. `delay` holds each send open for a moment so
    that concurrent deliverers really do overlap between their claim and their mark."""

    lock = threading.Lock()
    sent: list = []
    delay = 0.0

    def send_messages(self, email_messages) -> int:
        time.sleep(self.delay)
        with self.lock:
            self.sent.extend(email_messages)
        return len(email_messages)

    @classmethod
    def reset(cls, delay: float = 0.0) -> None:
        with cls.lock:
            cls.sent.clear()
        cls.delay = delay


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages) -> int:
        raise smtplib.SMTPServerDisconnected("mail server unavailable")
