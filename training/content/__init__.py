"""The national training modules: one TOML file per module in this folder, and their loader.

Each file holds a module's slug, title, summary, audiences, estimated minutes, pass mark,
refresh interval and review-due date, its sections (markdown, rendered by
`training.markdown.render_markdown`) and its quiz (one right answer per question, and an
explanation of why). `read_modules()` parses and checks them all; a file that breaks a rule
raises `ContentError` naming the file, so bad content fails loudly at migrate time, not on a
learner's screen.

`load_national_modules()` puts every module whose slug is not yet in the database in as a
national module (no owner force) with version 1 published. It is idempotent: a module that
exists is left alone, so a version a platform admin has since published is never overwritten.
The data migration 0002 calls `load_modules` with its historical models; seed_demo calls
`load_national_modules`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent

# The audiences a module may name (training.models.choices.Audience), repeated here so that
# reading the files needs no Django; tests/training/test_content.py holds the two together.
AUDIENCES = ("induction", "frontline", "specialist", "line_manager", "leadership", "family")
# Field limits of the models (training/models/content.py), checked before anything is saved.
LIMITS = {"title": 150, "summary": 300, "heading": 150, "question": 300, "answer": 200}


class ContentError(ValueError):
    """A content file breaks a rule; the message names the file and what is wrong."""


@dataclass(frozen=True)
class SeedAnswer:
    text: str
    correct: bool


@dataclass(frozen=True)
class SeedQuestion:
    text: str
    explanation: str
    answers: tuple[SeedAnswer, ...]


@dataclass(frozen=True)
class SeedSection:
    heading: str
    body: str


@dataclass(frozen=True)
class SeedModule:
    slug: str
    title: str
    summary: str
    audiences: tuple[str, ...]
    estimated_minutes: int
    pass_mark: int | None
    refresh_months: int | None
    review_due: date
    change_summary: str
    sections: tuple[SeedSection, ...]
    questions: tuple[SeedQuestion, ...]


def read_modules(directory: Path = CONTENT_DIR) -> list[SeedModule]:
    """Every module file in `directory`, parsed and checked, in file-name order."""
    modules = [_read(path) for path in sorted(directory.glob("*.toml"))]
    slugs = [m.slug for m in modules]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ContentError(f"Two content files use the slug {', '.join(duplicates)}.")
    return modules


def _read(path: Path) -> SeedModule:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        module = _module(data)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise ContentError(f"{path.name}: {error}") from error
    if module.slug != path.stem:
        raise ContentError(f"{path.name}: the slug must match the file name ({path.stem}).")
    return module


def _text(data: dict[str, Any], key: str, limit: int | None = None) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} must be some text.")
    value = value.strip()
    if limit is not None and len(value) > limit:
        raise ValueError(f"{key} must be {limit} characters or fewer: {value[:40]!r}…")
    return value


def _module(data: dict[str, Any]) -> SeedModule:
    audiences = tuple(data["audiences"])
    if not audiences or any(a not in AUDIENCES for a in audiences):
        raise ValueError(f"audiences must be some of {', '.join(AUDIENCES)}.")
    review_due = data["review_due"]
    if not isinstance(review_due, date) or isinstance(review_due, datetime):
        raise ValueError("review_due must be a date such as 2027-11-30.")
    questions = tuple(_question(q) for q in data.get("questions", ()))
    pass_mark = data.get("pass_mark")
    if bool(questions) != (pass_mark is not None):
        raise ValueError("a module has a pass mark exactly when it has a quiz.")
    if pass_mark is not None and not 1 <= pass_mark <= 100:
        raise ValueError("pass_mark must be a percentage from 1 to 100.")
    refresh = data.get("refresh_months")
    if refresh is not None and not 1 <= refresh <= 120:
        raise ValueError("refresh_months must be from 1 to 120.")
    minutes = data["estimated_minutes"]
    if not isinstance(minutes, int) or not 1 <= minutes <= 240:
        raise ValueError("estimated_minutes must be a whole number from 1 to 240.")
    sections = tuple(
        SeedSection(heading=_text(s, "heading", LIMITS["heading"]), body=_text(s, "body"))
        for s in data["sections"]
    )
    if not sections:
        raise ValueError("a module needs at least one section.")
    return SeedModule(
        slug=_text(data, "slug", 80),
        title=_text(data, "title", LIMITS["title"]),
        summary=_text(data, "summary", LIMITS["summary"]),
        audiences=audiences,
        estimated_minutes=minutes,
        pass_mark=pass_mark,
        refresh_months=refresh,
        review_due=review_due,
        change_summary=_text(data, "change_summary", 300),
        sections=sections,
        questions=questions,
    )


def _question(data: dict[str, Any]) -> SeedQuestion:
    text = _text(data, "text", LIMITS["question"])
    answers = tuple(
        SeedAnswer(text=_text(a, "text", LIMITS["answer"]), correct=bool(a["correct"]))
        for a in data["answers"]
    )
    if len(answers) < 2 or sum(a.correct for a in answers) != 1:
        raise ValueError(f"{text!r} needs two or more answers, exactly one of them right.")
    return SeedQuestion(text=text, explanation=_text(data, "explanation"), answers=answers)


def load_modules(
    *, module_model, version_model, section_model, question_model, answer_model, now: datetime
) -> int:
    """Create every content module whose slug is not yet in the database; return how many.

    Takes the model classes so the data migration can pass its historical ones. Each module
    is national (no owner force) with version 1 published at `now`.
    """
    existing = set(module_model.objects.values_list("slug", flat=True))
    created = 0
    for seed in read_modules():
        if seed.slug in existing:
            continue
        module = module_model.objects.create(
            slug=seed.slug,
            title=seed.title,
            summary=seed.summary,
            owner_force=None,
            audiences=list(seed.audiences),
            review_due=seed.review_due,
            refresh_months=seed.refresh_months,
            created_at=now,
        )
        version = version_model.objects.create(
            module=module,
            number=1,
            status="published",
            estimated_minutes=seed.estimated_minutes,
            pass_mark=seed.pass_mark,
            change_summary=seed.change_summary,
            created_at=now,
            published_at=now,
        )
        section_model.objects.bulk_create(
            section_model(version=version, order=order, heading=s.heading, body=s.body)
            for order, s in enumerate(seed.sections, start=1)
        )
        for order, q in enumerate(seed.questions, start=1):
            question = question_model.objects.create(
                version=version, order=order, text=q.text, explanation=q.explanation
            )
            answer_model.objects.bulk_create(
                answer_model(question=question, order=n, text=a.text, is_correct=a.correct)
                for n, a in enumerate(q.answers, start=1)
            )
        created += 1
    return created


def load_national_modules() -> int:
    """Load the national modules that are not yet in the database; return how many."""
    from django.db import transaction
    from django.utils import timezone

    from training.models import Answer, Module, ModuleVersion, Question, Section

    with transaction.atomic():
        return load_modules(
            module_model=Module,
            version_model=ModuleVersion,
            section_model=Section,
            question_model=Question,
            answer_model=Answer,
            now=timezone.now(),
        )
