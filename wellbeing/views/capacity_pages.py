"""Placeholder: replaced by its owner. Every view here is a 404 until built."""

from __future__ import annotations

from django.http import Http404


def capacity(request, **kwargs):
    raise Http404


def services(request, **kwargs):
    raise Http404


def service_new(request, **kwargs):
    raise Http404


def service_edit(request, **kwargs):
    raise Http404
