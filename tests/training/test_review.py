"""A module's review page: completions, completion rate, ratings and "changed what I will do"
by version, and the comments, with no names; a force's trainer sees only their own learners'
feedback on a national module; another force's module is a 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from harmsportal.people.models import Role
from tests.factories import force, make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    FeedbackFactory,
    ForceModuleFactory,
    ModuleFactory,
    ModuleVersionFactory,
)
from training.models import Changed, VersionStatus
from training.review import version_reviews

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
V1_PUBLISHED = datetime(2025, 1, 1, tzinfo=UTC)
V2_PUBLISHED = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def review_url(module) -> str:
    return f"/training/manage/modules/{module.public_id}/review/"


@pytest.fixture
def module():
    """A national module: version 1 published 1 January 2025 and retired 1 January 2026, when
    version 2 was published."""
    made = ModuleFactory(title="Recognising online harm", version=None)
    ModuleVersionFactory(
        module=made,
        number=1,
        status=VersionStatus.RETIRED,
        published_at=V1_PUBLISHED,
        retired_at=V2_PUBLISHED,
    )
    ModuleVersionFactory(
        module=made, number=2, published_at=V2_PUBLISHED, change_summary="New part on deepfakes"
    )
    return made


def version(module, number):
    return module.versions.get(number=number)


def learner(module, number, *, rating, changed, better="", force_slug="west-yorkshire", name=""):
    person = make_person(force_slug=force_slug, full_name=name or f"Learner {rating}{changed}")
    completion = CompletionFactory(
        person=person,
        module=module,
        version=version(module, number),
        force=force(force_slug),
        completed_at=V1_PUBLISHED.replace(month=6) if number == 1 else NOW,
    )
    FeedbackFactory(completion=completion, rating=rating, changed=changed, better=better)
    return completion


@pytest.fixture
def feedback(module):
    """West Yorkshire: version 1 rated 2 and 4 ("no", "a little"), one comment; version 2 rated
    5, 5 and 3 ("yes", "yes", "no"), two comments. North Yorkshire: version 2 rated 1, with a
    comment West Yorkshire's trainer must not see."""
    learner(module, 1, rating=2, changed=Changed.NO, better="Too long for a shift break.")
    learner(module, 1, rating=4, changed=Changed.A_LITTLE)
    learner(module, 2, rating=5, changed=Changed.YES, better="The deepfake part was useful.")
    learner(module, 2, rating=5, changed=Changed.YES, name="Wanda Named")
    learner(module, 2, rating=3, changed=Changed.NO, better="More on reporting to the platforms.")
    learner(
        module,
        2,
        rating=1,
        changed=Changed.NO,
        better="A comment from North Yorkshire.",
        force_slug="north-yorkshire",
    )
    # Work assigned in West Yorkshire while each version was published: version 1's window,
    # two assignments, one completed; version 2's, four, one completed; and one cancelled.
    for assigned_at, done in (
        (datetime(2025, 3, 1, tzinfo=UTC), True),
        (datetime(2025, 4, 1, tzinfo=UTC), False),
        (datetime(2026, 2, 1, tzinfo=UTC), True),
        (datetime(2026, 3, 1, tzinfo=UTC), False),
        (datetime(2026, 3, 2, tzinfo=UTC), False),
        (datetime(2026, 3, 3, tzinfo=UTC), False),
    ):
        person = make_person()
        completion = CompletionFactory(person=person, module=module) if done else None
        AssignmentFactory(
            person=person, module=module, assigned_at=assigned_at, completion=completion
        )
    AssignmentFactory(module=module, assigned_at=datetime(2026, 3, 4, tzinfo=UTC), cancelled_at=NOW)


def test_the_figures_by_version_for_a_forces_trainer(module, feedback):
    west = [force().pk]

    reviews = {review.version.number: review for review in version_reviews(module, west)}

    v2 = reviews[2]
    # Completions: 3 with feedback, plus the two completed assignments' (made now: version 2).
    assert (v2.completions, v2.feedback) == (5, 3)
    assert (v2.assigned, v2.assigned_completed, v2.completion_rate) == (4, 1, 25)
    assert str(v2.average_rating) == "4.3"  # (5 + 5 + 3) / 3
    assert [count for _, _, count in v2.ratings] == [2, 0, 1, 0, 0]  # 5, 4, 3, 2, 1
    assert [(value, count) for value, _, count in v2.changed] == [
        ("yes", 2),
        ("a_little", 0),
        ("no", 1),
    ]
    v1 = reviews[1]
    assert (v1.completions, v1.feedback) == (2, 2)
    assert (v1.assigned, v1.assigned_completed, v1.completion_rate) == (2, 1, 50)
    assert str(v1.average_rating) == "3.0"


