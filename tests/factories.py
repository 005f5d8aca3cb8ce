"""factory_boy factories. Forces come from the data migration, so factories look them up."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from harmsportal.people.models import FamilyLink, Force, Membership, Role, User

PASSWORD = "correct-horse-battery-staple"


def force(slug: str = "west-yorkshire") -> Force:
    return Force.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.police.uk")
    full_name = factory.Faker("name", locale="en_GB")
    kind = User.Kind.OFFICER

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    force = factory.LazyFunction(force)
    role = Role.REPORTER


def make_person(
    *roles: str,
    force_slug: str = "west-yorkshire",
    kind: str = User.Kind.OFFICER,
    mfa: bool = True,
    **user_fields,
) -> User:
    """A user who reports under `force_slug` and holds `roles` there, with TOTP if `mfa`."""
    user = UserFactory(kind=kind, **user_fields)
    home = force(force_slug)
    Membership.objects.create(user=user, force=home, role=Role.REPORTER)
    for role in roles:
        Membership.objects.create(user=user, force=home, role=role)
    if mfa and roles:
        enrol_totp(user)
    user.forget_roles()
    return user


def enrol_totp(user: User, secret: str | None = None) -> str:
    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def link_family(member: User, family_user: User, relationship=FamilyLink.Relationship.PARTNER):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    return FamilyLink.objects.create(
        member=member,
        family_user=family_user,
        email=family_user.email,
        relationship=relationship,
        force=member.home_force,
        expires_at=now + timedelta(days=7),
        accepted_at=now,
    )
