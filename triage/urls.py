from __future__ import annotations

from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("claim-next/", views.claim_next, name="claim_next"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/claim/", views.claim, name="claim"),
    path("cases/<int:pk>/unclaim/", views.unclaim, name="unclaim"),
    path("cases/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("cases/<int:pk>/assess/", views.assess, name="assess"),
    path("cases/<int:pk>/actions/new/", views.record_action, name="record_action"),
    path("cases/<int:pk>/notes/new/", views.add_note, name="add_note"),
    path("cases/<int:pk>/messages/new/", views.send_message, name="send_message"),
    path("cases/<int:pk>/outcome/", views.give_outcome, name="give_outcome"),
    path("cases/<int:pk>/close/", views.close, name="close"),
    path("cases/<int:pk>/reopen/", views.reopen, name="reopen"),
    path(
        "cases/<int:pk>/evidence/<int:evidence_pk>/",
        views.evidence,
        name="evidence",
    ),
]
