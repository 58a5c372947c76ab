"""Reads of the respondent's way: the survey, its pages, a draft and a response."""

from __future__ import annotations

from django.http import Http404

from surveys.models import Draft, Page, Response, Survey
from surveys.questionnaire.cache import survey_cached, survey_pages_cached


def survey_get(*, slug: str) -> Survey:
    """Return the survey with this slug or raise 404."""
    # Every respondent request starts here; the row changes only when an organizer saves it.
    survey = survey_cached(slug=slug)
    if survey is None:
        raise Http404("No such survey")
    return survey


def surveys_with_contact() -> list[Survey]:
    """Return the surveys that name a contact for respondents, for the privacy page."""
    return list(Survey.objects.exclude(contact="").order_by("slug"))


def survey_pages(*, survey: Survey) -> list[Page]:
    """Return the survey's pages with questions and options prefetched."""
    # Kept per process between requests: reading them was most of a page's time at load.
    return survey_pages_cached(survey=survey)


def draft_find(*, survey: Survey, token: str) -> Draft | None:
    """Return the survey's draft with this token, if there is one."""
    draft = Draft.objects.filter(token=token, survey=survey).first()
    if draft is not None:
        draft.survey = survey  # the kept row: no join on every page
    return draft


def response_by_withdraw_code(*, code: str) -> Response | None:
    """Return the response whose withdrawal code this is, if any."""
    return Response.objects.select_related("survey").filter(withdraw_code=code).first()


def response_find(*, survey: Survey, response_id: int) -> Response | None:
    """Return the survey's response with this id, if there is one."""
    return Response.objects.filter(pk=response_id, survey=survey).first()