def test_the_page_shows_the_published_version_and_its_comments_without_names(
    client, trainer, module, feedback
):
    client.force_login(trainer)

    response = client.get(review_url(module))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Version 2: New part on deepfakes" in html
    comments = html.split('id="review-comments"', 1)[1].split("</ul>", 1)[0]
    assert "The deepfake part was useful." in comments
    assert "More on reporting to the platforms." in comments
    assert "Too long for a shift break." not in comments  # version 1's
    assert "A comment from North Yorkshire." not in html
    assert "Wanda Named" not in html
    assert "Learner 5yes" not in html
    assert "from learners in West Yorkshire Police only" in html
    table = html.split('id="review-versions"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'data-label="([^"]+)">(.*?)</td>', table, re.S)
    assert ("Average rating", "4.3 out of 5") in cells
    assert ("Work completed", "25% of 4") in cells


def test_an_earlier_version_is_chosen_by_its_public_id(client, trainer, module, feedback):
    client.force_login(trainer)

    html = client.get(review_url(module), {"version": str(version(module, 1).public_id)})
    html = html.content.decode()

    assert "Too long for a shift break." in html
    assert "The deepfake part was useful." not in html


@pytest.mark.parametrize("asked", ["not-a-uuid", "6c7abe12-8fa2-485c-af4f-e383772b52ba"])
def test_a_version_that_is_not_this_modules_is_a_404(client, trainer, module, asked):
    client.force_login(trainer)

    assert client.get(review_url(module), {"version": asked}).status_code == 404


def test_another_modules_version_is_a_404(client, trainer, module):
    other = ModuleFactory()
    client.force_login(trainer)

    response = client.get(review_url(module), {"version": str(other.published_version().public_id)})

    assert response.status_code == 404


def test_a_platform_admin_sees_every_forces_feedback_on_a_national_module(
    client, platform_admin, module, feedback
):
    client.force_login(platform_admin)

    html = client.get(review_url(module)).content.decode()

    assert "A comment from North Yorkshire." in html
    assert "from learners in every force" in html


def test_a_force_module_is_reviewed_by_its_own_forces_trainers_only(client, trainer):
    theirs = ForceModuleFactory(owner_force=force("north-yorkshire"))
    ours = ForceModuleFactory()
    other_trainer = make_person(Role.TRAINING_ADMIN, force_slug="north-yorkshire")
    client.force_login(trainer)
    missing = f"/training/manage/modules/{'6c7abe12-8fa2-485c-af4f-e383772b52ba'}/review/"

    assert client.get(review_url(ours)).status_code == 200
    refused = client.get(review_url(theirs))
    assert refused.status_code == client.get(missing).status_code == 404
    client.force_login(other_trainer)
    assert client.get(review_url(ours)).status_code == 404
    assert client.get(review_url(theirs)).status_code == 200


def test_a_module_with_nothing_published_says_so(client, trainer):
    draft_only = ForceModuleFactory(version=None)
    ModuleVersionFactory(module=draft_only, status=VersionStatus.DRAFT, published_at=None)
    client.force_login(trainer)

    html = client.get(review_url(draft_only)).content.decode()

    assert "has not been published yet" in html


def test_comments_are_paged(client, trainer, module):
    for n in range(27):
        learner(module, 2, rating=4, changed=Changed.YES, better=f"Comment number {n:02d}.")
    client.force_login(trainer)

    first = client.get(review_url(module)).content.decode()
    second = client.get(review_url(module), {"page": "2"}).content.decode()

    assert first.count("Comment number") == 25
    assert second.count("Comment number") == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer", 200),
        ("platform_admin", 200),
        ("officer", 403),
        ("family_member", 403),
        ("force_lead", 403),
        ("analyst", 403),
        ("psd_officer", 404),
    ],
)
def test_who_may_review_a_national_module(client, persona, module, who, status):
    client.force_login(persona(who))

    assert client.get(review_url(module)).status_code == status
