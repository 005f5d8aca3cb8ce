"""Subject access: everything the portal holds about one person, as they may read it.

`subject_access_data(user)` is the one place that decides what is in a person's copy of their
data; the readable page and the JSON download both show exactly what it returns, so they can
never differ. What it follows:

- Only the person's own records, each reached from the person (their reports, their referrals,
  their training, their inbox), never through a case or a team.
- Nothing about anyone else beyond what the person wrote themselves: the triage team and a
  champion are "the team handling this report" and "your champion", never named; a family
  member is named by the relationship the person chose; staff alerts about other people's
  cases are listed by kind and date only, without their wording.
- No internal records: triage notes, actions, history and assessment (risk, recording
  decision, crime reference), champions' check-in notes, conflict reasons, referral history
  reasons; a case's outcome reaches the person as the report's outcome, as on their own page.
- No secrets: no password hash, no two-factor secret or recovery code, no email body (an
  account email may hold a reset link), no claim tokens.

`subject_access_record` writes the access-log row for a copy shown or downloaded.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from harmsportal.audit.models import AccessLog
from harmsportal.audit.services import access_record
from harmsportal.notifications.models import Notification
from harmsportal.people.models import DEMOGRAPHIC_FIELDS, FamilyLink, User
from reports.models import Evidence, Report, Subject
from reports.selectors import reports_of_reporter
from training.footprint_checklist import QUESTIONS as FOOTPRINT_QUESTIONS
from training.models import (
    RATING_CHOICES,
    Answer,
    Assignment,
    Audience,
    Completion,
    Progress,
    Question,
    QuizAttempt,
    TrainingProfile,
)
from training.selectors import footprint_checks_of
from wellbeing.models import SCORE_CHOICES, Referral
from wellbeing.selectors import referrals_of_person

# The access log's name for a person's copy of their own data (no model holds it).
OBJECT_TYPE = "privacy.subject_access"
ROLE = "data subject"

TEAM = "The team handling this report"
CHAMPION = "Your champion"
YOU = "You"
# Kinds whose wording may name other people's cases or people (staff alerts): listed without it.
WORDING_WITHHELD = frozenset({Notification.Kind.ALERT})
FAMILY_WORDING = "About your family links (listed under Family links)"
WITHHELD = (
    "Not included: staff alerts are about work you do for others, so their wording names "
    "other people's cases."
)


def _yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: "Not answered"}[value]


# --- account -----------------------------------------------------------------------------------
def _account(user: User) -> dict[str, Any]:
    about_you = {
        name: getattr(user, f"get_{name}_display")() or "Not answered"
        for name in DEMOGRAPHIC_FIELDS
    }
    return {
        "email": user.email,
        "full_name": user.full_name,
        "account_type": user.get_kind_display(),
        "joined_at": user.date_joined,
        "last_signed_in_at": user.last_login,
        "active": user.is_active,
        "professional_standards": user.professional_standards,
        "about_you": about_you,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "roles": [
            {
                "force": membership.force.name,
                "role": membership.get_role_display(),
                "since": membership.created_at,
            }
            for membership in user.memberships.select_related("force").order_by("created_at")
        ],
    }


def _two_factor(user: User) -> dict[str, Any]:
    # Only the kind of each method and when it was added and used: never `data`, which holds
    # the TOTP secret and the recovery codes.
    methods = [
        {
            "method": authenticator.get_type_display(),
            "added_at": authenticator.created_at,
            "last_used_at": authenticator.last_used_at,
        }
        for authenticator in Authenticator.objects.filter(user=user).order_by("created_at", "pk")
    ]
    enabled = any(m["method"] != Authenticator.Type.RECOVERY_CODES.label for m in methods)
    return {"enabled": enabled, "methods": methods}


def _family_links(user: User) -> list[dict[str, Any]]:
    # Invitations the person sent (with the address they typed) and links they accepted (named
    # by relationship only: the member's details are the member's own).
    sent = [
        {
            "you_are": "The person who invited",
            "relationship": link.get_relationship_display(),
            "invited_email": link.email,
            "status": link.status,
            "invited_at": link.created_at,
            "accepted_at": link.accepted_at,
            "ended_at": link.revoked_at,
        }
        for link in FamilyLink.objects.filter(member=user).order_by("created_at", "pk")
    ]
    accepted = [
        {
            "you_are": "The family member invited",
            "relationship": link.get_relationship_display(),
            "invited_email": link.email,
            "status": link.status,
            "invited_at": link.created_at,
            "accepted_at": link.accepted_at,
            "ended_at": link.revoked_at,
        }
        for link in FamilyLink.objects.filter(family_user=user).order_by("created_at", "pk")
    ]
    return sent + accepted


# --- reports -------------------------------------------------------------------------------------
def _who(report: Report) -> str:
    if report.subject == Subject.FAMILY and report.family_link_id:
        return f"A family member ({report.family_link.get_relationship_display().lower()})"
    if report.subject == Subject.CHILD:
        return "A child under 13"
    return report.get_subject_display() or "Not answered"


def _when(report: Report) -> str:
    if report.started_on and report.is_ongoing:
        return f"Started on {report.started_on:%-d %B %Y}, and still going on"
    if report.started_on:
        return f"{report.started_on:%-d %B %Y}"
    return "It is still going on" if report.is_ongoing else "Not answered"


def _platforms(report: Report) -> list[str]:
    return [
        f"{platform.name}: {report.platform_other}"
        if platform.slug == "other" and report.platform_other
        else platform.name
        for platform in report.platforms.all()
    ]


def _answers(report: Report) -> list[dict[str, Any]]:
    """Every answer the person gave, as question and answer, in the journey's order."""
    rows: list[tuple[str, Any]] = [("Who was harmed", _who(report))]
    if report.subject == Subject.CHILD:
        rows += [
            ("Child's first name", report.child_first_name),
            ("Child's age", report.get_child_age_band_display()),
        ]
    if report.shared_with_member is not None:
        rows.append(
            ("Your linked family member can see this report", _yes_no(report.shared_with_member))
        )
    rows += [
        ("What happened", [category.name for category in report.categories.all()]),
        ("What you were targeted for", report.get_hate_characteristics_display()),
        ("Where it happened", _platforms(report)),
        ("When it happened", _when(report)),
        ("Connected to policing", _yes_no(report.related_to_role)),
        ("What happened, in your words", report.description),
        ("Do you know who did it", report.get_perpetrator_known_display()),
        ("What you know about them", report.perpetrator_details),
        ("Away from the internet", report.get_offline_impacts_display()),
        ("How much it is affecting you", report.get_impact_level_display() or ""),
        ("Offer of wellbeing support", report.get_wants_support_display()),
        ("Tell your line manager", _yes_no(report.line_manager_consent)),
        ("How to contact you", report.get_contact_preference_display()),
        ("Phone number", report.phone),
    ]
    return [{"question": question, "answer": answer or "Not answered"} for question, answer in rows]


