"""Wellbeing routes. Referral URLs carry the referral's opaque `public_id`, never its pk.

Object routes (a referral, a plan, a check-in) answer 404 to anyone who may not see the
object, exactly like a missing one; list routes for champions are staff routes (403 without
the role, 404 for Professional Standards).
"""

from __future__ import annotations

from django.urls import path

from wellbeing.views import (
    capacity_pages,
    champion_pages,
    checkin_pages,
    library_pages,
    offer_pages,
    person_pages,
    plan_pages,
)

app_name = "wellbeing"

urlpatterns = [
    # The champion's queue and a referral as the champion works it (champion_pages).
    path("", champion_pages.queue, name="home"),
    path("referrals/<uuid:pk>/", champion_pages.referral, name="referral"),
    path("referrals/<uuid:pk>/assign/", champion_pages.assign, name="assign"),
    path("referrals/<uuid:pk>/service/", champion_pages.choose_service, name="choose_service"),
    path("referrals/<uuid:pk>/start/", champion_pages.start_support, name="start_support"),
    path("referrals/<uuid:pk>/step-aside/", champion_pages.step_aside, name="step_aside"),
    path("referrals/<uuid:pk>/close/", champion_pages.close, name="close"),
    path("referrals/<uuid:pk>/reopen/", champion_pages.reopen, name="reopen"),
    path("referrals/<uuid:pk>/message/", champion_pages.message, name="message"),
    # Support plan, both sides (plan_pages).
    path("referrals/<uuid:pk>/plan/", plan_pages.champion_plan, name="plan"),
    path("mine/<uuid:pk>/plan/", plan_pages.person_plan, name="mine_plan"),
    # Check-ins and crisis guidance (checkin_pages).
    path("referrals/<uuid:pk>/check-in/", checkin_pages.checkin, name="checkin"),
    path("referrals/<uuid:pk>/crisis/", checkin_pages.crisis, name="crisis"),
    # The person's own support (person_pages).
    path("mine/", person_pages.mine, name="mine"),
    path("mine/refer/", person_pages.self_refer, name="self_refer"),
    path("mine/<uuid:pk>/", person_pages.mine_referral, name="mine_referral"),
    path("mine/<uuid:pk>/respond/", person_pages.respond, name="respond"),
    path("mine/<uuid:pk>/consent/", person_pages.consent, name="consent"),
    path("mine/<uuid:pk>/withdraw/", person_pages.withdraw, name="withdraw"),
    path("mine/<uuid:pk>/message/", person_pages.message, name="mine_message"),
    path("mine/<uuid:pk>/feedback/", person_pages.feedback, name="feedback"),
    path("mine/<uuid:pk>/reopen/", person_pages.reopen, name="mine_reopen"),
    # Triage offers support from a case (offer_pages): the case's opaque id.
    path("offer/<uuid:case_pk>/", offer_pages.offer, name="offer"),
    # Capacity and the force's support services (capacity_pages).
    path("capacity/", capacity_pages.capacity, name="capacity"),
    path("services/", capacity_pages.services, name="services"),
    path("services/new/", capacity_pages.service_new, name="service_new"),
    path("services/<uuid:service_pk>/", capacity_pages.service_edit, name="service_edit"),
    # Champions' directory and the signposting library (library_pages).
    path("directory/", library_pages.directory, name="directory"),
    path("directory/me/", library_pages.listing_edit, name="listing_edit"),
    path("library/", library_pages.library, name="library"),
    path("library/new/", library_pages.resource_new, name="resource_new"),
    path("library/<uuid:resource_pk>/", library_pages.resource, name="resource"),
    path(
        "library/<uuid:resource_pk>/withdraw/",
        library_pages.resource_withdraw,
        name="resource_withdraw",
    ),
]
