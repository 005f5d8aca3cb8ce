"""Admin for people. Only platform admins reach it (harmsportal.admin_site).

The Professional Standards wall is enforced by the models on every save; the forms here check
it first, so the admin shows the refusal as a form error rather than failing on save.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from import_export.admin import ImportExportModelAdmin

from harmsportal.people.forms import (
    AdminPasswordChangeForm,
    MembershipForm,
    UserChangeForm,
    UserCreationForm,
)
from harmsportal.people.models import DEMOGRAPHIC_FIELDS, FamilyLink, Force, Membership, User
from harmsportal.people.resources import ForceResource
from harmsportal.people.sessions import user_sessions_end

PROFESSIONAL_STANDARDS_HELP = (
    "To flag someone who holds a role that reads reports, cases, referrals or figures (triage, "
    "triage supervisor, wellbeing champion, force lead, oversight, national analyst or platform "
    "administrator), first remove that role and save, then flag them."
)


class MembershipInline(admin.TabularInline):
    model = Membership
    # Each row is checked against the user as submitted on the same page: the admin validates
    # the user form before its inlines, and an inline row's `user` is that same instance.
    form = MembershipForm
    fields = ("force", "role", "created_at")
    readonly_fields = ("created_at",)
    extra = 1
    ordering = ("force__name", "role")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("About this person", {"fields": ("full_name", "kind")}),
        (
            "Professional Standards",
            {"fields": ("professional_standards",), "description": PROFESSIONAL_STANDARDS_HELP},
        ),
        ("Access", {"fields": ("is_active", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "kind", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    # The voluntary answers about a person are never shown against their name, here included.
    list_display = ("email", "full_name", "kind", "professional_standards", "is_active")
    list_filter = ("kind", "professional_standards", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    filter_horizontal = ()

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivated: every session of theirs ends now. Django would only stop reading
            # them as signed in, and reactivating the account would bring them back.
            user_sessions_end(user=obj)

    def get_inlines(self, request, obj):
        # Roles are given once the person exists: add them on the change page.
        return self.inlines if obj is not None else ()

    def lookup_allowed(self, lookup: str, value, request=None) -> bool:
        # Django lets any own-field lookup through the URL (?sexual_orientation=…); refuse the
        # demographic ones so the admin can never list people by their voluntary answers.
        if lookup.split("__", 1)[0] in DEMOGRAPHIC_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "force", "role", "created_at")
    list_filter = ("role", "force")
    search_fields = ("user__email", "user__full_name")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "force")


@admin.register(Force)
class ForceAdmin(ImportExportModelAdmin):
    resource_classes = [ForceResource]
    list_display = ("name", "code", "nation", "kind", "slug")
    list_filter = ("nation", "kind")
    search_fields = ("name", "code", "slug")
    ordering = ("name",)


@admin.register(FamilyLink)
class FamilyLinkAdmin(admin.ModelAdmin):
    list_display = ("member", "email", "relationship", "force", "status", "created_at")
    list_filter = ("relationship", "force")
    search_fields = ("email", "member__email", "member__full_name")
    # Who is linked to whom decides who may see a shared report, so the admin can read a link
    # but never re-point it; links are made and ended only by the people in them.
    readonly_fields = (
        "member",
        "family_user",
        "email",
        "force",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_select_related = ("member", "force")

    @admin.display(description="Status")
    def status(self, obj: FamilyLink) -> str:
        return obj.status


# allauth's own Authenticator admin shows each authenticator's data, which holds the TOTP
# secret: anyone who read it could sign in as that person. PortalAdminConfig.ready() replaces
# it (allauth's admin loads after this one) with this, which shows only what a platform admin
# needs to help someone who has lost their device.
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
