"""Wellbeing: referrals into support, their plans and check-ins, and what a force offers."""

from wellbeing.models.choices import (
    CHAMPION_STATES,
    CRISIS_SCORE,
    HELPFUL_CHOICES,
    OPEN_STATES,
    SCORE_CHOICES,
    CloseReason,
    ConsentScope,
    HarmTo,
    ReferralSource,
    ReferralState,
    SupportType,
)
from wellbeing.models.referral import (
    DEFAULT_CHECKIN_DAYS,
    HAS_CHAMPION,
    CheckIn,
    Referral,
    ReferralConflict,
    ReferralCounter,
    ReferralEvent,
    ReferralMessage,
    SupportPlan,
)
from wellbeing.models.services import ChampionListing, Resource, SupportService, validate_https

__all__ = [
    "CHAMPION_STATES",
    "CRISIS_SCORE",
    "DEFAULT_CHECKIN_DAYS",
    "HAS_CHAMPION",
    "HELPFUL_CHOICES",
    "OPEN_STATES",
    "SCORE_CHOICES",
    "ChampionListing",
    "CheckIn",
    "CloseReason",
    "ConsentScope",
    "HarmTo",
    "Referral",
    "ReferralConflict",
    "ReferralCounter",
    "ReferralEvent",
    "ReferralMessage",
    "ReferralSource",
    "ReferralState",
    "Resource",
    "SupportPlan",
    "SupportService",
    "SupportType",
    "validate_https",
]