def _evidence(report: Report, item: Evidence) -> dict[str, Any]:
    if item.is_link:
        return {
            "kind": item.get_kind_display(),
            "link": item.link_url,
            "added_at": item.uploaded_at,
        }
    return {
        "kind": item.get_kind_display(),
        "file_name": item.original_filename,
        "size_bytes": item.size,
        "added_at": item.uploaded_at,
        # The person's own download, through the report's chokepoint (and logged there).
        "download_path": reverse(
            "reports:evidence_download", args=[report.public_id, item.public_id]
        ),
    }


def _report(report: Report) -> dict[str, Any]:
    return {
        "reference": report.reference or "Draft (not sent)",
        "status": report.get_status_display(),
        "force": report.force.name,
        "started_at": report.created_at,
        "sent_at": report.submitted_at,
        "answers": _answers(report),
        "evidence": [_evidence(report, item) for item in report.evidence.all()],
        "progress": [
            {"status": event.get_status_display(), "at": event.at, "note": event.note}
            for event in report.status_events.all()
        ],
        "messages": [
            {
                "from": YOU if message.from_reporter else TEAM,
                "sent_at": message.created_at,
                "message": message.body,
            }
            for message in report.messages.all()
        ],
        "outcome": report.get_outcome_category_display(),
        "outcome_explanation": report.outcome_explanation,
        "outcome_at": report.outcome_at,
        "withdrawn_at": report.withdrawn_at,
        "withdrawal_reason": report.withdrawal_reason,
    }


def _reports(user: User) -> list[dict[str, Any]]:
    reports = (
        reports_of_reporter(user)
        .select_related("family_link")
        .prefetch_related("evidence", "status_events", "messages")
    )
    return [_report(report) for report in reports]


