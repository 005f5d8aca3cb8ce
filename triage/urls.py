from __future__ import annotations

from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
]
