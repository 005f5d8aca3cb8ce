from __future__ import annotations

from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage"
    demo = "triage.demo.seed"  # seed_demo calls it, after the reports it works on

    def ready(self) -> None:
        # The seams by which a report's life reaches its force's queue: submission, withdrawal,
        # and the reporter writing again (reports/intake.py, docs/decisions/0002).
        from reports import intake
        from triage.services.claiming import case_open_from_report
        from triage.services.from_reporter import case_close_withdrawn, case_reporter_wrote

        intake.register_intake_handler(case_open_from_report)
        intake.register_withdrawal_handler(case_close_withdrawn)
        intake.register_reporter_wrote_handler(case_reporter_wrote)
