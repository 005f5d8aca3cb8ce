"""performance/: the figures a PCC holds the chief constable to account with, for one force and
one period, as numbers for a BI tool: what the performance page and the accountability pack
show in words.

Every value comes from `trends.performance` already published or withheld (counts through
`publish_count`/`publish_total`, medians through `disclose` with their base, percentages
through `disclose_share`, group medians over at least `MIN_GROUP_FORCES` other forces, never
the force's own figure, and never saying how many). Percentages are whole numbers and
medians have one decimal place, as on the page: the API is no more precise than the portal.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from harmsportal.disclosure import Withheld, WithheldTotal
from harmsportal.trends.accountability import shown_text
from harmsportal.trends.api.serializers import (
    EnvelopeSerializer,
    FigureSerializer,
    ForceSerializer,
    PeriodSerializer,
    ScopeQuery,
)
from harmsportal.trends.api.views import ERRORS, TrendsAPIView, figure, period_json
from harmsportal.trends.figures import Scope, first_month
from harmsportal.trends.peers import peer_group
from harmsportal.trends.performance import (
    COUNT,
    DAYS,
    HIGHER,
    HOURS,
    LOWER,
    MEASURES,
    NO_GROUP_MEDIAN,
    PERCENT,
    Median,
    every_force_rates,
    first_performance_month,
    force_figures,
    group_median,
    training_table,
    value_text,
)
from harmsportal.trends.periods import CALENDAR_YEAR, FINANCIAL_YEAR, month_start
from harmsportal.trends.selectors import trends_forces_for

CHOOSE_FORCE = "Enter the slug of one of your forces, as listed by forces/, such as west-yorkshire."
KIND_OF = {COUNT: "count", HOURS: "hours", DAYS: "days", PERCENT: "percent"}
MEASURE = {measure.key: measure for measure in MEASURES}


# --- the query and the answer ------------------------------------------------------------------
class PerformanceQuery(ScopeQuery):
    category = None  # performance is not split by harm category

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if attrs["force"] is None:
            forces = trends_forces_for(self.context["user"])
            if len(forces) != 1:  # an analyst, or a lead of several forces
                raise serializers.ValidationError({"force": [CHOOSE_FORCE]})
            attrs["force"] = forces[0]
        return attrs


class ValueSerializer(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True,
        help_text=(
            "A count; a percentage as a whole number (0 and 100 only when exact); a median in "
            "hours or days to one decimal place. null when withheld or when there is nothing "
            "to measure."
        ),
    )
    text = serializers.CharField(help_text="The value in words, or why there is none.")
    withheld = serializers.CharField(
        required=False,
        help_text='"<5": a count from 1 to 4. "not shown": a total that would give a small '
        "count away, a median or percentage of fewer than 5, or a percentage that would let "
        "a number from 1 to 4 be worked out (1 of 5 is 20%).",
    )
    open_ended = serializers.BooleanField(
        required=False, help_text='A median in the last bucket: "72 hours or more".'
    )


class GroupSerializer(ValueSerializer):
    """The median of the other forces' figures (never this force's own), shown only when at
    least 5 other forces have a figure that can be shown. How many is not said: it would tell
    which peers had small figures."""


class MeasureSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=[measure.key for measure in MEASURES])
    label = serializers.CharField()
    unit = serializers.ChoiceField(choices=list(KIND_OF.values()))
    better = serializers.ChoiceField(
        choices=[LOWER, HIGHER], allow_null=True, help_text="Which way is better, if either."
    )
    value = ValueSerializer()
    previous_period = ValueSerializer(allow_null=True, help_text="null: not compared.")
    year_before = ValueSerializer(allow_null=True, help_text="null: not compared.")
    national_median = GroupSerializer(allow_null=True, help_text="null: not compared.")
    peer_median = GroupSerializer(allow_null=True, help_text="null: not compared.")


class ComparedPeriodSerializer(serializers.Serializer):
    period = PeriodSerializer()
    before_data = serializers.BooleanField(
        help_text="True when the portal holds no figures from then: its 0s mean nothing."
    )


class PeerGroupSerializer(serializers.Serializer):
    description = serializers.CharField()
    forces = serializers.ListField(child=serializers.CharField())


class TrainingSerializer(serializers.Serializer):
    audience = serializers.CharField()
    label = serializers.CharField()
    assigned = FigureSerializer()
    completed = FigureSerializer()
    percent = ValueSerializer()


class PerformanceSerializer(EnvelopeSerializer):
    """A force's performance over a period, each figure beside what it is compared with."""

    force = ForceSerializer()
    complete = serializers.BooleanField(help_text="False while the period is still running.")
    previous_period = ComparedPeriodSerializer()
    year_before = ComparedPeriodSerializer(
        allow_null=True, help_text="null for a financial or calendar year."
    )
    peer_group = PeerGroupSerializer()
    measures = MeasureSerializer(many=True)
    training = TrainingSerializer(many=True, help_text="As at the latest figures, by audience.")


