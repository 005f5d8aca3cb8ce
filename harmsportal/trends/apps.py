from __future__ import annotations

from django.apps import AppConfig


class TrendsConfig(AppConfig):
    name = "harmsportal.trends"
    label = "trends"
    verbose_name = "Trends and accountability"
