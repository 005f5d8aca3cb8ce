"""The read-only trends API for force BI tools: forces, figures, monthly figures and the schema.

Every endpoint starts at `trends.selectors` (a lead sees only their own force; another force's
slug in `?force=` is a 400 exactly like an unknown one), reads its figures from
`trends.figures` (so every count has passed `harmsportal.disclosure.publish_count` or
`publish_total`: the same figure as the dashboards and exports), records the read in the access
log, and answers with `data_as_at`, `period`, `scope` and a `disclosure` note beside the
figures.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, Throttled, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView, exception_handler

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.disclosure import Withheld, WithheldTotal, disclosure_k
from harmsportal.people.models import AGGREGATE_ROLES, Role
from harmsportal.templatetags.govuk_time import govuk_datetime
from harmsportal.trends import figures as trends_figures
from harmsportal.trends.api import schema as _schema  # noqa: F401  (registers the key scheme)
from harmsportal.trends.api.auth import NOT_SIGNED_IN, SeesTrends
from harmsportal.trends.api.serializers import (
    ErrorSerializer,
    FiguresSerializer,
    ForcesSerializer,
    MonthlyQuery,
    MonthlySerializer,
    PageQuery,
    ScopeQuery,
)
from harmsportal.trends.figures import (
    COUNTS_MENTIONS,
    COUNTS_NOTES,
    COUNTS_REPORTS,
    DIMENSION_LABELS,
    MONTH,
    SINGLE_SELECT,
    Scope,
    data_as_at,
    figures_by,
    scope_figures,
    value_labels,
)
from harmsportal.trends.periods import month_period, month_start
from harmsportal.trends.selectors import FORCE_ROLES, sees_every_force, trends_forces_for

DEFAULT_PAGE_SIZE = 50
ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    429: ErrorSerializer,
}


def api_exception_handler(exc, context):
    """DRF's handler, with one shape for every error: {"detail": "...", "errors": {...}}.

    Http404 is left to Django (the portal's own 404 page), so to Professional Standards the
    API is exactly as absent as an address that does not exist, as `role_required` makes
    every page.
    """
    if isinstance(exc, Http404):
        return None
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, NotAuthenticated):
        response.data = {"detail": NOT_SIGNED_IN}
    elif isinstance(exc, Throttled):
        rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"]
        response.data = {
            "detail": f"Too many requests: the API answers {rate} for each person. "
            f"Try again in {exc.wait or 1:.0f} seconds."
        }
    elif isinstance(exc, ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"query": exc.detail}
        errors = {
            name: [str(message) for message in (value if isinstance(value, list) else [value])]
            for name, value in errors.items()
        }
        first = next(iter(errors.values()))[0]
        response.data = {"detail": first, "errors": errors}
    return response


class RequiredRolesMixin:
    """Gives the URL callback the `required_roles` mark that `role_required` gives a page (the
    permission matrix and the staff MFA tests read it: tests/routes.py). DRF's `as_view` wraps
    the view in a new function (csrf_exempt), so the class attribute is copied onto it."""

    required_roles = AGGREGATE_ROLES

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        view.required_roles = frozenset(cls.required_roles)
        return view


class TrendsAPIView(RequiredRolesMixin, APIView):
    query_class: type[serializers.Serializer] = PageQuery
    endpoint = ""

    def get_exception_handler(self):
        return api_exception_handler

    def perform_content_negotiation(self, request, force=False):
        """JSON, as asked for. A `?format=` naming no renderer (yaml) makes DRF raise Http404
        before anyone is signed in, which the handler leaves to Django (an HTML 404, or a 500
        under DEBUG). Answer in JSON instead: the sign-in and role checks then run as for any
        call (Professional Standards still 404), and `query` refuses `format` as an unknown
        parameter (400)."""
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:
            renderer = self.get_renderers()[0]
            return renderer, renderer.media_type

    def query(self, request) -> dict:
        """The validated query; 400 for an unknown, repeated or bad parameter."""
        allowed = self.query_class().fields
        problems = {}
        for name in request.query_params:
            if name not in allowed:
                problems[name] = [f"Unknown parameter. This takes: {', '.join(allowed)}."]
            elif len(request.query_params.getlist(name)) > 1:
                problems[name] = ["Give this parameter once."]
        if problems:
            raise ValidationError(problems)
        query = self.query_class(data=request.query_params.dict(), context={"user": request.user})
        query.is_valid(raise_exception=True)
        return query.validated_data

    def scope_of(self, request, query: dict) -> Scope:
        force = query.get("force")
        if force is not None:
            forces = (force.pk,)
        elif sees_every_force(request.user):
            forces = None
        else:
            forces = tuple(force.pk for force in trends_forces_for(request.user))
        return Scope(forces=forces, period=query["period"], category=query.get("category"))

    def envelope(self, request, scope: Scope | None) -> dict:
        """What every answer carries, and the read recorded in the access log (one row)."""
        as_at = data_as_at()
        seen = trends_forces_for(request.user)
        covered = (
            seen
            if scope is None or scope.forces is None
            else [force for force in seen if force.pk in scope.forces]
        )
        all_forces = (scope is None or scope.forces is None) and sees_every_force(request.user)
        period = scope.period if scope is not None else None
        self.audit(request, scope, covered, all_forces)
        k = disclosure_k()
        return {
            "data_as_at": as_at,
            "data_as_at_text": (
                f"Data as at {govuk_datetime(as_at)}"
                if as_at
                else "Figures have not been built yet, so every figure is 0."
            ),
            "period": None if period is None else period_json(period),
            "scope": {
                "all_forces": all_forces,
                "forces": [force.slug for force in covered],
                "category": scope.category if scope is not None else None,
            },
            "disclosure": {"k": k, "note": disclosure_note(k)},
        }

    def audit(self, request, scope, covered, all_forces: bool) -> None:
        user = request.user
        if sees_every_force(user):
            role = Role.NATIONAL_ANALYST
        else:
            role = next((r for r in FORCE_ROLES if r in user.roles), "")
        words = [f"API {self.endpoint}"]
        if scope is not None:
            words.append(f"period {scope.period.slug}")
            if scope.category:
                words.append(f"category {scope.category}")
        words.append("all forces" if all_forces else ", ".join(f.slug for f in covered))
        access_record(
            actor=user,
            action=AccessLog.Action.READ,
            object_type="trends.api",
            object_id=self.endpoint,
            force=covered[0] if len(covered) == 1 else None,
            role=role,
            reason="; ".join(words),
        )

    def page(self, request, query: dict, items: list) -> dict:
        size = query.get("page_size") or DEFAULT_PAGE_SIZE
        number = query["page"]
        pages = max(1, -(-len(items) // size))
        if number > pages:
            raise ValidationError(
                {
                    "page": [
                        f"There {'is' if pages == 1 else 'are'} {pages} page{'s' if pages > 1 else ''} of {size}."
                    ]
                }
            )
        url = request.build_absolute_uri()
        first = (number - 1) * size

        def link(to: int) -> str | None:
            if not 1 <= to <= pages or to == number:
                return None
            return (
                remove_query_param(url, "page") if to == 1 else replace_query_param(url, "page", to)
            )

        return {
            "count": len(items),
            "next": link(number + 1),
            "previous": link(number - 1),
            "results": items[first : first + size],
        }


def period_json(period) -> dict:
    return {
        "slug": period.slug,
        "kind": period.kind,
        "label": period.label,
        "start": period.start,
        "end": period.end - timedelta(days=1),  # the last day, as people say it
    }


def disclosure_note(k: int) -> str:
    return (
        "Every count is published under the portal's disclosure control, the same on the "
        f"dashboards, exports and this API: 0 is shown; a count from 1 to {k - 1} is withheld "
        f'("<{k}"); a larger count is rounded to a multiple of {k} (never below {k}), the same '
        "way every time it is asked for, so no small count can be worked out by comparing two "
        'answers. A total is "not shown" when its parts would let a withheld count be worked '
        "out. Figures count reports, never people, and hold no names, free text or evidence."
    )


def figure(value) -> dict:
    """A published figure as the API writes it."""
    if isinstance(value, WithheldTotal):
        return {"value": None, "withheld": "not shown"}
    if isinstance(value, Withheld):
        return {"value": None, "withheld": f"<{value.k}"}
    return {"value": value}


def breakdown(found: trends_figures.Breakdown) -> dict:
    return {
        "dimension": found.dimension,
        "label": found.label,
        "counts": found.counts,
        "note": found.note,
        "rows": [
            {"value": row.value, "label": row.label, "figure": figure(row.figure)}
            for row in found.rows
        ],
    }


def no_reports(dimension: str) -> dict:
    """A breakdown of a month in which no report in scope was received: every value 0."""
    counts = COUNTS_REPORTS if dimension in SINGLE_SELECT else COUNTS_MENTIONS
    return {
        "dimension": dimension,
        "label": DIMENSION_LABELS[dimension],
        "counts": counts,
        "note": COUNTS_NOTES[counts],
        "rows": [
            {"value": value, "label": label, "figure": {"value": 0}}
            for value, label in value_labels(dimension).items()
        ],
    }


# --- endpoints -------------------------------------------------------------------------------------
class ForcesView(TrendsAPIView):
    endpoint = "forces"

    @extend_schema(
        summary="The forces you can see",
        description=(
            "Force leads and oversight see the forces they hold that role in; national "
            "analysts see every force. Use a force's slug in the force parameter."
        ),
        parameters=[PageQuery],
        responses={200: ForcesSerializer, **ERRORS},
    )
    def get(self, request):
        query = self.query(request)
        forces = [
            {"slug": force.slug, "name": force.name, "nation": force.nation}
            for force in trends_forces_for(request.user)
        ]
        body = {**self.envelope(request, None), **self.page(request, query, forces)}
        return Response(ForcesSerializer(body).data)


class FiguresView(TrendsAPIView):
    query_class = ScopeQuery
    endpoint = "figures"

    @extend_schema(
        summary="Reports received, with a breakdown by each dimension",
        description=(
            "The total of reports received in the period, and the same reports broken down "
            "by harm category, platform, online-to-offline impact, recording decision, "
            "reporter and outcome. The same figures as the dashboards."
        ),
        parameters=[ScopeQuery],
        responses={200: FiguresSerializer, **ERRORS},
    )
    def get(self, request):
        query = self.query(request)
        scope = self.scope_of(request, query)
        found = scope_figures(scope)
        body = {
            **self.envelope(request, scope),
            "total": figure(found.total),
            "breakdowns": [breakdown(each) for each in found.breakdowns.values()],
        }
        return Response(FiguresSerializer(body).data)


class MonthlyView(TrendsAPIView):
    query_class = MonthlyQuery
    endpoint = "monthly"

    @extend_schema(
        summary="Reports received month by month",
        description=(
            "For each month of the period up to the latest figures: reports received, and "
            "with dimension, their breakdown by it. A month with no reports is listed with 0."
        ),
        parameters=[MonthlyQuery],
        responses={200: MonthlySerializer, **ERRORS},
    )
    def get(self, request):
        query = self.query(request)
        scope = self.scope_of(request, query)
        dimension = query["dimension"]
        by_month = figures_by(scope, by=MONTH)
        as_at = data_as_at()
        # Every month the figures have been built for (up to data as at), with or without reports.
        built = [
            month
            for month in scope.period.month_list()
            if as_at is not None and month <= month_start(timezone.localdate(as_at))
        ]
        months = []
        for month in sorted(set(built) | set(by_month)):
            found = by_month.get(month)
            if found is None:
                total, rows = {"value": 0}, no_reports(dimension) if dimension else None
            else:
                total = figure(found.total)
                rows = breakdown(found.breakdowns[dimension]) if dimension else None
            label = month_period(month).label
            months.append({"month": month, "label": label, "total": total, "breakdown": rows})
        body = {
            **self.envelope(request, scope),
            "dimension": dimension,
            **self.page(request, query, months),
        }
        return Response(MonthlySerializer(body).data)


class SchemaView(RequiredRolesMixin, SpectacularAPIView):
    """The OpenAPI 3 schema, generated by drf-spectacular from the views and serializers."""

    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    permission_classes = [SeesTrends]
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES
    # JSON unless the caller asks for YAML (?format=yaml or Accept: application/vnd.oai.openapi).
    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]

    def get_exception_handler(self):
        return api_exception_handler

    def handle_exception(self, exc):
        # An error is plain JSON, as from every other endpoint, not an "OpenAPI document".
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
