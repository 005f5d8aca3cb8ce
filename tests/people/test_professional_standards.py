"""A flagged user cannot be given triage or champion, through the model, a form or the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from harmsportal.people.forms import MembershipForm
from harmsportal.people.models import (
    CASE_READING_ROLES,
    PROFESSIONAL_STANDARDS_REFUSAL,
    Membership,
    Role,
    User,
)
from tests.factories import force, make_person

READING_ROLES = sorted(CASE_READING_ROLES)
MEMBERSHIP_ADD = "/admin/people/membership/add/"


def user_change_url(user: User) -> str:
    return f"/admin/people/user/{user.pk}/change/"


def user_change_data(user: User, *, flagged: bool, new_roles=()) -> dict:
    """The admin user page as a browser would post it, with `new_roles` added in the inline."""
    existing = list(user.memberships.order_by("pk"))
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "kind": user.kind,
        "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(existing) + len(new_roles)),
        "memberships-INITIAL_FORMS": str(len(existing)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    if flagged:
        data["professional_standards"] = "on"
    for i, membership in enumerate(existing):
        data[f"memberships-{i}-id"] = str(membership.pk)
        data[f"memberships-{i}-user"] = str(user.pk)
        data[f"memberships-{i}-force"] = str(membership.force_id)
        data[f"memberships-{i}-role"] = membership.role
    for i, role in enumerate(new_roles, start=len(existing)):
        data[f"memberships-{i}-user"] = str(user.pk)
        data[f"memberships-{i}-force"] = str(force().pk)
        data[f"memberships-{i}-role"] = role
    return data


# --- the model -------------------------------------------------------------------------------
@pytest.mark.parametrize("role", READING_ROLES)
def test_model_refuses_a_reading_role_for_professional_standards(psd_officer, role):
    with pytest.raises(ValidationError, match="flagged as Professional Standards"):
        Membership.objects.create(user=psd_officer, force=force(), role=role)
    assert not Membership.objects.filter(user=psd_officer, role=role).exists()


@pytest.mark.parametrize("role", READING_ROLES)
def test_model_refuses_to_flag_someone_who_holds_a_reading_role(db, role):
    holder = make_person(role, kind=User.Kind.STAFF)
    holder.professional_standards = True
    with pytest.raises(ValidationError, match="flagged as Professional Standards"):
        holder.save()
    holder.refresh_from_db()
    assert holder.professional_standards is False


# --- the form --------------------------------------------------------------------------------
@pytest.mark.parametrize("role", READING_ROLES)
def test_membership_form_refuses_a_reading_role_for_professional_standards(psd_officer, role):
    form = MembershipForm(data={"user": psd_officer.pk, "force": force().pk, "role": role})
    assert not form.is_valid()
    assert form.errors["role"] == [PROFESSIONAL_STANDARDS_REFUSAL]


@pytest.mark.parametrize("role", READING_ROLES)
def test_membership_form_gives_a_reading_role_to_someone_not_flagged(officer, role):
    form = MembershipForm(data={"user": officer.pk, "force": force().pk, "role": role})
    assert form.is_valid(), form.errors
    form.save()
    assert Membership.objects.filter(user=officer, role=role).exists()


def test_membership_form_lets_professional_standards_report(psd_officer):
    other_force = force("north-yorkshire")
    form = MembershipForm(
        data={"user": psd_officer.pk, "force": other_force.pk, "role": Role.REPORTER}
    )
    assert form.is_valid(), form.errors


# --- the admin -------------------------------------------------------------------------------
@pytest.mark.parametrize("role", READING_ROLES)
def test_admin_add_membership_refuses_professional_standards(
    client, platform_admin, psd_officer, role
):
    client.force_login(platform_admin)
    response = client.post(
        MEMBERSHIP_ADD, {"user": psd_officer.pk, "force": force().pk, "role": role}
    )
    assert response.status_code == 200
    assert PROFESSIONAL_STANDARDS_REFUSAL in response.content.decode()
    assert not Membership.objects.filter(user=psd_officer, role=role).exists()


def test_admin_add_membership_gives_triage_to_someone_not_flagged(client, platform_admin, officer):
    client.force_login(platform_admin)
    response = client.post(
        MEMBERSHIP_ADD, {"user": officer.pk, "force": force().pk, "role": Role.TRIAGE}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=officer, role=Role.TRIAGE).exists()


@pytest.mark.parametrize("role", READING_ROLES)
def test_admin_user_page_refuses_a_reading_role_inline_for_professional_standards(
    client, platform_admin, psd_officer, role
):
    client.force_login(platform_admin)
    data = user_change_data(psd_officer, flagged=True, new_roles=[role])
    response = client.post(user_change_url(psd_officer), data)
    assert response.status_code == 200
    assert PROFESSIONAL_STANDARDS_REFUSAL in response.content.decode()
    assert not Membership.objects.filter(user=psd_officer, role=role).exists()


@pytest.mark.parametrize("role", READING_ROLES)
def test_admin_user_page_refuses_flagging_and_adding_a_reading_role_together(
    client, platform_admin, officer, role
):
    client.force_login(platform_admin)
    data = user_change_data(officer, flagged=True, new_roles=[role])
    response = client.post(user_change_url(officer), data)
    assert response.status_code == 200
    assert PROFESSIONAL_STANDARDS_REFUSAL in response.content.decode()
    officer.refresh_from_db()
    assert officer.professional_standards is False
    assert not Membership.objects.filter(user=officer, role=role).exists()


@pytest.mark.parametrize("role", READING_ROLES)
def test_admin_user_page_refuses_flagging_someone_who_holds_a_reading_role(
    client, platform_admin, role
):
    holder = make_person(role, kind=User.Kind.STAFF)
    client.force_login(platform_admin)
    response = client.post(user_change_url(holder), user_change_data(holder, flagged=True))
    assert response.status_code == 200
    assert PROFESSIONAL_STANDARDS_REFUSAL in response.content.decode()
    holder.refresh_from_db()
    assert holder.professional_standards is False


def test_admin_user_page_flags_someone_who_holds_no_reading_role(client, platform_admin, officer):
    client.force_login(platform_admin)
    response = client.post(user_change_url(officer), user_change_data(officer, flagged=True))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.professional_standards is True


def test_admin_user_page_unflags_and_gives_triage_in_one_save(client, platform_admin, psd_officer):
    client.force_login(platform_admin)
    data = user_change_data(psd_officer, flagged=False, new_roles=[Role.TRIAGE])
    response = client.post(user_change_url(psd_officer), data)
    assert response.status_code == 302
    psd_officer.refresh_from_db()
    assert psd_officer.professional_standards is False
    assert Membership.objects.filter(user=psd_officer, role=Role.TRIAGE).exists()


# --- the wall's coverage and the database's own guard ----------------------------------------
def test_the_wall_covers_every_role_that_reads_reports_or_figures():
    assert {
        Role.TRIAGE,
        Role.TRIAGE_SUPERVISOR,
        Role.CHAMPION,
        Role.PLATFORM_ADMIN,
        Role.FORCE_LEAD,
        Role.OVERSIGHT,
        Role.NATIONAL_ANALYST,
    } <= CASE_READING_ROLES
    assert Role.REPORTER not in CASE_READING_ROLES


def test_professional_standards_cannot_be_a_superuser(psd_officer):
    psd_officer.is_superuser = True
    with pytest.raises(ValidationError, match="flagged as Professional Standards"):
        psd_officer.save()


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the database triggers exist on Postgres only; CI runs this on Postgres",
)


@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_a_bulk_created_reading_role_for_professional_standards(psd_officer):
    with pytest.raises(IntegrityError, match="Professional Standards"), transaction.atomic():
        Membership.objects.bulk_create(
            [Membership(user=psd_officer, force=force(), role=Role.TRIAGE)]
        )
    assert not Membership.objects.filter(user=psd_officer, role=Role.TRIAGE).exists()


@needs_postgres
@pytest.mark.postgres
def test_postgres_refuses_flagging_a_triager_with_a_queryset_update(triager):
    with pytest.raises(IntegrityError, match="Professional Standards"), transaction.atomic():
        User.objects.filter(pk=triager.pk).update(professional_standards=True)
    triager.refresh_from_db()
    assert not triager.professional_standards
