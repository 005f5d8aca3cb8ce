"""Placeholder: replaced by its owner. Every view here is a 404 until built."""

from __future__ import annotations

from django.http import Http404


def offer(request, **kwargs):
    raise Http404
