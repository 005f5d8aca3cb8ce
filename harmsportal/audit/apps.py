from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "harmsportal.audit"
    label = "audit"
    verbose_name = "Access log"
