"""The reporter's forms: one per question page (see reports/steps.py) and the pages around them."""

from reports.forms.base import StepForm
from reports.forms.needs import ContactForm, ImpactForm, LineManagerForm, SupportForm
from reports.forms.pages import EvidenceForm, MessageForm, WithdrawForm
from reports.forms.what import (
    DESCRIPTION_MAX_CHARS,
    CategoriesForm,
    DateField,
    DescriptionForm,
    HateForm,
    OfflineForm,
    PerpetratorForm,
    PlatformsForm,
    RoleForm,
    WhenForm,
)
from reports.forms.who import ChildForm, FamilyMemberForm, SharingForm, WhoForm, WhoseRoleForm

__all__ = [
    "DESCRIPTION_MAX_CHARS",
    "CategoriesForm",
    "ChildForm",
    "ContactForm",
    "DateField",
    "DescriptionForm",
    "EvidenceForm",
    "FamilyMemberForm",
    "HateForm",
    "ImpactForm",
    "LineManagerForm",
    "MessageForm",
    "OfflineForm",
    "PerpetratorForm",
    "PlatformsForm",
    "RoleForm",
    "SharingForm",
    "StepForm",
    "SupportForm",
    "WhenForm",
    "WhoForm",
    "WhoseRoleForm",
    "WithdrawForm",
]
