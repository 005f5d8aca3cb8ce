"""Reports: the taxonomy, the report itself, and its evidence, messages and timeline."""

from reports.models.choices import (
    OPEN_STATUSES,
    ChildAgeBand,
    ContactPreference,
    HateCharacteristic,
    ImpactLevel,
    OfflineImpact,
    OutcomeCategory,
    ReportStatus,
    Subject,
    YesNoNotSure,
)
from reports.models.related import Evidence, ReportMessage, ReportStatusEvent
from reports.models.report import ReferenceCounter, Report
from reports.models.taxonomy import (
    HarmCategory,
    Platform,
    TaxonomyEntry,
    TaxonomyQuerySet,
    current_taxonomy_version,
)

__all__ = [
    "OPEN_STATUSES",
    "ChildAgeBand",
    "ContactPreference",
    "Evidence",
    "HarmCategory",
    "HateCharacteristic",
    "ImpactLevel",
    "OfflineImpact",
    "OutcomeCategory",
    "Platform",
    "ReferenceCounter",
    "Report",
    "ReportMessage",
    "ReportStatus",
    "ReportStatusEvent",
    "Subject",
    "TaxonomyEntry",
    "TaxonomyQuerySet",
    "YesNoNotSure",
    "current_taxonomy_version",
]
