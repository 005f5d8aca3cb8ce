from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    demo = "reports.demo.seed"  # seed_demo calls it (see harmsportal.people's seed_demo)
