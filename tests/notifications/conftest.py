from __future__ import annotations

import pytest

from tests.notifications.backends import CountingBackend


@pytest.fixture
def counting_mail(settings) -> type[CountingBackend]:
    """Route email through CountingBackend, which sees sends from every thread."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.CountingBackend"
    CountingBackend.reset()
    yield CountingBackend
    CountingBackend.reset()


@pytest.fixture
def failing_mail(settings) -> None:
    """The mail server is down."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
