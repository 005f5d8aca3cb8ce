"""Data protection duties owed to every data subject: retention and erasure, legal holds, and
subject access. `privacy` sits at the top of the layers beside `harmsportal.trends`: it reads
every app (reports, triage, wellbeing, training) and nothing imports it.
"""

from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Data protection"

    def ready(self) -> None:
        from privacy.services.retention import fresh_notice_after_hold
        from triage.services.legal_hold import legal_hold_lifted

        legal_hold_lifted.connect(fresh_notice_after_hold, dispatch_uid="privacy-hold-lifted")
