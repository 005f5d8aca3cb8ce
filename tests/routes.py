"""Every route of the portal, found in the URLconf rather than listed by hand.

The permission matrix (tests/test_permission_matrix.py) and the staff MFA test
(tests/people/test_mfa.py) both start here, so a route added to any urls.py is in both the
moment it exists. Two families of routes are left out, each for a stated reason (see
`_left_out`); everything else is a `Route`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from harmsportal.people.models import Role

# The admin index stands for the whole admin: it is platform-admin-only, like every admin page.
ADMIN_INDEX = "admin:index"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", as reverse() takes it
    pattern: str  # the whole pattern, for messages: "reports/<uuid:pk>/"
    callback: Callable
    kwargs: dict[str, str]  # URL kwarg -> converter kind: "uuid", "slug", "str", "int", "path"

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]

    @property
    def required_roles(self) -> frozenset[str]:
        """The roles that open the route: role_required's mark, or the admin's platform admins.

        Empty for a route any signed-in person (or anyone) may use.
        """
        if self.name == ADMIN_INDEX:
            return frozenset({Role.PLATFORM_ADMIN})
        return frozenset(getattr(self.callback, "required_roles", ()))

    @property
    def object_kwargs(self) -> list[str]:
        """The kwargs that hold an object's opaque id (a uuid)."""
        return [name for name, kind in self.kwargs.items() if kind == "uuid"]

    def path(self, **values: object) -> str:
        return reverse(self.name, kwargs={name: str(value) for name, value in values.items()})

    def sample_path(self) -> str:
        """The route filled with sample values: enough for middleware that answers before the view."""
        return self.path(
            **{name: _SAMPLES.get(kind, "sample") for name, kind in self.kwargs.items()}
        )


_SAMPLES = {"uuid": uuid.UUID(int=1), "int": 1, "slug": "sample", "string": "sample"}


def _converter_kind(converter) -> str:
    return type(converter).__name__.removesuffix("Converter").lower()


def _left_out(namespace: str, entry: URLPattern) -> bool:
    module = getattr(entry.callback, "__module__", "") or ""
    if module.startswith("allauth."):
        # allauth's own sign-in, sign-up, password and MFA pages: they are meant to be used
        # signed out, read no portal data, follow allauth's rules and are tested in
        # tests/people (test_mfa, test_sessions_and_throttling, test_signup_and_profile).
        return True
    # Django's own model pages. Every one goes through the same AdminSite.admin_view check as
    # the index (platform admins only, audited: harmsportal/admin_site.py), which stands for
    # them in the matrix; tests/people/test_forces_and_admin.py opens them.
    return namespace == "admin" and entry.name != "index"


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            nested = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), nested)
        elif isinstance(entry, URLPattern):
            if _left_out(namespace, entry):
                continue
            if entry.name is None:
                raise AssertionError(
                    f"The route {prefix}{entry.pattern} has no name: name it, so tests and "
                    "templates can reverse it."
                )
            yield Route(
                name=f"{namespace}:{entry.name}" if namespace else entry.name,
                pattern=prefix + str(entry.pattern),
                callback=entry.callback,
                kwargs={
                    name: _converter_kind(converter)
                    for name, converter in entry.pattern.converters.items()
                },
            )


def all_routes() -> list[Route]:
    """Every portal route (allauth's pages and the admin's model pages aside: see above)."""
    return sorted(_walk(get_resolver().url_patterns), key=lambda route: route.name)
