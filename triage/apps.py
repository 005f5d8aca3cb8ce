from __future__ import annotations

from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage"

    def ready(self) -> None:
        # The one seam by which a submitted report reaches its force's queue
        # (reports/intake.py, docs/decisions/0002-report-intake-seam.md).
        from reports.intake import register_intake_handler
        from triage.services import case_open_from_report

        register_intake_handler(case_open_from_report)
