"""The report's progress as its reader should read it.

Status notes are written to the reporter ("You started this report."). A family account's report
can also be read by the officer or staff member it is shared with, who must never read "You"
for something their family member did: for them, the reporter is named by relationship.
"""

from __future__ import annotations

from django import template

from harmsportal.people.models import FamilyLink
from reports.models import Report, ReportStatus, ReportStatusEvent

register = template.Library()

# How a member refers to the family member who reported: "Your partner started this report."
RELATIONSHIP_WORDS = {
    FamilyLink.Relationship.PARTNER: "partner",
    FamilyLink.Relationship.CHILD: "son or daughter",
    FamilyLink.Relationship.PARENT: "parent",
    FamilyLink.Relationship.SIBLING: "brother or sister",
    FamilyLink.Relationship.OTHER: "family member",
}


def reporter_for_member(report: Report) -> str:
    """ "Your partner", "Your parent"…: the reporter as the member they shared it with knows them."""
    link = report.family_link
    relationship = RELATIONSHIP_WORDS.get(link.relationship, "family member") if link else ""
    return f"Your {relationship or 'family member'}"


@register.simple_tag
def timeline_note(event: ReportStatusEvent, report: Report, *, is_reporter: bool) -> str:
    """The event's note for the reporter. For anyone else, the notes that speak to the reporter
    ("You…", "your report") are reworded; the others read the same to everyone."""
    if is_reporter:
        return event.note
    who = reporter_for_member(report)
    wording = {
        ReportStatus.DRAFT: f"{who} started this report.",
        ReportStatus.SUBMITTED: "We received the report and sent it to triage.",
        ReportStatus.OUTCOME_GIVEN: f"We have told {who.lower()} the outcome.",
        ReportStatus.WITHDRAWN: f"{who} withdrew this report.",
    }
    return wording.get(event.status, event.note)
