"""Personas: the people the portal is for, one fixture each."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache

from harmsportal import celery_app
from harmsportal.people.forces import read_forces, upsert_forces
from harmsportal.people.models import Force, Role, User
from tests.factories import link_family, make_person


def load_reference_data() -> None:
    """Put back what the data migrations load, if a flush removed it (one query when present)."""
    if not Force.objects.exists():
        upsert_forces(Force, read_forces())
    from reports.models import HarmCategory

    if not HarmCategory.objects.exists():
        importlib.import_module("reports.migrations.0002_seed_taxonomy").seed(django_apps, None)


def _uses_database(request) -> str | None:
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if (marker and marker.kwargs.get("transaction")) or "transactional_db" in names:
        return "transactional_db"
    if "live_server" in names:
        return "transactional_db"
    if marker or "db" in names:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Make sure the 48 forces and the taxonomy are present.

    They and the harms taxonomy come from data migrations, but a transactional test (threads, live server) ends by
    flushing every table, which would leave the tests after it without forces.
    """
    database = _uses_database(request)
    if database is not None:
        request.getfixturevalue(database)
        load_reference_data()


@pytest.fixture(autouse=True)
def _isolated(settings):
    # Speed only: PBKDF2's deliberate slowness would dominate a suite that creates many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in-process unless a test starts a real worker (tests/notifications).
    celery_app.conf.task_always_eager = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officer(db) -> User:
    # A West Yorkshire police officer who reports harm; no staff role.
    return make_person(full_name="Sam Officer")


@pytest.fixture
def staff_member(db) -> User:
    # A member of police staff in West Yorkshire; reporter only.
    return make_person(kind=User.Kind.STAFF, full_name="Alex Staff")


@pytest.fixture
def family_member(officer) -> User:
    # The officer's partner, with a family account linked to the officer.
    family = make_person(kind=User.Kind.FAMILY, full_name="Jo Family")
    link_family(officer, family)
    return family


@pytest.fixture
def triager(db) -> User:
    # Works the West Yorkshire triage queue; has TOTP.
    return make_person(Role.TRIAGE, kind=User.Kind.STAFF, full_name="Tri Ager")


@pytest.fixture
def triage_supervisor(db) -> User:
    # Supervises West Yorkshire triage; has TOTP.
    return make_person(Role.TRIAGE_SUPERVISOR, kind=User.Kind.STAFF, full_name="Sue Pervisor")


@pytest.fixture
def other_force_triager(db) -> User:
    # Triage in North Yorkshire: must see nothing of West Yorkshire.
    return make_person(Role.TRIAGE, force_slug="north-yorkshire", kind=User.Kind.STAFF)


@pytest.fixture
def champion(db) -> User:
    # A West Yorkshire wellbeing champion.
    return make_person(Role.CHAMPION, kind=User.Kind.STAFF, full_name="Cham Pion")


@pytest.fixture
def trainer(db) -> User:
    # West Yorkshire training administrator.
    return make_person(Role.TRAINING_ADMIN, kind=User.Kind.STAFF)


@pytest.fixture
def force_lead(db) -> User:
    # West Yorkshire's force lead: aggregates of their force only.
    return make_person(Role.FORCE_LEAD)


@pytest.fixture
def oversight(db) -> User:
    # The West Yorkshire PCC office: force performance aggregates.
    return make_person(Role.OVERSIGHT, kind=User.Kind.STAFF)


@pytest.fixture
def analyst(db) -> User:
    # A national analyst: all forces' aggregates, nobody's reports.
    return make_person(Role.NATIONAL_ANALYST, kind=User.Kind.STAFF)


@pytest.fixture
def psd_officer(db) -> User:
    # Works in Professional Standards; may report harm, may never read anyone else's.
    return make_person(professional_standards=True, full_name="Pat Standards")


@pytest.fixture
def platform_admin(db) -> User:
    # Break-glass platform administrator; has TOTP.
    return make_person(Role.PLATFORM_ADMIN, kind=User.Kind.STAFF)


PERSONAS = (
    "officer",
    "staff_member",
    "family_member",
    "triager",
    "triage_supervisor",
    "other_force_triager",
    "champion",
    "trainer",
    "force_lead",
    "oversight",
    "analyst",
    "psd_officer",
    "platform_admin",
)


@pytest.fixture
def persona(request, db):
    """Resolve a persona by name, for parametrised permission matrices."""

    def get(name: str | None) -> User | None:
        return None if name is None else request.getfixturevalue(name)

    return get
