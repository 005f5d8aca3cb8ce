"""Module content to HTML, safely: markdown-it-py with raw HTML switched off.

Trainers write markdown. Any HTML they type is shown as text, never run, and links may only
be http, https or mailto (markdown-it-py's own link validation drops `javascript:` and
`data:` links). Nothing here escapes by hand: the library does it.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(ALLOWED_SCHEMES) or url.startswith(("#", "/"))


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = _validate_link
    return md


# GOV.UK Frontend classes for the elements markdown produces, so content reads like the rest
# of the service (and never in the browser's default serif).
_CLASSES = {
    "h1": "govuk-heading-l",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "table": "govuk-table",
    "thead": "govuk-table__head",
    "tbody": "govuk-table__body",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
    "blockquote": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML with GOV.UK classes. Raw HTML in `text` comes out as escaped text."""
    md = _parser()
    tokens = md.parse(text or "")
    for token in tokens:
        if token.nesting >= 0 and token.tag in _CLASSES and token.type != "inline":
            token.attrSet("class", _CLASSES[token.tag])
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("class", "govuk-link")
    return mark_safe(md.renderer.render(tokens, md.options, {}))
