"""Compliance and team exports: CSV and XLSX through django-import-export, downloads that are
never cached, every export recorded, nobody else's data, and no cell a spreadsheet would run
as a formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
import time_machine

from harmsportal.audit.models import AccessLog
from harmsportal.people.models import Role
from tests.factories import force, make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    ModuleFactory,
    TrainingProfileFactory,
)
from training.exports import formula_safe

pytestmark = pytest.mark.django_db

COMPLIANCE_EXPORT = "/training/compliance/export/"
TEAM_EXPORT = "/training/team/export/"
NOW = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
HOSTILE = [
    '=HYPERLINK("https://example.com/steal","Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def module():
    return ModuleFactory(title="Your online footprint", slug="footprint")


@pytest.fixture
def manager(db):
    return make_person(full_name="Morgan Manager")


@pytest.fixture
def team(manager, module):
    """Priya (completed 3 March 2026, expires 3 March 2027) and Tom (due 1 July 2026)."""
    priya = make_person(full_name="Priya Team", email="priya@example.police.uk")
    tom = make_person(full_name="Tom Team", email="tom@example.police.uk")
    for person in (priya, tom):
        TrainingProfileFactory(person=person, line_manager=manager)
    completion = CompletionFactory(
        person=priya, module=module, completed_at=datetime(2026, 3, 3, 10, tzinfo=UTC)
    )
    AssignmentFactory(
        person=priya,
        module=module,
        due_on=date(2026, 4, 1),
        completion=completion,
        completed_at=completion.completed_at,
    )
    AssignmentFactory(person=tom, module=module, due_on=date(2026, 7, 1))
    una = make_person(full_name="Una Elsewhere")
    AssignmentFactory(person=una, module=module, due_on=date(2026, 5, 1))
    return {"priya": priya, "tom": tom, "una": una}


def body(response) -> bytes:
    """The download's bytes, whether built whole or streamed."""
    if response.streaming:
        if not hasattr(response, "_read_body"):
            response._read_body = b"".join(response.streaming_content)
        return response._read_body
    return response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8"))))


def xlsx_rows(response) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def xlsx_cells(response):
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_download(response, extension: str) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    assert "no-store" in response["Cache-Control"]


def test_the_compliance_csv_has_stable_columns_and_the_pages_figures(client, trainer, team):
    client.force_login(trainer)

    response = client.get(COMPLIANCE_EXPORT, {"format": "csv"})

    assert_download(response, "csv")
    assert "training-compliance-west-yorkshire-2026-06-01.csv" in response["Content-Disposition"]
    assert response["Content-Type"].startswith("text/csv")
    assert csv_rows(response) == [
        [
            "Audience",
            "Module",
            "Assigned",
            "Completed",
            "Per cent complete",
            "Overdue",
            "Expiring in 30 days",
        ],
        ["Frontline", "Your online footprint", "3", "1", "33", "1", "0"],
    ]
    log = AccessLog.objects.get(object_type="training.compliance")
    assert (log.actor, log.action, log.force_slug) == (trainer, "export", "west-yorkshire")
    assert log.actor_role == Role.TRAINING_ADMIN


def test_the_compliance_xlsx_keeps_numbers_as_numbers(client, trainer, team):
    client.force_login(trainer)

    response = client.get(COMPLIANCE_EXPORT, {"format": "xlsx"})

    assert_download(response, "xlsx")
    assert xlsx_rows(response)[1] == ("Frontline", "Your online footprint", 3, 1, 33, 1, 0)
    assert AccessLog.objects.filter(object_type="training.compliance", action="export").count() == 1


def test_the_export_follows_the_pages_filters(client, trainer, team):
    client.force_login(trainer)

    response = client.get(COMPLIANCE_EXPORT, {"format": "csv", "audience": "induction"})

    assert len(csv_rows(response)) == 1  # the header only: nobody in induction


def test_the_overdue_list_is_streamed_with_names_and_recorded_as_such(client, trainer, team):
    client.force_login(trainer)

    response = client.get(COMPLIANCE_EXPORT, {"format": "csv", "list": "overdue"})

    assert response.streaming  # it grows with the force: never built whole (decision 0010)
    assert_download(response, "csv")
    assert "training-overdue-west-yorkshire-2026-06-01.csv" in response["Content-Disposition"]
    assert csv_rows(response) == [
        ["Name", "Email", "Module", "Audience", "Was due", "Days overdue"],
        [
            "Una Elsewhere",
            team["una"].email,
            "Your online footprint",
            "Frontline",
            "2026-05-01",
            "31",
        ],
    ]
    log = AccessLog.objects.get(action="export")
    assert (log.object_type, log.force_slug) == ("training.overdue_list", "west-yorkshire")
    assert log.reason == "Overdue training (csv): 1 rows"


def test_the_overdue_list_as_xlsx_keeps_dates_as_dates(client, trainer, team):
    client.force_login(trainer)

    response = client.get(COMPLIANCE_EXPORT, {"format": "xlsx", "list": "overdue"})

    assert_download(response, "xlsx")
    rows = xlsx_rows(response)
    assert rows[0] == ("Name", "Email", "Module", "Audience", "Was due", "Days overdue")
    assert rows[1][:4] == ("Una Elsewhere", team["una"].email, "Your online footprint", "Frontline")
    assert rows[1][4].date() == date(2026, 5, 1)
    assert rows[1][5] == 31  # a number, as the page shows it


def test_the_compliance_page_links_to_both_downloads_with_its_filters(client, trainer, team):
    client.force_login(trainer)

    html = client.get("/training/compliance/", {"audience": "frontline"}).content.decode()

    assert "/training/compliance/export/?audience=frontline&amp;format=csv" in html
    assert "/training/compliance/export/?audience=frontline&amp;format=csv&amp;list=overdue" in html


