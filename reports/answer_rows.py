"""The answers as GOV.UK summary-list rows: "check your answers", the reporter's report page,
and triage's view of the report. Each row is tied to the step that asks it, to change it."""

from __future__ import annotations

from dataclasses import dataclass

from reports.models import Report, Subject
from reports.step_urls import step_url
from reports.steps import EVIDENCE, Step, steps_for


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
                    change_url=step_url(report, step, change=True),
                    missing=True,
                )
            )
            continue
        rows.extend(
            AnswerRow(
                key=key,
                values=[v for v in values if v] or ["Not answered"],
                step=step,
                change_url=step_url(report, step, change=True),
                long_text=long_text,
            )
            for key, values, long_text in _rows_for(report, step, name_evidence=name_evidence)
        )
    return rows
