"""The rollups: counts drawn from reports, cases, referrals and training, never a person.

Each rollup row is an aggregate over whole reports (or referrals, or assignments). It holds a
count and `key_sum`, the sum of the record keys of what it counts, so that any cell added up
from rows has a cell key (`key_sum` mod 256) for `harmsportal.disclosure.publish_count`: the same
cell always rounds the same way, whichever request asked for it (decision 0011).

Nothing here is read by another app: `trends` reads every app and nothing imports `trends`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from harmsportal.people.models import Force


class RecordingDecision(models.TextChoices):
    """The recording decision as trends counts it: triage's three answers folded to two plus
    "none" (not recorded as either, or not decided yet)."""

    CRIME = "crime", "Crime"
    NON_CRIME = "non_crime", "Non-crime incident"
    NONE = "none", "Not recorded as either"


# Values that stand for "nothing given" in the multi-select and outcome columns.
NO_CATEGORY = ""
NO_PLATFORM = ""
NO_IMPACT = "none"
NO_OUTCOME = "pending"


# A monthly rollup row's force. The rows are derived data, deleted and written again in bulk by
# every rebuild from sources that already hold a valid force, so the database foreign key
# would only add a deferred check per row at commit: about 800,000 of them in a full rebuild
# at 500,000 reports, a quarter of its time (decision 0013). Django still deletes a force's
# rows with it (on_delete runs in Python), and the composite (month, force) or (force, month)
# index of each table serves every read, so the key needs no index of its own either.
ROLLUP_FORCE = {"on_delete": models.CASCADE, "db_constraint": False, "db_index": False}


class RollupState(models.Model):
    """One row (pk=1): when the rollup last ran. Rebuilds lock it, so two never overlap."""

    started_at = models.DateTimeField(null=True, blank=True)
    # "Data as at": the moment the last successful rebuild read its sources.
    completed_at = models.DateTimeField(null=True, blank=True)
    full_rebuilt_at = models.DateTimeField(null=True, blank=True)
    # Reports per month with the sum of their ids, as last rolled up: a month whose fingerprint
    # changes lost or gained a report (erasure, transfer) without any updated_at to show it.
    fingerprints = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "rollup state"

    def __str__(self) -> str:
        return f"Rollup as at {self.completed_at or 'never'}"


class ReportRollup(models.Model):
    """Reports received in a month by one force, for one combination of the key.

    Categories, platforms and offline impacts are multi-select: a report is in one row for
    each combination of the values it carries. `first_category` (and the other two flags)
    marks the rows of a report's first value, so a query that neither groups nor filters by
    categories keeps only `first_category` rows and counts each report once.
    """

    month = models.DateField(help_text="The first day of the month the report was received in.")
    # Derived rows, rebuilt from the sources: no database constraint or index of its own
    # (ROLLUP_FORCE, decision 0013); the composite index below serves the reads.
    force = models.ForeignKey(Force, related_name="+", **ROLLUP_FORCE)
    category = models.CharField(max_length=64, blank=True)
    recording_decision = models.CharField(max_length=20, choices=RecordingDecision.choices)
    reporter_kind = models.CharField(max_length=20)
    platform = models.CharField(max_length=64, blank=True)
    impact = models.CharField(max_length=32)
    outcome = models.CharField(max_length=32)
    first_category = models.BooleanField()
    first_platform = models.BooleanField()
    first_impact = models.BooleanField()
    reports = models.PositiveIntegerField()
    key_sum = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "force"], name="trends_rollup_month_force")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.force_id}: {self.reports}"


class DemographicRollup(models.Model):
    """Reports in a month by one force, by one answer to one voluntary question about the
    reporter (people.models.DEMOGRAPHIC_FIELDS). Never joined to the main key."""

    month = models.DateField()
    # Derived rows, rebuilt from the sources: no database constraint or index of its own
    # (ROLLUP_FORCE, decision 0013); the composite index below serves the reads.
    force = models.ForeignKey(Force, related_name="+", **ROLLUP_FORCE)
    dimension = models.CharField(max_length=32)
    # The answer's value; "" when the question was not answered.
    value = models.CharField(max_length=32, blank=True)
    reports = models.PositiveIntegerField()
    key_sum = models.BigIntegerField()
    # Different people among those reports. One person's many reports must never pass for a
    # group: a figure is shown only when at least k different people are known to be in it.
    reporters = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "force"], name="trends_demog_month_force")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.force_id} {self.dimension}={self.value}: {self.reports}"


class PerformanceRollup(models.Model):
    """A force's service to the reports it received in a month: what a PCC asks about.

    The histograms let a median be found over any set of months and forces: `response_hours`
    counts first responses by whole hours from receipt (the last bucket holds everything
    later), `outcome_days` outcomes by whole days.
    """

    month = models.DateField()
    # Derived rows: no database constraint (ROLLUP_FORCE, decision 0013).
    force = models.ForeignKey(Force, related_name="+", **ROLLUP_FORCE)
    received = models.PositiveIntegerField(default=0)
    received_key_sum = models.BigIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_in_target = models.PositiveIntegerField(default=0)
    response_hours = models.JSONField(default=list, blank=True)
    outcomes = models.PositiveIntegerField(default=0)
    outcomes_in_28_days = models.PositiveIntegerField(default=0)
    outcome_days = models.JSONField(default=list, blank=True)
    referrals_offered = models.PositiveIntegerField(default=0)
    referrals_offered_key_sum = models.BigIntegerField(default=0)
    referrals_accepted = models.PositiveIntegerField(default=0)
    referrals_accepted_key_sum = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "force"], name="trends_performance_once")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.force_id}: {self.received} received"


class TrainingRollup(models.Model):
    """A force's current training work by audience, as at the last rollup (a snapshot, not a
    monthly series: completion is a state, not an event)."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=20)
    assigned = models.PositiveIntegerField(default=0)
    assigned_key_sum = models.BigIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    completed_key_sum = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force", "audience"], name="trends_training_once")
        ]

    def __str__(self) -> str:
        return f"{self.force_id} {self.audience}: {self.completed}/{self.assigned}"


