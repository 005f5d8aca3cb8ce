"""Container health probe for `web`: exit 0 only when /healthz answers 200 with status ok.

The image has no curl. The probe sends a Host header Django will accept (the first entry of
DJANGO_ALLOWED_HOSTS), so it works whatever public name the deployment uses.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def probe_host(allowed_hosts: str) -> str:
    """A concrete host name that matches the first ALLOWED_HOSTS entry."""
    first = allowed_hosts.split(",")[0].strip()
    if not first or first == "*":
        return "localhost"
    if first.startswith("."):  # ".example.uk" allows any subdomain of example.uk
        return "health" + first
    return first


def main() -> int:
    url = os.environ.get("HEALTHCHECK_URL", DEFAULT_URL)
    host = probe_host(os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost"))
    request = urllib.request.Request(url, headers={"Host": host, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            body = json.load(response)
            status = response.status
    except (urllib.error.URLError, OSError, ValueError) as exc:
        sys.stderr.write(f"unhealthy: {exc}\n")
        return 1
    if status != 200 or body.get("status") != "ok":
        sys.stderr.write(f"unhealthy: {status} {body}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
