"""What a roster upload may tell a trainer about accounts (review of issue 9).

An email with an account that cannot join this force's roster gets one message, whatever the
account is (family or not, in another force or in none), so an upload cannot be used to learn
anything about a person elsewhere in the UK. A line manager who cannot be found here likewise.

A Professional Standards person may be named as a line manager: the roster records the
reporting line for training, and the line-manager notice refuses to tell them of a report.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from harmsportal.people.models import Membership, User
from tests.factories import force, link_family, make_person
from tests.training.test_roster_import import csv_bytes, import_file, preview
from training.models import RosterImport, TrainingProfile
from training.roster_rows import NOT_ADDABLE
from training.services.notices import line_manager_notice_send

pytestmark = pytest.mark.django_db

ELSEWHERE = "north-yorkshire"


def _row(email: str, manager: str = "") -> list[str]:
    return [email, "Someone", "officer", "frontline", "", manager]


def _errors(roster: RosterImport) -> dict[int, list[str]]:
    return {error["row"]: error["messages"] for error in roster.summary["errors"]}


@pytest.fixture
def elsewhere():
    """A North Yorkshire officer, a family account linked to them, and one with no force."""
    officer = make_person(force_slug=ELSEWHERE, full_name="Nat Yorke")
    family = make_person(kind=User.Kind.FAMILY, force_slug=ELSEWHERE, full_name="Fam Yorke")
    link_family(officer, family)
    no_force = make_person(full_name="No Force")
    Membership.objects.filter(user=no_force).delete()
    return {"officer": officer, "family": family, "no_force": no_force}


def test_accounts_outside_this_force_all_get_the_same_words(trainer, family_member, elsewhere):
    roster = preview(
        trainer,
        csv_bytes(
            [
                _row(elsewhere["family"].email),
                _row(elsewhere["officer"].email),
                _row(family_member.email),  # a family account in this force
                _row(elsewhere["no_force"].email),
            ]
        ),
    )
    errors = _errors(roster)
    assert errors[2] == errors[3] == errors[4] == errors[5] == [NOT_ADDABLE]
    # Byte for byte: nothing names the kind of account, its force, or the person.
    assert errors[2][0].encode() == errors[3][0].encode()
    words = " ".join(errors[2]).lower()
    for hint in ("family", "north yorkshire", "another force", "nat yorke", "fam yorke"):
        assert hint not in words
    html_words = str(roster.summary)
    assert "family account" not in html_words
    assert "North Yorkshire" not in html_words


def test_line_managers_outside_this_force_all_get_the_same_words(trainer, elsewhere):
    managers = [
        elsewhere["family"].email,
        elsewhere["officer"].email,
        elsewhere["no_force"].email,
        "nobody.at.all@example.police.uk",
    ]
    rows = [_row(f"person{n}@example.police.uk", manager) for n, manager in enumerate(managers)]
    errors = _errors(preview(trainer, csv_bytes(rows)))
    shapes = {
        row: [message.replace(manager, "EMAIL") for message in errors[row]]
        for row, manager in zip(range(2, 6), managers, strict=True)
    }
    assert len({tuple(shape) for shape in shapes.values()}) == 1
    assert shapes[2] == [
        "The line manager EMAIL is not on this roster and cannot be found in West Yorkshire "
        "Police. Add them to the roster, or check the email address."
    ]


def test_a_member_of_this_force_is_still_added(trainer, officer):
    roster = import_file(trainer, csv_bytes([_row(officer.email)]))
    assert roster.status == RosterImport.Status.APPLIED
    assert TrainingProfile.objects.filter(person=officer, force=force()).exists()


# --- Professional Standards as a line manager ----------------------------------------------------


def test_a_professional_standards_line_manager_is_accepted_but_never_told_of_a_report(
    trainer, psd_officer, triager
):
    roster = import_file(
        trainer, csv_bytes([_row("new.joiner@example.police.uk", psd_officer.email)])
    )
    assert roster.status == RosterImport.Status.APPLIED
    joiner = User.objects.get(email="new.joiner@example.police.uk")
    assert TrainingProfile.objects.get(person=joiner).line_manager == psd_officer
    # The reporting line is for training; a report never reaches them through the notice.
    with pytest.raises(ValidationError, match="Professional Standards"):
        line_manager_notice_send(
            actor=triager, reporter=joiner, force=force(), subject_key="r-1", asked=True
        )
