"""Peer groups: the forces of the same nation by default, loaded groups when a platform admin
has loaded one, and the import that loads them refusing forces it does not know."""

from __future__ import annotations

import datetime
from datetime import date

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from harmsportal.trends.accountability import accountability_report
from harmsportal.trends.models import PeerForce, PerformanceRollup
from harmsportal.trends.peers import LOADED, NONE, SAME_NATION, peer_group
from harmsportal.trends.periods import parse_period
from harmsportal.trends.resources import PeerForceResource
from tests.factories import force

TODAY = date(2026, 11, 29)


def _slugs(group) -> list[str]:
    return [peer.slug for peer in group.peers]


def _import(text: str, *, dry_run: bool = False):
    dataset = tablib.Dataset().load(text.strip() + "\n", format="csv")
    return PeerForceResource().import_data(
        dataset, dry_run=dry_run, rollback_on_validation_errors=True
    )


def _errors(result) -> list[tuple[int, str]]:
    return [
        (row.number, message)
        for row in result.invalid_rows
        for messages in row.error_dict.values()
        for message in messages
    ]


def test_a_force_without_a_loaded_group_is_compared_with_the_other_forces_of_its_nation(db):
    group = peer_group(force("south-wales"))
    assert group.kind == SAME_NATION
    assert _slugs(group) == ["dyfed-powys", "gwent", "north-wales"]
    assert "the other 3 territorial forces in Wales" in group.description


def test_the_default_group_is_territorial_forces_only_and_never_the_force_itself(db):
    slugs = _slugs(peer_group(force("west-yorkshire")))
    assert len(slugs) == 38
    assert "west-yorkshire" not in slugs
    assert "btp" not in slugs  # British Transport Police is a national force
    assert "police-scotland" not in slugs


def test_a_force_alone_in_its_nation_has_no_default_peers_and_is_told_so(db):
    group = peer_group(force("police-scotland"))
    assert group.kind == NONE
    assert group.peers == ()
    assert "no other territorial force in Scotland" in group.description


def test_loaded_peer_rows_replace_the_default_group_and_name_their_source(db):
    wy = force("west-yorkshire")
    for slug in ("greater-manchester", "merseyside"):
        PeerForce.objects.create(force=wy, peer=force(slug), source="Home Office MSG 2025")
    group = peer_group(wy)
    assert group.kind == LOADED
    assert _slugs(group) == ["greater-manchester", "merseyside"]
    assert "from Home Office MSG 2025" in group.description
    # Another force's group is not this force's.
    assert peer_group(force("merseyside")).kind == SAME_NATION


def test_the_peer_median_uses_the_loaded_group(db):
    wy = force("west-yorkshire")
    peers = ("greater-manchester", "merseyside", "kent", "essex", "avon-and-somerset")
    for slug in peers:
        PeerForce.objects.create(force=wy, peer=force(slug), source="MSG")
    hours = {"west-yorkshire": 2, "greater-manchester": 4, "merseyside": 20, "kent": 30}
    hours |= {"essex": 40, "avon-and-somerset": 50}
    hours |= {"north-yorkshire": 1, "cleveland": 1, "durham": 1}  # England, not in the group
    for slug, value in hours.items():
        PerformanceRollup.objects.create(
            month=date(2026, 7, 1),
            force=force(slug),
            responded=5,
            responded_in_target=5,
            response_hours=[0] * value + [5],
        )
    report = accountability_report(wy, parse_period("fy2026-27-q2", today=TODAY), today=TODAY)
    headline = next(h for h in report.headlines if h.measure.key == "response_median")
    peer = headline.cells[-1]
    assert peer.column.against == "the peer group median"
    # 4, 20, 30, 40, 50 (the five peers, the force's own figure left out): 30; the same-nation
    # median would be about 1.
    assert peer.other == "30 hours"
    assert peer.direction == "better than"


# --- the import -----------------------------------------------------------------------------


