"""The trends demo for `seed_demo`: two years of synthetic history, a peer group, the rollup.

The history (`story.py` says what it is, `plans.py` plans it, `history.py` writes it) is made
once: every history report carries a `demo_key` starting "history-", so seeding again finds it
and adds nothing. The rollup is rebuilt last, on every run, so the dashboards show the demo's
own reports (reports.demo, triage.demo) beside the history.
"""

from __future__ import annotations

from django.db import transaction

from harmsportal.people.models import Force, User
from harmsportal.trends.demo import story
from harmsportal.trends.demo.history import history_create, history_exists
from harmsportal.trends.models import PeerForce
from harmsportal.trends.rollup import rollup_rebuild


def peers_seed() -> None:
    """The demo's peer groups, unless a platform admin has loaded the force's own."""
    forces = Force.objects.in_bulk(
        [*story.PEER_GROUPS, *(p for peers in story.PEER_GROUPS.values() for p in peers)],
        field_name="slug",
    )
    for slug, peers in story.PEER_GROUPS.items():
        if PeerForce.objects.filter(force=forces[slug]).exists():
            continue
        PeerForce.objects.bulk_create(
            [
                PeerForce(force=forces[slug], peer=forces[peer], source=story.PEER_SOURCE)
                for peer in peers
            ]
        )


def seed(accounts: dict[str, User]) -> None:
    with transaction.atomic():
        if not history_exists():
            history_create()
        peers_seed()
    rollup_rebuild()
