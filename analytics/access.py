"""Who may see the analysts' pages, and which survey a page shows."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required

from surveys.models import Survey

analyst_required = permission_required("surveys.analyst", raise_exception=True)


def survey_chosen(*, surveys: list[Survey], slug: str | None) -> Survey | None:
    """Return the survey with this slug, else the first one, else None."""
    for survey in surveys:
        if survey.slug == slug:
            return survey
    return surveys[0] if surveys else None
