from __future__ import annotations

from django.urls import path

from reports.views import journey, reporter

app_name = "reports"

urlpatterns = [
    path("", reporter.report_list, name="list"),
    path("new/", journey.start, name="start"),
    path("<int:pk>/step/<slug:slug>/", journey.step, name="step"),
    path("<int:pk>/not-connected/", journey.not_connected, name="not_connected"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/remove/",
        journey.evidence_remove,
        name="evidence_remove",
    ),
    path("<int:pk>/check/", journey.check, name="check"),
    path("<int:pk>/submit/", journey.submit, name="submit"),
    path("<int:pk>/done/", journey.done, name="done"),
    path("<int:pk>/delete/", journey.draft_delete, name="draft_delete"),
    path("<int:pk>/", reporter.detail, name="detail"),
    path("<int:pk>/messages/", reporter.message_send, name="message_send"),
    path("<int:pk>/withdraw/", reporter.withdraw, name="withdraw"),
    path("<int:pk>/stop-sharing/", reporter.stop_sharing, name="stop_sharing"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/",
        reporter.evidence_download,
        name="evidence_download",
    ),
]
