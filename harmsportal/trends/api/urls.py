"""The read-only trends API, at /trends/api/v1/ (namespace `trends_api`).

Every view is for force leads, oversight and national analysts (`SeesTrends`, with the
`required_roles` mark the permission matrix reads); GET only.
"""

from __future__ import annotations

from django.urls import path

from harmsportal.trends.api import performance, views

app_name = "trends_api"

urlpatterns = [
    path("forces/", views.ForcesView.as_view(), name="forces"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("monthly/", views.MonthlyView.as_view(), name="monthly"),
    path("performance/", performance.PerformanceView.as_view(), name="performance"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
]