# --- wellbeing -----------------------------------------------------------------------------------
def _referral(referral: Referral) -> dict[str, Any]:
    scores = dict(SCORE_CHOICES)
    helpful = referral.feedback_helpful_label
    own_report = referral.case.report if referral.case_id else None
    return {
        "reference": referral.reference,
        "force": referral.force.name,
        "state": referral.get_state_display(),
        "how_it_started": referral.get_source_display(),
        "from_your_report": own_report.reference if own_report else "",
        "support": referral.get_support_type_display(),
        "support_service": referral.service.name if referral.service_id else "",
        "who_has_been_harmed": referral.get_harm_to_display(),
        "champion_assigned": referral.champion_id is not None,
        "started_at": referral.created_at,
        "accepted_at": referral.accepted_at,
        "declined_at": referral.declined_at,
        "closed_at": referral.closed_at,
        "close_reason": referral.get_close_reason_display(),
        "your_summary": referral.summary,
        "consent": {
            "what_is_shared": referral.get_consent_scope_display(),
            "name_shared": referral.consent_name,
            "given_at": referral.consent_given_at,
            "withdrawn_at": referral.consent_withdrawn_at,
        },
        "support_plans": [
            {
                "written_at": plan.at,
                "how_to_contact_you": plan.get_contact_how_display(),
                "when_to_contact_you": plan.contact_when,
                "what_you_need": plan.needs,
                "what_helps": plan.what_helps,
                "what_does_not_help": plan.what_does_not_help,
                "check_in_every_days": plan.checkin_every_days,
                "remind_you": plan.remind_person,
            }
            for plan in referral.plans.all()
        ],
        # The score and whether it was a crisis; the champion's own note stays with them.
        "check_ins": [
            {"at": checkin.at, "score": scores.get(checkin.score), "in_crisis": checkin.is_crisis}
            for checkin in referral.checkins.all()
        ],
        "messages": [
            {
                "from": YOU if message.from_person else CHAMPION,
                "sent_at": message.sent_at,
                "message": message.body,
            }
            for message in referral.messages.all()
        ],
        "feedback": {
            "how_helpful": helpful,
            "in_your_words": referral.feedback_text,
            "given_at": referral.feedback_at,
            "declined": referral.feedback_declined,
        },
    }


def _referrals(user: User) -> list[dict[str, Any]]:
    referrals = (
        referrals_of_person(user)
        .select_related("case__report")
        .prefetch_related("plans", "checkins", "messages")
    )
    return [_referral(referral) for referral in referrals]


# --- training ------------------------------------------------------------------------------------
def _quiz_answers(attempts: list[QuizAttempt]) -> dict[str, str]:
    """{answer pk: text} for every answer chosen in `attempts`, in one query."""
    chosen = {str(pk) for attempt in attempts for pk in attempt.answers.values()}
    ids = [int(pk) for pk in chosen if str(pk).isdigit()]
    return {
        str(pk): text for pk, text in Answer.objects.filter(pk__in=ids).values_list("pk", "text")
    }


