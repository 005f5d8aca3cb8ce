"""A force's peer group: the forces its PCC compares it with.

A platform admin can load groups (`PeerForce` rows, for example the Home Office's most similar
groups) through the admin's import (trends/resources.py). A force with no rows loaded is
compared with the other territorial forces of its own nation, and the page says which group it
used and where it came from, so nobody mistakes a default for a published group.
"""

from __future__ import annotations

from dataclasses import dataclass

from harmsportal.people.models import Force
from harmsportal.trends.models import PeerForce

LOADED = "loaded"
SAME_NATION = "same_nation"
NONE = "none"


@dataclass(frozen=True)
class PeerGroup:
    """The forces `force` is compared with (never itself), and how they were chosen."""

    force: Force
    peers: tuple[Force, ...]
    kind: str  # LOADED, SAME_NATION or NONE
    source: str  # where a loaded group comes from ("" when none was given)

    @property
    def description(self) -> str:
        """One plain sentence saying which group is used: shown beside every peer figure."""
        count = len(self.peers)
        forces = "force" if count == 1 else "forces"
        if self.kind == LOADED:
            source = f"from {self.source}" if self.source else "(no source was recorded)"
            return (
                f"{self.force.name}'s peer group is {count} {forces} loaded by a platform "
                f"administrator {source}."
            )
        if self.kind == SAME_NATION:
            return (
                f"No peer group has been loaded for {self.force.name}, so its peers are the "
                f"other {count} territorial {forces} in {self.force.nation}."
            )
        return (
            f"No peer group has been loaded for {self.force.name}, and there is no other "
            f"territorial force in {self.force.nation} to compare it with."
        )

    @property
    def median_label(self) -> str:
        """How a comparison names the group's median."""
        if self.kind == SAME_NATION:
            return f"the median of forces in {self.force.nation}"
        return "the peer group median"


def peer_group(force: Force) -> PeerGroup:
    """The peers loaded for `force`, else the other territorial forces of its nation."""
    links = list(
        PeerForce.objects.filter(force=force).select_related("peer").order_by("peer__name")
    )
    if links:
        # One group usually has one source; a group loaded in parts names each once.
        sources = sorted({link.source.strip() for link in links if link.source.strip()})
        return PeerGroup(
            force=force,
            peers=tuple(link.peer for link in links),
            kind=LOADED,
            source="; ".join(sources),
        )
    same_nation = tuple(
        Force.objects.filter(nation=force.nation, kind=Force.Kind.TERRITORIAL)
        .exclude(pk=force.pk)
        .order_by("name")
    )
    return PeerGroup(
        force=force,
        peers=same_nation,
        kind=SAME_NATION if same_nation else NONE,
        source="",
    )
