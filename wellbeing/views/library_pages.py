"""Placeholder: replaced by its owner. Every view here is a 404 until built."""

from __future__ import annotations

from django.http import Http404


def directory(request, **kwargs):
    raise Http404


def listing_edit(request, **kwargs):
    raise Http404


def library(request, **kwargs):
    raise Http404


def resource_new(request, **kwargs):
    raise Http404


def resource(request, **kwargs):
    raise Http404


def resource_withdraw(request, **kwargs):
    raise Http404
