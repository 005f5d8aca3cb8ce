"""Module content is markdown made safe: raw HTML is shown as text, and only http, https and
mailto links (and links within the portal) survive."""

from __future__ import annotations

import pytest

from training.markdown import render_markdown


def test_markdown_becomes_gov_uk_markup():
    html = render_markdown(
        "## What is findable\n\nSome **bold** words.\n\n- one\n- two\n\n1. first\n\n"
        "> Remember this.\n\n[Get Safe Online](https://www.getsafeonline.org)"
    )

    assert '<h2 class="govuk-heading-m">What is findable</h2>' in html
    assert '<p class="govuk-body">Some <strong>bold</strong> words.</p>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<ol class="govuk-list govuk-list--number">' in html
    assert '<blockquote class="govuk-inset-text">' in html
    assert '<a href="https://www.getsafeonline.org" class="govuk-link">Get Safe Online</a>' in html


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "<iframe src='https://example.com'></iframe>",
        '<a href="javascript:alert(1)">click</a>',
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_is_shown_as_text_never_run(raw):
    html = render_markdown(f"Before\n\n{raw}\n\nAfter, inline {raw} too.")

    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<style" not in html
    assert 'href="javascript' not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
    ],
)
def test_links_with_a_dangerous_scheme_are_dropped(link):
    html = render_markdown(f"[click me]({link}) and <{link}>")

    assert "<a " not in html
    assert "click me" in html  # the words stay; the link goes
    for scheme in ("javascript", "vbscript", "data:", "file:"):
        assert f'href="{scheme}' not in html.lower()


@pytest.mark.parametrize(
    "link",
    [
        "https://www.gov.uk/",
        "http://example.org/a",
        "mailto:digital@example.police.uk",
        "/training/",
        "#part-2",
    ],
)
def test_safe_links_are_kept(link):
    html = render_markdown(f"[a link]({link})")

    assert f'href="{link}"' in html
    assert 'class="govuk-link"' in html


def test_nothing_renders_as_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
