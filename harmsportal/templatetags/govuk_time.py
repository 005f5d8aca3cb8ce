"""Dates and times in GOV.UK style, the one way every page writes them.

GOV.UK's style guide: "11:24am" (not "11:24", "11:24 a.m." or "11:24AM"), "10am" for a whole
hour, "midnight" and "midday" rather than 12am and 12pm, and "1 January 2026 at 11:24am".
Django's own formats cannot write a lowercase "am" without dots, so these filters do it.

They are template builtins (settings.TEMPLATES), so no template needs `{% load %}`; Python
code that writes a time for a page calls the same functions.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()

LONG = "long"  # 1 January 2026
SHORT = "short"  # 1 Jan 2026, for table cells

# Spelt out rather than strftime's %B, which follows the server's C locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _local(value: datetime.datetime | datetime.time) -> datetime.datetime | datetime.time:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def govuk_time(value: datetime.datetime | datetime.time | None) -> str:
    """11:24am, 10am, 3:05pm, midnight, midday. Aware datetimes are shown in local time."""
    if value is None or value == "":
        return ""
    value = _local(value)
    if value.minute == 0 and value.hour in (0, 12):
        return "midnight" if value.hour == 0 else "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.minute == 0:
        return f"{hour}{suffix}"
    return f"{hour}:{value.minute:02d}{suffix}"


@register.filter
def govuk_date(value: datetime.date | None, style: str = LONG) -> str:
    """1 January 2026, or 1 Jan 2026 with the "short" style. Aware datetimes in local time."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value)
    month = MONTHS[value.month - 1]
    # GOV.UK's short months are the first three letters, except September ("Sept").
    if style == SHORT:
        month = "Sept" if value.month == 9 else month[:3]
    return f"{value.day} {month} {value.year}"


@register.filter
def govuk_datetime(value: datetime.datetime | None, style: str = LONG) -> str:
    """1 January 2026 at 11:24am (or 1 Jan 2026 at 11:24am with the "short" style)."""
    if value is None or value == "":
        return ""
    value = _local(value)
    return f"{govuk_date(value, style)} at {govuk_time(value)}"
