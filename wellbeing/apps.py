from __future__ import annotations

from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "wellbeing"
