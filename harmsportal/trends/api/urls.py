"""The read-only trends API (placeholder until the API lands)."""

from __future__ import annotations

app_name = "trends_api"

urlpatterns: list = []
