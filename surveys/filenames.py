"""The survey's part of every file name the platform writes: a slug, never a path."""

from __future__ import annotations

from django.utils.text import slugify

from surveys.models import Survey


def file_stem(*, survey: Survey) -> str:
    """Return the survey's part of a file or archive member name, made of safe characters only."""
    # The loader refuses other slugs; a row written some other way must still not name a path.
    return slugify(survey.slug) or "survey"
