"""The completion certificate: a printable page with the name, module, version, date and a
verification code, for the learner who completed it and nobody else."""

from __future__ import annotations

import datetime
import re
import uuid
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.training.factories import CompletionFactory, ModuleFactory, publish_new_version
from training.models import Completion
from training.services.learning import completion_record

pytestmark = pytest.mark.django_db


def _certificate(completion) -> str:
    return reverse("training:certificate", args=[completion.public_id])


def test_the_certificate_holds_name_module_version_date_and_code(client, officer):
    module = ModuleFactory(title="Recognising and reporting online harm", refresh_months=24)
    completion = completion_record(
        person=officer,
        version=module.published_version(),
        score_percent=80,
        at=datetime.datetime(2027, 3, 4, 10, 0, tzinfo=datetime.UTC),
    )
    client.force_login(officer)

    response = client.get(_certificate(completion))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Certificate of completion" in page
    assert 'id="certificate-name">Sam Officer<' in page
    assert 'id="certificate-module">Recognising and reporting online harm<' in page
    facts = page.split('id="certificate-facts"')[1].split("</dl>")[0]
    assert re.search(r"Version</dt>\s*<dd[^>]*>1<", facts)
    assert "4 March 2027" in facts
    assert "4 March 2029" in facts  # valid until
    assert "80%" in facts
    assert "West Yorkshire Police" in facts
    assert completion.verification_code in facts
    assert re.fullmatch(r"HP-[A-Z2-9]{4}-[A-Z2-9]{4}", completion.verification_code)
    assert "A training administrator can check this code" in page


def test_the_certificate_prints_with_its_own_stylesheet_and_no_inline_style(client, officer):
    completion = CompletionFactory(person=officer)
    client.force_login(officer)

    response = client.get(_certificate(completion))

    page = response.content.decode()
    assert re.search(
        r'<link rel="stylesheet" href="[^"]*certificate-print[^"]*" media="print">', page
    )
    assert "style=" not in page
    assert "<style" not in page
    # The print button needs JavaScript, so it is hidden until the script shows it; the words
    # beside it say how to print without it.
    assert re.search(r"<button[^>]*data-app-print-page[^>]*hidden>Print this page</button>", page)
    assert "use your browser's print option" in page
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert re.search(
        rf'<script type="module" nonce="{re.escape(nonce)}" src="[^"]*print-page[^"]*">', page
    )


def test_the_print_stylesheet_leaves_out_everything_but_the_certificate():
    css = Path(finders.find("training/certificate-print.css")).read_text(encoding="utf-8")
    hidden = css.split("{")[0]
    for selector in (
        ".govuk-template__header",
        ".govuk-footer",
        ".govuk-exit-this-page",
        ".govuk-back-link",
        ".govuk-skip-link",
        ".app-no-print",
    ):
        assert selector in hidden
    assert "display: none" in css
    assert "url(" not in css  # nothing the manifest storage would have to find
    assert finders.find("js/print-page.mjs")


def test_the_name_is_the_one_they_had_when_they_completed(client, officer):
    completion = CompletionFactory(person=officer)
    officer.full_name = "Sam Newname"
    officer.save(update_fields=["full_name"])
    client.force_login(officer)

    page = client.get(_certificate(completion)).content.decode()

    assert "Sam Officer" in page
    assert "Sam Newname" not in page


def test_each_version_completed_has_its_own_certificate(client, officer):
    module = ModuleFactory()
    first = completion_record(person=officer, version=module.published_version())
    second = completion_record(person=officer, version=publish_new_version(module))
    client.force_login(officer)

    assert first.verification_code != second.verification_code
    assert re.search(
        r"Version</dt>\s*<dd[^>]*>2<", client.get(_certificate(second)).content.decode()
    )
    assert re.search(
        r"Version</dt>\s*<dd[^>]*>1<", client.get(_certificate(first)).content.decode()
    )


@pytest.mark.parametrize(
    "persona_name",
    ["staff_member", "family_member", "trainer", "champion", "force_lead", "platform_admin"],
)
def test_another_persons_certificate_is_a_404_like_a_missing_one(
    client, officer, persona, persona_name
):
    completion = CompletionFactory(person=officer)
    client.force_login(persona(persona_name))

    forbidden = client.get(_certificate(completion))
    missing = client.get(reverse("training:certificate", args=[uuid.uuid4()]))

    assert forbidden.status_code == missing.status_code == 404
    assert completion.verification_code not in forbidden.content.decode()


def test_an_anonymous_visitor_is_asked_to_sign_in(client, officer):
    completion = CompletionFactory(person=officer)

    response = client.get(_certificate(completion))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert Completion.objects.count() == 1
