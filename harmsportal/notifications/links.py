"""Where a notification may send someone: only a path on this site, at the site's address."""

from __future__ import annotations

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def local_path_or_none(path: str) -> str | None:
    """Return `path` if it is a path on this site ("/reports/…"), otherwise None.

    No host is allowed, so "https://elsewhere", "//elsewhere" and "/\\elsewhere" are all
    refused: a notification can never become an open redirect or a link off the portal.
    """
    if not path.startswith("/"):
        return None
    if not url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return None
    return path


def absolute_url(path: str) -> str:
    """The full address of a path on this site, for an email: SITE_URL joined to the path.

    Emails are sent by tasks, with no request to read a host from, so the address is the
    setting's: the public address in production, and the host and port `make run` serves.
    """
    return settings.SITE_URL.rstrip("/") + path