def test_the_team_export_has_only_the_managers_own_team(client, manager, team):
    client.force_login(manager)

    response = client.get(TEAM_EXPORT, {"format": "csv"})

    assert_download(response, "csv")
    rows = csv_rows(response)
    assert rows[0] == [
        "Name",
        "Email",
        "Force",
        "Module",
        "Audience",
        "Due",
        "Status",
        "Completed on",
        "Expires on",
    ]
    assert rows[1:] == [
        [
            "Priya Team",
            "priya@example.police.uk",
            "West Yorkshire Police",
            "Your online footprint",
            "Frontline",
            "2026-04-01",
            "Completed",
            "2026-03-03",
            "2027-03-03",
        ],
        [
            "Tom Team",
            "tom@example.police.uk",
            "West Yorkshire Police",
            "Your online footprint",
            "Frontline",
            "2026-07-01",
            "To do",
            "",
            "",
        ],
    ]
    assert "Una Elsewhere" not in response.content.decode()
    log = AccessLog.objects.get(object_type="training.team")
    assert (log.actor, log.action) == (manager, "export")


def test_the_team_xlsx_keeps_dates_as_dates(client, manager, team):
    client.force_login(manager)

    response = client.get(TEAM_EXPORT, {"format": "xlsx"})

    assert_download(response, "xlsx")
    priya = xlsx_rows(response)[1]
    assert priya[0] == "Priya Team"
    assert priya[5].date() == date(2026, 4, 1)


def test_someone_with_no_team_gets_a_file_with_only_the_header(client, officer):
    client.force_login(officer)

    response = client.get(TEAM_EXPORT, {"format": "csv"})

    assert len(csv_rows(response)) == 1
    assert AccessLog.objects.filter(object_type="training.team", action="export").count() == 1


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_safe_puts_an_apostrophe_before_a_formula(value):
    assert formula_safe(value) == "'" + value
    assert formula_safe("Plain text") == "Plain text"
    assert formula_safe(12) == 12


@pytest.fixture
def hostile(manager):
    """A force module and team members whose names and titles begin like formulas."""
    people = []
    for n, text in enumerate(HOSTILE):
        module = ModuleFactory(title=text, slug=f"hostile-{n}", owner_force=force())
        person = make_person(full_name=text)
        TrainingProfileFactory(person=person, line_manager=manager)
        AssignmentFactory(person=person, module=module, due_on=date(2026, 5, 1))
        people.append(person)
    return people


@pytest.mark.parametrize("escape_setting", [False, True])
def test_no_exported_cell_can_run_as_a_formula(
    client, settings, trainer, manager, hostile, escape_setting
):
    """Cells beginning with =, +, - or @ are written with an apostrophe first in CSV, and as text
    cells holding exactly the text in XLSX, whether or not the library's own (weaker) escaping
    setting is on."""
    settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = escape_setting
    downloads = []
    client.force_login(trainer)
    downloads += [client.get(COMPLIANCE_EXPORT, {"format": name}) for name in ("csv", "xlsx")]
    downloads += [
        client.get(COMPLIANCE_EXPORT, {"format": name, "list": "overdue"})
        for name in ("csv", "xlsx")
    ]
    client.force_login(manager)
    downloads += [client.get(TEAM_EXPORT, {"format": name}) for name in ("csv", "xlsx")]

    for response in downloads:
        assert response.status_code == 200
        if response["Content-Type"].startswith("text/csv"):
            cells = [cell for row in csv_rows(response) for cell in row]
            for text in HOSTILE:
                assert "'" + text in cells
            assert not [cell for cell in cells if str(cell)[:1] in ("=", "+", "-", "@")]
        else:
            workbook_cells = xlsx_cells(response)
            assert all(cell.data_type != "f" for cell in workbook_cells)
            cells = [cell.value for cell in workbook_cells if isinstance(cell.value, str)]
            for text in HOSTILE:
                assert text in cells  # the value itself, no apostrophe added
            assert not [cell for cell in cells if cell.startswith("'")]


@pytest.mark.parametrize("asked", [{}, {"format": "pdf"}, {"format": "CSV"}])
def test_a_format_that_is_not_offered_is_a_404(client, trainer, manager, asked):
    client.force_login(trainer)
    assert client.get(COMPLIANCE_EXPORT, asked).status_code == 404
    client.force_login(manager)
    assert client.get(TEAM_EXPORT, asked).status_code == 404
    assert not AccessLog.objects.filter(action="export").exists()


def test_the_trainer_of_another_force_exports_none_of_this_forces_data(client, team):
    other = make_person(Role.TRAINING_ADMIN, force_slug="north-yorkshire")
    client.force_login(other)

    own = client.get(COMPLIANCE_EXPORT, {"format": "csv"})
    asked = client.get(COMPLIANCE_EXPORT, {"format": "csv", "force": "west-yorkshire"})

    assert len(csv_rows(own)) == 1  # North Yorkshire has no training set
    assert asked.status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer", 403),
        ("family_member", 403),
        ("force_lead", 403),
        ("oversight", 403),
        ("analyst", 403),
        ("psd_officer", 404),
    ],
)
def test_who_is_refused_the_compliance_export(client, persona, team, who, status):
    client.force_login(persona(who))

    assert client.get(COMPLIANCE_EXPORT, {"format": "csv"}).status_code == status
    assert not AccessLog.objects.filter(action="export").exists()


def test_a_family_account_is_refused_the_team_export(client, family_member):
    client.force_login(family_member)

    assert client.get(TEAM_EXPORT, {"format": "xlsx"}).status_code == 404
    assert not AccessLog.objects.exists()
