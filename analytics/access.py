"""Who may see the analysts' pages, and which survey a page shows."""

from __future__ import annotations

from django.http import Http404

from membership.access import staff_page
from membership.models import Role
from surveys.models import Survey

# The analyst permission, and a membership as analyst of the survey named by the URL's slug.
# Never cached, login first, then the role and the membership: as every staff page.
analyst_required = staff_page(Role.ANALYST)


def survey_chosen(*, surveys: list[Survey], slug: str | None) -> Survey | None:
    """Return the survey with this slug, else the first one, else None.

    ``surveys`` are those the user may see: a slug outside them is a 404, as on every page."""
    for survey in surveys:
        if survey.slug == slug:
            return survey
    if slug:
        raise Http404("No such survey")
    return surveys[0] if surveys else None
