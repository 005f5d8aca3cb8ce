from __future__ import annotations

from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training"
    # seed_demo calls it through the app registry (docs/decisions/0007).
    demo = "training.demo.seed"