class PeerForce(models.Model):
    """One force in another force's peer group (for example the Home Office's most similar
    groups), loaded by a platform admin. A force with none is compared with the forces of its
    own nation."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="peer_links")
    peer = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(
        max_length=120, blank=True, help_text="Where the group comes from, shown beside it."
    )

    class Meta:
        ordering = ["force__name", "peer__name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "peer"], name="trends_peer_once"),
            models.CheckConstraint(
                condition=~models.Q(force=models.F("peer")), name="trends_peer_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.force} ~ {self.peer}"


class ApiToken(models.Model):
    """A person's key to the read-only trends API. Only its SHA-256 is kept; the key itself is
    shown once, when it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trends_api_tokens"
    )
    name = models.CharField(max_length=80)
    # The first characters of the key, so its owner can tell their keys apart.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Opaque id for URLs (revoking), never the pk.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class DimensionRollup(models.Model):
    """The dashboards' read: reports in a month by one force, broken down by one dimension,
    each report counted once in each value it carries (`dimension` "total" has one row, value
    ""). Built from `ReportRollup` in the same rebuild, so a dashboard reads a few rows per
    month and force however many reports there are."""

    month = models.DateField()
    # Derived rows, rebuilt from the sources: no database constraint or index of its own
    # (ROLLUP_FORCE, decision 0013); the composite index below serves the reads.
    force = models.ForeignKey(Force, related_name="+", **ROLLUP_FORCE)
    dimension = models.CharField(max_length=32)
    value = models.CharField(max_length=64, blank=True)
    reports = models.PositiveIntegerField()
    key_sum = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["force", "month"], name="trends_dim_force_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.force_id} {self.dimension}={self.value}: {self.reports}"


class PublishedMonthFigure(models.Model):
    """A figure as the portal publishes it for one force and one month: the month's total
    (`dimension` "total", value "") and each value of each dimension, after the month table's
    whole audit (`harmsportal.disclosure.publish_table`, through `trends.figures`): exactly
    what the dashboards and the API's monthly answer show for that force and month, with no
    category filter. Written by the rebuild from `DimensionRollup` in the same transaction, so
    the exports read published figures and never a true count (decision 0012).

    `figure` is the published count (0, or a multiple of k, k or more) when it is shown, and
    empty when it is withheld: `withheld` then says how ("fewer" for 1 to k-1, shown as "<k";
    "not shown" for a figure withheld so that another cannot be worked out). `k` is the k the
    figure was published with: a change of k needs a rebuild.
    """

    SHOWN, FEWER, NOT_SHOWN = "", "fewer", "not shown"

    month = models.DateField()
    force = models.ForeignKey(Force, related_name="+", **ROLLUP_FORCE)
    dimension = models.CharField(max_length=32)
    value = models.CharField(max_length=64, blank=True)
    figure = models.PositiveIntegerField(null=True, blank=True)
    withheld = models.CharField(max_length=16, blank=True)
    k = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["force", "month"], name="trends_pub_force_month")]

    def __str__(self) -> str:
        shown = self.withheld or self.figure
        return f"{self.month:%Y-%m} {self.force_id} {self.dimension}={self.value}: {shown}"
