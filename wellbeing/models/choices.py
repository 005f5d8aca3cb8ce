"""The words a referral is described in: its states, support types, harm and consent scopes."""

from __future__ import annotations

from django.db import models


class ReferralState(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    ASSIGNED = "assigned", "Champion assigned"
    IN_SUPPORT = "in_support", "In support"
    CLOSED = "closed", "Closed"


# States in which a referral holds a place: it counts against capacity and gets check-ins.
OPEN_STATES = (ReferralState.ACCEPTED, ReferralState.ASSIGNED, ReferralState.IN_SUPPORT)
# States a champion works in (the person has consented, and the referral is not finished).
CHAMPION_STATES = (*OPEN_STATES, ReferralState.CLOSED)


class ReferralSource(models.TextChoices):
    CASE = "case", "Offered from a case"
    SELF = "self", "Self-referral"


class SupportType(models.TextChoices):
    WELLBEING = "wellbeing", "Wellbeing or peer support"
    OCCUPATIONAL_HEALTH = "occupational_health", "Occupational health or psychological support"
    TRIM = "trim", "Trauma risk management (TRiM)"
    EAP = "eap", "Employee assistance programme"
    TECHNICAL = "technical", "Technical support (removing personal data, securing accounts)"
    FAMILY = "family", "Family support"


class HarmTo(models.TextChoices):
    """Online harm as a category of wellbeing need, on every referral."""

    ME = "me", "Online harm to me"
    FAMILY = "family", "Online harm to my family"
    BOTH = "both", "Online harm to me and my family"


class ConsentScope(models.TextChoices):
    """What the champion, and any support service, may see. Evidence never, whatever the scope."""

    SUMMARY = "summary", "Summary only"
    SUMMARY_AND_DESCRIPTION = "summary_description", "Summary and my report's description"


class CloseReason(models.TextChoices):
    SUPPORT_ENDED = "support_ended", "Support finished"
    PERSON_ASKED = "person_asked", "The person asked to stop"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    NO_CONTACT = "no_contact", "Could not make contact"
    OFFER_WITHDRAWN = "offer_withdrawn", "Offer withdrawn"


SCORE_CHOICES = [
    (1, "1: struggling badly"),
    (2, "2: struggling"),
    (3, "3: getting by"),
    (4, "4: doing okay"),
    (5, "5: doing well"),
]
CRISIS_SCORE = 1
# How helpful the person found the support, as they answer it when it closes (best first).
HELPFUL_CHOICES = [
    (5, "Very helpful"),
    (4, "Helpful"),
    (3, "Neither helpful nor unhelpful"),
    (2, "Not very helpful"),
    (1, "Not helpful at all"),
]
