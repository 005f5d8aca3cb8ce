from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """The Django admin, restricted to platform admins behind the portal's own login and MFA."""

    default_site = "harmsportal.admin_site.PortalAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscovers every app's admin, allauth's included
        from allauth.mfa.models import Authenticator
        from django.contrib import admin

        from harmsportal.people.admin import AuthenticatorAdmin

        if admin.site.is_registered(Authenticator):
            admin.site.unregister(Authenticator)
        admin.site.register(Authenticator, AuthenticatorAdmin)
