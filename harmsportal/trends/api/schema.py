"""How drf-spectacular describes the API key in the OpenAPI schema (imported by the views, so
the extension is registered before any schema is generated)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "harmsportal.trends.api.auth.ApiTokenAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API key from /trends/api-keys/, sent as Authorization: Bearer "
                "<key>. It reads what its owner may see at the time of each call."
            ),
        }
