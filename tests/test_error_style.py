"""Every error message in GOV.UK style: "Select…" for choices, "Enter…" for typing, and a full stop.

Two walks: each form is posted empty and every error it gives is checked; and every message
written in the forms' source (error_messages, ValidationError, add_error) is checked, so errors
that need particular answers to appear (a date in the future, a phone number too short) are
covered too.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from django import forms as django_forms
from django.conf import settings

import reports.forms as report_forms
import triage.forms as triage_forms
from harmsportal.people import forms as people_forms
from harmsportal.people.models import User
from reports.forms import StepForm
from tests.reports.factories import DraftReportFactory
from tests.triage.factories import CaseFactory

ROOT = Path(settings.BASE_DIR)
# The verbs GOV.UK uses to open an error for a missing answer.
REQUIRED_VERBS = ("Select ", "Enter ")

# Forms the admin uses keep Django's wording: the admin is not a GOV.UK page.
ADMIN_FORMS = {"MembershipForm", "UserCreationForm", "UserChangeForm", "AdminPasswordChangeForm"}
# Django's own message for a field without a GOV.UK one.
DJANGO_REQUIRED = "This field is required."


def _form_classes(module) -> list[type[django_forms.BaseForm]]:
    return [
        cls
        for name, cls in vars(module).items()
        if inspect.isclass(cls)
        and issubclass(cls, django_forms.BaseForm)
        and cls.__module__.startswith(module.__name__)
        and cls is not StepForm
        and name not in ADMIN_FORMS
    ]


def _build(cls, data, reporter: User):
    """Bind `cls` to `data`, giving each form what it needs to be built."""
    if issubclass(cls, StepForm):
        return cls(data, report=DraftReportFactory(reporter=reporter))
    needs = inspect.signature(cls.__init__).parameters
    kwargs = {}
    if "case" in needs:
        kwargs["case"] = CaseFactory()
    if "people" in needs:
        kwargs["people"] = User.objects.all()
    # allauth's MFA forms take the person as a keyword their signature does not name.
    if "user" in needs or cls.__name__.startswith("MFA"):
        kwargs["user"] = reporter
    if "email" in needs:
        kwargs["email"] = "new.family@example.com"
    return cls(data, **kwargs)


FORMS = [
    *_form_classes(report_forms.base),
    *_form_classes(report_forms.who),
    *_form_classes(report_forms.what),
    *_form_classes(report_forms.needs),
    *_form_classes(report_forms.pages),
    *_form_classes(triage_forms),
    *_form_classes(people_forms),
]


def test_every_kind_of_form_is_walked():
    names = {cls.__name__ for cls in FORMS}
    assert {"WhoForm", "WhenForm", "LineManagerForm", "MessageForm"} <= names  # reports
    assert {"AssessmentForm", "OutcomeForm", "ReopenForm", "ReassignForm"} <= names  # triage
    assert {"SignupForm", "FamilyInviteForm", "FamilyAccountForm"} <= names  # people


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__name__)
def test_each_required_answer_left_out_gives_a_gov_uk_error(form_class, officer):
    form = _build(form_class, {}, officer)
    form.is_valid()
    required = [name for name, field in form.fields.items() if field.required]
    for name in required:
        assert name in form.errors, f"{form_class.__name__}.{name} is required but gave no error"
    for name, errors in form.errors.items():
        for message in errors:
            assert message != DJANGO_REQUIRED, f"{form_class.__name__}.{name}: Django's wording"
            assert message.endswith("."), f"{form_class.__name__}.{name}: {message!r}"
            if name in required:
                assert message.startswith(REQUIRED_VERBS), f"{form_class.__name__}: {message!r}"


# ---------------------------------------------------------------------------
# Every message the forms' source writes
# ---------------------------------------------------------------------------

SOURCES = [
    *sorted((ROOT / "reports" / "forms").glob("*.py")),
    ROOT / "triage" / "forms.py",
    ROOT / "harmsportal" / "people" / "forms.py",
    ROOT / "harmsportal" / "forms.py",
    *sorted((ROOT / "training" / "forms").glob("*.py")),
    *sorted((ROOT / "wellbeing" / "forms").glob("*.py")),
]


def _literal_text(node: ast.AST) -> str | None:
    """The text of a string or f-string node, with each {…} as "…"; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "…" for part in node.values
        )
    return None


def _messages(path: Path) -> list[tuple[int, str, str]]:
    """(line, kind, text) for every error message written in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name == "ValidationError" and node.args:
                found.append((node.lineno, "error", _literal_text(node.args[0])))
            elif name == "add_error" and len(node.args) == 2:
                found.append((node.lineno, "error", _literal_text(node.args[1])))
            for keyword in node.keywords:
                if keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                    for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                        kind = key.value if isinstance(key, ast.Constant) else "error"
                        found.append((value.lineno, kind, _literal_text(value)))
        # self.fields["x"].error_messages["required"] = "…"
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            if getattr(target.value, "attr", "") == "error_messages":
                key = target.slice
                kind = key.value if isinstance(key, ast.Constant) else "error"
                found.append((node.lineno, kind, _literal_text(node.value)))
    return [(line, kind, text) for line, kind, text in found if text is not None]


def test_the_source_walk_finds_the_messages():
    texts = {text for path in SOURCES for _, _, text in _messages(path)}
    assert "Select whether we can tell your line manager." in texts
    assert "Year must include 4 numbers." in texts
    assert len(texts) > 40


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_message_written_in_the_forms_is_gov_uk_style(path):
    problems = []
    for line, kind, text in _messages(path):
        where = f"{path.relative_to(ROOT)}:{line}"
        if not text.endswith("."):
            problems.append(f"{where} has no full stop: {text!r}")
        if kind == "required" and not text.startswith(REQUIRED_VERBS):
            problems.append(f"{where} should start with Select or Enter: {text!r}")
        if text.startswith("Choose "):
            problems.append(f"{where} says Choose, GOV.UK says Select: {text!r}")
    assert problems == []


def test_every_reason_an_upload_is_refused_ends_with_a_full_stop():
    from reports.evidence import errors

    reasons = [value for name, value in vars(errors).items() if name.isupper()]
    reasons += [errors.too_big(1024), errors.too_many_pixels(64_000_000), errors.too_many_files(3)]
    assert len(reasons) > 10
    assert [reason for reason in reasons if not reason.endswith(".")] == []
