"""Who was harmed: the reporter, a family member or a child — or, for a family account,
whose work in policing it is connected to and whether they may see the report."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html

from harmsportal.people.selectors import live_links_as_family, live_links_as_member
from reports.forms.base import YES_NO, StepForm, person_name, yes_no
from reports.models import ChildAgeBand, Subject


class WhoForm(StepForm):
    subject = forms.ChoiceField(
        label="Who was harmed?",
        help_text=(
            "Choose a family member if your partner, child or another relative was targeted "
            "because of your work in policing."
        ),
        choices=[("self", "Me"), ("family", "A member of my family")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who was harmed."},
    )

    def initial_from(self, report):
        if report.subject in (Subject.FAMILY, Subject.CHILD):
            return {"subject": "family"}
        return {"subject": "self"} if report.subject == Subject.SELF else {}

    def answers(self):
        if self.cleaned_data["subject"] == "self":
            return {
                "subject": Subject.SELF,
                "family_link": None,
                "child_first_name": "",
                "child_age_band": "",
            }
        if self.report.subject in (Subject.FAMILY, Subject.CHILD):
            return {}  # keep the family member already chosen
        return {"subject": Subject.FAMILY, "family_link": None}


class FamilyMemberForm(StepForm):
    CHILD = "child"

    person = forms.ChoiceField(
        label="Which member of your family was harmed?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select which member of your family was harmed."},
    )

    def adapt_to(self, report):
        links = live_links_as_member(report.reporter)
        choices = [
            (
                f"link-{link.pk}",
                f"{person_name(link.family_user)} ({link.get_relationship_display().lower()})",
            )
            for link in links
        ]
        choices.append((self.CHILD, "A child under 13 (they do not have an account)"))
        self.fields["person"].choices = choices
        self.links = {f"link-{link.pk}": link for link in links}
        self.fields["person"].help_text = (
            "Family members aged 13 or over can have their own account: invite them from the "
            "Family page. You report for children under 13."
            if links
            else "You have no linked family accounts, so you can report for a child under 13. "
            "Family members aged 13 or over can have their own account: invite them from the "
            "Family page."
        )

    def initial_from(self, report):
        if report.subject == Subject.CHILD:
            return {"person": self.CHILD}
        if report.subject == Subject.FAMILY and report.family_link_id:
            return {"person": f"link-{report.family_link_id}"}
        return {}

    def answers(self):
        person = self.cleaned_data["person"]
        if person == self.CHILD:
            return {"subject": Subject.CHILD, "family_link": None}
        return {
            "subject": Subject.FAMILY,
            "family_link": self.links[person],
            "child_first_name": "",
            "child_age_band": "",
        }


class ChildForm(StepForm):
    child_first_name = forms.CharField(
        label="What is the child's first name?",
        help_text="Only their first name. We do not need their surname or date of birth.",
        max_length=60,
        error_messages={
            "required": "Enter the child's first name.",
            "max_length": "The child's first name must be 60 characters or fewer.",
        },
    )
    child_age_band = forms.ChoiceField(
        label="How old are they?",
        choices=ChildAgeBand.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how old the child is."},
    )

    def initial_from(self, report):
        return {
            "child_first_name": report.child_first_name,
            "child_age_band": report.child_age_band or None,
        }

    def answers(self):
        return {
            "child_first_name": self.cleaned_data["child_first_name"].strip(),
            "child_age_band": self.cleaned_data["child_age_band"],
        }


class WhoseRoleForm(StepForm):
    """For family accounts: whose policing role the harm they suffered is connected to."""

    family_link = forms.ChoiceField(
        label="Whose work in policing is this connected to?",
        help_text="Choose the family member whose job is the reason you were targeted.",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whose work in policing this is connected to."},
    )

    def adapt_to(self, report):
        links = live_links_as_family(report.reporter)
        self.links = {str(link.pk): link for link in links}
        self.fields["family_link"].choices = [
            (str(link.pk), f"{person_name(link.member)}, {link.force.name}") for link in links
        ]

    def initial_from(self, report):
        return {"family_link": str(report.family_link_id)} if report.family_link_id else {}

    def answers(self):
        link = self.links[self.cleaned_data["family_link"]]
        return {"subject": Subject.SELF, "family_link": link, "force": link.force}


class SharingForm(StepForm):
    shared_with_member = forms.ChoiceField(
        label="Do you want your family member to be able to see this report?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if you want your family member to see this report."
        },
    )

    def adapt_to(self, report):
        member = report.linked_member
        name = person_name(member) if member else "your family member"
        self.fields[
            "shared_with_member"
        ].label = f"Do you want {name} to be able to see this report?"
        # format_html escapes the name: it is typed by a person, and help text is markup.
        self.fields["shared_with_member"].help_text = format_html(
            "If you say yes, {} will be able to see this report and its messages, unless their "
            "role means they cannot. They cannot open your evidence, and you can stop sharing "
            "at any time. If you say no, they will not see it or be told you made it. Only the "
            "people who handle reports in {} will see it.",
            name,
            report.force.name,
        )

    def initial_from(self, report):
        return {"shared_with_member": yes_no(report.shared_with_member)}

    def answers(self):
        return {"shared_with_member": self.cleaned_data["shared_with_member"] == "yes"}
