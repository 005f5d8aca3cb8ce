"""The champions' directory: every signed-in account reads its force's champions and how to
reach them; a champion keeps their own entry, one per force they champion."""

from __future__ import annotations

import pytest

from harmsportal.people.models import Membership, Role
from tests.factories import force
from tests.wellbeing.factories import champion_in
from wellbeing.models import ChampionListing

pytestmark = pytest.mark.django_db

DIRECTORY = "/wellbeing/directory/"
MINE = "/wellbeing/directory/me/"
ENTRY = {
    "display_name": "Chris Champion",
    "role_title": "Sergeant, Response, Halifax",
    "how_to_reach": "Teams or 01234 567890, weekdays 9 to 5.",
    "listed": "on",
}


def listing(user, *, force_slug="west-yorkshire", **fields) -> ChampionListing:
    values = {"display_name": user.get_full_name(), "how_to_reach": "Call me on 0101 0101."}
    values.update(fields)
    return ChampionListing.objects.create(force=force(force_slug), user=user, **values)


def test_the_directory_lists_the_forces_champions_and_how_to_reach_them(client, officer):
    listing(champion_in(full_name="Dana Listed"), how_to_reach="Mobile 07700 900123.")
    listing(champion_in(full_name="Uma Unlisted"), listed=False)
    listing(champion_in("north-yorkshire", full_name="Nia Northern"), force_slug="north-yorkshire")
    former = champion_in(full_name="Fred Former")
    listing(former)
    Membership.objects.filter(user=former, role=Role.CHAMPION).delete()
    client.force_login(officer)

    html = client.get(DIRECTORY).content.decode()

    assert "Dana Listed" in html
    assert "Mobile 07700 900123." in html
    assert "Uma Unlisted" not in html
    assert "Nia Northern" not in html  # another force's champion
    assert "Fred Former" not in html  # no longer a champion


def test_a_family_member_sees_the_champions_of_the_force_they_are_linked_to(client, family_member):
    listing(champion_in(full_name="Dana Listed"))
    client.force_login(family_member)

    assert "Dana Listed" in client.get(DIRECTORY).content.decode()


@pytest.mark.parametrize(
    "who", ["officer", "family_member", "psd_officer", "triager", "champion", "analyst"]
)
def test_every_signed_in_account_can_read_the_directory(client, persona, who):
    client.force_login(persona(who))

    assert client.get(DIRECTORY).status_code == 200


def test_the_directory_is_plain_text(client, officer):
    listing(champion_in(), how_to_reach='<a href="javascript:alert(1)">Call me</a>')
    client.force_login(officer)

    html = client.get(DIRECTORY).content.decode()

    assert 'href="javascript' not in html
    assert "&lt;a href=&quot;javascript:alert(1)&quot;&gt;Call me&lt;/a&gt;" in html


def test_a_champion_adds_their_entry_and_then_changes_it(client, champion):
    client.force_login(champion)

    first = client.get(MINE).content.decode()
    assert 'value="Cham Pion"' in first  # their name to start from
    assert client.post(MINE, ENTRY).status_code == 302
    client.post(MINE, {**ENTRY, "how_to_reach": "Teams only."})

    entry = ChampionListing.objects.get()
    assert (entry.force, entry.user, entry.display_name) == (force(), champion, "Chris Champion")
    assert entry.how_to_reach == "Teams only."
    assert "Teams only." in client.get(DIRECTORY).content.decode()


def test_a_champion_can_take_themselves_out_of_the_directory(client, champion):
    listing(champion, display_name="Cham Pion")
    client.force_login(champion)

    client.post(MINE, {key: value for key, value in ENTRY.items() if key != "listed"})

    assert ChampionListing.objects.get().listed is False
    assert "Chris Champion" not in client.get(DIRECTORY).content.decode()


def test_an_entry_with_a_problem_keeps_what_was_entered(client, champion):
    client.force_login(champion)

    response = client.post(MINE, {**ENTRY, "how_to_reach": "", "role_title": "x" * 121})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter how colleagues can reach you." in html
    assert "Your role must be 120 characters or fewer." in html
    assert 'value="Chris Champion"' in html
    assert not ChampionListing.objects.exists()


def test_a_champion_of_two_forces_has_an_entry_in_each(client):
    both = champion_in()
    Membership.objects.create(user=both, force=force("north-yorkshire"), role=Role.CHAMPION)
    both.forget_roles()
    client.force_login(both)

    assert "Which force" in client.get(MINE).content.decode()
    client.post(f"{MINE}?force=north-yorkshire", ENTRY)
    client.post(f"{MINE}?force=west-yorkshire", {**ENTRY, "display_name": "Chris in West"})

    assert set(ChampionListing.objects.values_list("force__slug", "display_name")) == {
        ("north-yorkshire", "Chris Champion"),
        ("west-yorkshire", "Chris in West"),
    }
    assert client.get(f"{MINE}?force=cumbria").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("champion", 200), ("officer", 403), ("force_lead", 403), ("psd_officer", 404)],
)
def test_only_champions_have_an_entry(client, persona, who, status):
    client.force_login(persona(who))

    assert client.get(MINE).status_code == status
    assert client.post(MINE, ENTRY).status_code == (302 if status == 200 else status)
