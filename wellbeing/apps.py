from __future__ import annotations

from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "wellbeing"
    verbose_name = "Wellbeing"
    demo = "wellbeing.demo.seed"  # seed_demo calls it, after triage's demo assessed its cases

    def ready(self) -> None:
        # The seam by which a case's first assessment offers the support its reporter asked
        # for (triage/support_offer.py, docs/decisions/0008): triage never imports wellbeing.
        from triage import support_offer
        from wellbeing.services.offers import referral_offer_at_first_assessment

        support_offer.register_first_assessment_handler(referral_offer_at_first_assessment)
