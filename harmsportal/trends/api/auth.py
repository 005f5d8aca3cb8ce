"""Placeholder: the API helper writes token authentication and the trends permission here."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        return None


class SeesTrends(BasePermission):
    def has_permission(self, request, view):
        return False
