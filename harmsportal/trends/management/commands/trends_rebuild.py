"""`manage.py trends_rebuild`: rebuild every trends rollup table from the sources now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from harmsportal.trends.rollup import rollup_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild every trends rollup table (reports, dimensions, demographics, performance "
        "and the training snapshot) from the portal's records, and say what was done."
    )

    def handle(self, *args, **options) -> None:
        result = rollup_rebuild()
        self.stdout.write(self.style.SUCCESS(result.summary()))
