"""Placeholder: replaced by its owner. Every view here is a 404 until built."""

from __future__ import annotations

from django.http import Http404


def champion_plan(request, **kwargs):
    raise Http404


def person_plan(request, **kwargs):
    raise Http404
