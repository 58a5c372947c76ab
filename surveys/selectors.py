"""Reads of the respondent's way: the survey behind a link, a visitor's draft and response."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from surveys.models import Draft, Page, Response, Survey
from surveys.questionnaire.cache import survey_cached, survey_pages_cached


def survey_get(*, slug: str) -> Survey:
    """Return the survey with this slug or raise 404."""
    # Every respondent request starts here; the row changes only when an organizer saves it.
    survey = survey_cached(slug=slug)
    if survey is None:
        raise Http404("No such survey")
    return survey


def survey_pages(*, survey: Survey) -> list[Page]:
    """Return the survey's pages with questions and options prefetched."""
    # Kept per process between requests: reading them was most of a page's time at load.
    return survey_pages_cached(survey=survey)


def _key(survey: Survey, what: str) -> str:
    return f"survey:{survey.slug}:{what}"


def visitor_draft(*, request: HttpRequest, survey: Survey) -> Draft | None:
    """Return the draft this browser is filling in for the survey, if any."""
    token = request.session.get(_key(survey, "draft"))
    if not token:
        return None
    draft = Draft.objects.filter(token=token, survey=survey).first()
    if draft is not None:
        draft.survey = survey  # the kept row: no join on every page
    return draft


def visitor_response(*, request: HttpRequest, survey: Survey) -> Response | None:
    """Return the response this browser submitted for the survey, if any."""
    response_id = request.session.get(_key(survey, "response"))
    if not response_id:
        return None
    return Response.objects.filter(pk=response_id, survey=survey).first()


def visitor_remember_draft(*, request: HttpRequest, survey: Survey, draft: Draft) -> None:
    """Tie the draft to this browser's session."""
    request.session[_key(survey, "draft")] = str(draft.token)


def visitor_remember_response(*, request: HttpRequest, survey: Survey, response: Response) -> None:
    """Tie the submitted response to this browser's session."""
    request.session[_key(survey, "response")] = response.pk


def visitor_attribution_code(*, request: HttpRequest, survey: Survey) -> str:
    """Return the referral or seed code this browser arrived with, if any."""
    return request.session.get(_key(survey, "code"), "")


def visitor_remember_code(*, request: HttpRequest, survey: Survey, code: str) -> None:
    """Remember the code a visitor arrived with until they consent."""
    request.session[_key(survey, "code")] = code
