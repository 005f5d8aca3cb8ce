"""The champion's forms: the queue's filters and the forms that work a referral."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.db.models import F, Q, QuerySet

from harmsportal.forms import BoundedIntegersMixin
from harmsportal.people.models import User
from wellbeing.forms import too_long
from wellbeing.models import (
    HAS_CHAMPION,
    OPEN_STATES,
    CloseReason,
    ReferralState,
    SupportService,
    SupportType,
)
from wellbeing.services._shared import NOTE_MAX_CHARS
from wellbeing.services.messages import MESSAGE_MAX_CHARS
from wellbeing.services.moves import REASON_MAX_CHARS

# ---------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------

STATE_OPEN = "open"
STATE_ALL = "all"
STATE_CHOICES = [
    # Short labels: a longer one is cut off in the select at desktop widths.
    (STATE_OPEN, "Open"),
    (ReferralState.ACCEPTED, "Waiting for a champion"),
    (ReferralState.ASSIGNED, ReferralState.ASSIGNED.label),
    (ReferralState.IN_SUPPORT, ReferralState.IN_SUPPORT.label),
    (ReferralState.CLOSED, ReferralState.CLOSED.label),
    (STATE_ALL, "All referrals"),
]
HOLDER_ME = "me"
HOLDER_NONE = "unassigned"
HOLDER_CHOICES = [("", "Anyone"), (HOLDER_ME, "Me"), (HOLDER_NONE, "Nobody yet")]
CHECKIN_OVERDUE = "overdue"
CHECKIN_CHOICES = [("", "Any"), (CHECKIN_OVERDUE, "Overdue")]
SORT_ATTENTION = "attention"
SORT_CHECKIN = "checkin"
SORT_NEWEST = "newest"
SORT_OLDEST = "oldest"
SORT_CHOICES = [
    (SORT_ATTENTION, "Needs you first"),
    (SORT_CHECKIN, "Next check-in"),
    (SORT_NEWEST, "Newest first"),
    (SORT_OLDEST, "Oldest first"),
]


def _overdue_q(now: datetime) -> Q:
    # Referral.checkin_overdue() as a condition, for the filter and the sort alike.
    return Q(state__in=OPEN_STATES, next_checkin_at__lt=now)


class QueueFilterForm(forms.Form):
    """The queue's filters, from the query string. Always bound: nothing chosen is the open
    referrals, those that need the champion first."""

    state = forms.ChoiceField(label="State", choices=STATE_CHOICES, required=False)
    support_type = forms.ChoiceField(
        label="Support type",
        choices=[("", "Any support type"), *SupportType.choices],
        required=False,
    )
    checkin = forms.ChoiceField(label="Check-in", choices=CHECKIN_CHOICES, required=False)
    holder = forms.ChoiceField(label="Champion", choices=HOLDER_CHOICES, required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def __init__(self, data, *, user: User, now: datetime) -> None:
        super().__init__(data)
        self.user = user
        self.now = now

    def value(self, name: str, default: str = "") -> str:
        if self.is_valid():
            return self.cleaned_data.get(name) or default
        return default

    def filter(self, referrals: QuerySet) -> QuerySet:
        """The referrals the filters choose, in the chosen order. Invalid choices are shown as
        errors and ignored."""
        state = self.value("state", STATE_OPEN)
        if state == STATE_OPEN:
            referrals = referrals.filter(state__in=OPEN_STATES)
        elif state != STATE_ALL:
            referrals = referrals.filter(state=state)
        if support_type := self.value("support_type"):
            referrals = referrals.filter(support_type=support_type)
        if self.value("checkin") == CHECKIN_OVERDUE:
            referrals = referrals.filter(_overdue_q(self.now))
        holder = self.value("holder")
        if holder == HOLDER_ME:
            referrals = referrals.filter(champion=self.user)
        elif holder == HOLDER_NONE:
            referrals = referrals.filter(champion__isnull=True)
        return referrals.order_by(*self._ordering(self.value("sort", SORT_ATTENTION)))

    def _ordering(self, sort: str) -> list:
        if sort == SORT_CHECKIN:
            return [F("next_checkin_at").asc(nulls_last=True), "-created_at", "-id"]
        if sort == SORT_NEWEST:
            return ["-created_at", "-id"]
        if sort == SORT_OLDEST:
            return ["created_at", "id"]
        # Crisis first (the longest in crisis first), then needs attention, then those waiting
        # for a champion, then by next check-in, which puts the overdue ones (due before now)
        # first; then the longest wait. Columns, not a CASE on "now": the same order, and one
        # the queue's index (Referral.Meta) can give.
        return [
            F("in_crisis_since").asc(nulls_last=True),
            F("needs_attention").desc(),
            HAS_CHAMPION.asc(),
            F("next_checkin_at").asc(nulls_last=True),
            "created_at",
            "id",
        ]


# ---------------------------------------------------------------------------
# Working a referral
# ---------------------------------------------------------------------------


class AssignForm(BoundedIntegersMixin, forms.Form):
    champion = forms.ModelChoiceField(
        label="Which champion should support this person?",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Select a champion.",
            "invalid_choice": "Select a champion from the list.",
        },
    )

    def __init__(self, *args, champions: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["champion"].queryset = champions
        self.fields["champion"].label_from_instance = lambda person: person.get_full_name()


class ChooseServiceForm(BoundedIntegersMixin, forms.Form):
    service = forms.ModelChoiceField(
        label="Which support service should this referral go to?",
        queryset=SupportService.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a support service.",
            "invalid_choice": "Select a support service from the list.",
        },
    )

    def __init__(self, *args, services: QuerySet[SupportService], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = service_label


def service_label(service: SupportService) -> str:
    """A service as a choice, e.g. "Trauma team (Trauma risk management (TRiM)): 5 of 3 places
    used (full), target 28 days". The kind of support only when the name does not already say
    it; the open count is exact, from `with_open_counts` (champions see these referrals)."""
    kind = service.get_support_type_display()
    name = (
        service.name if kind.casefold() in service.name.casefold() else f"{service.name} ({kind})"
    )
    days = service.target_wait_days
    target = f"target {days} day{'s' if days != 1 else ''}"
    used = getattr(service, "open_count", None)
    if used is None:
        return f"{name}, {target}"
    places = f"{service.capacity:,} place{'s' if service.capacity != 1 else ''}"
    full = " (full)" if used >= service.capacity else ""
    return f"{name}: {used:,} of {places} used{full}, {target}"


class StepAsideForm(forms.Form):
    reason = forms.CharField(
        label="How do you know the person, or why should you not support them?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_CHARS,
        help_text=(
            'A few words are enough, for example "we work on the same team". It is kept with '
            "the referral. The person and other champions never see it."
        ),
        error_messages={
            "required": "Enter how you know the person.",
            **too_long("How you know the person", REASON_MAX_CHARS),
        },
    )


CHAMPION_CLOSE_REASONS = [
    (value, label) for value, label in CloseReason.choices if value != CloseReason.CONSENT_WITHDRAWN
]


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the referral closing?",
        choices=CHAMPION_CLOSE_REASONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why the referral is closing.",
            "invalid_choice": "Select why the referral is closing.",
        },
    )
    why = forms.CharField(
        label="Anything to add",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX_CHARS,
        required=False,
        help_text="Kept in the referral's history.",
        error_messages=too_long("Anything you add", NOTE_MAX_CHARS),
    )


class ReopenForm(forms.Form):
    why = forms.CharField(
        label="Why is it reopening?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX_CHARS,
        required=False,
        help_text="For example, the person asked for more support. Kept in the history.",
        error_messages=too_long("Why it is reopening", NOTE_MAX_CHARS),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message to the person",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MESSAGE_MAX_CHARS,
        help_text=(
            "They read this in Harms Portal. Their email only says there is a new message and "
            "asks them to sign in."
        ),
        error_messages={
            "required": "Enter a message.",
            **too_long("Your message", MESSAGE_MAX_CHARS),
        },
    )
