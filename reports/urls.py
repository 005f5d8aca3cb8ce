from __future__ import annotations

from django.urls import path

from reports.views import journey, reporter

app_name = "reports"

urlpatterns = [
    path("", reporter.report_list, name="list"),
    path("new/", journey.start, name="start"),
    path("<uuid:pk>/step/<slug:slug>/", journey.step, name="step"),
    path("<uuid:pk>/not-connected/", journey.not_connected, name="not_connected"),
    path(
        "<uuid:pk>/evidence/<uuid:evidence_pk>/remove/",
        journey.evidence_remove,
        name="evidence_remove",
    ),
    path("<uuid:pk>/check/", journey.check, name="check"),
    path("<uuid:pk>/submit/", journey.submit, name="submit"),
    path("<uuid:pk>/done/", journey.done, name="done"),
    path("<uuid:pk>/delete/", journey.draft_delete, name="draft_delete"),
    path("<uuid:pk>/", reporter.detail, name="detail"),
    path("<uuid:pk>/messages/", reporter.message_send, name="message_send"),
    path("<uuid:pk>/withdraw/", reporter.withdraw, name="withdraw"),
    path("<uuid:pk>/add/", reporter.add_evidence, name="add_evidence"),
    path("<uuid:pk>/stop-sharing/", reporter.stop_sharing, name="stop_sharing"),
    path(
        "<uuid:pk>/evidence/<uuid:evidence_pk>/",
        reporter.evidence_download,
        name="evidence_download",
    ),
]
