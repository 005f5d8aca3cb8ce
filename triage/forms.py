"""Triage forms and the queue's filters: validation and cleaning only."""

from __future__ import annotations

from datetime import datetime

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils.crypto import salted_hmac

from harmsportal.forms import BoundedIntegersMixin, conditionally_required
from harmsportal.people.models import Force, User
from reports.models import HarmCategory, OutcomeCategory
from triage.models import (
    Case,
    CaseAction,
    CaseStatus,
    RecordingDecision,
    Risk,
)
from triage.selectors import replied_q, sla_state_q, triage_colleagues_of, waiting_q
from triage.services._shared import EXPLANATION_MAX_CHARS, NOTE_MAX_CHARS
from triage.services.moving import REASON_MAX_CHARS

MESSAGE_MAX_CHARS = 5000

# ---------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------

STATUS_OPEN = "open"
STATUS_REPLIED = "replied"
STATUS_ALL = "all"
STATUS_CHOICES = [
    (STATUS_OPEN, "Open or reporter replied"),
    (STATUS_REPLIED, "Reporter replied after the outcome"),
    *CaseStatus.choices,
    (STATUS_ALL, "All cases"),
]
RISK_UNASSESSED = "unassessed"
RISK_CHOICES = [*Risk.choices, (RISK_UNASSESSED, "Not assessed yet")]
SLA_CHOICES = [
    ("breached", "Breached"),
    ("due_soon", "Due soon"),
    ("met_late", "Met late"),
    ("on_time", "On time"),
]
ASSIGNEE_ME = "me"
ASSIGNEE_NONE = "unassigned"

# Sortable columns: key → fields in ascending order. "-key" sorts descending.
SORTS = {
    "priority": ("priority", "-submitted_at"),
    "reference": ("report__reference",),
    "received": ("submitted_at",),
    "status": ("status",),
    "assignee": ("assignee__full_name",),
    "due": ("next_due",),
}
DEFAULT_SORT = "-priority"
SORT_CHOICES = [(key, key) for name in SORTS for key in (name, f"-{name}")]


# Columns that can be empty (no assignee; no running clock once the outcome is given).
NULLABLE_SORTS = frozenset({"assignee", "due"})


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    # Empty values always last, on every database. Only where a column can be empty: a
    # NULLS LAST on a NOT NULL column would stop the database reading the queue index in order.
    nulls_last = True if name in NULLABLE_SORTS else None
    expressions = []
    for field in SORTS[name]:
        flip = field.startswith("-") != descending
        expression = F(field.lstrip("-"))
        expressions.append(
            expression.desc(nulls_last=nulls_last)
            if flip
            else expression.asc(nulls_last=nulls_last)
        )
    return expressions


def _category_choices() -> list[tuple[str, str]]:
    # Every category, retired ones too: older cases keep theirs. A plain list (one query, no
    # model objects) rather than a model choice field, as the queue is triage's busiest page.
    # By slug: a filter's value lands in the URL, which never carries an integer id.
    return list(HarmCategory.objects.values_list("slug", "name"))


def assignee_key(person: User) -> str:
    """A colleague's value in the assignee filter: opaque, as it lands in the URL (never a pk)."""
    return salted_hmac("triage.assignee-filter", str(person.pk)).hexdigest()[:16]


