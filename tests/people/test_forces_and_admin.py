"""The 48 UK forces, re-importing them from the project CSV, and who may reach the admin."""

from __future__ import annotations

import pytest
import tablib

from harmsportal.people.forces import FORCES_CSV
from harmsportal.people.models import Force, User
from harmsportal.people.resources import ForceResource


def forces_dataset() -> tablib.Dataset:
    return tablib.Dataset().load(FORCES_CSV.read_text(encoding="utf-8"), format="csv")


def test_all_48_uk_forces_are_loaded_with_unique_codes(db):
    forces = list(Force.objects.all())
    assert len(forces) == 48
    assert len({f.code for f in forces}) == 48
    assert len({f.name for f in forces}) == 48
    assert {f.nation for f in forces} <= set(Force.Nation.values)


def test_forces_carry_their_nation_and_reference_code(db):
    assert Force.objects.get(slug="police-scotland").nation == Force.Nation.SCOTLAND
    assert Force.objects.get(slug="west-yorkshire").code == "WYP"
    assert Force.objects.filter(nation=Force.Nation.WALES).count() == 4


def test_importing_the_project_csv_twice_changes_nothing(db):
    before = dict(Force.objects.values_list("slug", "pk"))
    for _ in range(2):
        result = ForceResource().import_data(forces_dataset(), dry_run=False, raise_errors=True)
        assert not result.has_errors()
        assert not result.has_validation_errors()
    assert Force.objects.count() == 48
    # Forces are matched by slug, so every row keeps its identity (and its memberships).
    assert dict(Force.objects.values_list("slug", "pk")) == before


def test_importing_a_changed_name_updates_the_force_in_place(db):
    dataset = forces_dataset()
    row = dataset["slug"].index("west-yorkshire")
    changed = list(dataset[row])
    changed[dataset.headers.index("name")] = "West Yorkshire Police Service"
    dataset[row] = changed
    pk = Force.objects.get(slug="west-yorkshire").pk
    result = ForceResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert result.totals["update"] == 1
    assert Force.objects.count() == 48
    updated = Force.objects.get(slug="west-yorkshire")
    assert (updated.pk, updated.name) == (pk, "West Yorkshire Police Service")


def test_importing_an_unknown_nation_is_refused(db):
    dataset = forces_dataset()
    row = dataset["slug"].index("west-yorkshire")
    changed = list(dataset[row])
    changed[dataset.headers.index("nation")] = "Atlantis"
    dataset[row] = changed
    result = ForceResource().import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    assert Force.objects.get(slug="west-yorkshire").nation == Force.Nation.ENGLAND


@pytest.mark.parametrize(
    ("who", "expected"),
    [("officer", 403), ("triager", 403), ("force_lead", 403), ("psd_officer", 404)],
)
def test_admin_refuses_everyone_but_platform_admins(client, persona, who, expected):
    # The rule of every staff route: 403 without the role, 404 to Professional Standards.
    client.force_login(persona(who))
    assert client.get("/admin/").status_code == expected
    assert client.get("/admin/people/user/").status_code == expected


def test_anonymous_visitor_is_sent_to_the_portal_sign_in_for_admin(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/people/user/",
        "/admin/people/user/add/",
        "/admin/people/membership/",
        "/admin/people/membership/add/",
        "/admin/people/force/",
        "/admin/people/force/import/",
        "/admin/people/familylink/",
    ],
)
def test_platform_admin_reaches_the_people_admin(client, platform_admin, path):
    client.force_login(platform_admin)
    assert client.get(path).status_code == 200


def test_platform_admin_can_open_a_users_page_without_their_demographics(
    client, platform_admin, officer
):
    officer.ethnicity = "white"
    officer.save(update_fields=["ethnicity"])
    client.force_login(platform_admin)
    response = client.get(f"/admin/people/user/{officer.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert officer.email in page
    assert 'name="ethnicity"' not in page


def test_platform_admin_adds_a_person_by_email(client, platform_admin):
    client.force_login(platform_admin)
    response = client.post(
        "/admin/people/user/add/",
        {
            "email": "New.Person@Example.police.uk",
            "full_name": "New Person",
            "kind": "staff",
            "password1": "a-long-unusual-passphrase-42",
            "password2": "a-long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(email="new.person@example.police.uk")
    assert created.check_password("a-long-unusual-passphrase-42")
    assert created.kind == User.Kind.STAFF
