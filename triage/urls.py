from __future__ import annotations

from django.urls import path

from triage.views import (
    case_pages,
    hold_pages,
    moving_pages,
    notice_pages,
    preference_pages,
    queue_pages,
)

app_name = "triage"

urlpatterns = [
    path("", queue_pages.queue, name="queue"),
    path("claim-next/", queue_pages.claim_next, name="claim_next"),
    path("supervisor/", queue_pages.supervisor, name="supervisor"),
    path("preferences/", preference_pages.preferences, name="preferences"),
    path("cases/<uuid:pk>/", case_pages.case_detail, name="case"),
    path("cases/<uuid:pk>/claim/", case_pages.claim, name="claim"),
    path("cases/<uuid:pk>/unclaim/", case_pages.unclaim, name="unclaim"),
    path("cases/<uuid:pk>/reassign/", case_pages.reassign, name="reassign"),
    path("cases/<uuid:pk>/assess/", case_pages.assess, name="assess"),
    path("cases/<uuid:pk>/actions/new/", case_pages.record_action, name="record_action"),
    path("cases/<uuid:pk>/notes/new/", case_pages.add_note, name="add_note"),
    path("cases/<uuid:pk>/messages/new/", case_pages.send_message, name="send_message"),
    path("cases/<uuid:pk>/outcome/", case_pages.give_outcome, name="give_outcome"),
    path("cases/<uuid:pk>/close/", case_pages.close, name="close"),
    path("cases/<uuid:pk>/reopen/", case_pages.reopen, name="reopen"),
    path("cases/<uuid:pk>/transfer/", moving_pages.transfer, name="transfer"),
    path("cases/<uuid:pk>/step-aside/", moving_pages.step_aside, name="step_aside"),
    path("cases/<uuid:pk>/legal-hold/", hold_pages.legal_hold, name="legal_hold"),
    path(
        "cases/<uuid:pk>/line-manager/",
        notice_pages.line_manager_notice,
        name="line_manager_notice",
    ),
    path(
        "cases/<uuid:pk>/evidence/<uuid:evidence_pk>/",
        case_pages.evidence,
        name="evidence",
    ),
]