# A reference is OH-<force code>-<year>-<6 digits>: 30 characters is room to spare.
SEARCH_MAX_CHARS = 30


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Reference",
        method="filter_reference",
        max_length=SEARCH_MAX_CHARS,
        help_text="All or part of it, for example 000123 or OH-WYP-2026-000123.",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )
    risk = django_filters.ChoiceFilter(
        label="Risk", choices=RISK_CHOICES, method="filter_risk", empty_label="Any risk"
    )
    category = django_filters.ChoiceFilter(
        label="Kind of harm",
        choices=_category_choices,
        method="filter_category",
        empty_label="Any kind of harm",
    )
    sla = django_filters.ChoiceFilter(
        label="Service clocks",
        choices=SLA_CHOICES,
        method="filter_sla",
        empty_label="Any",
    )
    assignee = django_filters.ChoiceFilter(
        label="Assigned to", method="filter_assignee", empty_label="Anyone"
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", widget=forms.HiddenInput
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, data, queryset=None, *, user: User, now: datetime, **kwargs):
        # Always bound: with nothing chosen, the queue shows open cases, highest priority first.
        data = data.copy()
        # A search looks through every case, finished ones too, unless a status is chosen.
        data.setdefault("status", STATUS_ALL if data.get("q", "").strip() else STATUS_OPEN)
        data.setdefault("sort", DEFAULT_SORT)
        super().__init__(data, queryset, **kwargs)
        self.user = user
        self.now = now
        people = list(triage_colleagues_of(user))
        self._colleague_ids = {assignee_key(person): person.pk for person in people}
        colleagues = [(assignee_key(person), person.get_full_name()) for person in people]
        self.filters["assignee"].extra["choices"] = [
            (ASSIGNEE_ME, "Me"),
            (ASSIGNEE_NONE, "Unassigned"),
            *colleagues,
        ]

    @property
    def current_sort(self) -> str:
        value = self.form.cleaned_data.get("sort") if self.form.is_valid() else ""
        return value or DEFAULT_SORT

    def filter_reference(self, queryset, name, value):
        # Case-insensitive, anywhere in the reference: "000123", "wyp-2026" or the whole of it.
        return queryset.filter(report__reference__icontains=value.strip())

    def filter_status(self, queryset, name, value):
        if value == STATUS_ALL:
            return queryset
        if value == STATUS_OPEN:
            # A case with an outcome whose reporter wrote again is waiting on the team too.
            return queryset.filter(waiting_q())
        if value == STATUS_REPLIED:
            return queryset.filter(replied_q())
        return queryset.filter(status=value)

    def filter_risk(self, queryset, name, value):
        return queryset.filter(risk="" if value == RISK_UNASSESSED else value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(categories__slug=value)

    def filter_sla(self, queryset, name, value):
        return queryset.filter(sla_state_q(value, self.now))

    def filter_assignee(self, queryset, name, value):
        if value == ASSIGNEE_ME:
            return queryset.filter(assignee=self.user)
        if value == ASSIGNEE_NONE:
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=self._colleague_ids[value])

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*_ordering(value), "id")


# ---------------------------------------------------------------------------
# Working a case
# ---------------------------------------------------------------------------


class AssessmentForm(BoundedIntegersMixin, forms.Form):
    risk = forms.ChoiceField(
        label="How serious is the risk to the person?",
        choices=Risk.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Immediate means a threat to life or of serious harm now: you will be shown what to "
            "do, and your supervisors are alerted at once."
        ),
        error_messages={"required": "Select how serious the risk to the person is."},
    )
    categories = forms.ModelMultipleChoiceField(
        label="What kinds of harm are these?",
        queryset=HarmCategory.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Confirm what the reporter chose, or change it.",
        error_messages={"required": "Select the kinds of harm this is."},
    )
    recording_decision = forms.ChoiceField(
        label="How is it recorded?",
        choices=RecordingDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how it is recorded."},
    )
    offence_crosswalk = forms.CharField(
        label="Offence it may amount to",
        max_length=120,
        required=False,
        help_text="For the force's records only. The reporter never sees this.",
    )
    crime_reference = forms.CharField(label="Force crime reference", max_length=40, required=False)

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Current categories, plus any retired one the case already carries.
        self.fields["categories"].queryset = HarmCategory.objects.filter(
            Q(retired_at__isnull=True) | Q(pk__in=case.categories.all())
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("recording_decision") == RecordingDecision.NO_RECORDING and cleaned.get(
            "crime_reference"
        ):
            self.add_error(
                "crime_reference",
                "Remove the crime reference, or select crime or non-crime incident.",
            )
        return cleaned


class ActionForm(forms.Form):
    kind = forms.ChoiceField(
        label="What was done?",
        choices=CaseAction.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what was done."},
    )
    note = conditionally_required(
        forms.CharField(
            label="Details",
            widget=forms.Textarea(attrs={"rows": 4}),
            required=False,
            max_length=NOTE_MAX_CHARS,
            help_text="Needed for no further action: give the reason. Optional for anything "
            "else. Not shown to the reporter.",
        )
    )
    crime_reference = conditionally_required(
        forms.CharField(
            label="Crime reference",
            max_length=40,
            required=False,
            help_text="Needed when the case is referred for investigation.",
        )
    )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == CaseAction.Kind.NO_FURTHER_ACTION and not cleaned.get("note", "").strip():
            self.add_error("note", "Enter the reason for no further action.")
        if (
            kind == CaseAction.Kind.INVESTIGATION_REFERRAL
            and not cleaned.get("crime_reference", "").strip()
        ):
            self.add_error("crime_reference", "Enter the crime reference for the investigation.")
        return cleaned


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Internal note",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=NOTE_MAX_CHARS,
        help_text="Only the triage team can read this. It is never shown to the reporter.",
        error_messages={"required": "Enter a note."},
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message to the reporter",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MESSAGE_MAX_CHARS,
        help_text=(
            "The reporter reads this in Harms Portal. Their email only says there is an update "
            "and asks them to sign in."
        ),
        error_messages={"required": "Enter a message."},
    )


