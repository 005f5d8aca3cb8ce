from __future__ import annotations

from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("claim-next/", views.claim_next, name="claim_next"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("cases/<uuid:pk>/", views.case_detail, name="case"),
    path("cases/<uuid:pk>/claim/", views.claim, name="claim"),
    path("cases/<uuid:pk>/unclaim/", views.unclaim, name="unclaim"),
    path("cases/<uuid:pk>/reassign/", views.reassign, name="reassign"),
    path("cases/<uuid:pk>/assess/", views.assess, name="assess"),
    path("cases/<uuid:pk>/actions/new/", views.record_action, name="record_action"),
    path("cases/<uuid:pk>/notes/new/", views.add_note, name="add_note"),
    path("cases/<uuid:pk>/messages/new/", views.send_message, name="send_message"),
    path("cases/<uuid:pk>/outcome/", views.give_outcome, name="give_outcome"),
    path("cases/<uuid:pk>/close/", views.close, name="close"),
    path("cases/<uuid:pk>/reopen/", views.reopen, name="reopen"),
    path(
        "cases/<uuid:pk>/evidence/<uuid:evidence_pk>/",
        views.evidence,
        name="evidence",
    ),
]
