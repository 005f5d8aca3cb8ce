from __future__ import annotations

from django.apps import AppConfig


class TrendsConfig(AppConfig):
    name = "harmsportal.trends"
    label = "trends"
    verbose_name = "Trends and accountability"
    # seed_demo calls it through the app registry, last: two years of synthetic history, a
    # peer group, then the rollup of everything the other apps' demos made (trends/demo/).
    demo = "harmsportal.trends.demo.seed"