class OutcomeForm(forms.Form):
    category = forms.ChoiceField(
        label="What is the outcome?",
        choices=OutcomeCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome."},
    )
    explanation = forms.CharField(
        label="Explain the outcome to the reporter",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=EXPLANATION_MAX_CHARS,
        help_text=(
            "Plain English, written to them: what we did, what happens next and where to get "
            "support. They read this in Harms Portal."
        ),
        error_messages={"required": "Enter an explanation of the outcome for the reporter."},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why are you reopening this case?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX_CHARS,
        help_text="Kept as an internal note. Not shown to the reporter.",
        error_messages={"required": "Enter why you are reopening this case."},
    )
    reassess = forms.BooleanField(label="Assess the risk again", required=False)


class ReassignForm(BoundedIntegersMixin, forms.Form):
    assignee = forms.ModelChoiceField(
        label="Who should work on this case?",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={"required": "Select someone in the triage team."},
    )

    def __init__(self, *args, people: QuerySet[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people
        self.fields["assignee"].label_from_instance = lambda person: person.get_full_name()


# ---------------------------------------------------------------------------
# Moving a case: transfer to another force, stepping aside
# ---------------------------------------------------------------------------


class TransferForm(BoundedIntegersMixin, forms.Form):
    to_force = forms.ModelChoiceField(
        label="Which force should handle this case?",
        queryset=Force.objects.none(),
        empty_label="Select a force",
        error_messages={"required": "Select the force to transfer the case to."},
    )
    reason = forms.CharField(
        label="Why are you transferring it?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX_CHARS,
        help_text=(
            "For example, the person has moved to that force. The receiving team sees this as an "
            "internal note. The reporter does not see it."
        ),
        error_messages={"required": "Enter why the case is being transferred."},
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_force"].queryset = Force.objects.exclude(pk=case.force_id).order_by("name")


class StepAsideForm(forms.Form):
    reason = forms.CharField(
        label="How do you know the person, or why should you not handle this case?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_CHARS,
        help_text=(
            'A few words are enough, for example "we work on the same team". It is kept in '
            "the case record. The reporter never sees it, and it does not go with the case if "
            "the case moves to another force."
        ),
        error_messages={"required": "Enter how you know the person."},
    )


class LegalHoldForm(forms.Form):
    """Why a case must be kept (placing a legal hold), or why it no longer must (lifting it)."""

    reason = forms.CharField(
        label="Why must this case be kept?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=300,
        help_text=(
            "For example, a court order, a civil claim or a complaint that is still open. It is "
            "kept in the case history. The reporter does not see it."
        ),
        error_messages={"required": "Enter why the case must be kept."},
    )

    def __init__(self, *args, lifting: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if lifting:
            field = self.fields["reason"]
            field.label = "Why can the hold be lifted?"
            field.help_text = (
                "For example, the proceedings have ended. It is kept in the case history."
            )
            field.error_messages["required"] = "Enter why the hold can be lifted."


class NotificationPreferenceForm(forms.Form):
    """How a triager hears that a reporter wrote on a case they hold (always in the portal)."""

    email_when_reporter_writes = forms.TypedChoiceField(
        label="Do you also want an email when a reporter writes on a case you hold?",
        help_text=(
            "You are always told in Harms Portal. The email only says that there is something "
            "new on a case and gives its reference; it never says what was written."
        ),
        choices=[("yes", "Yes, email me as well"), ("no", "No, tell me in Harms Portal only")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you also want an email."},
    )
