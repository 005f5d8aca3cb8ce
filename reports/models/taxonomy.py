"""The national harms taxonomy: plain English, versioned, managed as data, never tied to law."""

from __future__ import annotations

from django.db import models


class TaxonomyQuerySet(models.QuerySet):
    def current(self) -> TaxonomyQuerySet:
        """Entries offered on new reports. Retired ones stay on the reports that chose them."""
        return self.filter(retired_at__isnull=True)


class TaxonomyEntry(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(
        max_length=250, blank=True, help_text="One plain-English line shown as the hint."
    )
    version = models.PositiveIntegerField(
        default=1,
        help_text="The national taxonomy version in which this entry was added or last changed.",
    )
    sort_order = models.PositiveIntegerField(default=0)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Retired entries are not offered on new reports; older reports keep them.",
    )

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class HarmCategory(TaxonomyEntry):
    asks_characteristic = models.BooleanField(
        default=False,
        help_text="Ask which protected characteristic the harm targeted (hate).",
    )

    class Meta(TaxonomyEntry.Meta):
        verbose_name = "harm category"
        verbose_name_plural = "harm categories"


class Platform(TaxonomyEntry):
    class Meta(TaxonomyEntry.Meta):
        verbose_name = "platform"


def current_taxonomy_version() -> int:
    """The national taxonomy version in force: the highest version of any entry."""
    versions = [
        model.objects.aggregate(v=models.Max("version"))["v"] or 0
        for model in (HarmCategory, Platform)
    ]
    return max(versions)
