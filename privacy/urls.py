"""Data protection routes: a person's own data (subject access) and retention.

Mounted at /your-data/. Subject access routes belong to the signed-in person only and show
nothing of anyone else's beyond what the person wrote themselves.
"""

from __future__ import annotations

from django.urls import path

from privacy.views import subject_access_pages

app_name = "privacy"

urlpatterns = [
    path("", subject_access_pages.overview, name="subject_access"),
    path("download.json", subject_access_pages.download_json, name="subject_access_json"),
]
