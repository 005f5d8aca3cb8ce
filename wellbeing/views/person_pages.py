"""Placeholder: replaced by its owner. Every view here is a 404 until built."""

from __future__ import annotations

from django.http import Http404


def mine(request, **kwargs):
    raise Http404


def self_refer(request, **kwargs):
    raise Http404


def mine_referral(request, **kwargs):
    raise Http404


def respond(request, **kwargs):
    raise Http404


def consent(request, **kwargs):
    raise Http404


def withdraw(request, **kwargs):
    raise Http404


def message(request, **kwargs):
    raise Http404


def feedback(request, **kwargs):
    raise Http404


def reopen(request, **kwargs):
    raise Http404
