"""Published trends figures as the dashboards print them: `{% figure value %}` writes 1,234,
"<5" (read out as "fewer than 5") or "not shown"; `|chart_value` gives what a chart may plot.

The figures arrive already published (`harmsportal.disclosure.publish_count` and friends):
nothing here decides what may be shown, it only writes it.
"""

from __future__ import annotations

from datetime import date

from django import template

from harmsportal.disclosure import Withheld, WithheldTotal
from harmsportal.templatetags.govuk_time import MONTHS

register = template.Library()


@register.inclusion_tag("trends/_figure.html")
def figure(value) -> dict:
    """A published figure: a whole number, a `Withheld` or a `WithheldTotal`."""
    if isinstance(value, WithheldTotal):
        return {"kind": "not_shown"}
    if isinstance(value, Withheld):
        return {"kind": "withheld", "k": value.k}
    return {"kind": "number", "text": f"{value:,}"}


@register.filter
def chart_value(value) -> str:
    """The number a chart plots for a figure; empty for one that is not shown (left out)."""
    return "" if isinstance(value, Withheld) else str(value)


@register.filter
def month_short(value: date) -> str:
    """Apr 2026, Sept 2026: GOV.UK's short month and the year, for column headings."""
    name = MONTHS[value.month - 1]
    return f"{'Sept' if value.month == 9 else name[:3]} {value.year}"
