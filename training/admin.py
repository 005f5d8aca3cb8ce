"""Administration of training for platform admins (harmsportal.admin_site: audited, MFA).

- Modules and their versions, sections and quiz questions. Only a draft's content can be
  changed; published and retired versions are shown read only, so what learners read stays on
  record. Publishing goes through `version_publish` (an action on versions), never by editing
  a status, so the previous version is retired and re-completion is assigned exactly as in the
  portal. National modules are the platform admins' to publish; a force's own module is
  published by its training admins in the portal, and the action refuses it here.
- Audience rules and roster profiles, which training admins otherwise manage in the portal.
- Completions and feedback are a person's training record: shown read only, never changed or
  deleted here (every admin page a platform admin opens is written to the access log).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from harmsportal.people.models import Force
from training.models import (
    Answer,
    AudienceRule,
    Completion,
    Feedback,
    Module,
    ModuleVersion,
    Question,
    Section,
    TrainingProfile,
    VersionStatus,
)
from training.resources import RosterResource
from training.services.authoring import version_first, version_publish
from training.services.roster import ROSTER_IMPORT_FORMATS

DRAFTS_ONLY = "Only a draft can be changed. Create a new version in the portal to change it."


def _is_draft(version: ModuleVersion | None) -> bool:
    return version is not None and version.status == VersionStatus.DRAFT


class ReadOnlyAdmin(admin.ModelAdmin):
    """A person's record: listed and opened, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- modules and versions -----------------------------------------------------------------


# Stacked, not tabular: Django's tabular inline has header cells with no text (the row's
# title and the delete column), which accessibility checks fail.
class VersionInline(admin.StackedInline):
    """A module's versions at a glance; each opens on its own page."""

    model = ModuleVersion
    fields = ("number", "status", "published_at", "published_by", "change_summary")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    ordering = ("-number",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "owner_force", "review_due", "refresh_months")
    list_filter = (("owner_force", admin.EmptyFieldListFilter), "owner_force")
    search_fields = ("title", "slug")
    fields = ("title", "slug", "summary", "owner_force", "audiences", "review_due")
    fields = (*fields, "refresh_months", "created_at", "created_by")
    readonly_fields = ("created_at", "created_by")
    inlines = (VersionInline,)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # The learner's link and the owner stay as the module was made.
            return (*self.readonly_fields, "slug", "owner_force")
        return self.readonly_fields

    @transaction.atomic
    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            version_first(module=obj)  # the same first draft the portal makes

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # completions keep the module; retire its version instead


