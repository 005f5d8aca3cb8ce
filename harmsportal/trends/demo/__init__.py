"""The trends demo for `seed_demo`: two years of synthetic history, a peer group, the lead's
API key, then the rollup.

The history (`story.py` says what it is, `plans.py` plans it, `history.py` writes it) is made
once: every history report carries a `demo_key` starting "history-", so seeding again finds it
and adds nothing. The rollup is rebuilt last, on every run, so the dashboards show the demo's
own reports (reports.demo, triage.demo) beside the history.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from harmsportal.people.models import Force, User
from harmsportal.trends.demo import story
from harmsportal.trends.demo.history import history_create, history_exists
from harmsportal.trends.models import ApiToken, PeerForce
from harmsportal.trends.rollup import rollup_rebuild
from harmsportal.trends.tokens import api_token_create


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


def api_key_seed(accounts: dict[str, User]) -> None:
    """The force lead's key for their BI tool, made a month ago, so the API keys page has one
    to list and revoke. The key itself is thrown away: nobody can call the API with it."""
    lead = accounts.get("lead")
    if lead is None or ApiToken.objects.filter(user=lead).exists():
        return
    token, _ = api_token_create(actor=lead, name=story.LEAD_API_KEY, days=90)
    month_ago = token.created_at - timedelta(days=30)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=month_ago, expires_at=month_ago + timedelta(days=90)
    )


def seed(accounts: dict[str, User]) -> None:
    with transaction.atomic():
        if not history_exists():
            history_create()
        peers_seed()
        api_key_seed(accounts)
    rollup_rebuild()
