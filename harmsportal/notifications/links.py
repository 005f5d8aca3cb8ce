"""Where a notification may send someone: only a path on this site."""

from __future__ import annotations

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
