"""The trends API's query parameters and answers, as DRF serializers.

The query serializers validate what a caller sends (with the portal's own rules: periods from
`trends.periods`, forces through `trends.selectors`); the answer serializers give every
response its shape. drf-spectacular builds the OpenAPI schema from both, so the schema is
never written by hand and cannot drift from what the views return.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from harmsportal.trends.figures import (
    CATEGORY,
    COUNTS_MENTIONS,
    COUNTS_REPORTS,
    DIMENSIONS,
    value_labels,
)
from harmsportal.trends.models import NO_CATEGORY
from harmsportal.trends.periods import KIND_LABELS, PeriodError, default_period, parse_period
from harmsportal.trends.selectors import find_force_for_user

# The grammar `trends.periods.parse_period` reads, for the schema.
PERIOD_PATTERN = r"^(fy[0-9]{4}-[0-9]{2}(-q[1-4])?|[0-9]{4}-[0-9]{2}|[0-9]{4})$"
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000

FORCE_REFUSED = (
    "Enter the slug of a force you can see, as listed by forces/ (for example west-yorkshire)."
)


# --- what a caller sends ----------------------------------------------------------------------
@extend_schema_field(
    {"type": "string", "pattern": PERIOD_PATTERN, "maxLength": 12, "example": "fy2026-27"}
)
class PeriodField(serializers.CharField):
    """A period slug, read by `trends.periods.parse_period` (its messages are for people)."""

    default_error_messages = {
        "blank": "Enter a period, or leave period out for this financial year to date.",
    }

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            # Anything longer is no period; parse_period's message says what one looks like.
            return parse_period(text[:13], today=timezone.localdate())
        except PeriodError as error:
            raise serializers.ValidationError(str(error)) from None


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(
        required=False,
        default=1,
        min_value=1,
        max_value=MAX_PAGE,
        help_text="Which page of results, from 1.",
        error_messages={
            "invalid": "Enter page as a whole number, from 1.",
            "min_value": "Enter page as a whole number, from 1.",
            "max_value": f"Enter a page from 1 to {MAX_PAGE}.",
        },
    )
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"How many results on a page, 1 to {MAX_PAGE_SIZE}.",
        error_messages={
            "invalid": f"Enter page_size as a whole number from 1 to {MAX_PAGE_SIZE}.",
            "min_value": f"Enter page_size as a whole number from 1 to {MAX_PAGE_SIZE}.",
            "max_value": f"page_size can be {MAX_PAGE_SIZE} at most.",
        },
    )


class ScopeQuery(serializers.Serializer):
    """Which figures: a period, maybe one harm category, maybe one force. Needs the caller in
    `context["user"]`: a force they may not see is refused exactly like one that does not
    exist."""

    period = PeriodField(
        required=False,
        help_text=(
            "A month (2026-05), a financial-year quarter (fy2026-27-q1, April to June), a "
            "financial year (fy2026-27, April to March) or a calendar year (2026). Leave it out "
            "for this financial year to date."
        ),
    )
    category = serializers.CharField(
        required=False,
        max_length=64,
        help_text="Only reports of this harm category (its slug, such as doxxing).",
        error_messages={"blank": "Enter a harm category's slug, or leave category out."},
    )
    force = serializers.CharField(
        required=False,
        max_length=64,
        help_text=(
            "Only this force (its slug, as listed by forces/). Leave it out for every force "
            "you can see."
        ),
        error_messages={"blank": FORCE_REFUSED, "max_length": FORCE_REFUSED},
    )

    def validate_category(self, value: str) -> str:
        if value == NO_CATEGORY or value not in value_labels(CATEGORY):
            raise serializers.ValidationError(
                "Enter the slug of a harm category, such as doxxing or threats."
            )
        return value

    def validate_force(self, value: str):
        force = find_force_for_user(self.context["user"], value)
        if force is None:  # missing or forbidden alike
            raise serializers.ValidationError(FORCE_REFUSED)
        return force

    def validate(self, attrs: dict) -> dict:
        attrs.setdefault("period", default_period(timezone.localdate()))
        attrs.setdefault("category", None)
        attrs.setdefault("force", None)
        return attrs


class MonthlyQuery(ScopeQuery, PageQuery):
    dimension = serializers.ChoiceField(
        choices=DIMENSIONS,
        required=False,
        help_text="Also break each month down by this dimension. Leave it out for totals only.",
        error_messages={"invalid_choice": f"Enter a dimension: {', '.join(DIMENSIONS)}."},
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        attrs.setdefault("dimension", None)
        if attrs["dimension"] == CATEGORY and attrs["category"] is not None:
            raise serializers.ValidationError(
                {"dimension": ["Leave out dimension=category when you choose one category."]}
            )
        return attrs


# --- what the API answers -----------------------------------------------------------------------
class FigureSerializer(serializers.Serializer):
    value = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        help_text=(
            "The published count: 0, or a multiple of k (k at least). null when the figure is "
            "withheld (see withheld)."
        ),
    )
    withheld = serializers.CharField(
        required=False,
        help_text=(
            'Only when value is null. "<k" (such as "<5"): the count is from 1 to k-1. '
            '"not shown": a total withheld because, beside its parts, it would let a small '
            "count be worked out."
        ),
    )


class PeriodSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="As the period parameter takes it.")
    kind = serializers.ChoiceField(choices=list(KIND_LABELS))
    label = serializers.CharField()
    start = serializers.DateField(help_text="The first day of the period.")
    end = serializers.DateField(help_text="The last day of the period.")


class ScopeSerializer(serializers.Serializer):
    all_forces = serializers.BooleanField(
        help_text="True when the figures cover every force (national analysts)."
    )
    forces = serializers.ListField(
        child=serializers.CharField(), help_text="The slugs of the forces the figures cover."
    )
    category = serializers.CharField(
        allow_null=True, help_text="The harm category the figures are limited to, if any."
    )


class DisclosureSerializer(serializers.Serializer):
    k = serializers.IntegerField(help_text="Counts from 1 to k-1 are withheld.")
    note = serializers.CharField()


class EnvelopeSerializer(serializers.Serializer):
    """What every answer carries."""

    data_as_at = serializers.DateTimeField(
        allow_null=True,
        help_text=(
            "When the figures were last built from the portal's records. null: they have not "
            "been built yet."
        ),
    )
    data_as_at_text = serializers.CharField(help_text="data_as_at in words.")
    period = PeriodSerializer(allow_null=True, help_text="null for the list of forces.")
    scope = ScopeSerializer()
    disclosure = DisclosureSerializer()


class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="How many results there are on all the pages together."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class ForceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    nation = serializers.CharField()


class ForcesSerializer(EnvelopeSerializer, PageSerializer):
    results = ForceSerializer(many=True)


class RowSerializer(serializers.Serializer):
    value = serializers.CharField(
        allow_blank=True, help_text='The value\'s code ("" for none given).'
    )
    label = serializers.CharField()
    figure = FigureSerializer()


class BreakdownSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=DIMENSIONS)
    label = serializers.CharField()
    counts = serializers.ChoiceField(
        choices=[COUNTS_REPORTS, COUNTS_MENTIONS],
        help_text=(
            '"reports": the rows add up to the total. "mentions": a report with several values '
            "is counted once in each, so the rows can add up to more."
        ),
    )
    note = serializers.CharField()
    rows = RowSerializer(many=True)


class FiguresSerializer(EnvelopeSerializer):
    total = FigureSerializer(help_text="Reports received in the scope, each counted once.")
    breakdowns = BreakdownSerializer(many=True)


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the month.")
    label = serializers.CharField()
    total = FigureSerializer()
    breakdown = BreakdownSerializer(allow_null=True, help_text="null unless dimension is given.")


class MonthlySerializer(EnvelopeSerializer, PageSerializer):
    dimension = serializers.CharField(allow_null=True)
    results = MonthSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a 400: what is wrong with each parameter.",
    )
