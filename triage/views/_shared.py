"""What every triage page shares: redirects and pagination (refusals: harmsportal.refusals)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property

from harmsportal.pagination import requested_page
from triage.models import Case


def to_case(case: Case) -> HttpResponse:
    return redirect("triage:case", pk=case.public_id)


def paginate(request: HttpRequest, items, size: int) -> dict:
    page = Paginator(items, size).get_page(request.GET.get("page"))
    return {
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=1),
    }


class CappedCountPaginator(Paginator):
    """A paginator that counts matching rows only up to `limit`, then stops.

    An exact COUNT(*) reads every matching row: on a queue of 100k open cases that is a scan
    of the whole table on every page load, for a number nobody works through. Counting at most
    `limit` + 1 rows (without the sort, so the database stops at the first `limit` + 1 it
    finds) costs the same however long the queue is. `more` says the count stopped early:
    there are more than `count` items. Pages up to `count` are numbered as usual.
    """

    def __init__(self, object_list, per_page, *, limit: int) -> None:
        super().__init__(object_list, per_page)
        self.limit = limit
        self.more = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.limit + 1].count()
        self.more = counted > self.limit
        return min(counted, self.limit)


def _requested_page(request: HttpRequest) -> int:
    return requested_page(request)  # bounded: (page + 1) * size below must stay a real LIMIT


def paginate_capped(request: HttpRequest, items, size: int, *, limit: int) -> dict:
    """`paginate`, counting at most `limit` items, or up to the page after the one asked for.

    Counting to the page after the requested one keeps every page reachable with "Next" however
    far the user pages. When the count stopped early, the page numbers end with an ellipsis
    rather than a last page the count does not know.
    """
    limit = max(limit, (_requested_page(request) + 1) * size)
    paginator = CappedCountPaginator(items, size, limit=limit)
    page = paginator.get_page(request.GET.get("page"))
    numbers = list(paginator.get_elided_page_range(page.number, on_each_side=1))
    if paginator.more:
        # Drop the trailing "… last-1, last": the count does not know the real last page.
        while numbers and numbers[-1] != paginator.ELLIPSIS and numbers[-1] > page.number + 1:
            numbers.pop()
        if not numbers or numbers[-1] != paginator.ELLIPSIS:
            numbers.append(paginator.ELLIPSIS)
    return {"page": page, "page_numbers": numbers}
