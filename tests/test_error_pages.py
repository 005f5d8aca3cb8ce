"""The portal's own error pages show even with DEBUG on, as under `make run`.

Django's technical pages list every URL pattern (404) or show code and settings (500);
harmsportal.errorpages puts the portal's pages in their place unless a developer asks for them
with HARMSPORTAL_TECHNICAL_ERRORS. `make run` itself is tested in tests/test_make_run.py.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.test import Client
from django.urls import path

from harmsportal.urls import urlpatterns as portal_urlpatterns


def _crash(request):
    raise RuntimeError("a bug in a view")


def _missing(request):
    raise Http404("No such report")


def _suspicious(request):
    raise SuspiciousOperation("tampered")


urlpatterns = [
    path("test-crash/", _crash),
    path("test-missing/", _missing),
    path("test-suspicious/", _suspicious),
    *portal_urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_error_pages")]


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    settings.HARMSPORTAL_TECHNICAL_ERRORS = False
    return settings


def _get(url: str):
    return Client(raise_request_exception=False).get(url)


def test_a_missing_page_under_debug_is_the_portals_404_without_url_patterns(debug):
    response = _get("/no-such-page/")

    text = response.content.decode()
    assert response.status_code == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in text
    assert "URLconf" not in text
    assert "test-crash" not in text
    assert "admin/" not in text


def test_a_view_raising_404_under_debug_is_the_portals_404(debug):
    response = _get("/test-missing/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "No such report" not in response.content.decode()


def test_a_crash_under_debug_is_the_portals_500_and_still_logged(debug, caplog):
    response = _get("/test-crash/")

    text = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in text
    assert "Traceback" not in text
    assert "a bug in a view" not in text
    # The developer still sees what went wrong, in the console.
    assert any(
        record.exc_info and "a bug in a view" in str(record.exc_info[1])
        for record in caplog.records
    )


def test_a_bad_request_under_debug_is_the_portals_400(debug):
    response = _get("/test-suspicious/")

    assert response.status_code == 400
    assert "tampered" not in response.content.decode()


def test_a_missing_url_still_gets_its_slash_added(debug):
    response = _get("/privacy")

    assert response.status_code == 301
    assert response["Location"] == "/privacy/"


def test_technical_pages_come_back_when_a_developer_asks_for_them(debug):
    debug.HARMSPORTAL_TECHNICAL_ERRORS = True

    response = _get("/no-such-page/")

    assert response.status_code == 404
    assert "URLconf" in response.content.decode()


def test_pages_that_work_are_left_alone(debug):
    response = _get("/privacy/")

    assert response.status_code == 200
    assert "Privacy notice" in response.content.decode()
