"""The roster pages: upload, the dry-run preview, Apply; bad files and who may see what."""

from __future__ import annotations

import io
import re

import pytest

from harmsportal.audit.models import AccessLog
from harmsportal.people.models import Role, User
from tests.factories import make_person
from tests.training.test_roster_import import (
    FIXTURES,
    csv_bytes,
    snapshot,
    xlsx_bytes,
)
from training.models import RosterImport, TrainingProfile

pytestmark = pytest.mark.django_db

ROSTER = "/training/manage/roster/"
GOOD = [
    ["alex.khan@example.police.uk", "Alex Khan", "officer", "induction;frontline", "01/09/2025", ""],
    ["sam.patel@example.police.uk", "Sam Patel", "staff", "line manager", "", "alex.khan@example.police.uk"],
]  # fmt: skip


def upload(client, content: bytes, name: str = "roster.csv"):
    return client.post(ROSTER, {"file": _named(content, name)})


def _named(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def preview_url(roster: RosterImport) -> str:
    return f"/training/manage/roster/{roster.public_id}/"


def error_texts(html: str) -> list[str]:
    return re.findall(r'govuk-error-message"[^>]*>\s*<span[^>]*>Error:</span>\s*([^<]+)<', html)


# --- the happy path ------------------------------------------------------------------------------


def test_a_trainer_uploads_a_roster_sees_its_preview_and_applies_it(client, trainer):
    client.force_login(trainer)
    page = client.get(ROSTER)
    assert page.status_code == 200
    assert "Import a roster" in page.content.decode()

    response = upload(client, csv_bytes(GOOD))
    roster = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == preview_url(roster)
    assert not User.objects.filter(email="alex.khan@example.police.uk").exists()

    html = client.get(preview_url(roster)).content.decode()
    assert "Check the roster before you apply it" in html
    assert 'id="count-new-account">2' in html
    assert "Alex Khan" in html
    assert "sam.patel@example.police.uk" in html
    assert "Apply roster" in html

    response = client.post(preview_url(roster), follow=True)
    html = response.content.decode()
    assert "The roster has been applied." in html
    assert "Roster applied" in html
    assert "Apply roster" not in html
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.APPLIED
    assert TrainingProfile.objects.filter(force=roster.force).count() == 2


def test_an_xlsx_roster_uploads_too(client, trainer):
    client.force_login(trainer)
    response = upload(client, xlsx_bytes(GOOD), name="roster.xlsx")
    assert response.status_code == 302
    assert RosterImport.objects.get().status == RosterImport.Status.PREVIEWED


def test_each_preview_and_each_apply_is_recorded(client, trainer):
    client.force_login(trainer)
    upload(client, csv_bytes(GOOD))
    roster = RosterImport.objects.get()
    client.get(preview_url(roster))
    client.get(preview_url(roster))
    client.post(preview_url(roster))
    logs = AccessLog.objects.filter(object_type="training.rosterimport", object_id=str(roster.pk))
    assert sorted(logs.values_list("action", flat=True)) == ["create", "read", "read"]
    assert set(logs.values_list("actor", flat=True)) == {trainer.pk}


def test_applying_twice_says_so_and_changes_nothing(client, trainer):
    client.force_login(trainer)
    upload(client, csv_bytes(GOOD))
    roster = RosterImport.objects.get()
    client.post(preview_url(roster))
    after = snapshot()
    html = client.post(preview_url(roster), follow=True).content.decode()
    assert "This roster was already applied on" in html
    assert snapshot() == after


def test_the_same_file_again_shows_nobody_changed(client, trainer):
    client.force_login(trainer)
    upload(client, csv_bytes(GOOD))
    client.post(preview_url(RosterImport.objects.get()))
    upload(client, csv_bytes(GOOD))
    second = RosterImport.objects.order_by("-created_at").first()
    html = client.get(preview_url(second)).content.decode()
    assert "You applied this same file on" in html
    assert "applying it again would change nothing" in html
    assert 'id="count-unchanged">2' in html


# --- bad rows -----------------------------------------------------------------------------------


def test_every_bad_row_is_named_with_its_row_number_and_there_is_no_apply_button(client, trainer):
    rows = [
        *GOOD,
        ["bad-email", "Bad Email", "officer", "frontline", "", ""],
        ["who@example.police.uk", "Who", "officer", "cyber", "", ""],
    ]
    client.force_login(trainer)
    upload(client, csv_bytes(rows))
    roster = RosterImport.objects.get()
    assert roster.status == RosterImport.Status.INVALID
    html = client.get(preview_url(roster)).content.decode()
    assert "Fix the problems in this roster" in html
    assert "2 rows have problems" in html
    assert re.search(r"Row 4</th>.*?bad-email is not a valid email address", html, re.S)
    assert re.search(r"Row 5</th>.*?Unknown audience cyber", html, re.S)
    assert "Apply roster" not in html
    assert "Upload a corrected file" in html

    before = snapshot()
    html = client.post(preview_url(roster), follow=True).content.decode()
    assert "This roster has problems, so it cannot be applied." in html
    assert snapshot() == before


def test_a_long_list_of_bad_rows_is_paged(client, trainer):
    rows = [[f"bad{n}", "Bad", "officer", "frontline", "", ""] for n in range(150)]
    client.force_login(trainer)
    upload(client, csv_bytes(rows))
    roster = RosterImport.objects.get()
    first = client.get(preview_url(roster)).content.decode()
    second = client.get(preview_url(roster) + "?page=2").content.decode()
    assert "150 rows have problems" in first
    assert "Row 2</th>" in first
    assert "Row 101</th>" in first
    assert "Row 102</th>" not in first
    assert "Row 102</th>" in second
    assert "Row 151</th>" in second


def test_a_role_column_is_reported_as_not_used(client, trainer):
    header = ["email", "name", "kind", "audiences", "role"]
    client.force_login(trainer)
    upload(
        client, csv_bytes([["r@example.police.uk", "R", "staff", "frontline", "triage"]], header)
    )
    html = client.get(preview_url(RosterImport.objects.get())).content.decode()
    assert "This column was not used: role" in html


# --- bad files ----------------------------------------------------------------------------------


class StreamedBody(io.RawIOBase):
    """A request body made as it is read: a multipart form with one file of `size` bytes, so a
    100 MB upload is sent without ever being held in memory by the test."""

    BOUNDARY = "RosterBoundary"

    def __init__(self, size: int, name: str = "roster.csv") -> None:
        self.head = (
            f"--{self.BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{self.BOUNDARY}--\r\n".encode()
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length - self.position
        out = bytearray()
        while size > 0 and self.position < self.length:
            start = self.position
            if start < len(self.head):
                piece = self.head[start : start + size]
            elif start < len(self.head) + self.size:
                piece = b"a" * min(size, len(self.head) + self.size - start)
            else:
                offset = start - len(self.head) - self.size
                piece = self.tail[offset : offset + size]
            out += piece
            self.position += len(piece)
            size -= len(piece)
        return bytes(out)


def test_a_100_mb_file_gets_a_clear_message_and_nothing_is_stored(client, trainer):
    client.force_login(trainer)
    body = StreamedBody(100 * 1024 * 1024)
    response = client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=ROSTER,
        CONTENT_TYPE=f"multipart/form-data; boundary={StreamedBody.BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": body},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert error_texts(html) == ["The selected file must be smaller than 10 MB."]
    assert "There is a problem" in html
    assert not RosterImport.objects.exists()


def test_a_file_over_the_roster_limit_but_under_the_upload_cap_is_refused_by_the_form(
    client, trainer, settings
):
    settings.HARMSPORTAL_ROSTER_MAX_BYTES = 1024 * 1024
    rows = [
        [f"p{n}@example.police.uk", "Person", "officer", "frontline", "", ""] for n in range(25_000)
    ]
    content = csv_bytes(rows)
    assert len(content) > 1024 * 1024
    client.force_login(trainer)
    html = upload(client, content).content.decode()
    assert error_texts(html) == ["The selected file must be smaller than 1 MB."]
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "roster.xlsx",
            "password_protected_roster.xlsx",
            "The file could not be opened. If it is password protected, save a copy without a "
            "password and upload that.",
        ),
        (
            "roster.xlsx",
            b"PK\x03\x04 broken",
            "The file could not be opened. If it is password protected, save a copy without a "
            "password and upload that.",
        ),
        ("roster.pdf", b"%PDF-1.7", "The selected file must be a CSV or an Excel (.xlsx) file."),
        ("roster.csv", b"", "The selected file is empty."),
        ("roster.csv", b"name,kind\nJo,officer\n", "The file must have a column headed email."),
    ],
    ids=["password-protected", "corrupt", "pdf", "empty", "no-email-column"],
)
def test_a_bad_file_gets_a_clear_message_and_nothing_changes(
    client, trainer, name, content, message
):
    if isinstance(content, str):
        content = (FIXTURES / content).read_bytes()
    client.force_login(trainer)
    before = snapshot()
    response = upload(client, content, name)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in error_texts(html)
    assert "<title>Error: Import a roster" in html
    assert snapshot() == before
    assert not RosterImport.objects.exists()


