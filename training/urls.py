"""Training routes. Object URLs carry an opaque `public_id` (or a module's slug), never a pk.

Learner routes are for everyone signed in; the module and certificate routes answer 404 to
anyone who may not see the object, exactly like a missing one. Training admin routes are staff
routes (403 without the role, 404 for Professional Standards). Section pages take `?page=`.
"""

from __future__ import annotations

from django.urls import path

from training.views import (
    assignment_pages,
    compliance_pages,
    footprint_pages,
    learner_pages,
    manage_pages,
    roster_pages,
)

app_name = "training"

urlpatterns = [
    # The learner (learner_pages).
    path("", learner_pages.home, name="home"),
    path("modules/<slug:slug>/", learner_pages.module, name="module"),
    path("modules/<slug:slug>/learn/", learner_pages.learn, name="learn"),
    path("modules/<slug:slug>/quiz/", learner_pages.quiz, name="quiz"),
    path("modules/<slug:slug>/quiz/result/", learner_pages.quiz_result, name="quiz_result"),
    path("modules/<slug:slug>/complete/", learner_pages.complete, name="complete"),
    path("completions/<uuid:pk>/feedback/", learner_pages.feedback, name="feedback"),
    path("certificates/<uuid:pk>/", learner_pages.certificate, name="certificate"),
    # The digital-footprint self-check (footprint_pages).
    path("footprint/", footprint_pages.footprint, name="footprint"),
    path("footprint/saved/", footprint_pages.saved, name="footprint_saved"),
    # Authoring: modules, versions, force notes (manage_pages).
    path("manage/", manage_pages.manage, name="manage"),
    path("manage/modules/new/", manage_pages.module_new, name="module_new"),
    path("manage/modules/<uuid:pk>/", manage_pages.module_edit, name="module_edit"),
    path("manage/modules/<uuid:pk>/new-version/", manage_pages.version_new, name="version_new"),
    path("manage/modules/<uuid:pk>/retire/", manage_pages.module_retire, name="module_retire"),
    path("manage/modules/<uuid:pk>/note/", manage_pages.force_note, name="force_note"),
    path("manage/versions/<uuid:pk>/", manage_pages.version_edit, name="version_edit"),
    path(
        "manage/versions/<uuid:pk>/publish/", manage_pages.version_publish, name="version_publish"
    ),
    # Audience rules and assigning by hand (assignment_pages).
    path("manage/rules/", assignment_pages.rules, name="rules"),
    path("manage/rules/<uuid:pk>/", assignment_pages.rule_edit, name="rule_edit"),
    path("manage/assign/", assignment_pages.assign, name="assign"),
    # Roster import: upload, dry-run preview, apply (roster_pages).
    path("manage/roster/", roster_pages.roster, name="roster"),
    path("manage/roster/<uuid:pk>/", roster_pages.preview, name="roster_preview"),
    # Compliance, teams, aggregates, module review, certificate checks (compliance_pages).
    path("compliance/", compliance_pages.compliance, name="compliance"),
    path("compliance/export/", compliance_pages.compliance_export, name="compliance_export"),
    path("team/", compliance_pages.team, name="team"),
    path("team/export/", compliance_pages.team_export, name="team_export"),
    path("figures/", compliance_pages.figures, name="figures"),
    path("manage/modules/<uuid:pk>/review/", compliance_pages.review, name="review"),
    path("manage/verify/", compliance_pages.verify, name="verify"),
]
