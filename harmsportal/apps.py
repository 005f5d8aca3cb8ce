from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """The Django admin, restricted to platform admins behind the portal's own login and MFA."""

    default_site = "harmsportal.admin_site.PortalAdminSite"
