"""Forces, users, their roles in a force, and family links."""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Force(models.Model):
    """A UK police force. `slug` is the data.police.uk id; `code` prefixes report references."""

    class Nation(models.TextChoices):
        ENGLAND = "England"
        WALES = "Wales"
        SCOTLAND = "Scotland"
        NORTHERN_IRELAND = "Northern Ireland"
        GREAT_BRITAIN = "Great Britain"
        UNITED_KINGDOM = "United Kingdom"

    class Kind(models.TextChoices):
        TERRITORIAL = "territorial"
        NATIONAL = "national"

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120, unique=True)
    nation = models.CharField(max_length=20, choices=Nation.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(
        max_length=6,
        unique=True,
        help_text="Short letters used in report references, such as WYP in OH-WYP-2026-000123.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def holiday_subdivision(self) -> str:
        """The UK bank-holiday calendar (holidays library subdivision) this force works to."""
        return {
            self.Nation.SCOTLAND: "SCT",
            self.Nation.WALES: "WLS",
            self.Nation.NORTHERN_IRELAND: "NIR",
        }.get(self.nation, "ENG")


class Role(models.TextChoices):
    REPORTER = "reporter", "Reporter"
    TRIAGE = "triage", "Triage"
    TRIAGE_SUPERVISOR = "triage_supervisor", "Triage supervisor"
    CHAMPION = "champion", "Wellbeing champion"
    TRAINING_ADMIN = "training_admin", "Training administrator"
    FORCE_LEAD = "force_lead", "Force lead"
    OVERSIGHT = "oversight", "Oversight (PCC office)"
    NATIONAL_ANALYST = "national_analyst", "National analyst"
    PLATFORM_ADMIN = "platform_admin", "Platform administrator"


# Roles that read reports, cases or referrals, or figures drawn from them (trends and exports:
# "—" for Professional Standards in the access matrix). Professional Standards never hold them;
# they may report harm and do their own training like anyone else.
CASE_READING_ROLES = frozenset(
    {
        Role.TRIAGE,
        Role.TRIAGE_SUPERVISOR,
        Role.CHAMPION,
        Role.PLATFORM_ADMIN,
        Role.FORCE_LEAD,
        Role.OVERSIGHT,
        Role.NATIONAL_ANALYST,
    }
)
# Every role but reporter is a staff role: MFA and the 30-minute idle timeout apply.
STAFF_ROLES = frozenset(set(Role) - {Role.REPORTER})
# The named groups every app uses instead of its own tuple of roles.
TRIAGE_ROLES = frozenset({Role.TRIAGE, Role.TRIAGE_SUPERVISOR})
WELLBEING_ROLES = frozenset({Role.CHAMPION})
# Training admins run their force's training; platform admins also publish national modules.
TRAINING_ROLES = frozenset({Role.TRAINING_ADMIN})
# Roles that see only aggregates: their force's (lead, oversight) or every force's (analyst).
AGGREGATE_ROLES = frozenset({Role.FORCE_LEAD, Role.OVERSIGHT, Role.NATIONAL_ANALYST})

PROFESSIONAL_STANDARDS_REFUSAL = (
    "This person is flagged as Professional Standards, so they cannot hold a role that reads "
    "reports, cases, referrals or figures drawn from them. Reports are kept apart from any "
    "disciplinary process."
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_superuser"] = True
        extra.setdefault("kind", User.Kind.STAFF)
        return self._create_user(email, password, **extra)


class Demographic:
    """Choices for the optional, voluntary questions. Blank means not answered."""

    PREFER_NOT = ("prefer_not_to_say", "Prefer not to say")

    AGE = [
        ("under_25", "Under 25"),
        ("25_34", "25 to 34"),
        ("35_44", "35 to 44"),
        ("45_54", "45 to 54"),
        ("55_plus", "55 or over"),
        PREFER_NOT,
    ]
    SEX = [("female", "Female"), ("male", "Male"), PREFER_NOT]
    GENDER_SAME_AS_SEX = [("yes", "Yes"), ("no", "No"), PREFER_NOT]
    ETHNICITY = [
        ("asian", "Asian or Asian British"),
        ("black", "Black, Black British, Caribbean or African"),
        ("mixed", "Mixed or multiple ethnic groups"),
        ("white", "White"),
        ("other", "Other ethnic group"),
        PREFER_NOT,
    ]
    DISABILITY = [("yes", "Yes"), ("no", "No"), PREFER_NOT]
    SEXUAL_ORIENTATION = [
        ("straight", "Straight or heterosexual"),
        ("gay_lesbian", "Gay or lesbian"),
        ("bisexual", "Bisexual"),
        ("other", "Another sexual orientation"),
        PREFER_NOT,
    ]
    RELIGION = [
        ("none", "No religion"),
        ("christian", "Christian"),
        ("buddhist", "Buddhist"),
        ("hindu", "Hindu"),
        ("jewish", "Jewish"),
        ("muslim", "Muslim"),
        ("sikh", "Sikh"),
        ("other", "Any other religion"),
        PREFER_NOT,
    ]


# The voluntary questions on User, in the order they are asked: the one list that the About you
# form, the service saving the answers and the admin's refusal to filter on them all read.
DEMOGRAPHIC_FIELDS = (
    "age_band",
    "sex",
    "gender_same_as_sex",
    "ethnicity",
    "disability",
    "sexual_orientation",
    "religion",
)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the login; demographics are optional and voluntary."""

    class Kind(models.TextChoices):
        OFFICER = "officer", "Police officer"
        STAFF = "staff", "Police staff"
        VOLUNTEER = "volunteer", "Volunteer (special constable or police support volunteer)"
        FAMILY = "family", "Family member"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OFFICER)
    professional_standards = models.BooleanField(
        default=False,
        help_text=(
            "Works in Professional Standards. Such a person can report harm like anyone else "
            "but can never read anyone else's report, case or referral."
        ),
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    age_band = models.CharField(max_length=20, blank=True, choices=Demographic.AGE)
    sex = models.CharField(max_length=20, blank=True, choices=Demographic.SEX)
    gender_same_as_sex = models.CharField(
        max_length=20, blank=True, choices=Demographic.GENDER_SAME_AS_SEX
    )
    ethnicity = models.CharField(max_length=20, blank=True, choices=Demographic.ETHNICITY)
    disability = models.CharField(max_length=20, blank=True, choices=Demographic.DISABILITY)
    sexual_orientation = models.CharField(
        max_length=20, blank=True, choices=Demographic.SEXUAL_ORIENTATION
    )
    religion = models.CharField(max_length=20, blank=True, choices=Demographic.RELIGION)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").strip().lower()
        if self.professional_standards:
            self._refuse_case_reading_roles()

    def _refuse_case_reading_roles(self) -> None:
        if self.is_superuser:
            raise ValidationError({"professional_standards": PROFESSIONAL_STANDARDS_REFUSAL})
        if self.pk and self.memberships.filter(role__in=CASE_READING_ROLES).exists():
            raise ValidationError({"professional_standards": PROFESSIONAL_STANDARDS_REFUSAL})

    def save(self, *args, **kwargs) -> None:
        # The Professional Standards wall is an invariant, not a form nicety: enforce it on
        # every save, whichever code path (form, admin, shell, service) made the change.
        if self.professional_standards:
            self._refuse_case_reading_roles()
        super().save(*args, **kwargs)

    # --- roles -----------------------------------------------------------------------------
    def membership_list(self) -> list[Membership]:
        """Every membership with its force, loaded once per user object (one query a request,
        however many role checks a page makes). Call forget_roles() after changing them."""
        if not hasattr(self, "_memberships_cache"):
            self._memberships_cache = list(self.memberships.select_related("force"))
        return self._memberships_cache

    def forget_roles(self) -> None:
        self.__dict__.pop("_memberships_cache", None)

    def roles_in(self, force: Force) -> set[str]:
        return {m.role for m in self.membership_list() if m.force_id == force.pk}

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.membership_list()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def forces_with_role(self, *roles: str) -> models.QuerySet[Force]:
        return Force.objects.filter(memberships__user=self, memberships__role__in=roles).distinct()

    @property
    def home_force(self) -> Force | None:
        """The force this person reports under (their reporter membership)."""
        for membership in self.membership_list():
            if membership.role == Role.REPORTER:
                return membership.force
        return None

    @property
    def is_staff_role_holder(self) -> bool:
        return self.is_superuser or bool(self.roles & STAFF_ROLES)

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and (self.is_superuser or Role.PLATFORM_ADMIN in self.roles)

    @property
    def is_staff(self) -> bool:
        # Django's admin asks for is_staff; only platform admins ever see it.
        return self.is_platform_admin

    def has_perm(self, perm: str, obj=None) -> bool:
        if self.is_platform_admin:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_platform_admin or super().has_module_perms(app_label)


class Membership(models.Model):
    """A role a user holds in a force. Everyone holds `reporter` in the force they report under."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["force__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "force", "role"], name="membership_unique_role_per_force"
            ),
        ]
        # "Who holds this role in this force" (triagers, supervisors, champions, training
        # admins): without it a force of 50,000 rostered people is scanned on every queue page.
        indexes = [models.Index(fields=["force", "role"], name="membership_force_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.force}"

    def save(self, *args, **kwargs) -> None:
        # Same invariant as User.save: no path may give Professional Standards a reading role.
        self._refuse_professional_standards()
        super().save(*args, **kwargs)
        self.user.forget_roles()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.user.forget_roles()
        return result

    def clean(self) -> None:
        super().clean()
        self._refuse_professional_standards()

    def _refuse_professional_standards(self) -> None:
        if self.role in CASE_READING_ROLES and self.user_id and self.user.professional_standards:
            raise ValidationError({"role": PROFESSIONAL_STANDARDS_REFUSAL})


class FamilyLink(models.Model):
    """An officer or staff member's invitation to a family member, and the link once accepted."""

    class Relationship(models.TextChoices):
        PARTNER = "partner", "Partner or spouse"
        CHILD = "child", "Son or daughter (13 or over)"
        PARENT = "parent", "Parent"
        SIBLING = "sibling", "Brother or sister"
        OTHER = "other", "Other family member"

    # Opaque id for URLs: reveals nothing about how many exist (the pk never leaves the server).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="family_links")
    family_user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="linked_members"
    )
    email = models.EmailField()
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+")
    nonce = models.CharField(max_length=64, default=secrets.token_urlsafe, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(family_user__isnull=False),
                name="familylink_accepted_has_user",
            ),
            models.UniqueConstraint(
                fields=["member", "family_user"],
                condition=Q(family_user__isnull=False),
                name="familylink_unique_member_family",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.email} ({self.get_relationship_display()})"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "Withdrawn"
        if self.accepted_at:
            return "Accepted"
        if self.is_expired:
            return "Expired"
        return "Invited"

    def accept(self, family_user: User) -> None:
        """Mark accepted by `family_user`. Accepting again as the same person changes nothing."""
        if self.accepted_at and self.family_user_id == family_user.pk:
            return
        if self.accepted_at or self.revoked_at:
            raise ValidationError("This invitation has already been used.")
        self.family_user = family_user
        self.accepted_at = timezone.now()
        self.save(update_fields=["family_user", "accepted_at"])
