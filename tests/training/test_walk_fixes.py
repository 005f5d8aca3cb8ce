"""What a walk of the portal as an officer, a family member and a line manager found (issue 9).

1. The line-manager notice opens the module with ?from=notice: the overview says why they are
   there and links to the part about notices, which they may read at once.
2. A learner goes back to any part they have read (every part, once completed); a part not
   reached yet shows the furthest one with a banner saying why; the quiz says why it waits.
3. A completion that runs out within 30 days is due: "Due next", the home card, the module.
4. Feedback's "what would make it better" counts characters instead of cutting text off.
6. The footprint module's last part links to the self-check.
7. Deleting saved self-check answers asks first.
8. The team page starts with a summary and keeps each person's table folded away.
9. The 403 page's words suit the person: family, member without a staff role, role holder.
(5, the printed certificate's width, is a browser check in tests/e2e/test_training_learner.py.)
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from harmsportal.people.models import Role
from tests.factories import force, make_person
from tests.training.factories import (
    AssignmentFactory,
    CompletionFactory,
    FamilyModuleFactory,
    ModuleFactory,
    ProgressFactory,
    TrainingProfileFactory,
    publish_new_version,
)
from training.models import Feedback, FootprintCheck, Module, Progress, TrainingProfile
from training.services.footprint import QUESTIONS, footprint_check_record
from training.services.notices import line_manager_notice_send

pytestmark = pytest.mark.django_db

LINE_MANAGER_SLUG = "supporting-a-colleague-who-is-targeted"
NOTICE_HEADING = "If you receive a line-manager notice"


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _url(name: str, module) -> str:
    return reverse(f"training:{name}", args=[module.slug])


def _learn(module, page, extra: str = "") -> str:
    return f"{_url('learn', module)}?page={page}{extra}"


def _between(html: str, start: str, end: str = "</") -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def _today() -> datetime.date:
    return timezone.localdate()


# --- 1. the line-manager notice -----------------------------------------------------------------
@pytest.fixture
def line_manager_module() -> Module:
    # The national module the data migration loads from training/content/.
    return Module.objects.get(slug=LINE_MANAGER_SLUG)


def _notice_part(module) -> int:
    headings = [s.heading for s in module.published_version().sections.all()]
    return headings.index(NOTICE_HEADING) + 1


def test_the_notice_links_to_the_module_saying_it_came_from_a_notice(triager):
    manager = make_person(full_name="Lin Manager")
    reporter = make_person()
    TrainingProfile.objects.create(
        person=reporter, force=force(), audiences=["frontline"], line_manager=manager
    )

    line_manager_notice_send(
        actor=triager, reporter=reporter, force=force(), subject_key="walk-1", asked=True
    )

    (sent,) = manager.notifications.all()
    assert sent.link_path == f"/training/modules/{LINE_MANAGER_SLUG}/?from=notice"


def test_from_a_notice_the_overview_says_why_and_links_to_the_part_about_notices(
    client, officer, line_manager_module
):
    part = _notice_part(line_manager_module)
    client.force_login(officer)

    html = _text(client.get(f"{_url('module', line_manager_module)}?from=notice"))

    inset = _between(html, 'id="from-notice">', "</div>")
    assert "You have been told that a member of your team has reported online harm" in inset
    link = f'href="{_url("learn", line_manager_module)}?page={part}&amp;from=notice"'
    assert link in inset
    assert f"Part {part}: {NOTICE_HEADING}" in inset
    # Opened any other way, the overview says nothing about a notice.
    assert 'id="from-notice"' not in _text(client.get(_url("module", line_manager_module)))


def test_a_manager_who_has_not_started_reads_the_notice_part_from_the_notice(
    client, officer, line_manager_module
):
    part = _notice_part(line_manager_module)
    assert part > 1  # the point of the test: a part not reached in order
    client.force_login(officer)

    html = _text(client.get(_learn(line_manager_module, part, "&from=notice")))

    assert f"Part {part} of" in html
    assert f">{NOTICE_HEADING}</h1>" in html
    assert 'id="not-reached"' not in html
    # Reading it is not reading in order: no Continue that would skip the earlier parts.
    assert "Continue</button>" not in html
    assert "carry on from part 1, where you left off" in html
    assert Progress.objects.get(person=officer).current_section == 1
    # Without the notice, the same address shows the furthest part reached, and why.
    html = _text(client.get(_learn(line_manager_module, part)))
    assert "Part 1 of" in html
    assert f"You have not reached part {part} yet" in html


def test_a_manager_who_completed_the_module_can_open_every_part_from_the_overview(
    client, officer, line_manager_module
):
    CompletionFactory(person=officer, module=line_manager_module)
    count = line_manager_module.published_version().sections.count()
    client.force_login(officer)

    html = _text(client.get(_url("module", line_manager_module)))

    contents = _between(html, 'id="contents">', "</ol>")
    for page in range(1, count + 1):
        assert f'href="{_learn(line_manager_module, page)}"' in contents
    assert NOTICE_HEADING in contents


def test_the_contents_link_only_the_parts_reached_and_none_before_starting(client, officer):
    module = ModuleFactory(version__sections=4)
    client.force_login(officer)

    def contents() -> str:
        return (
            _text(client.get(_url("module", module))).split('id="contents">')[1].split("</ol>")[0]
        )

    assert "href=" not in contents()
    ProgressFactory(person=officer, version=module.published_version(), current_section=2)
    listed = contents()
    assert f'href="{_learn(module, 1)}"' in listed
    assert f'href="{_learn(module, 2)}"' in listed
    assert f'href="{_learn(module, 3)}"' not in listed


# --- 2. going back to a part -------------------------------------------------------------------
def test_after_completing_any_part_can_be_read_again_without_starting_again(client, officer):
    module = ModuleFactory(version__sections=6)
    CompletionFactory(person=officer, module=module)
    client.force_login(officer)

    html = _text(client.get(_learn(module, 6)))

    assert "Part 6 of 6" in html
    assert 'id="not-reached"' not in html
    assert "Mark as complete" not in html  # reading back, not completing again
    assert "This is the last part of the module." in html
    html = _text(client.get(_learn(module, 3)))
    assert "Part 3 of 6" in html
    assert f'<a href="{_learn(module, 4)}" role="button"' in html  # "Next part"
    assert "Continue</button>" not in html
    parts = _between(html, 'id="parts"', "</nav>")
    for page in (1, 2, 4, 5, 6):  # every other part, from the list of parts
        assert f'href="{_learn(module, page)}"' in parts
    assert not Progress.objects.filter(person=officer).exists()  # nothing reset or started


def test_a_completed_learner_pressing_continue_on_part_one_starts_again(client, officer):
    module = ModuleFactory()
    CompletionFactory(person=officer, module=module)
    client.force_login(officer)

    html = _text(client.get(_learn(module, 1)))
    assert "Continue</button>" in html
    response = client.post(_learn(module, 1))

    assert response["Location"] == _learn(module, 2)
    assert Progress.objects.get(person=officer).current_section == 2


def test_completed_in_an_earlier_version_counts_too(client, officer):
    module = ModuleFactory(version__sections=3)
    CompletionFactory(person=officer, module=module)
    publish_new_version(module)
    client.force_login(officer)

    html = _text(client.get(_learn(module, 3)))

    assert "Part 3 of 3" in html
    assert 'id="not-reached"' not in html


def test_a_part_beyond_reach_shows_the_furthest_part_with_a_banner_saying_why(client, officer):
    module = ModuleFactory(version__sections=5)
    ProgressFactory(person=officer, version=module.published_version(), current_section=3)
    client.force_login(officer)

    html = _text(client.get(_learn(module, 5)))

    assert "Part 3 of 5" in html
    banner = _between(html, 'id="not-reached"', "</div>\n    </div>")
    assert "govuk-notification-banner" in html
    assert "You have not reached part 5 yet" in banner
    assert "the furthest part you have reached: part 3 of 5" in banner
    assert Progress.objects.get(person=officer).current_section == 3


def test_reading_back_never_moves_progress_back(client, officer):
    module = ModuleFactory(version__sections=5)
    ProgressFactory(person=officer, version=module.published_version(), current_section=4)
    client.force_login(officer)

    html = _text(client.get(_learn(module, 2)))
    assert "Part 2 of 5" in html
    assert 'id="not-reached"' not in html
    client.post(_learn(module, 2))

    assert Progress.objects.get(person=officer).current_section == 4


@pytest.mark.parametrize("page", [str(2**63), str(10**20), "-1", "+-1", "0", "99", "two", ""])
@pytest.mark.parametrize("completed", [False, True])
def test_junk_page_numbers_are_safe_for_learners_and_those_who_completed(
    client, officer, page, completed
):
    module = ModuleFactory()
    if completed:
        CompletionFactory(person=officer, module=module)
    client.force_login(officer)

    html = _text(client.get(f"{_url('learn', module)}?page={page}&from=notice"))

    assert "Part 1 of 3" in html
    assert client.post(f"{_url('learn', module)}?page={page}").status_code == 302


def test_the_quiz_before_every_part_is_read_says_why(client, officer):
    module = ModuleFactory(version__quiz=True, version__sections=3)
    ProgressFactory(person=officer, version=module.published_version(), current_section=2)
    client.force_login(officer)

    response = client.get(_url("quiz", module), follow=True)

    html = _text(response)
    assert "The quiz comes after the last part of the module." in html
    assert "You have read up to part 2 of 3." in html
    assert "Part 2 of 3" in html


# --- 3. a completion running out is due ----------------------------------------------------------
def _expiring(person, days: int, **module_fields):
    return CompletionFactory(
        person=person,
        module=ModuleFactory(**module_fields),
        expires_on=_today() + datetime.timedelta(days=days),
    )


def test_a_completion_running_out_in_18_days_is_due_next(client, officer):
    completion = _expiring(officer, 18, title="Recognising online harm")
    _expiring(officer, 90, title="Still in date")
    client.force_login(officer)
    when = f"{completion.expires_on.day} {completion.expires_on:%B %Y}"

    html = _text(client.get(reverse("training:home")))

    assert "You have no training due at the moment." not in html
    due_next = _between(html, 'id="due-next">', "</div>")
    assert "Recognising online harm" in due_next
    assert (
        f"Your completion of Recognising online harm runs out on {when}; complete it again "
        "before then." in due_next
    )
    assert "Still in date" not in due_next
    assert 'id="to-do-count"' not in html  # one thing due


def test_the_soonest_of_open_work_and_running_out_comes_first_and_both_count(client, officer):
    _expiring(officer, 10, title="Running out")
    AssignmentFactory(person=officer, module=ModuleFactory(title="Set by the trainer"))
    client.force_login(officer)

    html = _text(client.get(reverse("training:home")))

    assert "Running out" in _between(html, 'id="due-next">', "</div>")
    assert "You have 2 modules to complete." in html


def test_a_completion_with_open_work_is_not_counted_twice(client, officer):
    completion = _expiring(officer, 10, title="Refresher set")
    AssignmentFactory(person=officer, module=completion.module)
    client.force_login(officer)

    html = _text(client.get(reverse("training:home")))

    assert "Complete it by" in _between(html, 'id="due-next">', "</div>")
    assert 'id="to-do-count"' not in html


def test_the_home_card_counts_a_completion_running_out(client, officer):
    completion = _expiring(officer, 18, title="Recognising online harm")
    client.force_login(officer)
    when = f"{completion.expires_on.day} {completion.expires_on:%B %Y}"

    html = " ".join(_text(client.get(reverse("home"))).split())

    assert "You have no training to do at the moment." not in html
    assert "You have 1 module to do." in html
    assert (
        f"Your completion of Recognising online harm runs out on {when}; complete it again "
        "before then." in html
    )


def test_the_home_card_counts_open_work_and_renewals_together(client, officer):
    _expiring(officer, 40)  # not yet: outside 30 days
    _expiring(officer, 5, title="Soon gone")
    AssignmentFactory(
        person=officer,
        module=ModuleFactory(title="Due later"),
        due_on=_today() + datetime.timedelta(days=20),
    )
    client.force_login(officer)

    html = " ".join(_text(client.get(reverse("home"))).split())

    assert "You have 2 modules to do. Your completion of Soon gone runs out on" in html


def test_a_family_accounts_card_counts_only_family_modules(client, family_member):
    _expiring(family_member, 5, title="Workforce only")  # not a module they can take
    CompletionFactory(
        person=family_member,
        module=FamilyModuleFactory(title="Family safety"),
        expires_on=_today() + datetime.timedelta(days=7),
    )
    client.force_login(family_member)

    html = " ".join(_text(client.get(reverse("home"))).split())

    assert "You have 1 module to do. Your completion of Family safety runs out on" in html
    assert "Workforce only" not in html


def test_the_module_page_says_when_the_completion_runs_out(client, officer):
    completion = _expiring(officer, 18)
    client.force_login(officer)
    when = f"{completion.expires_on.day} {completion.expires_on:%B %Y}"

    html = _text(client.get(_url("module", completion.module)))

    renewal = _between(html, 'id="renewal">', "</div>")
    assert f"Your completion of this module runs out on {when}; complete it again" in renewal
    # Completing it again is what to do now: the main button, not a secondary one.
    button = re.search(r'<a [^>]*id="start"[^>]*>', html).group(0)
    assert "govuk-button--secondary" not in button
    # In date for longer: nothing said.
    later = _expiring(officer, 60)
    assert 'id="renewal"' not in _text(client.get(_url("module", later.module)))


# --- 4. feedback counts characters ------------------------------------------------------------
def test_feedback_uses_the_character_count_without_a_maxlength(client, officer):
    completion = CompletionFactory(person=officer)
    client.force_login(officer)
    url = reverse("training:feedback", args=[completion.public_id])

    html = _text(client.get(url))

    textarea = re.search(r"<textarea[^>]*>", html).group(0)
    assert "maxlength" not in textarea
    assert "govuk-js-character-count" in textarea
    assert 'data-module="govuk-character-count" data-maxlength="2000"' in html
    assert "You can enter up to 2,000 characters" in html
    assert 'aria-describedby="id_better-info' in textarea

    long = "y" * 2001
    html = _text(client.post(url, {"rating": "5", "better": long, "changed": "yes"}))
    assert "What would make it better must be 2,000 characters or fewer." in html
    assert long in html  # kept, not cut off
    assert not Feedback.objects.filter(completion=completion).exists()


# --- 6. the footprint module links to the self-check -------------------------------------------
def test_the_footprint_modules_last_part_links_to_the_self_check(client, officer):
    module = Module.objects.get(slug="your-online-footprint")
    sections = list(module.published_version().sections.all())
    CompletionFactory(person=officer, module=module)  # so the last part can be opened
    client.force_login(officer)

    html = _text(client.get(_learn(module, len(sections))))

    link = rf'<a href="{reverse("training:footprint")}"[^>]*>digital footprint self-check</a>'
    assert re.search(link, html)


# --- 7. deleting saved answers asks first ------------------------------------------------------
@pytest.fixture
def saved(officer):
    answers = {q.key: q.options[0].value for q in QUESTIONS}
    return footprint_check_record(actor=officer, answers=answers, save_answers=True)


def test_the_saved_page_asks_before_deleting(client, officer, saved):
    url = reverse("training:footprint_saved")
    client.force_login(officer)

    html = _text(client.get(url))
    assert f'href="{url}?delete=confirm"' in html
    assert 'method="post"' not in html.split('id="saved-answers"')[1]  # no one-click delete

    confirm = _text(client.get(f"{url}?delete=confirm"))
    assert "Are you sure you want to delete your saved answers?" in confirm
    assert "You cannot undo this." in confirm
    assert 'name="confirm" value="yes"' in confirm
    assert "Yes, delete my saved answers" in confirm
    assert f'href="{url}" id="keep-saved"' in confirm
    # A press that did not confirm deletes nothing: it asks.
    response = client.post(url)
    assert response["Location"] == f"{url}?delete=confirm"
    assert FootprintCheck.objects.get(person=officer).saved_answers is not None

    response = client.post(url, {"confirm": "yes"})
    assert response["Location"] == url
    assert FootprintCheck.objects.get(person=officer).saved_answers is None
    # Nothing left to delete: the confirm address shows the empty saved page.
    assert "You have no saved answers." in _text(client.get(f"{url}?delete=confirm"))


# --- 8. the team page's summary ----------------------------------------------------------------
def test_the_team_page_starts_with_a_summary_and_folds_each_persons_table(client):
    manager = make_person(full_name="Lin Manager")
    late = make_person(full_name="Priya Late")
    fine = make_person(full_name="Tom Fine")
    for person in (late, fine):
        TrainingProfileFactory(person=person, line_manager=manager)
    AssignmentFactory(
        person=late, module=ModuleFactory(), due_on=_today() - datetime.timedelta(days=3)
    )
    AssignmentFactory(
        person=late, module=ModuleFactory(), due_on=_today() + datetime.timedelta(days=10)
    )
    AssignmentFactory(
        person=fine, module=ModuleFactory(), due_on=_today() + datetime.timedelta(days=200)
    )
    client.force_login(manager)

    html = _text(client.get(reverse("training:team")))

    summary = _between(html, 'id="team-summary">', "</table>")
    rows = {
        re.sub(r"<[^>]+>", "", row.split("</th>")[0]).strip(): [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", summary, re.S)
        if "<td" in row
    }
    assert rows == {"Priya Late": ["1", "1"], "Tom Fine": ["0", "0"]}
    assert html.index('id="team-summary"') < html.index('id="member-1"')
    # Each person's table is folded away in a details (no JavaScript needed), with counts.
    assert html.count('<details class="govuk-details">') == 2
    assert "2 modules: 1 overdue, 1 due within 30 days" in html
    assert "1 module: 0 overdue, 0 due within 30 days" in html


# --- 9. the 403 page suits the person ----------------------------------------------------------
def test_a_family_account_on_a_staff_page_is_told_what_it_can_use(client, family_member):
    client.force_login(family_member)

    response = client.get(reverse("triage:queue"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "This page is for police officers and staff." in html
    assert f'href="{reverse("training:home")}">Your training</a>' in html
    assert f'href="{reverse("training:footprint")}"' in html
    assert "check your role" not in html


def test_an_officer_without_a_staff_role_is_told_what_the_page_is_for(client, officer):
    client.force_login(officer)

    response = client.get(reverse("training:compliance"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "such as triage, wellbeing support or training administration" in html
    assert "This page is for police officers and staff." not in html
    assert "check your role" not in html


def test_a_role_holder_without_this_role_is_asked_to_check_it(client):
    champion = make_person(Role.CHAMPION)
    client.force_login(champion)

    response = client.get(reverse("training:compliance"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "ask your force's Harms Portal lead to check your role" in html
