"""Page numbers from a request, bounded before anything is computed from them."""

from __future__ import annotations

from django.http import HttpRequest

# No list in the portal runs to this many pages (the triage queue at 100k open cases is 4,000).
# A larger number is served as the last page, as Django's Paginator.get_page does for any page
# past the end, instead of becoming a LIMIT or OFFSET no database accepts.
MAX_PAGE = 10_000


def requested_page(request: HttpRequest, name: str = "page") -> int:
    """The page asked for in `?page=`, from 1 to MAX_PAGE; 1 for anything that is not a number."""
    value = request.GET.get(name, "").strip()
    if not value.isdecimal():
        return 1
    digits = value.lstrip("0") or "0"
    if len(digits) > len(str(MAX_PAGE)):  # never parse a number of any length
        return MAX_PAGE
    return min(max(int(digits), 1), MAX_PAGE)
