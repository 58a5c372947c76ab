from __future__ import annotations

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url

register = template.Library()

# Each language names itself, so that a visitor who cannot read the page finds their own.
NATIVE_NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[dict[str, str]]:
    """Return the current page's address in every offered language."""
    request: HttpRequest | None = context.get("request")
    path = request.get_full_path() if request else "/"
    return [
        {"code": code, "name": NATIVE_NAMES.get(code, code), "url": translate_url(path, code)}
        for code, _ in settings.LANGUAGES
    ]