def test_no_file_asks_for_one(client, trainer):
    client.force_login(trainer)
    html = client.post(ROSTER, {}).content.decode()
    assert error_texts(html) == ["Select a CSV or Excel (.xlsx) file."]


# --- who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_name", "status"),
    [
        ("officer", 403),
        ("family_member", 403),
        ("champion", 403),
        ("force_lead", 403),
        ("psd_officer", 404),
        ("trainer", 200),
    ],
)
def test_only_training_admins_reach_the_roster_page(client, persona, persona_name, status):
    client.force_login(persona(persona_name))
    assert client.get(ROSTER).status_code == status


def test_another_forces_trainer_gets_a_404_for_this_forces_roster(client, trainer):
    client.force_login(trainer)
    upload(client, csv_bytes(GOOD))
    roster = RosterImport.objects.get()
    other = make_person(Role.TRAINING_ADMIN, force_slug="north-yorkshire")
    client.force_login(other)
    assert client.get(preview_url(roster)).status_code == 404
    assert client.post(preview_url(roster)).status_code == 404
    assert roster.status == RosterImport.Status.PREVIEWED
    assert client.get(ROSTER).status_code == 200
    assert roster.file_name not in client.get(ROSTER).content.decode()


def test_a_missing_roster_is_the_same_404(client, trainer):
    client.force_login(trainer)
    assert (
        client.get("/training/manage/roster/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


# --- the admin -----------------------------------------------------------------------------------


def _csv_format_index() -> str:
    from django.contrib import admin

    profile_admin = admin.site._registry[TrainingProfile]
    formats = profile_admin.get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f().get_title() == "csv"))


