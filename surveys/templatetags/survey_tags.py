"""Template tags of the respondent's pages: the language switch and the consent text."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation

register = template.Library()


def native_name(code: str, name: str) -> str:
    """Return the language's name from settings.LANGUAGES translated into that language."""
    # Each language names itself, so that a visitor who cannot read the page finds their own.
    with translation.override(code):
        return str(name)


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[dict[str, str]]:
    """Return the current page's address in every offered language."""
    request: HttpRequest | None = context.get("request")
    path = request.get_full_path() if request else "/"
    return [
        {"code": code, "name": native_name(code, name), "url": translate_url(path, code)}
        for code, name in settings.LANGUAGES
    ]


@register.filter
def paragraphs(text: str) -> list[str]:
    """Return the text's paragraphs (parts between blank lines), without empty ones."""
    return [part.strip() for part in str(text).replace("\r\n", "\n").split("\n\n") if part.strip()]
