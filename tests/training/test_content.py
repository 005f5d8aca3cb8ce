"""The national seed modules: six real modules, loaded by the data migration, idempotently."""

from __future__ import annotations

import importlib
import re
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from training.content import (
    AUDIENCES,
    CONTENT_DIR,
    ContentError,
    load_national_modules,
    read_modules,
)
from training.markdown import render_markdown
from training.models import (
    Answer,
    Audience,
    Module,
    ModuleVersion,
    Question,
    Section,
    VersionStatus,
)

EXPECTED = {
    "your-online-footprint": ["induction"],
    "recognising-and-reporting-online-harm": ["frontline"],
    "working-in-a-covert-or-specialist-role": ["specialist"],
    "supporting-a-colleague-who-is-targeted": ["line_manager"],
    "leading-a-culture-of-care": ["leadership"],
    "keeping-your-family-safe-online": ["family"],
}
# What the portal never tells anyone, however it is worded.
OFFLINE_ADVICE = re.compile(
    r"\b(stay|keep|come|get) off social media|\b(don't|do not|never|stop) us(e|ing) social media"
    r"|\bavoid social media|\bjust (delete|close) (your|their) accounts",
    re.IGNORECASE,
)
PLACEHOLDERS = re.compile(r"lorem|ipsum|\bTODO\b|\bTBC\b|\bTBD\b|placeholder|xxx", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z0-9']+")


def _words(text: str) -> int:
    return len(WORD.findall(text))


def _all_text(version: ModuleVersion) -> str:
    parts = [version.module.title, version.module.summary]
    for section in version.sections.all():
        parts += [section.heading, section.body]
    for question in version.questions.all():
        parts += [question.text, question.explanation]
        parts += [answer.text for answer in question.answers.all()]
    return "\n".join(parts)


def _unload() -> None:
    Answer.objects.all().delete()
    Question.objects.all().delete()
    Section.objects.all().delete()
    ModuleVersion.objects.all().delete()
    Module.objects.all().delete()


@pytest.mark.django_db
def test_the_migration_loaded_six_national_modules_for_the_named_audiences():
    modules = {m.slug: m for m in Module.objects.filter(slug__in=EXPECTED)}
    assert {slug: modules[slug].audiences for slug in modules} == EXPECTED
    assert all(m.owner_force_id is None for m in modules.values())


@pytest.mark.django_db
@pytest.mark.parametrize("slug", EXPECTED)
def test_each_module_has_a_published_first_version_with_substantive_sections(slug):
    module = Module.objects.get(slug=slug)
    version = module.published_version()
    assert version is not None
    assert (version.number, version.status) == (1, VersionStatus.PUBLISHED)
    assert version.published_at is not None
    assert module.versions.count() == 1
    sections = list(version.sections.all())
    assert 4 <= len(sections) <= 7
    assert [s.order for s in sections] == list(range(1, len(sections) + 1))
    words = sum(_words(s.body) for s in sections)
    assert words >= 600, f"{slug} has only {words} words"
    assert all(_words(s.body) >= 150 for s in sections), "every section says something real"
    # Honest for the length: reading at 150 to 250 words a minute, plus a minute for the quiz.
    assert words / 250 <= version.estimated_minutes <= words / 150 + 5
    assert _words(module.summary) >= 15
    # Review about a year from the launch date (29 November 2026) and a refresh interval.
    assert date(2027, 9, 1) <= module.review_due <= date(2028, 3, 1)
    assert module.refresh_months in (12, 24)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", EXPECTED)
def test_each_module_has_a_quiz_with_one_right_answer_and_an_explanation(slug):
    version = Module.objects.get(slug=slug).published_version()
    assert version.pass_mark in (75, 80)
    questions = list(version.questions.prefetch_related("answers"))
    assert 4 <= len(questions) <= 6
    for question in questions:
        answers = list(question.answers.all())
        assert 3 <= len(answers) <= 4, question.text
        assert sum(a.is_correct for a in answers) == 1, question.text
        assert _words(question.explanation) >= 20, question.text
    # The right answer is not always in the same place.
    positions = {
        next(a.order for a in q.answers.all() if a.is_correct) for q in version.questions.all()
    }
    assert len(positions) > 1


@pytest.mark.django_db
@pytest.mark.parametrize("slug", EXPECTED)
def test_no_module_tells_anyone_to_go_offline_or_holds_a_placeholder(slug):
    text = _all_text(Module.objects.get(slug=slug).published_version())
    assert not OFFLINE_ADVICE.search(text), OFFLINE_ADVICE.search(text)
    assert not PLACEHOLDERS.search(text), PLACEHOLDERS.search(text)


def test_the_offline_advice_check_catches_the_phrases_it_is_for():
    for phrase in (
        "The best thing is to stay off social media.",
        "Just come off social media for a while",
        "Don't use social media",
        "Do not use social media at all.",
        "Just delete your accounts.",
    ):
        assert OFFLINE_ADVICE.search(phrase), phrase


@pytest.mark.django_db
def test_module_markdown_renders_to_govuk_html_with_no_stray_markup():
    for version in ModuleVersion.objects.filter(module__slug__in=EXPECTED):
        for section in version.sections.all():
            html = str(render_markdown(section.body))
            assert html.startswith('<p class="govuk-body">') or html.startswith("<h2")
            for leftover in ("**", "](", "&lt;", "<h1"):
                assert leftover not in html, (section.heading, leftover)
            for href in re.findall(r'href="([^"]+)"', html):
                assert href.startswith(("https://", "mailto:", "/training/")), href


@pytest.mark.django_db
def test_the_loader_recreates_the_modules_and_a_second_load_changes_nothing():
    _unload()
    assert load_national_modules() == 6
    counts = (
        Module.objects.count(),
        ModuleVersion.objects.count(),
        Section.objects.count(),
        Question.objects.count(),
        Answer.objects.count(),
    )
    assert counts[0] == 6
    assert counts[1] == 6
    assert load_national_modules() == 0
    again = (
        Module.objects.count(),
        ModuleVersion.objects.count(),
        Section.objects.count(),
        Question.objects.count(),
        Answer.objects.count(),
    )
    assert again == counts


@pytest.mark.django_db
def test_the_loader_leaves_an_existing_module_alone():
    module = Module.objects.get(slug="leading-a-culture-of-care")
    Module.objects.filter(pk=module.pk).update(title="Leading with care (force edition)")
    ModuleVersion.objects.filter(module=module).update(estimated_minutes=42)
    assert load_national_modules() == 0
    module.refresh_from_db()
    assert module.title == "Leading with care (force edition)"
    assert module.published_version().estimated_minutes == 42


@pytest.mark.django_db
def test_the_migration_loads_through_the_historical_models_and_twice_is_once():
    _unload()
    migration = importlib.import_module("training.migrations.0002_national_modules")
    # The models as they stand before 0002, which is what RunPython hands the loader.
    state = MigrationLoader(connection).project_state(("training", "0001_initial"))
    migration.load(state.apps, None)
    assert set(Module.objects.values_list("slug", flat=True)) == set(EXPECTED)
    assert ModuleVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 6
    migration.load(state.apps, None)
    assert Module.objects.count() == 6


def test_the_content_files_name_only_real_audiences():
    assert set(AUDIENCES) == set(Audience.values)
    assert {m.slug for m in read_modules()} == set(EXPECTED)


def test_a_content_file_that_breaks_a_rule_is_refused_by_name(tmp_path: Path):
    source = CONTENT_DIR / "leading-a-culture-of-care.toml"
    text = source.read_text(encoding="utf-8")
    # Two right answers to the first question.
    broken = text.replace("correct = false", "correct = true", 1)
    (tmp_path / "leading-a-culture-of-care.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError, match=r"leading-a-culture-of-care\.toml.*exactly one"):
        read_modules(tmp_path)
    (tmp_path / "leading-a-culture-of-care.toml").write_text(
        text.replace('audiences = ["leadership"]', 'audiences = ["managers"]'), encoding="utf-8"
    )
    with pytest.raises(ContentError, match="audiences"):
        read_modules(tmp_path)
