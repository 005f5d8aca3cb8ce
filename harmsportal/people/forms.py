"""Forms for people: sign-up, the voluntary questions, family invitations, and the admin."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context as allauth_context
from allauth.mfa.base import forms as mfa_forms
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.db import transaction

from harmsportal.people import selectors, services, throttling
from harmsportal.people.models import (
    CASE_READING_ROLES,
    DEMOGRAPHIC_FIELDS,
    PROFESSIONAL_STANDARDS_REFUSAL,
    Demographic,
    FamilyLink,
    Force,
    Membership,
    User,
)
from harmsportal.people.sessions import user_sessions_end

MEMBER_KIND_CHOICES = [
    (User.Kind.OFFICER.value, User.Kind.OFFICER.label),
    (User.Kind.STAFF.value, User.Kind.STAFF.label),
    (User.Kind.VOLUNTEER.value, User.Kind.VOLUNTEER.label),
]


# --- sign-up ---------------------------------------------------------------------------------
def password_hint() -> str:
    """The rules the password validators enforce, in words (GOV.UK: say them before, not after)."""
    length = next(
        (
            validator.min_length
            for validator in password_validation.get_default_password_validators()
            if isinstance(validator, password_validation.MinimumLengthValidator)
        ),
        None,
    )
    start = f"Your password must be at least {length} characters. " if length else ""
    return (
        f"{start}Do not use only numbers, a common password, or anything like your name or "
        "email address."
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up plus who you are and your force. Family accounts come by invitation."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Enter your full name."},
    )
    kind = forms.ChoiceField(
        label="What is your role in policing?",
        choices=MEMBER_KIND_CHOICES,
        widget=forms.RadioSelect,
        help_text=(
            "Family members cannot sign up here. Ask the officer, member of staff or "
            "volunteer in your family to invite you."
        ),
        error_messages={"required": "Select your role in policing."},
    )
    force = forms.ModelChoiceField(
        label="Which force do you work for or volunteer with?",
        queryset=Force.objects.none(),
        empty_label="Select your force",
        error_messages={"required": "Select your force."},
    )

    field_order = ["full_name", "email", "kind", "force", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["force"].queryset = selectors.forces_for_signup()
        # GOV.UK wording in place of allauth's ("Email", "Password (again)", Django's list of
        # password rules).
        email = self.fields["email"]
        email.label = "Email address"
        email.error_messages.update(
            required="Enter your email address.",
            invalid="Enter an email address in the correct format, like name@example.com.",
        )
        password1 = self.fields["password1"]
        password1.label = "Create a password"
        password1.help_text = password_hint()
        password1.error_messages["required"] = "Enter a password."
        password2 = self.fields["password2"]
        password2.label = "Confirm password"
        password2.error_messages["required"] = "Enter your password again."

    def try_save(self, request):
        """allauth answers an address that already has an account exactly as a new one
        (ACCOUNT_PREVENT_ENUMERATION): the same page, and an email to the address. It skips
        hashing the password, though, which a new account pays for; hash it anyway, so the
        two take the same work and the time taken tells nothing.
        """
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)

    def save(self, request):
        # The account and its reporter role are created together or not at all.
        with transaction.atomic():
            return super().save(request)

    def signup(self, request, user: User) -> None:
        """allauth calls this once the user row exists (`custom_signup`)."""
        services.user_signup_complete(
            actor=user,
            full_name=self.cleaned_data["full_name"],
            kind=self.cleaned_data["kind"],
            force=self.cleaned_data["force"],
        )


# --- about you (voluntary) -------------------------------------------------------------------
ABOUT_YOU_QUESTIONS = {
    "age_band": ("What is your age?", Demographic.AGE),
    "sex": ("What is your sex?", Demographic.SEX),
    "gender_same_as_sex": (
        "Is the gender you identify with the same as your sex registered at birth?",
        Demographic.GENDER_SAME_AS_SEX,
    ),
    "ethnicity": ("What is your ethnic group?", Demographic.ETHNICITY),
    "disability": (
        "Do you have a physical or mental health condition or illness that has lasted, "
        "or is expected to last, 12 months or more?",
        Demographic.DISABILITY,
    ),
    "sexual_orientation": (
        "Which of the following best describes your sexual orientation?",
        Demographic.SEXUAL_ORIENTATION,
    ),
    "religion": ("What is your religion?", Demographic.RELIGION),
}


class AboutYouForm(forms.Form):
    """Every question optional; each offers "Prefer not to say"."""

    def __init__(self, *args, user: User, **kwargs) -> None:
        initial = {name: getattr(user, name) for name in DEMOGRAPHIC_FIELDS}
        super().__init__(*args, initial=initial, **kwargs)
        for name in DEMOGRAPHIC_FIELDS:
            label, choices = ABOUT_YOU_QUESTIONS[name]
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
            )


# --- family invitations ----------------------------------------------------------------------
class FamilyInviteForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="We will email them a link to set up their own family account.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your family member's email address.",
            "invalid": "Enter an email address in the correct format, like name@example.com.",
        },
    )
    relationship = forms.ChoiceField(
        label="How are they related to you?",
        choices=FamilyLink.Relationship.choices,
        widget=forms.RadioSelect,
        help_text="Children under 13 do not get an account: you can report for them yourself.",
        error_messages={"required": "Select how they are related to you."},
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class FamilyAccountForm(forms.Form):
    """A new family account's name and password, checked by the project's password rules."""

    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Enter your full name."},
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a password."},
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter your password again."},
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].help_text = password_hint()

    def clean(self) -> dict:
        cleaned = super().clean()
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Enter the same password in both boxes.")
        if password1:
            # A stand-in user so the similarity check compares against their name and email.
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


# --- admin -----------------------------------------------------------------------------------
class MembershipForm(forms.ModelForm):
    """A role in a force. Refuses a case-reading role for anyone in Professional Standards."""

    class Meta:
        model = Membership
        fields = ["user", "force", "role"]

    def clean(self) -> dict:
        cleaned = super().clean()
        user = cleaned.get("user")
        role = cleaned.get("role")
        # In the user page's inline, `user` is the user being edited, as submitted.
        if user is not None and role in CASE_READING_ROLES and user.professional_standards:
            self.add_error("role", PROFESSIONAL_STANDARDS_REFUSAL)
        return cleaned


class UserCreationForm(auth_forms.BaseUserCreationForm):
    """Add a person in the admin: email, name, kind and a password."""

    class Meta:
        model = User
        fields = ("email", "full_name", "kind")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A person with this email address already exists.")
        return email


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("A person with this email address already exists.")
        return email


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """A platform admin sets someone's password: their sessions everywhere end at once.

    Django would refuse those sessions at their next request anyway (the session auth hash);
    ending them now is what the person asking for the reset expects ("sign everyone out").
    """

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        if commit:
            user_sessions_end(user=user)
        return user


# --- the MFA step ------------------------------------------------------------------------------
class _MFACodeThrottle:
    """Wrong codes lock the (account, address) pair for the cool-off (people.throttling)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = (
            "Enter the code from your authenticator app, or a recovery code."
        )

    def clean_code(self) -> str:
        request = allauth_context.request
        if throttling.mfa_code_locked(self.user, request):
            raise forms.ValidationError(throttling.mfa_too_many_message())
        try:
            code = super().clean_code()
        except forms.ValidationError:
            throttling.mfa_failure_record(self.user, request)
            raise
        throttling.mfa_failures_clear(self.user, request)
        return code


class MFAAuthenticateForm(_MFACodeThrottle, mfa_forms.AuthenticateForm):
    """The code asked for at sign-in, after the password (MFA_FORMS["authenticate"])."""


class MFAReauthenticateForm(_MFACodeThrottle, mfa_forms.ReauthenticateForm):
    """The code asked for again before a sensitive change (MFA_FORMS["reauthenticate"])."""
