"""Roster import (issue 9, acceptance 2): a good file imports, a file with one bad row of each
kind imports nothing and names every bad row, formula cells stay text and never export as
formulas, and importing the same file twice changes nothing.

Tested through the services the import page calls (training.services.roster) and through
the resource the admin uses (training.resources.RosterResource).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core import mail
from django.core.exceptions import ValidationError
from import_export.formats.base_formats import CSV, XLSX

from harmsportal.audit.models import AccessLog
from harmsportal.notifications.models import Notification
from harmsportal.notifications.services import emails_withheld, notifications_send_bulk
from harmsportal.people.models import Membership, Role, User
from tests.factories import force, make_person
from tests.training.factories import ModuleFactory
from training.models import Assignment, Audience, AudienceRule, RosterImport, TrainingProfile
from training.resources import RosterResource
from training.roster_rows import NOT_ADDABLE
from training.services.roster import (
    COULD_NOT_OPEN,
    roster_apply,
    roster_dataset,
    roster_preview,
)

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = ["email", "name", "kind", "audiences", "start_date", "line_manager_email"]


def csv_bytes(rows, header=HEADER, bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def snapshot() -> dict:
    """Everything an import could make, counted."""
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "profiles": TrainingProfile.objects.count(),
        "assignments": Assignment.objects.count(),
        "notifications": Notification.objects.count(),
    }


def preview(trainer, content: bytes, name: str = "roster.csv") -> RosterImport:
    return roster_preview(actor=trainer, force=force(), file_name=name, content=content)


def import_file(trainer, content: bytes, name: str = "roster.csv") -> RosterImport:
    roster = preview(trainer, content, name)
    assert roster.status == RosterImport.Status.PREVIEWED, roster.summary["errors"]
    return roster_apply(actor=trainer, roster=roster)


@pytest.fixture
def induction_rule(trainer):
    """West Yorkshire: every induction learner does a module within 30 days of starting."""
    module = ModuleFactory(audiences=[Audience.INDUCTION])
    return AudienceRule.objects.create(
        force=force(), audience=Audience.INDUCTION, module=module, within_days=30
    )


@pytest.fixture
def good_rows(officer):
    """Two new people (one managing the other) and an officer who already has an account."""
    return [
        ["Alex.Khan@Example.Police.UK", "Alex Khan", "Officer", "Induction; frontline", "01/09/2025", ""],
        ["sam.patel@example.police.uk", "Sam Patel", "police staff", "line manager;LEADERSHIP", "2024-03-27", "alex.khan@example.police.uk"],
        [officer.email, "Changed Name", "staff", "frontline", "", "sam.patel@example.police.uk"],
    ]  # fmt: skip


# --- a good file -----------------------------------------------------------------------------


def test_a_good_csv_is_checked_without_changing_anything(trainer, good_rows):
    before = snapshot()
    roster = preview(trainer, csv_bytes(good_rows))
    assert roster.status == RosterImport.Status.PREVIEWED
    assert roster.summary["rows"] == 3
    assert roster.summary["new_account"] == 2
    assert roster.summary["new_profile"] == 1
    assert roster.summary["errors"] == []
    # The dry run made the accounts and profiles, then rolled them back.
    assert snapshot() == before
    assert not User.objects.filter(email="alex.khan@example.police.uk").exists()
    assert len(roster.sha256) == 64
    assert bytes(roster.content) == csv_bytes(good_rows)


def test_a_good_csv_imports_people_as_invitations_with_profiles_and_assignments(
    trainer, good_rows, officer, induction_rule
):
    roster = import_file(trainer, csv_bytes(good_rows))
    assert roster.status == RosterImport.Status.APPLIED

    alex = User.objects.get(email="alex.khan@example.police.uk")
    sam = User.objects.get(email="sam.patel@example.police.uk")
    assert (alex.full_name, alex.kind) == ("Alex Khan", User.Kind.OFFICER)
    assert (sam.full_name, sam.kind) == ("Sam Patel", User.Kind.STAFF)
    assert not is_password_usable(alex.password)
    assert set(alex.memberships.values_list("force__slug", "role")) == {
        ("west-yorkshire", Role.REPORTER)
    }

    profile = TrainingProfile.objects.get(person=alex, force=force())
    assert profile.audiences == ["induction", "frontline"]
    assert profile.start_date == datetime.date(2025, 9, 1)
    assert profile.line_manager is None
    sam_profile = TrainingProfile.objects.get(person=sam)
    assert sam_profile.audiences == ["line_manager", "leadership"]
    assert sam_profile.line_manager == alex
    officer_profile = TrainingProfile.objects.get(person=officer)
    assert officer_profile.line_manager == sam

    # The existing officer keeps their own name and kind, and gets no invitation.
    officer.refresh_from_db()
    assert (officer.full_name, officer.kind) != ("Changed Name", User.Kind.STAFF)
    invites = Notification.objects.filter(kind=Notification.Kind.ACCOUNT_INVITE)
    assert sorted(invites.values_list("to_email", flat=True)) == [
        "alex.khan@example.police.uk",
        "sam.patel@example.police.uk",
    ]
    assert set(invites.values_list("link_path", flat=True)) == {"/accounts/password/reset/"}

    # The induction rule assigned its module to the one induction learner.
    assert list(Assignment.objects.values_list("person__email", flat=True)) == [alex.email]
    assert roster.summary["assignments"] == 1
    assert roster.summary["invitations"] == 2

    log = AccessLog.objects.get(action=AccessLog.Action.CREATE, object_type="training.rosterimport")
    assert log.actor == trainer
    assert log.object_id == str(roster.pk)
    assert log.force_slug == "west-yorkshire"


def test_a_good_xlsx_imports(trainer):
    rows = [
        ["jo.bloggs@example.police.uk", "Jo Bloggs", "volunteer", "frontline", datetime.date(2023, 5, 4), None],
        ["kim.lee@example.police.uk", "Kim Lee", "officer", "specialist", "4 May 2023", "jo.bloggs@example.police.uk"],
    ]  # fmt: skip
    roster = import_file(trainer, xlsx_bytes(rows), name="Roster.XLSX")
    assert roster.status == RosterImport.Status.APPLIED
    assert roster.file_format == "xlsx"
    jo = TrainingProfile.objects.get(person__email="jo.bloggs@example.police.uk")
    kim = TrainingProfile.objects.get(person__email="kim.lee@example.police.uk")
    assert jo.start_date == kim.start_date == datetime.date(2023, 5, 4)
    assert kim.line_manager == jo.person
    assert jo.person.kind == User.Kind.VOLUNTEER


def test_a_csv_with_a_byte_order_mark_and_friendly_headings_imports(trainer):
    header = ["Email", "Name", "Kind", "Audience levels", "Start date", "Line manager email"]
    rows = [
        [
            "ali.shah@example.police.uk",
            "Ali Shah",
            "staff",
            "Specialist (including covert roles)",
            "",
            "",
        ]
    ]
    roster = import_file(trainer, csv_bytes(rows, header=header, bom=True))
    assert roster.status == RosterImport.Status.APPLIED
    profile = TrainingProfile.objects.get(person__email="ali.shah@example.police.uk")
    assert profile.audiences == ["specialist"]


def test_an_import_never_grants_a_role_whatever_the_file_says(trainer):
    header = [*HEADER, "role"]
    rows = [
        ["new.triager@example.police.uk", "New Triager", "staff", "frontline", "", "", "triage"]
    ]
    roster = import_file(trainer, csv_bytes(rows, header=header))
    assert roster.summary["ignored_columns"] == ["role"]
    person = User.objects.get(email="new.triager@example.police.uk")
    assert list(person.memberships.values_list("role", flat=True)) == [Role.REPORTER]
    assert not person.is_staff_role_holder


# --- bad rows ---------------------------------------------------------------------------------


@pytest.fixture
def bad_rows(officer, other_force_triager):
    """One bad row of each kind, each with the spreadsheet row number it will have."""
    ok = "frontline"
    elsewhere = make_person(force_slug="north-yorkshire")
    return {
        2: ["fine.person@example.police.uk", "Fine Person", "officer", ok, "", ""],
        3: ["unknown.audience@example.police.uk", "Una Known", "officer", "frontline;cyber", "", ""],
        4: ["not-an-email", "Bad Email", "officer", ok, "", ""],
        5: ["twice@example.police.uk", "Twice First", "officer", ok, "", ""],
        6: ["TWICE@example.police.uk", "Twice Second", "officer", ok, "", ""],
        7: ["no.manager@example.police.uk", "No Manager", "officer", ok, "", "nobody@example.police.uk"],
        8: ["far.manager@example.police.uk", "Far Manager", "officer", ok, "", other_force_triager.email],
        9: ["", "No Email", "officer", ok, "", ""],
        10: ["no.name@example.police.uk", "", "officer", ok, "", ""],
        11: ["short.year@example.police.uk", "Short Year", "officer", ok, "01/02/24", ""],
        12: [elsewhere.email, "Other Force", "staff", ok, "", ""],
        13: ["self.managed@example.police.uk", "Self Managed", "officer", ok, "", "self.managed@example.police.uk"],
        14: ["family.audience@example.police.uk", "Fam Audience", "officer", "family", "", ""],
        15: ["no.kind@example.police.uk", "No Kind", "", ok, "", ""],
        16: ["bad.kind@example.police.uk", "Bad Kind", "detective", ok, "", ""],
        17: ["no.audience@example.police.uk", "No Audience", "officer", "", "", ""],
        18: ["not.real@example.police.uk", "Not Real", "officer", ok, "31/02/2024", ""],
    }  # fmt: skip


EXPECTED = {
    3: "Unknown audience cyber",
    4: "not-an-email is not a valid email address",
    5: "twice@example.police.uk is on more than one row (rows 5 and 6)",
    6: "twice@example.police.uk is on more than one row (rows 5 and 6)",
    7: "The line manager nobody@example.police.uk is not on this roster and cannot be found",
    8: "is not on this roster and cannot be found in West Yorkshire Police",
    9: "Enter an email address",
    10: "Enter the person's name",
    11: "The start date 01/02/24 must be a real date with a 4-digit year",
    12: NOT_ADDABLE,
    13: "A person cannot be their own line manager",
    14: "Family is not an audience level for a roster",
    15: "Enter the kind of worker",
    16: "Unknown kind of worker detective",
    17: "Enter at least one audience level",
    18: "The start date 31/02/2024 must be a real date",
}


def test_a_file_with_one_bad_row_of_each_kind_imports_nothing_and_names_each_row(trainer, bad_rows):
    before = snapshot()
    roster = preview(trainer, csv_bytes(list(bad_rows.values())))
    assert roster.status == RosterImport.Status.INVALID
    errors = {e["row"]: " ".join(e["messages"]) for e in roster.summary["errors"]}
    assert sorted(errors) == sorted(EXPECTED)
    for row, words in EXPECTED.items():
        assert words in errors[row], (row, errors[row])
    assert roster.summary["error"] == len(EXPECTED)
    assert snapshot() == before

    with pytest.raises(ValidationError):
        roster_apply(actor=trainer, roster=roster)
    assert snapshot() == before
    assert not User.objects.filter(email="fine.person@example.police.uk").exists()


def test_the_resource_writes_nothing_for_a_bad_file_even_without_a_transaction(trainer, officer):
    """The admin's confirm step imports without rolling back on row errors; the resource
    itself refuses to write when any row is bad."""
    rows = [
        ["fine.person@example.police.uk", "Fine Person", "officer", "frontline", "", ""],
        [officer.email, "Officer", "officer", "frontline", "", "nobody@example.police.uk"],
    ]
    before = snapshot()
    dataset = roster_dataset(content=csv_bytes(rows), file_format="csv")
    result = RosterResource(force=force()).import_data(
        dataset, dry_run=False, use_transactions=False
    )
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [2]  # import-export counts from 1
    assert snapshot() == before


def test_a_line_manager_with_an_account_in_the_force_but_not_on_the_roster_is_accepted(
    trainer, staff_member
):
    rows = [
        [
            "new.joiner@example.police.uk",
            "New Joiner",
            "officer",
            "induction",
            "",
            staff_member.email,
        ]
    ]
    import_file(trainer, csv_bytes(rows))
    profile = TrainingProfile.objects.get(person__email="new.joiner@example.police.uk")
    assert profile.line_manager == staff_member


def test_a_family_account_cannot_be_on_a_roster_or_manage_anyone(trainer, family_member):
    as_person = preview(
        trainer, csv_bytes([[family_member.email, "Family", "officer", "frontline", "", ""]])
    )
    assert as_person.summary["errors"][0]["messages"] == [NOT_ADDABLE]
    rows = [
        ["managed@example.police.uk", "Managed", "officer", "frontline", "", family_member.email]
    ]
    as_manager = preview(trainer, csv_bytes(rows))
    message = as_manager.summary["errors"][0]["messages"][0]
    assert "is not on this roster and cannot be found in West Yorkshire Police" in message


def test_a_change_between_check_and_apply_applies_nothing(trainer, staff_member):
    rows = [
        [
            "new.joiner@example.police.uk",
            "New Joiner",
            "officer",
            "induction",
            "",
            staff_member.email,
        ]
    ]
    roster = preview(trainer, csv_bytes(rows))
    assert roster.status == RosterImport.Status.PREVIEWED
    # The line manager leaves the force before the trainer presses Apply.
    Membership.objects.filter(user=staff_member).delete()
    before = snapshot()
    roster = roster_apply(actor=trainer, roster=roster)
    assert roster.status == RosterImport.Status.INVALID
    assert "is not on this roster" in roster.summary["errors"][0]["messages"][0]
    assert snapshot() == before
    assert not AccessLog.objects.filter(action=AccessLog.Action.CREATE).exists()


# --- formulas ---------------------------------------------------------------------------------

FORMULAS = {
    "eq@example.police.uk": '=HYPERLINK("https://evil.example","Click me")',
    "plus@example.police.uk": "+44 7700 900123",
    "minus@example.police.uk": "-2+3+cmd|' /C calc'!A0",
    "at@example.police.uk": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def test_formula_cells_are_stored_as_text_and_never_exported_as_formulas(trainer):
    rows = [[email, name, "officer", "frontline", "", ""] for email, name in FORMULAS.items()]
    import_file(trainer, csv_bytes(rows))
    for email, name in FORMULAS.items():
        assert User.objects.get(email=email).full_name == name  # stored verbatim

    dataset = RosterResource(force=force()).export()
    names = dataset["name"]
    assert sorted(names) == sorted("'" + name for name in FORMULAS.values())

    exported = CSV().export_data(dataset)
    for row in csv.reader(io.StringIO(exported)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell

    book = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(dataset)))
    for row in book.active.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
            assert not str(cell.value or "").startswith(("=", "+", "-", "@"))


def test_an_xlsx_formula_is_read_as_its_text_never_its_result(trainer):
    rows = [
        [
            "formula@example.police.uk",
            '=HYPERLINK("https://evil.example","x")',
            "officer",
            "frontline",
            None,
            None,
        ]
    ]
    import_file(trainer, xlsx_bytes(rows), name="roster.xlsx")
    person = User.objects.get(email="formula@example.police.uk")
    assert person.full_name == '=HYPERLINK("https://evil.example","x")'


# --- the same file again ---------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(trainer, good_rows, induction_rule):
    content = csv_bytes(good_rows)
    first = import_file(trainer, content)
    after_first = snapshot()
    profiles = list(TrainingProfile.objects.order_by("pk").values())

    second = preview(trainer, content)
    assert second.summary["unchanged"] == 3
    assert second.summary["new_account"] == second.summary["new_profile"] == 0
    assert second.summary["update"] == 0
    assert second.summary["applied_before"] == first.applied_at.isoformat()
    second = roster_apply(actor=trainer, roster=second)
    assert second.status == RosterImport.Status.APPLIED
    assert second.summary["invitations"] == second.summary["assignments"] == 0

    assert snapshot() == after_first
    assert list(TrainingProfile.objects.order_by("pk").values()) == profiles


def test_applying_the_same_roster_twice_changes_nothing(trainer, good_rows):
    roster = import_file(trainer, csv_bytes(good_rows))
    after = snapshot()
    again = roster_apply(actor=trainer, roster=roster)
    assert again.status == RosterImport.Status.APPLIED
    assert again.applied_at == roster.applied_at
    assert snapshot() == after
    assert AccessLog.objects.filter(action=AccessLog.Action.CREATE).count() == 1


def test_a_changed_row_updates_only_that_profile(trainer, good_rows):
    import_file(trainer, csv_bytes(good_rows))
    good_rows[0][3] = "frontline"  # Alex is no longer on induction
    roster = import_file(trainer, csv_bytes(good_rows))
    assert (roster.summary["update"], roster.summary["unchanged"]) == (1, 2)
    profile = TrainingProfile.objects.get(person__email="alex.khan@example.police.uk")
    assert profile.audiences == ["frontline"]


# --- files that cannot be read ---------------------------------------------------------------


def password_protected_xlsx() -> bytes:
    """What Excel saves for a workbook with a password: an OLE2 compound file (its header,
    then the encrypted package), not a zip."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"EncryptedPackage" * 64


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.xlsx", password_protected_xlsx(), COULD_NOT_OPEN),
        ("roster.xlsx", b"PK\x03\x04 this is not really a workbook", COULD_NOT_OPEN),
        ("roster.xlsx", b"email,name\n", COULD_NOT_OPEN),
        ("roster.csv", "email,name,kind,audiences\n\xe9,é,officer,x\n".encode("latin-1"), "UTF-8"),
        ("roster.csv", b"", "The selected file is empty."),
        ("roster.csv", b"email,name,kind,audiences\n", "headings but no people"),
        ("roster.csv", b"name,kind\nJo,officer\n", "must have a column headed email"),
        ("roster.txt", b"email\n", "must be a CSV or an Excel (.xlsx) file"),
    ],
    ids=["password", "corrupt", "csv-named-xlsx", "latin-1", "empty", "no-rows", "columns", "txt"],
)
def test_a_file_that_cannot_be_read_gets_a_clear_message_and_changes_nothing(
    trainer, name, content, message
):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        preview(trainer, content, name=name)
    assert message in " ".join(refused.value.messages)
    assert snapshot() == before
    assert not RosterImport.objects.exists()