# --- values as numbers ---------------------------------------------------------------------------
def whole_percent(value: float) -> int:
    """A percentage as a whole number that is 0 or 100 only when it is exactly that."""
    if 0 < value < 100:
        return min(max(round(value), 1), 99)
    return round(value)


def value_json(value, measure) -> dict:
    text = shown_text(value, measure)
    if isinstance(value, Withheld):
        withheld = figure(value)["withheld"] if measure.kind == COUNT else "not shown"
        if isinstance(value, WithheldTotal):
            withheld = "not shown"
        return {"value": None, "text": text, "withheld": withheld}
    if value is None:
        return {"value": None, "text": text}
    if isinstance(value, Median):
        return {"value": round(value.value, 1), "text": text, "open_ended": value.open_ended}
    if measure.kind == PERCENT:
        return {"value": whole_percent(value), "text": text}
    return {"value": value, "text": value_text(value, measure) or text}


def group_json(group, measure, name: str) -> dict:
    if group.value is None:
        text = NO_GROUP_MEDIAN[name]
        return {"value": None, "text": text[:1].upper() + text[1:], "withheld": "not shown"}
    return value_json(group.value, measure)


def performance_json(force, period, *, today) -> dict:
    peers = peer_group(force)
    compared = {"previous_period": period.previous()}
    if period.kind not in (FINANCIAL_YEAR, CALENDAR_YEAR):  # else the same as the previous
        compared["year_before"] = period.year_before()
    figures = {"value": force_figures(force, period)}
    figures.update({name: force_figures(force, other) for name, other in compared.items()})
    # Before the first month the rollups hold, a 0 means "before the portal", not "none".
    firsts = [m for m in (first_month(), first_performance_month()) if m is not None]
    earliest = min(firsts, default=None)
    rates = every_force_rates(period)
    # The force is compared with the others: its own figure is never in the group's median.
    groups = {"national_median": [pk for pk in rates if pk != force.pk]}
    if peers.peers:
        groups["peer_median"] = [peer.pk for peer in peers.peers if peer.pk != force.pk]
    measures = []
    for measure in MEASURES:
        row = {
            "key": measure.key,
            "label": measure.label,
            "unit": KIND_OF[measure.kind],
            "better": measure.better,
            **dict.fromkeys(("previous_period", "year_before", "national_median", "peer_median")),
        }
        for name, found in figures.items():
            if name == "value" or measure.over_period:
                row[name] = value_json(found.values.get(measure.key), measure)
        if measure.compared_between_forces:
            for name, ids in groups.items():
                values = [rates.get(pk, {}).get(measure.key) for pk in ids]
                group = name.removesuffix("_median")
                row[name] = group_json(group_median(values), measure, group)
        measures.append(row)
    return {
        "force": {"slug": force.slug, "name": force.name, "nation": force.nation},
        "complete": period.end <= month_start(today),
        "previous_period": _compared(compared["previous_period"], earliest),
        "year_before": _compared(compared["year_before"], earliest)
        if "year_before" in compared
        else None,
        "peer_group": {
            "description": peers.description,
            "forces": [peer.slug for peer in peers.peers],
        },
        "measures": measures,
        "training": [
            {
                "audience": row.audience,
                "label": row.label,
                "assigned": figure(row.assigned),
                "completed": figure(row.completed),
                "percent": value_json(row.percent, MEASURE["training"]),
            }
            for row in training_table(force).rows
        ],
    }


def _compared(period, earliest) -> dict:
    return {
        "period": period_json(period),
        "before_data": earliest is None or period.end <= earliest,
    }


class PerformanceView(TrendsAPIView):
    query_class = PerformanceQuery
    endpoint = "performance"

    @extend_schema(
        summary="A force's performance, for its Police and Crime Commissioner",
        description=(
            "Reports received; the median time to first response and the share within "
            "target; the median time to outcome and the share within 28 days; wellbeing "
            "referrals offered and accepted; training completion. Each beside the previous "
            "period, the same period a year before, the national median and the peer group "
            "median. The same figures as the performance page and the accountability pack."
        ),
        parameters=[PerformanceQuery],
        responses={200: PerformanceSerializer, **ERRORS},
    )
    def get(self, request):
        query = self.query(request)
        force, period = query["force"], query["period"]
        scope = Scope(forces=(force.pk,), period=period)
        body = {
            **self.envelope(request, scope),
            **performance_json(force, period, today=timezone.localdate()),
        }
        return Response(PerformanceSerializer(body).data)
