"""Texts kept in every language the platform offers, one column per language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _ in settings.LANGUAGES)
FALLBACK_LANGUAGE = "en"


def current_language() -> str:
    """Return the active language if the platform offers it, else the fallback."""
    code = (get_language() or FALLBACK_LANGUAGE).split("-")[0]
    return code if code in LANGUAGE_CODES else FALLBACK_LANGUAGE


def localized(obj: models.Model, field: str, language: str | None = None) -> str:
    """Return ``obj.<field>_<lang>`` in the active language, falling back to English."""
    language = language or current_language()
    return getattr(obj, f"{field}_{language}") or getattr(obj, f"{field}_{FALLBACK_LANGUAGE}")