def test_a_real_password_protected_xlsx_cannot_be_opened(trainer):
    """A workbook Excel-encrypted with a password (made once with msoffcrypto-tool, which the
    portal does not need: tests/training/fixtures/password_protected_roster.xlsx)."""
    content = (FIXTURES / "password_protected_roster.xlsx").read_bytes()
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        preview(trainer, content, name="roster.xlsx")
    assert refused.value.messages == [COULD_NOT_OPEN]
    assert "save a copy without a password" in COULD_NOT_OPEN
    assert snapshot() == before
    assert not RosterImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(trainer, settings):
    settings.HARMSPORTAL_ROSTER_MAX_BYTES = 100
    rows = [[f"p{n}@example.police.uk", "P", "officer", "frontline", "", ""] for n in range(10)]
    with pytest.raises(ValidationError, match="must be smaller than"):
        preview(trainer, csv_bytes(rows))
    assert not RosterImport.objects.exists()


# --- invitations -------------------------------------------------------------------------------


def test_an_imported_person_can_set_a_password_and_sign_in(
    trainer, client, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    rows = [["new.person@example.police.uk", "New Person", "officer", "frontline", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        import_file(trainer, csv_bytes(rows))
    invite = mail.outbox[-1]  # delivered by the relay run queued after commit (eager here)
    assert invite.to == ["new.person@example.police.uk"]
    assert "/accounts/password/reset/" in invite.body
    assert "/key/" not in invite.body  # no secret in the invitation: they ask for their own link

    # They follow the email: ask for a reset link, set a password, and sign in.
    client.post("/accounts/password/reset/", {"email": "New.Person@example.police.uk"})
    reset = Notification.objects.filter(kind=Notification.Kind.ACCOUNT).latest("created_at")
    body = reset.email_body or mail.outbox[-1].body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    password = "a-long-new-password-2026"
    response = client.post(form_url, {"password1": password, "password2": password}, follow=True)
    assert response.status_code == 200
    person = User.objects.get(email="new.person@example.police.uk")
    assert person.check_password(password)

    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "new.person@example.police.uk", "password": password}
    )
    # Mandatory verification: on first sign-in they confirm the address, then they are in.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    confirm = Notification.objects.filter(kind=Notification.Kind.ACCOUNT).latest("created_at")
    body = confirm.email_body or mail.outbox[-1].body
    key_path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", body).group(1)
    client.post(key_path)
    response = client.get("/training/")
    assert response.status_code == 200
    assert response.wsgi_request.user == person


def test_bulk_notifications_queue_one_relay_run_after_commit(
    db, officer, staff_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        written = notifications_send_bulk(
            recipients=[(officer.pk, officer.email), (staff_member.pk, staff_member.email)],
            kind=Notification.Kind.ACCOUNT_INVITE,
            title="Added to the roster",
            link_path="/accounts/password/reset/",
        )
    assert written == 2
    assert len(callbacks) == 1
    rows = Notification.objects.filter(kind=Notification.Kind.ACCOUNT_INVITE)
    assert set(rows.values_list("email_status", flat=True)) == {Notification.EmailStatus.PENDING}


def test_bulk_notifications_withheld_send_no_email(db, officer, django_capture_on_commit_callbacks):
    with emails_withheld(), django_capture_on_commit_callbacks() as callbacks:
        notifications_send_bulk(
            recipients=[(officer.pk, officer.email)],
            kind=Notification.Kind.ACCOUNT_INVITE,
            title="Added to the roster",
        )
    assert callbacks == []
    assert Notification.objects.get().email_status == Notification.EmailStatus.NOT_REQUIRED


def test_another_forces_trainer_cannot_use_this_forces_people(trainer, staff_member):
    """A North Yorkshire trainer's roster cannot claim a West Yorkshire member."""
    other_trainer = make_person(Role.TRAINING_ADMIN, force_slug="north-yorkshire")
    rows = [[staff_member.email, "Staff", "staff", "frontline", "", ""]]
    roster = roster_preview(
        actor=other_trainer,
        force=force("north-yorkshire"),
        file_name="roster.csv",
        content=csv_bytes(rows),
    )
    assert roster.summary["errors"][0]["messages"] == [NOT_ADDABLE]


def test_empty_lines_are_ignored_and_row_numbers_stay_the_files_own(trainer):
    content = (
        b"email,name,kind,audiences\r\n"
        b"one@example.police.uk,One,officer,frontline\r\n"
        b"\r\n"
        b",,,\r\n"
        b"bad-email,Bad,officer,frontline\r\n"
        b"\r\n\r\n"
    )
    roster = preview(trainer, content)
    assert roster.summary["rows"] == 2
    assert [error["row"] for error in roster.summary["errors"]] == [5]
