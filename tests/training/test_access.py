"""Who reaches what in training: every chokepoint in training/selectors.py.

Each `get_*` chokepoint is a 404 alike for an object that does not exist and one the person may
not see, so nobody can probe what exists. Learners reach published modules of their own force
and national ones (family accounts: family modules only) and only their own completions,
whatever their role. Training admins reach their own forces' rules, imports and modules (and
every national module, to review and annotate); the trainer of another force reaches nothing
of this force's. A line manager's team is the people the roster names them the manager of.
Professional Standards do their own training like anyone, and never reach a trainer's data,
even holding the training admin role.

The selectors are tested directly for their branching, then through HTTP: a forbidden page
is byte for byte the page of a missing one.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from harmsportal.people.models import Membership, Role, User
from tests.factories import enrol_totp, force, make_person
from training import selectors
from training.models import (
    Answer,
    Assignment,
    AssignmentSource,
    Audience,
    AudienceRule,
    Completion,
    Module,
    ModuleVersion,
    Progress,
    Question,
    QuizAttempt,
    RosterImport,
    Section,
    TrainingProfile,
    VersionStatus,
)

pytestmark = pytest.mark.django_db


# --- rows --------------------------------------------------------------------------------------
def module_with_version(
    slug: str,
    *,
    owner: str | None = "west-yorkshire",
    audiences: tuple[str, ...] = (Audience.FRONTLINE,),
    status: str = VersionStatus.PUBLISHED,
) -> Module:
    """A module (a force's own, or national with `owner=None`) with one version of one part
    and a one-question quiz."""
    module = Module.objects.create(
        slug=slug,
        title=slug.replace("-", " ").capitalize(),
        summary="What to do when it happens.",
        owner_force=force(owner) if owner else None,
        audiences=list(audiences),
        review_due=timezone.localdate() + timedelta(days=365),
        refresh_months=12,
    )
    version = ModuleVersion.objects.create(
        module=module,
        number=1,
        status=status,
        estimated_minutes=20,
        pass_mark=100,
        published_at=timezone.now() if status != VersionStatus.DRAFT else None,
    )
    Section.objects.create(version=version, order=1, heading="What happens", body="Some *text*.")
    question = Question.objects.create(
        version=version, order=1, text="Who can you tell?", explanation="Anyone you trust."
    )
    Answer.objects.create(question=question, order=1, text="Nobody", is_correct=False)
    Answer.objects.create(question=question, order=2, text="Anyone you trust", is_correct=True)
    return module


def completion_of(person: User, module: Module) -> Completion:
    version = module.versions.get(number=1)
    return Completion.objects.create(
        person=person,
        module=module,
        version=version,
        force=person.home_force,
        name_on_certificate=person.full_name,
        expires_on=timezone.localdate() + timedelta(days=300),
    )


def rule_of(owner: str, module: Module) -> AudienceRule:
    return AudienceRule.objects.create(
        force=force(owner), audience=Audience.FRONTLINE, module=module, within_days=30
    )


def roster_import_of(owner: str, by: User) -> RosterImport:
    content = b"email,name\nnew.joiner@example.police.uk,New Joiner\n"
    return RosterImport.objects.create(
        force=force(owner),
        uploaded_by=by,
        file_name="roster.csv",
        file_format="csv",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        status=RosterImport.Status.PREVIEWED,
        summary={"new": 1, "rows": 1},
    )


def assigned(person: User, module: Module) -> Assignment:
    return Assignment.objects.create(
        person=person,
        module=module,
        force=person.home_force,
        audience=Audience.FRONTLINE,
        source=AssignmentSource.MANUAL,
        due_on=timezone.localdate() + timedelta(days=10),
    )


def in_team_of(manager: User, person: User, owner: str = "west-yorkshire") -> TrainingProfile:
    return TrainingProfile.objects.create(
        person=person, force=force(owner), audiences=[Audience.FRONTLINE], line_manager=manager
    )


@pytest.fixture
def other_force_trainer(db) -> User:
    # North Yorkshire's training admin: must reach nothing of West Yorkshire's.
    return make_person(Role.TRAINING_ADMIN, force_slug="north-yorkshire", kind=User.Kind.STAFF)


@pytest.fixture
def modules(db) -> dict[str, Module]:
    return {
        "force": module_with_version("west-yorkshire-local-support"),
        "national": module_with_version("your-footprint", owner=None),
        "family": module_with_version(
            "keeping-your-family-safe", owner=None, audiences=(Audience.FAMILY,)
        ),
        "other force": module_with_version("north-yorkshire-local", owner="north-yorkshire"),
        "draft only": module_with_version("not-yet-ready", status=VersionStatus.DRAFT),
        "retired only": module_with_version("withdrawn-module", status=VersionStatus.RETIRED),
    }


def _slugs(queryset, modules: dict[str, Module]) -> set[str]:
    """The slugs among `modules` that `queryset` holds (the seeded national modules aside)."""
    return set(
        queryset.filter(pk__in=[m.pk for m in modules.values()]).values_list("slug", flat=True)
    )


def _raises_404(call) -> tuple:
    """Call a chokepoint that must refuse; what it raised, for comparing two refusals."""
    with pytest.raises(Http404) as raised:
        call()
    return type(raised.value), raised.value.args


# --- learners: modules -------------------------------------------------------------------------
def test_a_learner_reaches_national_modules_and_their_own_forces_published_ones(officer, modules):
    reached = _slugs(selectors.modules_for_learner(officer), modules)
    assert reached == {
        modules["force"].slug,
        modules["national"].slug,
        modules["family"].slug,
    }


def test_a_family_account_reaches_only_family_modules(family_member, modules):
    wy_family = module_with_version("west-yorkshire-families", audiences=(Audience.FAMILY,))
    reached = _slugs(selectors.modules_for_learner(family_member), {**modules, "": wy_family})
    assert reached == {modules["family"].slug, wy_family.slug}
    # The seeded national modules too: the family one only.
    seeded = selectors.modules_for_learner(family_member).exclude(pk=wy_family.pk)
    assert all(module.is_family for module in seeded)
    assert selectors.get_module_for_learner(family_member, wy_family.slug) == wy_family


@pytest.mark.parametrize(
    ("who", "which"),
    [
        ("officer", "other force"),
        ("officer", "draft only"),
        ("officer", "retired only"),
        ("other_force_triager", "force"),
        ("family_member", "force"),
        ("family_member", "national"),
        ("family_member", "other force"),
        ("psd_officer", "other force"),
    ],
)
def test_a_module_out_of_reach_is_the_same_404_as_a_missing_one(persona, modules, who, which):
    user = persona(who)
    forbidden = _raises_404(lambda: selectors.get_module_for_learner(user, modules[which].slug))
    missing = _raises_404(lambda: selectors.get_module_for_learner(user, "no-such-module"))
    assert forbidden == missing


def test_signed_out_nobody_reaches_a_module(modules):
    anonymous = AnonymousUser()
    assert not selectors.modules_for_learner(anonymous).exists()
    _raises_404(lambda: selectors.get_module_for_learner(anonymous, modules["national"].slug))


def test_professional_standards_take_their_own_forces_modules(psd_officer, modules):
    assert selectors.get_module_for_learner(psd_officer, modules["force"].slug) == modules["force"]


def test_a_module_whose_version_was_retired_after_the_list_is_a_404(officer, modules):
    module = modules["national"]
    assert selectors.published_version(module).number == 1
    module.versions.update(status=VersionStatus.RETIRED)
    _raises_404(lambda: selectors.published_version(module))
    _raises_404(lambda: selectors.get_module_for_learner(officer, module.slug))


# --- learners: completions ---------------------------------------------------------------------
COMPLETION_OUTSIDERS = [
    "staff_member",
    "family_member",
    "triager",
    "champion",
    "trainer",
    "other_force_trainer",
    "force_lead",
    "oversight",
    "analyst",
    "psd_officer",
    "platform_admin",
]


def test_a_learner_reaches_their_own_completion(officer, modules):
    own = completion_of(officer, modules["force"])
    assert selectors.get_completion_for_learner(officer, own.public_id) == own
    assert selectors.get_completion_for_learner(officer, str(own.public_id)) == own
    assert list(selectors.completions_of(officer)) == [own]


@pytest.mark.parametrize("who", COMPLETION_OUTSIDERS)
def test_nobody_else_reaches_a_completion_whatever_their_role(persona, officer, modules, who):
    # Their certificate and feedback are the learner's own: a trainer verifies a certificate
    # by its code, never by opening it; a line manager sees their team's figures, not this.
    user = persona(who)
    if who == "staff_member":
        in_team_of(user, officer)  # even their line manager
    theirs = completion_of(officer, modules["force"])
    forbidden = _raises_404(lambda: selectors.get_completion_for_learner(user, theirs.public_id))
    missing = _raises_404(lambda: selectors.get_completion_for_learner(user, uuid.uuid4()))
    assert forbidden == missing
    assert not selectors.completions_of(user).filter(pk=theirs.pk).exists()


def test_signed_out_nobody_reaches_a_completion(officer, modules):
    theirs = completion_of(officer, modules["force"])
    _raises_404(lambda: selectors.get_completion_for_learner(AnonymousUser(), theirs.public_id))


def test_the_learners_own_records_are_theirs_alone(officer, staff_member, modules):
    module = modules["force"]
    version = module.versions.get()
    for person in (officer, staff_member):
        assigned(person, module)
        Progress.objects.create(person=person, version=version)
        QuizAttempt.objects.create(person=person, version=version, correct=0, total=1, passed=False)
    assert {a.person for a in selectors.open_assignments_of(officer)} == {officer}
    assert selectors.progress_of(officer, version).person == officer
    assert {p.person for p in selectors.progress_by_version(officer, [version.pk]).values()} == {
        officer
    }
    assert selectors.latest_attempt(officer, version).person == officer


# --- training admins ---------------------------------------------------------------------------
def test_a_trainer_works_only_in_the_forces_where_they_hold_the_role(trainer, officer):
    assert selectors.trainer_force_ids(trainer) == [force().pk]
    assert selectors.is_trainer_of(trainer, force())
    assert not selectors.is_trainer_of(trainer, force("north-yorkshire"))
    assert selectors.trainer_force_ids(officer) == []
    assert selectors.trainer_force_ids(AnonymousUser()) == []


def test_professional_standards_reach_nothing_of_a_trainer_even_holding_the_role(
    psd_officer, modules
):
    # Training admin is not a case-reading role, so the wall lets them hold it; the selectors
    # still give them no force, no module and no rule (and the routes give them 404).
    Membership.objects.create(user=psd_officer, force=force(), role=Role.TRAINING_ADMIN)
    psd_officer.forget_roles()
    assert psd_officer.has_role(Role.TRAINING_ADMIN)
    rule = rule_of("west-yorkshire", modules["force"])
    assert selectors.trainer_force_ids(psd_officer) == []
    assert not selectors.modules_for_trainer(psd_officer).exists()
    _raises_404(lambda: selectors.get_module_for_trainer(psd_officer, modules["force"].public_id))
    _raises_404(lambda: selectors.get_rule_for_trainer(psd_officer, rule.public_id))
    _raises_404(lambda: selectors.chosen_trainer_force(psd_officer, None))


def test_a_trainer_reaches_their_forces_modules_and_every_national_one(
    trainer, other_force_trainer, platform_admin, officer, modules
):
    def slugs(user):
        return _slugs(selectors.modules_for_trainer(user), modules)

    national = {modules["national"].slug, modules["family"].slug}
    wy = {modules["force"].slug, modules["draft only"].slug, modules["retired only"].slug}
    assert slugs(trainer) == national | wy
    assert slugs(other_force_trainer) == national | {modules["other force"].slug}
    # Platform admins publish national modules and reach no force's own.
    assert slugs(platform_admin) == national
    assert slugs(officer) == set()


@pytest.mark.parametrize("which", ["force", "draft only"])
def test_the_trainer_of_another_force_gets_the_404_of_a_missing_module(
    other_force_trainer, modules, which
):
    module = modules[which]
    version = module.versions.get()
    for chokepoint, pk in (
        (selectors.get_module_for_trainer, module.public_id),
        (selectors.get_module_for_editor, module.public_id),
        (selectors.get_version_for_editor, version.public_id),
    ):
        forbidden = _raises_404(lambda: chokepoint(other_force_trainer, pk))  # noqa: B023
        missing = _raises_404(lambda: chokepoint(other_force_trainer, uuid.uuid4()))  # noqa: B023
        assert forbidden == missing, chokepoint.__name__


def test_who_may_change_a_modules_content(trainer, other_force_trainer, platform_admin, modules):
    force_module, national = modules["force"], modules["national"]
    assert selectors.get_module_for_editor(trainer, force_module.public_id) == force_module
    assert selectors.get_module_for_editor(platform_admin, national.public_id) == national
    # A force's trainer reviews and annotates a national module, never edits it.
    assert selectors.get_module_for_trainer(trainer, national.public_id) == national
    _raises_404(lambda: selectors.get_module_for_editor(trainer, national.public_id))
    _raises_404(lambda: selectors.get_module_for_editor(platform_admin, force_module.public_id))
    _raises_404(lambda: selectors.get_module_for_editor(other_force_trainer, national.public_id))
    draft = ModuleVersion.objects.create(module=national, number=2, estimated_minutes=10)
    assert selectors.get_version_for_editor(platform_admin, draft.public_id) == draft
    _raises_404(lambda: selectors.get_version_for_editor(trainer, draft.public_id))


def test_the_trainer_of_another_force_gets_the_404_of_a_missing_rule_or_import(
    trainer, other_force_trainer, platform_admin, modules
):
    rule = rule_of("west-yorkshire", modules["force"])
    imported = roster_import_of("west-yorkshire", trainer)
    assert selectors.get_rule_for_trainer(trainer, rule.public_id) == rule
    assert selectors.get_roster_import_for_trainer(trainer, imported.public_id) == imported
    for outsider in (other_force_trainer, platform_admin):
        for chokepoint, pk in (
            (selectors.get_rule_for_trainer, rule.public_id),
            (selectors.get_roster_import_for_trainer, imported.public_id),
        ):
            forbidden = _raises_404(lambda: chokepoint(outsider, pk))  # noqa: B023
            missing = _raises_404(lambda: chokepoint(outsider, uuid.uuid4()))  # noqa: B023
            assert forbidden == missing


def test_a_forces_rules_and_roster_imports_are_listed_for_its_own_trainers_only(
    trainer, other_force_trainer, platform_admin, psd_officer, modules
):
    rule = rule_of("west-yorkshire", modules["force"])
    imported = roster_import_of("west-yorkshire", trainer)
    assert list(selectors.rules_for_trainer(trainer, force())) == [rule]
    assert list(selectors.roster_imports_for_trainer(trainer, force())) == [imported]
    Membership.objects.create(user=psd_officer, force=force(), role=Role.TRAINING_ADMIN)
    psd_officer.forget_roles()
    for outsider in (other_force_trainer, platform_admin, psd_officer):
        assert not selectors.rules_for_trainer(outsider, force()).exists()
        assert not selectors.roster_imports_for_trainer(outsider, force()).exists()


def test_the_people_of_a_force_are_its_reporters_and_its_roster_and_still_active(
    officer, family_member, other_force_triager
):
    listed = make_person(force_slug="north-yorkshire", full_name="On Loan")
    in_team_of(officer, listed)  # West Yorkshire's roster lists them
    gone = make_person(full_name="Left Last Year")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    people = set(selectors.people_of_force(force()))
    assert {officer, listed} <= people
    assert people.isdisjoint({other_force_triager, gone, family_member})


def test_a_trainer_cannot_give_a_family_account_an_internal_module(
    client, trainer, family_member, modules
):
    # A family account reports under the member's force, but is not one of its people: were
    # it given West Yorkshire's module, its title would reach them in /training/ and a notice.
    due = timezone.localdate() + timedelta(days=20)
    client.force_login(trainer)
    response = client.post(
        "/training/manage/assign/",
        {
            "module": modules["force"].slug,
            "emails": family_member.email,
            "due_on_0": str(due.day),
            "due_on_1": str(due.month),
            "due_on_2": str(due.year),
        },
    )
    assert response.status_code == 200
    assert "is a family account. Family accounts choose their own training" in (
        response.content.decode()
    )
    assert not Assignment.objects.filter(person=family_member).exists()


def test_a_forces_note_on_a_national_module_is_shown_to_its_own_learners(trainer, modules):
    from training.models import ForceNote

    national = modules["national"]
    note = ForceNote.objects.create(module=national, force=force(), body="Call 01234 567890.")
    assert selectors.force_note_for(national, force()) == note
    assert selectors.force_note_for(national, force("north-yorkshire")) is None
    assert selectors.force_note_for(national, None) is None


def test_a_footprint_check_and_its_saved_answers_are_the_persons_own(officer, staff_member):
    from training.models import FootprintCheck

    mine = FootprintCheck.objects.create(person=officer, saved_answers={"electoral_roll": "open"})
    FootprintCheck.objects.create(person=staff_member, saved_answers={"electoral_roll": "open"})
    assert list(selectors.footprint_checks_of(officer)) == [mine]
    assert selectors.saved_footprint_check(officer) == mine
    assert not selectors.footprint_checks_of(AnonymousUser()).exists()
    assert selectors.saved_footprint_check(AnonymousUser()) is None


def test_a_trainer_chooses_only_among_their_own_forces(trainer, other_force_trainer, officer):
    assert selectors.chosen_trainer_force(trainer, None) == force()
    assert selectors.chosen_trainer_force(trainer, "west-yorkshire") == force()
    forbidden = _raises_404(lambda: selectors.chosen_trainer_force(trainer, "north-yorkshire"))
    missing = _raises_404(lambda: selectors.chosen_trainer_force(trainer, "no-such-force"))
    assert forbidden == missing
    assert selectors.chosen_trainer_force(other_force_trainer, None) == force("north-yorkshire")
    _raises_404(lambda: selectors.chosen_trainer_force(other_force_trainer, "west-yorkshire"))
    _raises_404(lambda: selectors.chosen_trainer_force(officer, None))


def test_national_modules_are_published_by_platform_admins_only(
    trainer, platform_admin, psd_officer
):
    assert selectors.may_publish_national(platform_admin)
    assert not selectors.may_publish_national(trainer)
    assert not selectors.may_publish_national(psd_officer)
    assert not selectors.may_publish_national(AnonymousUser())


# --- line managers -----------------------------------------------------------------------------
def test_a_line_manager_reaches_only_their_own_team(officer, staff_member, champion):
    other_manager = make_person(full_name="Morgan Manager")
    colleague = make_person(full_name="Robin Colleague")
    in_team_of(staff_member, officer)
    in_team_of(other_manager, colleague)
    # They also work in North Yorkshire, whose roster names them too.
    Membership.objects.create(user=staff_member, force=force("north-yorkshire"), role=Role.CHAMPION)
    in_team_of(staff_member, champion, owner="north-yorkshire")
    assert {p.person for p in selectors.team_profiles(staff_member)} == {officer, champion}
    assert {p.person for p in selectors.team_profiles(other_manager)} == {colleague}
    assert not selectors.team_profiles(officer).exists()
    assert not selectors.team_profiles(AnonymousUser()).exists()


def test_a_line_manager_who_left_the_force_or_closed_their_account_reaches_nobody(
    officer, staff_member
):
    in_team_of(staff_member, officer)
    # A roster of North Yorkshire, where they do not work, names them: nobody there.
    in_team_of(staff_member, make_person(force_slug="north-yorkshire"), owner="north-yorkshire")
    assert {p.person for p in selectors.team_profiles(staff_member)} == {officer}
    Membership.objects.filter(user=staff_member).delete()  # they moved on
    assert not selectors.team_profiles(User.objects.get(pk=staff_member.pk)).exists()
    assert selectors.line_manager_of(officer, force()) is None


def test_a_closed_account_as_line_manager_reaches_nobody(officer, staff_member):
    in_team_of(staff_member, officer)
    User.objects.filter(pk=staff_member.pk).update(is_active=False)
    assert not selectors.team_profiles(User.objects.get(pk=staff_member.pk)).exists()


def test_a_team_lists_neither_a_leaver_nor_a_family_account(staff_member, family_member):
    leaver, stayer = make_person(full_name="Lee Leaver"), make_person(full_name="Sta Yer")
    for person in (leaver, stayer, family_member):
        in_team_of(staff_member, person)
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    assert {p.person for p in selectors.team_profiles(staff_member)} == {stayer}


def test_a_family_account_has_no_team(family_member, officer):
    # A roster never names a family account as a manager; were one named, they reach nobody.
    in_team_of(family_member, officer)
    assert not selectors.team_profiles(family_member).exists()


def test_the_line_manager_of_a_reporter_is_their_forces_roster_and_still_active(
    officer, staff_member
):
    assert selectors.line_manager_of(officer, force()) is None
    in_team_of(staff_member, officer)
    assert selectors.line_manager_of(officer, force()) == staff_member
    assert selectors.line_manager_of(officer, force("north-yorkshire")) is None
    User.objects.filter(pk=staff_member.pk).update(is_active=False)
    assert selectors.line_manager_of(officer, force()) is None


# --- through HTTP: a forbidden page is a missing page -------------------------------------------
def _without_nonces(response) -> str:
    # Each response carries a fresh CSP nonce and CSRF token; everything else must match.
    page = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def _same_404(client, forbidden_url: str, missing_url: str) -> None:
    """The page of an object out of reach is the missing object's page, for GET and POST.

    As everywhere in the portal (tests/test_permission_matrix.py, rule 3), a method a route
    does not take is a 405 before any object is looked up: alike for both, so it tells
    nothing either. Every page here takes GET or POST, so one of them is the 404.
    """
    statuses = set()
    for send in (client.get, client.post):
        forbidden, missing = send(forbidden_url), send(missing_url)
        assert forbidden.status_code == missing.status_code, forbidden_url
        assert forbidden.status_code in (404, 405), forbidden_url
        assert _without_nonces(forbidden) == _without_nonces(missing), forbidden_url
        statuses.add(forbidden.status_code)
    assert 404 in statuses, forbidden_url


LEARNER_PAGES = ["", "learn/", "quiz/", "quiz/result/", "complete/"]


@pytest.mark.parametrize(
    ("who", "which"),
    [("officer", "other force"), ("family_member", "force"), ("family_member", "national")],
)
def test_a_module_page_out_of_reach_is_byte_for_byte_a_missing_one(
    client, persona, modules, who, which
):
    client.force_login(persona(who))
    own = modules["family" if who == "family_member" else "force"]
    assert client.get(f"/training/modules/{own.slug}/").status_code == 200
    for page in LEARNER_PAGES:
        _same_404(
            client,
            f"/training/modules/{modules[which].slug}/{page}",
            f"/training/modules/no-such-module/{page}",
        )


@pytest.mark.parametrize("who", ["staff_member", "family_member", "trainer", "platform_admin"])
def test_another_learners_certificate_is_byte_for_byte_a_missing_one(
    client, persona, officer, modules, who
):
    theirs = completion_of(officer, modules["force"])
    client.force_login(officer)
    assert client.get(f"/training/certificates/{theirs.public_id}/").status_code == 200
    client.force_login(persona(who))
    for page in ("certificates/{}/", "completions/{}/feedback/"):
        _same_404(
            client,
            "/training/" + page.format(theirs.public_id),
            "/training/" + page.format(uuid.uuid4()),
        )


def test_the_trainer_of_another_force_opens_nothing_of_this_forces(
    client, trainer, other_force_trainer, modules
):
    module = modules["force"]
    draft = ModuleVersion.objects.create(module=module, number=2, estimated_minutes=10)
    rule = rule_of("west-yorkshire", module)
    imported = roster_import_of("west-yorkshire", trainer)
    urls = [
        f"/training/manage/modules/{module.public_id}/",
        f"/training/manage/modules/{module.public_id}/new-version/",
        f"/training/manage/modules/{module.public_id}/retire/",
        f"/training/manage/modules/{module.public_id}/review/",
        f"/training/manage/versions/{draft.public_id}/",
        f"/training/manage/versions/{draft.public_id}/publish/",
        f"/training/manage/rules/{rule.public_id}/",
        f"/training/manage/roster/{imported.public_id}/",
    ]
    client.force_login(trainer)
    for url in urls:
        assert client.get(url).status_code in (200, 405), url  # the positive control
    client.force_login(other_force_trainer)
    for url in urls:
        missing = re.sub(r"[0-9a-f-]{36}", str(uuid.uuid4()), url)
        _same_404(client, url, missing)


def test_a_family_account_has_no_team_page_and_no_internal_module(client, family_member, modules):
    client.force_login(family_member)
    assert client.get("/training/team/").status_code == 404
    assert client.get(f"/training/modules/{modules['force'].slug}/").status_code == 404
    page = client.get("/training/").content.decode()
    assert modules["family"].title in page
    assert modules["force"].title not in page
    assert modules["national"].title not in page
    assert client.get("/training/footprint/").status_code == 200


def test_a_line_manager_sees_their_own_team_and_nobody_elses(
    client, officer, staff_member, modules
):
    other_manager = make_person(full_name="Morgan Manager")
    colleague = make_person(full_name="Robin Colleague")
    in_team_of(staff_member, officer)
    in_team_of(other_manager, colleague)
    for person in (officer, colleague):
        assigned(person, modules["force"])
    client.force_login(staff_member)
    page = client.get("/training/team/")
    assert page.status_code == 200
    assert officer.full_name in page.content.decode()
    assert colleague.full_name not in page.content.decode()
    export = client.get("/training/team/export/", {"format": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert officer.full_name.encode() in body
    assert colleague.full_name.encode() not in body


STAFF_PAGES = [
    "/training/manage/",
    "/training/manage/rules/",
    "/training/manage/assign/",
    "/training/manage/roster/",
    "/training/compliance/",
    "/training/compliance/export/",
    "/training/manage/verify/",
]


def test_professional_standards_get_404_on_every_training_staff_page_and_take_their_own(
    client, psd_officer, modules
):
    Membership.objects.create(user=psd_officer, force=force(), role=Role.TRAINING_ADMIN)
    enrol_totp(psd_officer)  # so the staff MFA check lets them as far as the gate
    client.force_login(psd_officer)
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/training/modules/{modules['force'].slug}/").status_code == 200
    own = completion_of(psd_officer, modules["force"])
    assert client.get(f"/training/certificates/{own.public_id}/").status_code == 200


@pytest.mark.parametrize("who", ["officer", "family_member"])
def test_officers_and_families_are_refused_the_training_admins_pages(client, persona, modules, who):
    client.force_login(persona(who))
    module = modules["force"]
    for url in [*STAFF_PAGES, f"/training/manage/modules/{module.public_id}/review/"]:
        assert client.get(url).status_code == 403, url
