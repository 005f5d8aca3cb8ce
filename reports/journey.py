"""The reporter journey as data: an ordered registry of steps.

Each step names its URL slug, its form, when it applies to a draft, and when it counts as
answered. Views, "check your answers", back links and submission all read this one list, so
a new question is one entry here and one form class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

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

    def url(self, report: Report, *, change: bool = False) -> str:
        url = reverse("reports:step", args=[report.public_id, self.slug])
        return f"{url}?change=1" if change else url


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
    earlier = [s for s in steps_for(report) if _position(s) < _position(step)]
    return earlier[-1] if earlier else None


def next_step(report: Report, step: Step) -> Step | None:
    later = [s for s in steps_for(report) if _position(s) > _position(step)]
    return later[0] if later else None


def url_after(report: Report, step: Step, *, change: bool) -> str:
    """Where a saved step leads.

    Normally the next step. When changing an answer from "check your answers", straight back
    there — unless the change opened a question not yet answered (such as choosing "hate"),
    which is asked first.
    """
    if change:
        for later in steps_for(report):
            if _position(later) > _position(step) and not later.answered(report):
                return later.url(report, change=True)
        return reverse("reports:check", args=[report.public_id])
    following = next_step(report, step)
    if following is None:
        return reverse("reports:check", args=[report.public_id])
    return following.url(report)


def url_before(report: Report, step: Step, *, change: bool) -> str:
    """The back link: the previous step, or the check page when changing an answer."""
    if change:
        return reverse("reports:check", args=[report.public_id])
    previous = previous_step(report, step)
    if previous is None:
        return reverse("reports:start")
    return previous.url(report)


def resume_url(report: Report) -> str:
    """Where "continue" takes a returning reporter: the first unanswered step, else the check."""
    missing = missing_steps(report)
    if missing:
        return missing[0].url(report)
    return reverse("reports:check", args=[report.public_id])


def _position(step: Step) -> int:
    return STEPS.index(step)


# ---------------------------------------------------------------------------
# The answers as GOV.UK summary-list rows (check your answers, and the report page)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    key: str
    values: list[str]
    step: Step
    change_url: str
    long_text: bool = False
    missing: bool = False  # a question not answered yet: the row links to it


def _yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: "Not answered"}[value]


def _when(report: Report) -> str:
    if report.started_on and report.is_ongoing:
        return f"Started on {report.started_on:%-d %B %Y}, and still going on"
    if report.started_on:
        return f"{report.started_on:%-d %B %Y}"
    return "It is still going on" if report.is_ongoing else "Not answered"


def _family_member(report: Report) -> str:
    # Until the child questions are answered there is no name or age to show.
    if report.subject == Subject.CHILD and not (report.child_first_name and report.child_age_band):
        return "A child under 13"
    return report.subject_label


def _platforms(report: Report) -> list[str]:
    """The platforms chosen; "Somewhere else" with where the reporter told us."""
    return [
        f"{platform.name}: {report.platform_other}"
        if platform.slug == "other" and report.platform_other
        else platform.name
        for platform in report.platforms.all()
    ]


def evidence_count(report: Report) -> str:
    """How much evidence the report holds, naming none of it: "2 files and 1 link", or ""."""
    items = list(report.evidence.all())
    links = sum(1 for item in items if item.is_link)
    files = len(items) - links
    parts = [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in ((files, "file"), (links, "link"))
        if count
    ]
    return " and ".join(parts)


def _rows_for(
    report: Report, step: Step, *, name_evidence: bool = True
) -> list[tuple[str, list[str], bool]]:
    """(question, answer lines, is long text) for one step."""
    you = "they" if report.subject in (Subject.FAMILY, Subject.CHILD) else "you"
    member = report.linked_member
    member_name = member.get_full_name() if member else "your family member"
    rows: dict[str, list[tuple[str, list[str], bool]]] = {
        "who": [
            (
                "Who was harmed",
                ["Me" if report.subject == Subject.SELF else "A family member"],
                False,
            )
        ],
        "family-member": [("Family member", [_family_member(report)], False)],
        "child": [
            ("Child's first name", [report.child_first_name], False),
            ("Child's age", [report.get_child_age_band_display()], False),
        ],
        "whose-role": [("Connected to the work of", [member_name], False)],
        "sharing": [
            (f"{member_name} can see this report", [_yes_no(report.shared_with_member)], False)
        ],
        "what": [("What happened", [c.name for c in report.categories.all()], False)],
        "hate": [
            (f"What {you} were targeted for", report.get_hate_characteristics_display(), False)
        ],
        "where": [("Where it happened", _platforms(report), False)],
        "when": [("When it happened", [_when(report)], False)],
        "role": [("Connected to policing", [_yes_no(report.related_to_role)], False)],
        "description": [("What happened, in your words", [report.description], True)],
        "perpetrator": [
            ("Do you know who did it", [report.get_perpetrator_known_display()], False),
            *(
                [("What you know about them", [report.perpetrator_details], True)]
                if report.perpetrator_details
                else []
            ),
        ],
        "offline": [("Away from the internet", report.get_offline_impacts_display(), False)],
        "impact": [
            (
                f"How much it is affecting {'them' if you == 'they' else 'you'}",
                [report.get_impact_level_display() if report.impact_level else "Not answered"],
                False,
            )
        ],
        "support": [("Offer of wellbeing support", [report.get_wants_support_display()], False)],
        "line-manager": [("Tell your line manager", [_yes_no(report.line_manager_consent)], False)],
        "contact": [
            ("How to contact you", [report.get_contact_preference_display()], False),
            *([("Phone number", [report.phone], False)] if report.phone else []),
        ],
        EVIDENCE: [
            (
                "Evidence",
                (
                    [str(item) for item in report.evidence.all()] or ["None added"]
                    if name_evidence
                    else [evidence_count(report) or "None added"]
                ),
                False,
            )
        ],
    }
    return rows[step.slug]


def answer_rows(report: Report, *, name_evidence: bool = True) -> list[AnswerRow]:
    """Every answer on the report, in journey order, each tied to the step that asks it.

    `name_evidence=False` gives the evidence as a count only, for a reader who may not open
    the files (the family member a report is shared with).
    """
    rows = []
    for step in steps_for(report):
        if not step.answered(report):
            rows.append(
                AnswerRow(
                    key=step.label,
                    values=["Not answered yet"],
                    step=step,
                    change_url=step.url(report, change=True),
                    missing=True,
                )
            )
            continue
        rows.extend(
            AnswerRow(
                key=key,
                values=[v for v in values if v] or ["Not answered"],
                step=step,
                change_url=step.url(report, change=True),
                long_text=long_text,
            )
            for key, values, long_text in _rows_for(report, step, name_evidence=name_evidence)
        )
    return rows