def test_the_import_takes_slugs_or_full_names_in_any_case(db):
    result = _import(
        """
force,peer,source
west-yorkshire,Greater Manchester Police,Home Office MSG 2025
West Yorkshire Police,MERSEYSIDE,Home Office MSG 2025
"""
    )
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert sorted(PeerForce.objects.values_list("peer__slug", flat=True)) == [
        "greater-manchester",
        "merseyside",
    ]
    assert set(PeerForce.objects.values_list("source", flat=True)) == {"Home Office MSG 2025"}


def test_the_import_refuses_an_unknown_force_with_a_row_error_and_loads_nothing(db):
    result = _import(
        """
force,peer,source
west-yorkshire,merseyside,MSG
west-yorkshire,Westshire Constabulary,MSG
"""
    )
    assert result.has_validation_errors()
    assert _errors(result) == [
        (
            2,
            "No force is called “Westshire Constabulary”. Use a force's slug, such as "
            "west-yorkshire, or its full name, such as West Yorkshire Police",
        )
    ]
    assert not PeerForce.objects.exists()


def test_the_import_refuses_a_force_as_its_own_peer_and_a_blank_force(db):
    result = _import(
        """
force,peer,source
kent,Kent Police,MSG
,kent,MSG
"""
    )
    errors = _errors(result)
    assert (1, "A force cannot be its own peer") in errors
    assert any(number == 2 and message.startswith("Enter a force") for number, message in errors)
    assert not PeerForce.objects.exists()


def test_loading_a_file_replaces_the_groups_of_the_forces_it_names_only(db):
    wy, kent = force("west-yorkshire"), force("kent")
    PeerForce.objects.create(force=wy, peer=force("cleveland"), source="old")
    PeerForce.objects.create(force=kent, peer=force("essex"), source="old")
    result = _import(
        """
force,peer,source
west-yorkshire,merseyside,MSG 2025
"""
    )
    assert not result.has_validation_errors()
    assert _slugs(peer_group(wy)) == ["merseyside"]  # Cleveland left the group
    assert _slugs(peer_group(kent)) == ["essex"]  # not in the file: kept


def test_a_dry_run_changes_nothing(db):
    PeerForce.objects.create(force=force("west-yorkshire"), peer=force("cleveland"))
    _import("force,peer,source\nwest-yorkshire,merseyside,MSG", dry_run=True)
    assert _slugs(peer_group(force("west-yorkshire"))) == ["cleveland"]


def test_a_platform_admin_loads_peer_groups_through_the_admin(client, platform_admin):
    client.force_login(platform_admin)
    upload = SimpleUploadedFile(
        "msg.csv", b"force,peer,source\nwest-yorkshire,Greater Manchester Police,MSG 2025\n"
    )
    page = client.post(
        "/admin/trends/peerforce/import/",
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert page.status_code == 200
    assert "greater-manchester" in page.content.decode()
    assert not PeerForce.objects.exists()  # a preview until confirmed


def test_the_admin_shows_an_unknown_force_as_an_error_on_its_line(client, platform_admin):
    client.force_login(platform_admin)
    upload = SimpleUploadedFile("msg.csv", b"force,peer,source\nwest-yorkshire,Gotham City,MSG\n")
    page = client.post(
        "/admin/trends/peerforce/import/",
        {"import_file": upload, "format": "0", "resource": "0"},
    ).content.decode()
    assert "No force is called “Gotham City”" in page
    assert "Confirm import" not in page


@pytest.mark.parametrize("who", ["oversight", "force_lead", "analyst"])
def test_only_platform_admins_reach_the_peer_group_admin(client, persona, who):
    client.force_login(persona(who))
    assert client.get("/admin/trends/peerforce/").status_code == 403


def test_the_peer_group_is_named_on_the_performance_page(client, oversight, db):
    from harmsportal.trends.models import RollupState

    RollupState.objects.create(
        pk=1, completed_at=datetime.datetime(2026, 11, 29, tzinfo=datetime.UTC)
    )
    PeerForce.objects.create(
        force=force("west-yorkshire"), peer=force("merseyside"), source="Home Office MSG 2025"
    )
    client.force_login(oversight)
    page = client.get("/trends/forces/west-yorkshire/performance/").content.decode()
    assert (
        "peer group is 1 force loaded by a platform administrator from Home Office MSG 2025" in page
    )