def _training(user: User) -> dict[str, Any]:
    attempts = list(
        QuizAttempt.objects.filter(person=user).select_related("version__module").order_by("at")
    )
    answer_text = _quiz_answers(attempts)
    question_ids = [int(pk) for a in attempts for pk in a.answers if str(pk).isdigit()]
    question_text = dict(Question.objects.filter(pk__in=question_ids).values_list("pk", "text"))
    ratings = dict(RATING_CHOICES)
    audiences = dict(Audience.choices)
    completions = Completion.objects.filter(person=user).select_related(
        "module", "version", "force", "feedback"
    )
    return {
        "profiles": [
            {
                "force": profile.force.name,
                "audiences": [audiences.get(a, a) for a in profile.audiences],
                "start_date": profile.start_date,
                # Whether the roster names one; who it is belongs to them.
                "line_manager_named": profile.line_manager_id is not None,
            }
            for profile in TrainingProfile.objects.filter(person=user).select_related("force")
        ],
        "assignments": [
            {
                "module": assignment.module.title,
                "force": assignment.force.name,
                "why": assignment.get_source_display(),
                "assigned_at": assignment.assigned_at,
                "due_on": assignment.due_on,
                "completed_at": assignment.completed_at,
                "cancelled_at": assignment.cancelled_at,
            }
            for assignment in Assignment.objects.filter(person=user)
            .select_related("module", "force")
            .order_by("assigned_at", "pk")
        ],
        "progress": [
            {
                "module": progress.version.module.title,
                "version": progress.version.number,
                "started_at": progress.started_at,
                "read_every_part_at": progress.read_all_at,
            }
            for progress in Progress.objects.filter(person=user)
            .select_related("version__module")
            .order_by("started_at", "pk")
        ],
        "quiz_attempts": [
            {
                "module": attempt.version.module.title,
                "version": attempt.version.number,
                "at": attempt.at,
                "correct": attempt.correct,
                "out_of": attempt.total,
                "passed": attempt.passed,
                "your_answers": [
                    {
                        "question": question_text.get(int(q), "") if str(q).isdigit() else "",
                        "answer": answer_text.get(str(a), ""),
                    }
                    for q, a in attempt.answers.items()
                ],
            }
            for attempt in attempts
        ],
        "completions": [
            {
                "module": completion.module.title,
                "version": completion.version.number,
                "completed_at": completion.completed_at,
                "expires_on": completion.expires_on,
                "score_percent": completion.score_percent,
                "name_on_certificate": completion.name_on_certificate,
                "verification_code": completion.verification_code,
                "feedback": _feedback(completion, ratings),
            }
            for completion in completions.order_by("completed_at", "pk")
        ],
        "footprint_checks": [
            {
                "completed_at": check.completed_at,
                "saved_answers": [
                    {"question": question.text, "answer": option.label}
                    for question in FOOTPRINT_QUESTIONS
                    if (option := question.option((check.saved_answers or {}).get(question.key)))
                ],
            }
            for check in footprint_checks_of(user).order_by("completed_at", "pk")
        ],
    }


def _feedback(completion: Completion, ratings: dict[int, str]) -> dict[str, Any] | None:
    feedback = getattr(completion, "feedback", None)
    if feedback is None:
        return None
    return {
        "rating": ratings.get(feedback.rating, ""),
        "what_would_make_it_better": feedback.better,
        "changed_what_you_do": feedback.get_changed_display(),
        "given_at": feedback.at,
    }


# --- notifications -------------------------------------------------------------------------------
def _notification(notification: Notification) -> dict[str, Any]:
    if notification.kind == Notification.Kind.ACCOUNT:
        # allauth's own emails: the subject only. The body may hold a reset or confirm link.
        wording = notification.email_subject
    elif notification.kind in WORDING_WITHHELD:
        wording = WITHHELD
    elif notification.link_path == reverse("people:family"):
        # "Jo Smith accepted your family invitation": the family member's name is theirs.
        wording = FAMILY_WORDING
    else:
        wording = notification.title
    return {
        "kind": notification.get_kind_display(),
        "what_it_said": wording,
        "at": notification.created_at,
        "read_at": notification.read_at,
        "email": notification.get_email_status_display(),
        "emailed_at": notification.sent_at,
    }


def _notifications(user: User) -> list[dict[str, Any]]:
    notifications = Notification.objects.filter(user=user).order_by("created_at", "pk")
    return [_notification(notification) for notification in notifications]


# --- the whole copy ------------------------------------------------------------------------------
def subject_access_data(user: User) -> dict[str, Any]:
    """Everything the portal holds about `user` that they may have, as plain data."""
    return {
        "about_this_copy": {
            "made_at": timezone.now(),
            "for": user.email,
            "what_is_left_out": (
                "This copy leaves out internal records kept by the teams who help you "
                "(triage notes and assessments, champions' notes), anything about other people "
                "beyond what you wrote yourself, and security secrets (your password and "
                "two-factor codes)."
            ),
        },
        "account": _account(user),
        "two_factor_authentication": _two_factor(user),
        "family_links": _family_links(user),
        "reports": _reports(user),
        "wellbeing_referrals": _referrals(user),
        "training": _training(user),
        "notifications": _notifications(user),
    }


@transaction.atomic
def subject_access_record(*, actor: User, downloaded: bool) -> AccessLog:
    """The access-log row for a copy of the person's own data, shown or downloaded."""
    action = AccessLog.Action.DOWNLOAD if downloaded else AccessLog.Action.READ
    return access_record(
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=actor.pk,
        force=actor.home_force,
        role=ROLE,
        reason="A copy of their own data",
    )
