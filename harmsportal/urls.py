from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from harmsportal import views
from harmsportal.people import views as people_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("exit/", views.exit_page, name="exit"),
    # allauth's sign-out, sending Clear-Site-Data as well: before allauth's own to replace it.
    path("accounts/logout/", people_views.logout, name="account_logout"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("harmsportal.people.urls")),
    path("notifications/", include("harmsportal.notifications.urls")),
    path("reports/", include("reports.urls")),
    path("triage/", include("triage.urls")),
    path("wellbeing/", include("wellbeing.urls")),
    path("training/", include("training.urls")),
    path("trends/", include("harmsportal.trends.urls")),
    path("your-data/", include("privacy.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "harmsportal.views.error_400"
handler403 = "harmsportal.views.error_403"
handler404 = "harmsportal.views.error_404"
handler500 = "harmsportal.views.error_500"
