"""Family invitations: invite by email, accept once through a signed, expiring link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from harmsportal.people import services
from harmsportal.people.models import FamilyLink, Membership, Role, User
from tests.factories import PASSWORD, make_person

FAMILY = "/people/family/"
NEW_PASSWORD = "kettle-orchard-lantern-93"
EXPIRED = "This link has expired — ask Sam to send a new invitation"
USED = "This link has already been used — sign in instead"
NOT_VALID = "This link is not valid — check you copied the whole link"
WITHDRAWN = "This invitation has been withdrawn — ask Sam"


def invite(officer, email="jo@example.com", relationship="partner") -> FamilyLink:
    return services.family_link_invite(actor=officer, email=email, relationship=relationship)


def accept_path(link: FamilyLink) -> str:
    return services.family_invite_path(link)


def new_account(**overrides) -> dict:
    return {
        "full_name": "Jo Bloggs",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def signed_in_user_id(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


# --- the whole journey -----------------------------------------------------------------------
def test_officer_invites_family_member_who_sets_up_an_account_in_the_officers_force(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FAMILY, {"email": "Jo@Example.com", "relationship": "partner"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jo@example.com"]
    found = re.search(r"https?://\S+/people/family/accept/\S+/", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    path = urlparse(found.group(0)).path

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sam has invited you" in text
    assert "Sam Officer" not in text
    assert officer.email not in text

    response = client.post(path, new_account())
    assert response.status_code == 302
    assert response["Location"] == "/"
    family = User.objects.get(email="jo@example.com")
    assert family.kind == User.Kind.FAMILY
    assert family.full_name == "Jo Bloggs"
    assert family.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.filter(user=family, email="jo@example.com", verified=True).exists()
    assert Membership.objects.get(user=family).force == officer.home_force
    assert Membership.objects.get(user=family).role == Role.REPORTER
    link = FamilyLink.objects.get(member=officer)
    assert (link.family_user, link.status) == (family, "Accepted")
    assert signed_in_user_id(client) == family.pk


def test_family_page_lists_invitations_with_their_status(client, officer, family_member):
    invite(officer, email="pending@example.com")
    withdrawn = invite(officer, email="withdrawn@example.com")
    services.family_link_revoke(actor=officer, link=withdrawn)
    expired = invite(officer, email="expired@example.com")
    FamilyLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    client.force_login(officer)
    page = client.get(FAMILY).content.decode()
    for status in ("Invited", "Accepted", "Expired", "Withdrawn"):
        assert f">{status}</strong>" in page
    assert "pending@example.com" in page
    assert family_member.email in page


# --- links that cannot be used ---------------------------------------------------------------
def test_expired_link_says_who_to_ask(client, officer):
    link = invite(officer)
    path = accept_path(link)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        response = client.get(path)
        assert response.status_code == 410
        assert EXPIRED in response.content.decode()
        response = client.post(path, new_account())
        assert response.status_code == 410
    assert not User.objects.filter(email="jo@example.com").exists()


def test_link_past_its_expiry_date_is_expired_even_with_a_fresh_signature(client, officer):
    link = invite(officer)
    FamilyLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(accept_path(link))
    assert response.status_code == 410
    assert EXPIRED in response.content.decode()


def test_tampered_link_is_not_valid(client, officer):
    path = accept_path(invite(officer))
    token = path.rstrip("/").rsplit("/", 1)[1]
    middle = len(token) // 2
    changed = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    response = client.get(f"/people/family/accept/{changed}/")
    assert response.status_code == 200
    assert NOT_VALID in response.content.decode()
    response = client.post(f"/people/family/accept/{changed}/", new_account())
    assert NOT_VALID in response.content.decode()
    assert not User.objects.filter(email="jo@example.com").exists()


def test_link_for_a_different_nonce_is_not_valid(client, officer):
    link = invite(officer)
    path = accept_path(link)
    FamilyLink.objects.filter(pk=link.pk).update(nonce="replaced")
    response = client.get(path)
    assert response.status_code == 200
    assert NOT_VALID in response.content.decode()


def test_link_works_only_once(client, officer):
    path = accept_path(invite(officer))
    assert client.post(path, new_account()).status_code == 302
    client.logout()
    response = client.get(path)
    assert response.status_code == 410
    assert USED in response.content.decode()
    response = client.post(path, new_account(full_name="Someone Else"))
    assert response.status_code == 410
    assert User.objects.filter(email="jo@example.com").count() == 1
    assert signed_in_user_id(client) is None


def test_withdrawn_invitation_cannot_be_accepted(client, officer):
    link = invite(officer)
    client.force_login(officer)
    response = client.post(f"/people/family/{link.public_id}/withdraw/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == "Withdrawn"
    client.logout()
    response = client.get(accept_path(link))
    assert response.status_code == 410
    assert WITHDRAWN in response.content.decode()


def test_accepting_a_used_link_again_is_refused_by_the_service(officer):
    link = invite(officer)
    services.family_link_accept(link=link, full_name="Jo Bloggs", password=NEW_PASSWORD)
    with pytest.raises(ValidationError) as refused:
        services.family_link_accept(link=link, full_name="Jo Bloggs", password=NEW_PASSWORD)
    assert refused.value.code == "used"


# --- who may invite, and whom ----------------------------------------------------------------
def test_family_accounts_see_who_they_are_linked_to_but_cannot_invite(client, family_member):
    client.force_login(family_member)
    response = client.get(FAMILY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your family link" in page
    assert "Sam Officer" in page
    assert "partner or spouse" in page
    assert "End this link" in page
    assert "Invite a family member" not in page
    assert "Only the person who works in policing can invite family members." in page
    assert "ask Sam to invite them from their Family page" in page
    assert (
        client.post(FAMILY, {"email": "x@example.com", "relationship": "partner"}).status_code
        == 404
    )
    assert not FamilyLink.objects.filter(member=family_member).exists()


def test_a_family_account_cannot_withdraw_an_invitation(client, officer, family_member):
    link = invite(officer, email="other@example.com")
    client.force_login(family_member)
    assert client.post(f"/people/family/{link.public_id}/withdraw/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_anonymous_visitor_is_sent_to_sign_in_for_the_family_page(client, db):
    response = client.get(FAMILY)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_cannot_withdraw_someone_elses_invitation(client, officer, staff_member):
    link = invite(officer)
    client.force_login(staff_member)
    assert client.post(f"/people/family/{link.public_id}/withdraw/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_invitation_errors_keep_what_was_entered(client, officer):
    client.force_login(officer)
    response = client.post(FAMILY, {"email": "jo@example.com"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select how they are related to you" in page
    assert 'value="jo@example.com"' in page
    assert not FamilyLink.objects.exists()


def test_cannot_invite_your_own_email(client, officer):
    client.force_login(officer)
    response = client.post(FAMILY, {"email": officer.email.upper(), "relationship": "partner"})
    assert response.status_code == 200
    assert "not your own" in response.content.decode()
    assert not FamilyLink.objects.exists()


def _invite_page(client, email: str, capture):
    with capture(execute=True):
        response = client.post(FAMILY, {"email": email, "relationship": "sibling"}, follow=True)
    return response


def _normalised(response, email: str) -> str:
    page = response.content.decode().replace(email, "EMAIL")
    page = re.sub(r"/people/family/[0-9a-f-]{36}/", "/people/family/LINK/", page)
    page = re.sub(r'nonce="[^"]+"', "NONCE", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page)


def test_inviting_a_member_account_looks_exactly_like_inviting_an_unknown_email(
    client, officer, staff_member, django_capture_on_commit_callbacks
):
    # The probe: inviting a member's email said so, which told anyone who had an account.
    twin = make_person(full_name=officer.full_name, email="twin@example.police.uk")
    client.force_login(officer)
    member = _invite_page(client, staff_member.email, django_capture_on_commit_callbacks)
    client.force_login(twin)
    unknown = _invite_page(client, "nobody@example.com", django_capture_on_commit_callbacks)

    assert member.status_code == unknown.status_code == 200
    assert member.redirect_chain == unknown.redirect_chain == [(FAMILY, 302)]
    assert f"We have emailed {staff_member.email} about your invitation." in (
        member.content.decode()
    )
    # Byte for byte the same page, once the address itself and the tokens are set aside.
    assert _normalised(member, staff_member.email) == _normalised(unknown, "nobody@example.com")
    assert FamilyLink.objects.get(member=officer).status == "Invited"


def test_the_member_account_is_told_quietly_and_gets_no_link_to_accept(
    client, officer, staff_member, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    _invite_page(client, staff_member.email, django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [[staff_member.email]]
    body = mail.outbox[0].body
    assert "Sam tried to invite this email address" in body
    assert "cannot also be a family account" in body
    assert "ask them to invite another email address of yours" in body
    assert "/people/family/accept/" not in body
    assert "Sam Officer" not in body
    link = FamilyLink.objects.get(member=officer)
    assert (link.email, link.family_user, link.accepted_at) == (staff_member.email, None, None)


def test_an_unknown_email_gets_the_invitation_link(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    _invite_page(client, "nobody@example.com", django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [["nobody@example.com"]]
    assert "/people/family/accept/" in mail.outbox[0].body


def test_a_member_account_still_cannot_accept_the_invitation(client, officer, staff_member):
    link = invite(officer, email=staff_member.email)
    client.force_login(staff_member)
    client.post(accept_path(link))
    link.refresh_from_db()
    assert link.accepted_at is None
    assert staff_member.kind == User.Kind.STAFF


def test_invitations_are_limited_per_member_per_day(
    client, officer, settings, django_capture_on_commit_callbacks
):
    settings.HARMSPORTAL_FAMILY_INVITES_PER_DAY = 5
    client.force_login(officer)
    start = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        for n in range(5):
            clock.shift(timedelta(minutes=1))
            response = client.post(FAMILY, {"email": f"p{n}@example.com", "relationship": "other"})
            assert response.status_code == 302
        response = client.post(FAMILY, {"email": "p5@example.com", "relationship": "other"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page
        # 9:16am UTC on the 23rd plus a day, in London (GMT in November).
        assert (
            "You can send up to 5 invitations in 24 hours. "
            "You can send another from 9:16am on 24 November 2026."
        ) in page
        assert FamilyLink.objects.filter(member=officer).count() == 5

        clock.shift(timedelta(hours=24))
        response = client.post(FAMILY, {"email": "p5@example.com", "relationship": "other"})
        assert response.status_code == 302
    assert FamilyLink.objects.filter(member=officer).count() == 6


def test_withdrawn_invitations_still_count_towards_the_daily_limit(officer, settings):
    settings.HARMSPORTAL_FAMILY_INVITES_PER_DAY = 2
    for n in range(2):
        services.family_link_revoke(actor=officer, link=invite(officer, email=f"w{n}@example.com"))
    with pytest.raises(ValidationError, match="up to 2 invitations in 24 hours"):
        invite(officer, email="again@example.com")


def test_the_family_page_says_how_many_invitations_a_day(client, officer, settings):
    settings.HARMSPORTAL_FAMILY_INVITES_PER_DAY = 5
    client.force_login(officer)
    assert "You can send up to 5 invitations in 24 hours." in client.get(FAMILY).content.decode()


def test_only_one_pending_invitation_per_email(client, officer):
    invite(officer)
    client.force_login(officer)
    response = client.post(FAMILY, {"email": "JO@example.com", "relationship": "partner"})
    assert response.status_code == 200
    assert "You have already invited this person" in response.content.decode()
    assert FamilyLink.objects.filter(member=officer).count() == 1


def test_a_new_invitation_can_follow_a_withdrawn_one(officer):
    services.family_link_revoke(actor=officer, link=invite(officer))
    invite(officer)
    assert FamilyLink.objects.filter(member=officer, revoked_at=None).count() == 1


# --- setting up the account ------------------------------------------------------------------
def test_account_form_errors_keep_the_name_entered(client, officer):
    path = accept_path(invite(officer))
    response = client.post(path, new_account(password2="something-else-entirely"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the same password in both boxes." in page
    assert 'value="Jo Bloggs"' in page
    assert not User.objects.filter(email="jo@example.com").exists()


def test_account_password_must_pass_the_password_rules(client, officer):
    path = accept_path(invite(officer))
    response = client.post(path, new_account(password1="password", password2="password"))
    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    assert not User.objects.filter(email="jo@example.com").exists()


def test_existing_family_account_is_asked_to_sign_in_then_accepts(client, officer):
    family = make_person(kind=User.Kind.FAMILY, email="jo@example.com", full_name="Jo Bloggs")
    path = accept_path(invite(officer))
    page = client.get(path).content.decode()
    assert "Sign in to accept the invitation" in page

    client.force_login(family)
    page = client.get(path).content.decode()
    assert ">Accept</button>" in page
    response = client.post(path)
    assert response.status_code == 302
    link = FamilyLink.objects.get(member=officer)
    assert link.family_user == family
    assert Membership.objects.filter(user=family, role=Role.REPORTER).count() == 1


def test_existing_officer_account_cannot_accept_a_family_invitation(client, officer):
    link = invite(officer, email="later@example.police.uk")
    colleague = make_person(email="later@example.police.uk")
    client.force_login(colleague)
    path = accept_path(link)
    page = client.get(path).content.decode()
    assert "This invitation is for a family account" in page
    client.post(path)
    link.refresh_from_db()
    assert link.accepted_at is None
    assert link.family_user is None


def test_someone_signed_in_as_another_account_is_asked_to_sign_out(client, officer, staff_member):
    path = accept_path(invite(officer))
    client.force_login(staff_member)
    response = client.post(path, new_account())
    assert "You are signed in to a different account" in response.content.decode()
    assert not User.objects.filter(email="jo@example.com").exists()
    assert signed_in_user_id(client) == staff_member.pk


def test_linking_an_existing_family_account_keeps_its_password(client, officer):
    family = make_person(kind=User.Kind.FAMILY, email="jo@example.com")
    assert family.check_password(PASSWORD)
    link = invite(officer)
    services.family_link_accept(link=link, actor=family)
    link.refresh_from_db()
    assert link.status == "Accepted"
    assert family.check_password(PASSWORD)


def test_empty_invitation_shows_what_is_missing(client, officer):
    client.force_login(officer)
    response = client.post(FAMILY, {})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter your family member&#x27;s email address" in page
    assert "There is a problem" in page


# --- ending an accepted link -----------------------------------------------------------------
def end_path(link: FamilyLink) -> str:
    return f"/people/family/{link.public_id}/end/"


def test_member_ends_an_accepted_link_from_the_family_page(client, officer, family_member):
    link = FamilyLink.objects.get(member=officer, family_user=family_member)
    client.force_login(officer)
    page = client.get(FAMILY).content.decode()
    assert f'href="{end_path(link)}"' in page
    confirm = client.get(end_path(link)).content.decode()
    assert "Are you sure you want to end your family link with Jo Family?" in confirm
    assert "you will no longer see any report Jo has shared with you" in confirm
    response = client.post(end_path(link), follow=True)
    assert response.redirect_chain == [(FAMILY, 302)]
    page = response.content.decode()
    assert "You have ended your family link with Jo Family." in page
    assert ">Ended</strong>" in page
    assert f'href="{end_path(link)}"' not in page
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_family_account_ends_its_link_from_the_family_page(client, officer, family_member):
    link = FamilyLink.objects.get(member=officer, family_user=family_member)
    client.force_login(family_member)
    confirm = client.get(end_path(link)).content.decode()
    assert "Are you sure you want to end your family link with Sam Officer?" in confirm
    assert "Sam will no longer see any report you have shared with them" in confirm
    response = client.post(end_path(link), follow=True)
    assert response.redirect_chain == [(FAMILY, 302)]
    page = response.content.decode()
    assert "You have ended your family link with Sam Officer." in page
    assert "Your account is not linked to anyone who works in policing." in page
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_ending_a_link_twice_changes_nothing(client, officer, family_member):
    link = FamilyLink.objects.get(member=officer, family_user=family_member)
    ended = services.family_link_end(actor=officer, link=link)
    again = services.family_link_end(actor=family_member, link=link)
    assert again.revoked_at == ended.revoked_at
    client.force_login(officer)
    response = client.post(end_path(link))
    assert response.status_code == 302
    assert response["Location"] == FAMILY
    link.refresh_from_db()
    assert link.revoked_at == ended.revoked_at


@pytest.mark.parametrize("who", ["staff_member", "triager", "platform_admin"])
def test_nobody_else_can_end_a_link(client, persona, officer, family_member, who):
    link = FamilyLink.objects.get(member=officer, family_user=family_member)
    client.force_login(persona(who))
    assert client.get(end_path(link)).status_code == 404
    assert client.post(end_path(link)).status_code == 404
    with pytest.raises(ValidationError):
        services.family_link_end(actor=persona(who), link=link)
    link.refresh_from_db()
    assert link.revoked_at is None


def test_an_invitation_not_yet_accepted_is_withdrawn_not_ended(client, officer):
    link = invite(officer)
    client.force_login(officer)
    assert client.get(end_path(link)).status_code == 404
    assert client.post(end_path(link)).status_code == 404
    with pytest.raises(ValidationError, match="Withdraw the invitation instead"):
        services.family_link_end(actor=officer, link=link)
    link.refresh_from_db()
    assert link.revoked_at is None


def test_ending_needs_a_post(client, officer, family_member):
    link = FamilyLink.objects.get(member=officer, family_user=family_member)
    client.force_login(officer)
    assert client.get(end_path(link)).status_code == 200
    link.refresh_from_db()
    assert link.revoked_at is None


def test_an_ended_link_cannot_be_made_again_and_says_so(officer, family_member):
    services.family_link_end(
        actor=officer, link=FamilyLink.objects.get(member=officer, family_user=family_member)
    )
    link = invite(officer, email=family_member.email)
    with pytest.raises(ValidationError, match="the link was ended"):
        services.family_link_accept(link=link, actor=family_member)


# --- the home card agrees with the Family page -----------------------------------------------
def test_a_family_accounts_home_card_does_not_offer_invitations(client, family_member):
    client.force_login(family_member)
    page = client.get("/").content.decode()
    assert "See who your account is linked to, or end a link." in page
    assert "Invite family members" not in page


def test_a_members_home_card_offers_invitations(client, officer):
    client.force_login(officer)
    page = client.get("/").content.decode()
    assert "Invite family members so they can report harm that reaches them too." in page
