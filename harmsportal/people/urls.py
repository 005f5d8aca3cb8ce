from __future__ import annotations

from django.urls import path

from harmsportal.people import views

app_name = "people"

urlpatterns = [
    path("family/", views.family, name="family"),
    path("family/<uuid:pk>/withdraw/", views.family_withdraw, name="family_withdraw"),
    path("family/<uuid:pk>/end/", views.family_link_end, name="family_link_end"),
    path("family/accept/<str:token>/", views.family_accept, name="family_accept"),
    path("about-you/", views.about_you, name="about_you"),
]
