"""Retention settings, legal holds' records and erasure records (see privacy/services)."""

from __future__ import annotations
