"""The signposting library: national and force resources for every signed-in account,
published and withdrawn by champions, with https links only and plain text."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import force
from tests.wellbeing.factories import champion_in
from wellbeing.models import Resource
from wellbeing.services.directory import resource_publish

pytestmark = pytest.mark.django_db

LIBRARY = "/wellbeing/library/"
NEW = "/wellbeing/library/new/"
RESOURCE = {
    "title": "Securing your accounts",
    "kind": Resource.Kind.SECURITY,
    "summary": "Turn on two-step sign-in for every account.",
    "url": "https://example.org/security",
    "phone": "",
    "for_families": "on",
}


def resource(title: str, *, force_slug: str | None = "west-yorkshire", **fields) -> Resource:
    values = {"kind": Resource.Kind.GUIDANCE, "summary": f"About {title}."}
    values.update(fields)
    owner = force(force_slug) if force_slug else None
    return Resource.objects.create(title=title, force=owner, **values)


def url_of(item: Resource) -> str:
    return f"/wellbeing/library/{item.public_id}/"


def without_nonces(response) -> str:
    page = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def test_the_library_groups_resources_by_kind_and_labels_national_and_force_ones(client, officer):
    resource("Samaritans", force_slug=None, kind=Resource.Kind.HELPLINE, phone="116 123")
    resource("Our own guide", kind=Resource.Kind.GUIDANCE)
    resource("Removing your address", force_slug="north-yorkshire", kind="removal")
    resource(
        "Shared good practice",
        force_slug="north-yorkshire",
        kind=Resource.Kind.SECURITY,
        shared_with_all_forces=True,
    )
    client.force_login(officer)

    html = client.get(LIBRARY).content.decode()

    headings = re.findall(r'<h2 class="govuk-heading-m" id="kind-(\w+)">', html)
    assert headings == ["guidance", "helpline", "removal", "security"]
    helplines = html.split('id="kind-helpline"')[1].split("<h2")[0]
    assert "Samaritans" in helplines
    assert "National" in helplines
    security = html.split('id="kind-security"')[1].split("<h2")[0]
    assert "Shared good practice" in security
    assert "North Yorkshire Police" in security
    assert "Our own guide" in html
    assert "Removing your address" not in html  # another force's, not shared


def test_withdrawn_resources_and_those_not_for_families_are_left_out(
    client, officer, family_member
):
    resource("Old guide", withdrawn_at="2026-01-01T00:00:00Z")
    resource("Officers only", for_families=False)
    resource("For everyone")

    client.force_login(family_member)
    family_sees = client.get(LIBRARY).content.decode()
    client.force_login(officer)
    officer_sees = client.get(LIBRARY).content.decode()

    assert "For everyone" in family_sees
    assert "Officers only" not in family_sees
    assert "Officers only" in officer_sees
    assert "Old guide" not in officer_sees


@pytest.mark.parametrize(
    "who", ["officer", "family_member", "psd_officer", "triager", "champion", "analyst"]
)
def test_every_signed_in_account_can_read_the_library(client, persona, who):
    national = resource("Samaritans", force_slug=None)
    client.force_login(persona(who))

    assert client.get(LIBRARY).status_code == 200
    assert client.get(url_of(national)).status_code == 200


def test_a_resource_someone_may_not_see_is_a_404_like_a_missing_one(client, officer):
    theirs = resource("North only", force_slug="north-yorkshire")
    client.force_login(officer)

    hidden = client.get(url_of(theirs))
    missing = client.get("/wellbeing/library/00000000-0000-0000-0000-000000000000/")

    assert hidden.status_code == 404
    assert without_nonces(hidden) == without_nonces(missing)


def test_a_link_opens_safely_in_a_new_tab_and_says_so(client, officer):
    item = resource("Guide", url="https://example.org/guide", phone="116 123")
    client.force_login(officer)

    html = client.get(url_of(item)).content.decode()

    link = re.search(r'<a [^>]*href="https://example.org/guide"[^>]*>(.*?)</a>', html).group(0)
    assert 'rel="noopener noreferrer"' in link
    assert 'target="_blank"' in link
    assert "(opens in new tab)" in link
    assert 'href="tel:116123"' in html


def test_a_summary_is_shown_as_plain_text(client, officer):
    item = resource(
        "Guide", summary='<script>alert("x")</script> **bold** [link](javascript:alert(1))'
    )
    client.force_login(officer)

    html = client.get(url_of(item)).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; **bold**" in html
    assert 'href="javascript' not in html
    assert "<strong>bold</strong>" not in html


def test_a_champion_publishes_a_resource_for_their_force(client, champion):
    client.force_login(champion)

    response = client.post(NEW, RESOURCE)

    item = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url_of(item)
    assert (item.force, item.published_by, item.shared_with_all_forces) == (
        force(),
        champion,
        False,
    )
    assert item.url == "https://example.org/security"


def test_sharing_with_every_force_puts_it_in_other_forces_libraries(client, champion):
    client.force_login(champion)
    client.post(NEW, {**RESOURCE, "shared_with_all_forces": "on"})
    elsewhere = champion_in("north-yorkshire")
    client.force_login(elsewhere)

    assert "Securing your accounts" in client.get(LIBRARY).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/security",
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "//example.org/security",
        "ftp://example.org/file",
    ],
)
def test_a_link_that_is_not_https_is_refused_clearly_and_kept(client, champion, url):
    client.force_login(champion)

    response = client.post(NEW, {**RESOURCE, "url": url})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    summary = html.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert 'href="#id_url"' in summary
    assert "Enter a link that starts with https://" in summary
    assert 'value="Securing your accounts"' in html  # what was entered stays
    assert "Turn on two-step sign-in for every account." in html
    assert not Resource.objects.exists()


def test_a_malformed_https_link_is_refused(client, champion):
    client.force_login(champion)

    response = client.post(NEW, {**RESOURCE, "url": "https://exa mple"})

    assert "Enter a full web address, like https://www.example.org/help" in (
        response.content.decode()
    )
    assert not Resource.objects.exists()


def test_the_model_and_the_database_refuse_a_link_that_is_not_https(champion):
    with pytest.raises(ValidationError, match="https://"):
        resource_publish(
            actor=champion,
            force=force(),
            title="Bad",
            kind=Resource.Kind.GUIDANCE,
            summary="Bad",
            url="javascript:alert(1)",
            phone="",
            for_families=True,
            shared_with_all_forces=False,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(title="Bad", kind="guidance", summary="Bad", url="http://x.org")


def test_a_missing_title_and_kind_keep_the_rest_and_list_both_errors(client, champion):
    client.force_login(champion)

    response = client.post(NEW, {**RESOURCE, "title": "", "kind": "", "phone": "call me"})

    html = response.content.decode()
    assert "Enter a title." in html
    assert "Select what kind of resource it is." in html
    assert "Enter a phone number using only numbers, spaces and + ( ), like 116 123." in html
    assert 'value="https://example.org/security"' in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("champion", 200), ("officer", 403), ("family_member", 403), ("psd_officer", 404)],
)
def test_only_champions_publish(client, persona, who, status):
    client.force_login(persona(who))

    assert client.get(NEW).status_code == status


def test_a_champion_withdraws_their_forces_resource_once(client, champion):
    item = resource("Our own guide")
    client.force_login(champion)
    page = client.get(url_of(item)).content.decode()
    assert "Withdraw this resource" in page

    first = client.post(f"{url_of(item)}withdraw/", follow=True)
    second = client.post(f"{url_of(item)}withdraw/", follow=True)

    item.refresh_from_db()
    assert item.withdrawn_at is not None
    assert "Our own guide has been withdrawn from the library." in first.content.decode()
    assert "Our own guide had already been withdrawn." in second.content.decode()
    assert client.get(url_of(item)).status_code == 404


def test_nobody_withdraws_a_national_or_another_forces_resource(client, champion, officer):
    national = resource("Samaritans", force_slug=None)
    shared = resource("Theirs", force_slug="north-yorkshire", shared_with_all_forces=True)
    client.force_login(champion)

    assert "Withdraw this resource" not in client.get(url_of(shared)).content.decode()
    assert client.post(f"{url_of(national)}withdraw/").status_code == 404
    assert client.post(f"{url_of(shared)}withdraw/").status_code == 404
    client.force_login(officer)
    assert client.post(f"{url_of(shared)}withdraw/").status_code == 403

    assert not Resource.objects.filter(withdrawn_at__isnull=False).exists()
