from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "harmsportal.people"
    label = "people"
    verbose_name = "People and forces"

    def ready(self) -> None:
        from harmsportal import lookups

        # Out-of-range integers in `in` lookups match nothing instead of a server error.
        lookups.register()
