"""The reporter journey as data: an ordered registry of the questions, and what a complete
report must answer.

Each step names its URL slug, its form, when it applies to a draft, and when it counts as
answered. The question pages (reports/views/journey.py), their URLs (reports/step_urls.py),
"check your answers" (reports/answer_rows.py) and submission (`report_submit` refuses a report
with `missing_steps`) all read this one list, so a new question is one entry here and one form
class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reports import forms
from reports.models import Report, Subject

EVIDENCE = "evidence"


@dataclass(frozen=True)
class Step:
    slug: str
    label: str  # the question in a few words, for lists of what is left to answer
    form_class: type[forms.StepForm] | None  # None: a page with its own view (evidence)
    applies: Callable[[Report], bool]
    answered: Callable[[Report], bool]


def _always(report: Report) -> bool:
    return True


def _member(report: Report) -> bool:
    return not report.is_from_family_account


def _family_account(report: Report) -> bool:
    return report.is_from_family_account


def _about_family(report: Report) -> bool:
    return _member(report) and report.subject in (Subject.FAMILY, Subject.CHILD)


def _about_child(report: Report) -> bool:
    return _member(report) and report.subject == Subject.CHILD


def _live_link(report: Report) -> bool:
    return report.family_link_id is not None and report.family_link.revoked_at is None


STEPS: tuple[Step, ...] = (
    Step("who", "Who was harmed", forms.WhoForm, _member, lambda r: bool(r.subject)),
    Step(
        "family-member",
        "Which family member was harmed",
        forms.FamilyMemberForm,
        _about_family,
        lambda r: r.subject == Subject.CHILD or _live_link(r),
    ),
    Step(
        "child",
        "About the child",
        forms.ChildForm,
        _about_child,
        lambda r: bool(r.child_first_name and r.child_age_band),
    ),
    Step(
        "whose-role",
        "Whose work in policing this is connected to",
        forms.WhoseRoleForm,
        _family_account,
        _live_link,
    ),
    Step(
        "sharing",
        "Whether your family member can see this report",
        forms.SharingForm,
        _family_account,
        lambda r: r.shared_with_member is not None,
    ),
    Step("what", "What happened", forms.CategoriesForm, _always, lambda r: r.categories.exists()),
    Step(
        "hate",
        "What you were targeted for",
        forms.HateForm,
        lambda r: r.asks_hate_characteristic,
        lambda r: bool(r.hate_characteristics),
    ),
    Step(
        "where", "Where it happened", forms.PlatformsForm, _always, lambda r: r.platforms.exists()
    ),
    Step(
        "when",
        "When it happened",
        forms.WhenForm,
        _always,
        lambda r: r.started_on is not None or r.is_ongoing,
    ),
    Step(
        "role",
        "Whether it is connected to policing",
        forms.RoleForm,
        _always,
        lambda r: r.related_to_role is not None,
    ),
    Step(
        "description",
        "What happened, in your words",
        forms.DescriptionForm,
        _always,
        lambda r: bool(r.description),
    ),
    Step(
        "perpetrator",
        "Whether you know who did it",
        forms.PerpetratorForm,
        _always,
        lambda r: bool(r.perpetrator_known),
    ),
    Step(
        "offline",
        "Whether it happened away from the internet",
        forms.OfflineForm,
        _always,
        lambda r: bool(r.offline_impacts),
    ),
    Step(
        "impact",
        "How much it is affecting you",
        forms.ImpactForm,
        _always,
        lambda r: r.impact_level is not None,
    ),
    Step(
        "support",
        "Whether you would like support",
        forms.SupportForm,
        _always,
        lambda r: bool(r.wants_support),
    ),
    Step(
        "line-manager",
        "Whether we can tell your line manager",
        forms.LineManagerForm,
        _member,
        lambda r: r.line_manager_answered,
    ),
    Step(
        "contact",
        "How to contact you",
        forms.ContactForm,
        _always,
        lambda r: bool(r.contact_preference),
    ),
    Step(EVIDENCE, "Evidence", None, _always, _always),  # optional: nothing to answer
)
BY_SLUG = {step.slug: step for step in STEPS}


def get_step(slug: str) -> Step | None:
    return BY_SLUG.get(slug)


def steps_for(report: Report) -> list[Step]:
    """The steps that apply to this draft, in order."""
    return [step for step in STEPS if step.applies(report)]


def missing_steps(report: Report) -> list[Step]:
    return [step for step in steps_for(report) if not step.answered(report)]


def previous_step(report: Report, step: Step) -> Step | None:
    earlier = [s for s in steps_for(report) if position(s) < position(step)]
    return earlier[-1] if earlier else None


def next_step(report: Report, step: Step) -> Step | None:
    later = [s for s in steps_for(report) if position(s) > position(step)]
    return later[0] if later else None


def position(step: Step) -> int:
    """Where `step` comes in the whole journey, whether or not it applies to a report."""
    return STEPS.index(step)
