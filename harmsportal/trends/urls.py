"""Trends routes: dashboards, the accountability pack, exports and API keys.

Every route is for force leads, oversight (the PCC's office) and national analysts
(`role_required`: 403 for anyone else, 404 for Professional Standards); the national pages are
for national analysts only. A force in the path that the user may not see is a 404, exactly
like one that does not exist (`trends.selectors.get_force_for_user`). The read-only JSON API
lives in `trends/api/`.
"""

from __future__ import annotations

from django.urls import include, path

from harmsportal.trends.views import dashboard_pages, export_pages, performance_pages, token_pages

app_name = "trends"

urlpatterns = [
    path("", dashboard_pages.home, name="home"),
    # A force's trends (dashboard_pages): force leads, oversight, analysts.
    path("forces/<slug:force>/", dashboard_pages.force, name="force"),
    # National views (dashboard_pages): national analysts only.
    path("national/", dashboard_pages.national, name="national"),
    path("national/non-crime/", dashboard_pages.non_crime, name="non_crime"),
    # A force's performance and the accountability pack (performance_pages).
    path("forces/<slug:force>/performance/", performance_pages.performance, name="performance"),
    path("forces/<slug:force>/pack/", performance_pages.pack, name="pack"),
    # Exports (export_pages).
    path("export.csv", export_pages.export_csv, name="export_csv"),
    path("export.xlsx", export_pages.export_xlsx, name="export_xlsx"),
    # API keys (token_pages).
    path("api-keys/", token_pages.tokens, name="api_tokens"),
    path("api-keys/<uuid:pk>/revoke/", token_pages.revoke, name="api_token_revoke"),
    # The read-only JSON API (trends/api/).
    path("api/v1/", include("harmsportal.trends.api.urls")),
]
