"""The portal's look: GOV.UK Frontend markup, no GOV.UK branding, safe under the CSP."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from harmsportal.people.middleware import ENROLMENT_URL_NAME
from harmsportal.people.models import Role
from tests.factories import PASSWORD, make_person

# Every page a reporter or an anonymous visitor can land on.
PUBLIC_PAGES = ("home", "accessibility", "privacy", "account_login", "account_reset_password")
CROWN_MARKERS = ("govuk-header__logotype", "govuk-footer__crown", "govuk-crest", "Crown copyright")


def text_of(response) -> str:
    return response.content.decode()


# --- the shared layout ---------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_pages_have_the_portal_layout_and_no_gov_uk_branding(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    html = text_of(response)
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert 'class="govuk-skip-link"' in html
    assert 'href="#main-content"' in html
    assert html.count("<h1") == 1
    assert 'class="govuk-generic-header__homepage-link">Harms Portal</a>' in html
    assert "GOV.UK" not in html
    for marker in CROWN_MARKERS:
        assert marker not in html
    assert f'href="{reverse("accessibility")}"' in html
    assert f'href="{reverse("privacy")}"' in html
    assert "/static/govuk/harmsportal.css" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_pages_send_a_csp_and_use_no_inline_styles(client, url_name):
    response = client.get(reverse(url_name))

    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = text_of(response)
    assert "style=" not in html
    assert "<style" not in html
    # Every inline script carries this response's nonce; external scripts come from 'self'.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert f'nonce="{nonce}"' in tag or 'src="/static/' in tag or "application/json" in tag
    assert 'type="module"' in html
    assert "initAll()" in html


@pytest.mark.django_db
def test_reporter_pages_offer_exit_this_page_with_a_no_javascript_link(client, officer):
    client.force_login(officer)

    html = text_of(client.get(reverse("home")))

    assert 'data-module="govuk-exit-this-page"' in html
    assert "Exit this page" in html
    # Through the portal's own exit route, which signs out first (tests/test_quick_exit.py).
    assert f'href="{reverse("exit")}"' in html


@pytest.mark.django_db
def test_staff_work_pages_can_leave_out_exit_this_page(client, triager):
    client.force_login(triager)

    response = client.get(reverse("triage:queue"))

    assert response.status_code == 200
    html = text_of(response)
    # Staff work pages override {% block exit_this_page %} to empty.
    assert 'data-module="govuk-exit-this-page"' not in html
    assert 'class="govuk-footer__link" href="/accessibility/"' in html


@pytest.mark.django_db
def test_anonymous_visitors_see_sign_in_and_no_account_links(client):
    html = text_of(client.get(reverse("home")))

    assert f'href="{reverse("account_login")}"' in html
    assert "Sign out" not in html
    assert "Notifications" not in html


@pytest.mark.django_db
def test_signed_in_people_can_sign_out_with_a_post_form(client, officer):
    client.force_login(officer)

    html = text_of(client.get(reverse("home")))

    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    assert form.group(1) == reverse("account_logout")
    assert "csrfmiddlewaretoken" in form.group(2)
    assert "Sign out" in form.group(2)


@pytest.mark.django_db
def test_notifications_link_shows_how_many_are_unread(rf, officer):
    request = rf.get("/")
    request.user = officer

    html = render_to_string("home.html", {"unread_notifications": 3}, request=request)

    assert f'href="{reverse("notifications:inbox")}"' in html
    assert (
        'Notifications <span class="app-count">3'
        '<span class="govuk-visually-hidden"> unread</span></span>' in html
    )


@pytest.mark.django_db
def test_navigation_marks_the_current_section(client, triager):
    client.force_login(triager)

    html = text_of(client.get(reverse("triage:queue")))

    assert (
        f'<a class="govuk-service-navigation__link" href="{reverse("triage:queue")}" '
        'aria-current="page">' in html
    )


# --- home ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_home_tells_anonymous_visitors_what_the_portal_is_for(client):
    html = text_of(client.get(reverse("home")))

    assert "Report online harm linked to your policing role" in html
    assert "or in the family of someone who is" in html
    assert f'href="{reverse("account_login")}"' in html
    assert f'href="{reverse("account_signup")}"' in html
    assert "Create an account" in html
    assert "never used for any disciplinary process" in html


@pytest.mark.django_db
def test_home_greets_a_signed_in_officer_with_their_sections(client, officer):
    client.force_login(officer)

    html = text_of(client.get(reverse("home")))

    assert "Hello Sam. What would you like to do?" in html
    assert 'class="app-card-list"' in html
    assert "Triage" not in html
    assert reverse("account_change_password") in html


@pytest.mark.django_db
def test_home_shows_a_triager_the_triage_card_with_a_description(client, triager):
    client.force_login(triager)

    html = text_of(client.get(reverse("home")))

    assert f'href="{reverse("triage:queue")}">Triage queue</a>' in html
    assert "assess each report, take action and keep people informed" in html


# --- messages ------------------------------------------------------------------------------
def _request_with_messages(*messages: tuple[int, str, str]):
    request = RequestFactory().get("/")
    request.session = {}
    storage = FallbackStorage(request)
    for level, text, tags in messages:
        storage.add(level, text, extra_tags=tags)
    request._messages = storage
    return request


def test_success_messages_are_success_banners_and_others_are_important():
    request = _request_with_messages(
        (message_levels.SUCCESS, "You are signed in.", ""),
        (message_levels.INFO, "Set up two-factor authentication first.", "mfa-required"),
        (message_levels.SUCCESS, "Your password has been changed.", ""),
    )

    html = render_to_string("includes/messages.html", {"messages": request._messages})

    banners = re.split(r'(?=<div class="govuk-notification-banner[ "])', html)[1:]
    assert len(banners) == 2
    important, success = banners
    assert 'role="region"' in important
    assert ">Important</h2>" in important
    assert "Set up two-factor authentication first." in important
    assert "govuk-notification-banner--success" in success
    assert 'role="alert"' in success
    assert "You are signed in." in success
    assert "Your password has been changed." in success


@pytest.mark.django_db
def test_a_staff_member_without_mfa_sees_the_enrolment_notice_as_an_important_banner(
    client, settings
):
    settings.HARMSPORTAL_REQUIRE_STAFF_MFA = True
    # Straight to enrolment: the password was typed a moment ago.
    settings.MFA_REAUTHENTICATION_REQUIRED = False

    person = make_person(Role.TRIAGE, mfa=False, full_name="New Triager")

    response = client.post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(ENROLMENT_URL_NAME)
    html = text_of(response)
    assert 'class="govuk-notification-banner"' in html
    assert "you need to set up two-factor authentication" in html
    assert "Set up two-factor authentication" in html
    assert 'class="app-qr-code"' in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert re.search(r'id="authenticator_secret" type="text" value="[A-Z2-7]{16,}', html)


# --- error pages ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_unknown_address_shows_page_not_found(client, settings):
    settings.DEBUG = False

    response = client.get("/this-page-does-not-exist/")

    assert response.status_code == 404
    html = text_of(response)
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "<title>Page not found \N{EN DASH} Harms Portal</title>" in html


@pytest.mark.parametrize(
    ("template", "heading"),
    [
        ("errors/400.html", "Sorry, there is a problem with that request"),
        ("errors/403.html", "You do not have access to this page"),
        ("errors/404.html", "Page not found"),
        ("errors/500.html", "Sorry, there is a problem with the service"),
    ],
)
def test_error_pages_follow_the_gov_uk_pattern(template, heading):
    html = render_to_string(template, {"request": None})

    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert "Exit this page" in html


def test_the_500_page_needs_no_request_user_or_database():
    # Rendered with nothing at all: no request, user, messages or context processors.
    html = render_to_string("errors/500.html", {"request": None})

    assert "Sorry, there is a problem with the service" in html
    assert "<script" not in html
    assert "Sign out" not in html
    assert "call 999" in html


@pytest.mark.django_db
def test_the_403_page_is_shown_to_someone_without_the_role(client, officer):
    client.force_login(officer)

    response = client.get(reverse("triage:queue"))

    assert response.status_code == 403
    assert "You do not have access to this page" in text_of(response)


# --- public pages --------------------------------------------------------------------------
@pytest.mark.django_db
def test_accessibility_statement_covers_wcag_and_enforcement(client):
    html = text_of(client.get(reverse("accessibility")))

    assert "Accessibility statement for Harms Portal" in html
    assert "Web Content Accessibility Guidelines version 2.2" in html
    assert "Enforcement procedure" in html
    assert "Equality Advisory and Support Service" in html
    assert "Reporting accessibility problems with this service" in html


@pytest.mark.django_db
def test_privacy_notice_says_reports_are_walled_off_from_professional_standards(client):
    html = text_of(client.get(reverse("privacy")))

    assert "Your police force is the controller" in html
    assert "never used for any disciplinary process" in html
    assert "subject access request" in html
    assert "Information Commissioner" in html
    assert "How long we keep it" in html


# --- sign in and account pages -------------------------------------------------------------
@pytest.mark.django_db
def test_login_page_is_gov_uk_markup(client):
    html = text_of(client.get(reverse("account_login")))

    assert "<title>Sign in \N{EN DASH} Harms Portal</title>" in html
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in html
    assert 'class="govuk-form-group"' in html
    assert 'class="govuk-label" for="id_login"' in html
    assert 'class="govuk-input"' in html
    assert 'data-module="govuk-password-input"' in html
    assert 'class="govuk-button"' in html
    assert "placeholder=" not in html
    assert '<form method="post" action="/accounts/login/" novalidate>' in html


@pytest.mark.django_db
def test_failed_sign_in_shows_an_error_summary_and_keeps_the_email(client, officer):
    response = client.post(
        reverse("account_login"), {"login": officer.email, "password": "not-the-password"}
    )

    html = text_of(response)
    assert "<title>Error: Sign in \N{EN DASH} Harms Portal</title>" in html
    assert 'data-module="govuk-error-summary"' in html
    assert "There is a problem" in html
    assert f'value="{officer.email}"' in html


@pytest.mark.django_db
def test_signed_in_account_pages_render_in_gov_uk_style(client, officer):
    client.force_login(officer)

    for url_name, heading in [
        ("account_change_password", "Change your password"),
        ("account_email", "Your email address"),
        ("account_logout", "Sign out"),
        ("mfa_index", "Two-factor authentication"),
    ]:
        html = text_of(client.get(reverse(url_name)))
        assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html, url_name
        assert "style=" not in html


@pytest.mark.django_db
def test_the_code_prompt_at_sign_in_asks_calmly_for_a_security_code(client, triager):
    response = client.post(
        reverse("account_login"), {"login": triager.email, "password": PASSWORD}, follow=True
    )

    html = text_of(response)
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert '<h1 class="govuk-heading-l">Enter your security code</h1>' in html
    assert 'name="code"' in html
    assert 'class="govuk-input"' in html


def test_lockout_page_says_when_to_try_again():
    html = render_to_string("account/locked_out.html", {"request": None})

    assert "Too many attempts to sign in" in html
    assert "Wait 15 minutes and try again" in html
    assert "reset your password" in html


# --- the form renderer ---------------------------------------------------------------------
class ContactForm(forms.Form):
    name = forms.CharField(label="Your name", help_text="As it appears on your warrant card")
    age = forms.IntegerField(label="Your age", required=False)
    contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("email", "Email"), ("phone", "Phone")],
        widget=forms.RadioSelect,
    )
    topics = forms.MultipleChoiceField(
        label="What is it about?",
        choices=[("abuse", "Abuse"), ("threats", "Threats")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    details = forms.CharField(label="Details", widget=forms.Textarea, required=False)
    force = forms.ChoiceField(label="Force", choices=[("", "Choose"), ("wyp", "West Yorkshire")])
    agree = forms.BooleanField(label="I agree", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact") == "phone":
            raise forms.ValidationError("We cannot phone you yet")
        return cleaned


def test_a_plain_form_renders_as_gov_uk_form_groups():
    html = str(ContactForm())

    assert '<label class="govuk-label" for="id_name">Your name</label>' in html
    assert (
        '<div class="govuk-hint" id="id_name_helptext">As it appears on your warrant card' in html
    )
    assert 'aria-describedby="id_name_helptext"' in html
    assert 'class="govuk-input"' in html
    assert "Your age (optional)" in html
    assert 'class="govuk-input govuk-input--width-10"' in html
    assert 'class="govuk-textarea"' in html
    assert 'class="govuk-select"' in html
    assert 'class="govuk-checkboxes__input"' in html
    assert 'class="govuk-label govuk-checkboxes__label" for="id_agree">I agree</label>' in html


def test_radios_and_checkbox_groups_are_in_a_fieldset_with_a_legend():
    html = str(ContactForm())

    fieldset = re.search(r'<fieldset class="govuk-fieldset">(.*?)</fieldset>', html, re.S)
    assert fieldset is not None
    inner = fieldset.group(1)
    assert '<legend class="govuk-fieldset__legend">How should we contact you?</legend>' in inner
    assert '<div class="govuk-radios" data-module="govuk-radios">' in inner
    assert 'class="govuk-radios__input"' in inner
    assert 'class="govuk-label govuk-radios__label" for="id_contact_0">Email</label>' in inner
    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in html


def test_an_invalid_form_shows_inline_errors_and_keeps_what_was_typed():
    form = ContactForm(data={"name": "", "age": "forty", "details": "They found my address"})

    html = str(form)

    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert (
        '<p class="govuk-error-message" id="id_name_error">'
        '<span class="govuk-visually-hidden">Error:</span> This field is required.</p>'
    ) in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'value="forty"' in html
    assert "They found my address</textarea>" in html
    # A radio group's error is described on its fieldset.
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_contact_error">' in html


def test_the_error_summary_links_to_each_field_and_lists_form_level_errors():
    form = ContactForm(data={"name": "", "contact": "phone", "force": "wyp"})
    form.is_valid()

    html = render_to_string("includes/error_summary.html", {"form": form})

    assert 'data-module="govuk-error-summary"' in html
    assert "There is a problem" in html
    assert '<a href="#id_name">This field is required.</a>' in html
    assert "<li>We cannot phone you yet</li>" in html

    form = ContactForm(data={"name": "Sam", "force": "wyp"})
    form.is_valid()
    html = render_to_string("includes/error_summary.html", {"form": form})
    # Errors on a radio group link to its first radio, which GOV.UK Frontend focuses.
    assert '<a href="#id_contact_0">This field is required.</a>' in html


def test_the_error_summary_is_empty_for_a_valid_form():
    form = ContactForm(data={"name": "Sam", "contact": "email", "force": "wyp"})
    assert form.is_valid()

    assert render_to_string("includes/error_summary.html", {"form": form}).strip() == ""


def test_a_field_can_be_the_page_heading():
    form = ContactForm()
    form.fields["contact"].page_heading = True

    html = form["contact"].as_field_group()

    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--l">' in html
    assert '<h1 class="govuk-fieldset__heading">How should we contact you?</h1>' in html


def test_back_link_defaults_to_home_and_sits_in_its_own_landmark():
    html = render_to_string("includes/back_link.html", {})

    assert '<nav aria-label="Back">' in html
    assert f'href="{reverse("home")}" class="govuk-back-link">Back</a>' in html


def test_allauth_pages_without_an_override_still_get_gov_uk_elements(rf):
    # mfa/trust.html is allauth's own template: it is drawn entirely from allauth's elements.
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    request = rf.get("/")
    request.user = AnonymousUser()
    now = timezone.now()

    html = render_to_string(
        "mfa/trust.html",
        {"form": forms.Form(), "trust_from": now, "trust_until": now},
        request=request,
    )

    assert '<h1 class="govuk-heading-l">' in html
    assert '<p class="govuk-body">' in html
    assert 'class="govuk-button govuk-button--secondary"' in html
    assert '<div class="govuk-grid-column-two-thirds">' in html
    assert "Exit this page" in html


def test_the_500_handler_makes_no_database_query(rf, officer, django_assert_num_queries):
    from harmsportal.views import error_500

    request = rf.get("/anything/")
    request.user = officer
    with django_assert_num_queries(0):
        response = error_500(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