class SectionInline(admin.StackedInline):
    model = Section
    fields = ("order", "heading", "body")
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return _is_draft(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or _is_draft(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_draft(obj)


class QuestionInline(admin.StackedInline):
    """Questions at a glance; each opens on its own page with its answers."""

    model = Question
    fields = ("order", "text")
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return _is_draft(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or _is_draft(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_draft(obj)


@admin.register(ModuleVersion)
class ModuleVersionAdmin(admin.ModelAdmin):
    list_display = ("module", "number", "status", "published_at", "requires_recompletion")
    list_filter = ("status", ("module__owner_force", admin.EmptyFieldListFilter))
    search_fields = ("module__title",)
    # Status, publishing and retiring move only through version_publish (the actions below).
    readonly_fields = (
        "module",
        "number",
        "status",
        "requires_recompletion",
        "recompletion_assigned_at",
        "published_at",
        "published_by",
        "retired_at",
        "created_at",
    )
    fields = (*readonly_fields, "estimated_minutes", "pass_mark", "change_summary")
    inlines = (SectionInline, QuestionInline)
    actions = ("publish", "publish_requiring_recompletion")

    def has_add_permission(self, request) -> bool:
        return False  # new versions copy the last one: "Create new version" in the portal

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or _is_draft(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Publish the selected drafts")
    def publish(self, request, queryset) -> None:
        self._publish(request, queryset, requires_recompletion=False)

    @admin.action(
        description="Publish the selected drafts: everyone who completed an earlier version "
        "must complete it again"
    )
    def publish_requiring_recompletion(self, request, queryset) -> None:
        self._publish(request, queryset, requires_recompletion=True)

    def _publish(self, request, queryset, *, requires_recompletion: bool) -> None:
        for version in queryset.select_related("module"):
            if not _is_draft(version):
                messages.info(request, f"{version} is not a draft, so it was left as it is.")
                continue
            try:
                version_publish(
                    actor=request.user,
                    version=version,
                    requires_recompletion=requires_recompletion,
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, f"{version}: {message}")
            else:
                messages.success(request, f"{version} is published.")


class AnswerInline(admin.StackedInline):
    model = Answer
    fields = ("order", "text", "is_correct")
    extra = 0
    max_num = 4

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is not None and _is_draft(obj.version)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or _is_draft(obj.version)

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is not None and _is_draft(obj.version)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """A quiz question and its answers, reached from its version's page."""

    list_display = ("text", "version", "order")
    search_fields = ("text", "version__module__title")
    fields = ("version", "order", "text", "explanation")
    readonly_fields = ("version",)
    inlines = (AnswerInline,)

    def has_module_permission(self, request) -> bool:
        return False  # not listed on the admin's index: opened from a version

    def has_add_permission(self, request) -> bool:
        return False  # added on its version's page

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or _is_draft(obj.version)

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is not None and _is_draft(obj.version)


# --- rules and rosters --------------------------------------------------------------------


@admin.register(AudienceRule)
class AudienceRuleAdmin(admin.ModelAdmin):
    list_display = ("module", "force", "audience", "within_days", "active")
    list_filter = ("active", "audience", "force")
    search_fields = ("module__title",)
    exclude = ("created_by",)
    readonly_fields = ("created_at",)  # a date and time box pair has no label of its own

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # assignments name the rule: make it not active instead


class RosterImportForm(ImportForm):
    """import-export's upload form, plus the force whose roster the file is."""

    force = forms.ModelChoiceField(queryset=Force.objects.order_by("name"))


class RosterConfirmImportForm(ConfirmImportForm):
    force = forms.ModelChoiceField(queryset=Force.objects.all(), widget=forms.HiddenInput)


# Roster import and export through the one resource the trainer's import page also runs
# (training.resources.RosterResource): the same checks, all or nothing, reporter role only.
# Import rolls back on any bad row; the admin's own per-row log is skipped (a roster can hold
# 50,000 rows; the admin site records every page a platform admin opens).
@admin.register(TrainingProfile)
class TrainingProfileAdmin(ImportExportMixin, admin.ModelAdmin):
    list_display = ("person", "force", "start_date", "line_manager", "updated_at")
    list_filter = ("force",)
    search_fields = ("person__email", "person__full_name")
    raw_id_fields = ("person", "line_manager")
    readonly_fields = ("updated_at",)  # a date and time box pair has no label of its own
    resource_classes = (RosterResource,)
    # Files are read as on the import page: size, columns, rows and an XLSX's unpacked size
    # checked before anything is held (training.services.roster).
    import_formats = ROSTER_IMPORT_FORMATS
    import_form_class = RosterImportForm
    confirm_form_class = RosterConfirmImportForm
    skip_admin_log = True

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_at = timezone.now()  # read only on the form: set here, as the roster does
        super().save_model(request, obj, form, change)

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        if isinstance(e, ValidationError):  # the reader's own words for the person
            for message in e.messages:
                form.add_error("import_file", message)
            return
        super().add_data_read_fail_error_to_form(form, e)

    def get_import_resource_kwargs(self, request, **kwargs) -> dict:
        form = kwargs.get("form")
        return {"force": getattr(form, "cleaned_data", {}).get("force")}

    def get_confirm_form_initial(self, request, import_form) -> dict:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["force"] = import_form.cleaned_data["force"].pk
        return initial

    def get_import_data_kwargs(self, **kwargs) -> dict:
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs


# --- a person's training record: read only ------------------------------------------------


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdmin):
    list_display = ("name_on_certificate", "module", "version", "force", "completed_at")
    list_display = (*list_display, "expires_on")
    list_filter = ("force",)
    search_fields = ("verification_code", "name_on_certificate", "module__title")
    list_select_related = ("module", "version", "version__module", "force")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("completion", "rating", "changed", "at")
    list_filter = ("rating", "changed")
    list_select_related = ("completion__version__module", "completion__person")