def test_a_platform_admin_imports_a_roster_through_the_same_resource(client, platform_admin):
    client.force_login(platform_admin)
    page = client.get("/admin/training/trainingprofile/import/")
    assert page.status_code == 200
    data = {"format": _csv_format_index(), "force": force_pk()}

    bad = client.post(
        "/admin/training/trainingprofile/import/",
        {
            **data,
            "import_file": _named(csv_bytes([["x", "X", "officer", "cyber", "", ""]]), "r.csv"),
        },
    )
    html = bad.content.decode()
    assert "not a valid email address" in html
    assert "Unknown audience cyber" in html
    assert "confirm_form" not in bad.context or bad.context["confirm_form"] is None

    checked = client.post(
        "/admin/training/trainingprofile/import/",
        {**data, "import_file": _named(csv_bytes(GOOD), "roster.csv")},
    )
    assert not User.objects.filter(email="alex.khan@example.police.uk").exists()
    confirm = checked.context["confirm_form"]
    response = client.post(
        "/admin/training/trainingprofile/process_import/",
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    alex = User.objects.get(email="alex.khan@example.police.uk")
    assert list(alex.memberships.values_list("role", flat=True)) == [Role.REPORTER]
    assert TrainingProfile.objects.filter(force_id=force_pk()).count() == 2


def test_the_admin_exports_the_roster_with_formulas_made_safe(client, platform_admin, trainer):
    from training.services.roster import roster_apply, roster_preview

    rows = [
        [
            "eq@example.police.uk",
            '=HYPERLINK("https://evil.example","x")',
            "officer",
            "frontline",
            "",
            "",
        ]
    ]
    roster = roster_preview(
        actor=trainer, force=trainer.home_force, file_name="r.csv", content=csv_bytes(rows)
    )
    roster_apply(actor=trainer, roster=roster)
    client.force_login(platform_admin)
    response = client.post(
        "/admin/training/trainingprofile/export/",
        {
            "format": _csv_format_index(),
            **{f"rosterresource_{c}": "on" for c in ("email", "name")},
        },
    )
    body = response.content.decode()
    assert "'=HYPERLINK" in body
    assert "\n=" not in body
    assert ",=" not in body


def force_pk() -> int:
    from tests.factories import force

    return force().pk
