"""Demo accounts for `seed_demo`: one per role, in West Yorkshire unless noted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from harmsportal.people.models import FamilyLink, Force, Membership, Role, User

DEMO_DOMAIN = "demo.harmsportal.test"
HOME_FORCE = "west-yorkshire"


@dataclass(frozen=True)
class DemoAccount:
    key: str
    full_name: str
    kind: str
    roles: tuple[str, ...] = ()
    force: str = HOME_FORCE
    professional_standards: bool = False
    what: str = ""
    # Reports harm under `force`. A national analyst works across all forces and has no force
    # to report under, so holds no reporter membership and is never offered a report.
    reporter: bool = True

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("officer", "Sam Patel", User.Kind.OFFICER, what="police officer who reports harm"),
    DemoAccount("staff", "Alex Morgan", User.Kind.STAFF, what="police staff member"),
    DemoAccount("family", "Jo Patel", User.Kind.FAMILY, what="family member linked to the officer"),
    DemoAccount(
        "triage", "Chris Lowe", User.Kind.STAFF, (Role.TRIAGE,), what="triage, West Yorkshire"
    ),
    DemoAccount(
        "supervisor",
        "Dee Hargreaves",
        User.Kind.OFFICER,
        (Role.TRIAGE_SUPERVISOR,),
        what="triage supervisor",
    ),
    DemoAccount(
        "champion", "Robin Shaw", User.Kind.STAFF, (Role.CHAMPION,), what="wellbeing champion"
    ),
    DemoAccount(
        "trainer", "Kim Ellis", User.Kind.STAFF, (Role.TRAINING_ADMIN,), what="training admin"
    ),
    DemoAccount("lead", "Jordan Fry", User.Kind.OFFICER, (Role.FORCE_LEAD,), what="force lead"),
    DemoAccount("oversight", "Morgan Reid", User.Kind.STAFF, (Role.OVERSIGHT,), what="PCC office"),
    DemoAccount(
        "analyst",
        "Priya Shah",
        User.Kind.STAFF,
        (Role.NATIONAL_ANALYST,),
        what="national analyst (all forces, aggregates only)",
        reporter=False,
    ),
    DemoAccount(
        "psd",
        "Lee Carter",
        User.Kind.OFFICER,
        professional_standards=True,
        what="Professional Standards officer, an ordinary reporter here",
    ),
    DemoAccount(
        "triage2",
        "Sasha Bell",
        User.Kind.STAFF,
        (Role.TRIAGE,),
        force="north-yorkshire",
        what="triage, North Yorkshire",
    ),
    DemoAccount(
        "admin",
        "Platform Admin",
        User.Kind.STAFF,
        (Role.PLATFORM_ADMIN,),
        what="platform administrator (break-glass)",
    ),
)


@transaction.atomic
def seed_accounts(password: str) -> dict[str, User]:
    """Create or refresh every demo account. Running it again changes nothing but passwords."""
    accounts: dict[str, User] = {}
    forces = {f.slug: f for f in Force.objects.filter(slug__in={a.force for a in ACCOUNTS})}
    for spec in ACCOUNTS:
        user, _ = User.objects.get_or_create(
            email=spec.email,
            defaults={
                "full_name": spec.full_name,
                "kind": spec.kind,
                "professional_standards": spec.professional_standards,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=spec.email, defaults={"verified": True, "primary": True}
        )
        force = forces[spec.force]
        for role in ((Role.REPORTER,) if spec.reporter else ()) + spec.roles:
            Membership.objects.get_or_create(user=user, force=force, role=role)
        user.forget_roles()
        accounts[spec.key] = user
    _link_family(accounts["officer"], accounts["family"])
    return accounts


def _link_family(member: User, family_user: User) -> None:
    if FamilyLink.objects.filter(member=member, family_user=family_user).exists():
        return
    now = timezone.now()
    FamilyLink.objects.create(
        member=member,
        family_user=family_user,
        email=family_user.email,
        relationship=FamilyLink.Relationship.PARTNER,
        force=member.home_force,
        expires_at=now + timedelta(days=7),
        accepted_at=now,
    )
