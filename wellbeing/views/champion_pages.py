"""Placeholder: replaced by its owner. Every view here is a 404 until built."""

from __future__ import annotations

from django.http import Http404


def queue(request, **kwargs):
    raise Http404


def referral(request, **kwargs):
    raise Http404


def assign(request, **kwargs):
    raise Http404


def choose_service(request, **kwargs):
    raise Http404


def start_support(request, **kwargs):
    raise Http404


def step_aside(request, **kwargs):
    raise Http404


def close(request, **kwargs):
    raise Http404


def reopen(request, **kwargs):
    raise Http404


def message(request, **kwargs):
    raise Http404
