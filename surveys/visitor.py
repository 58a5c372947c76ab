"""The respondent's session: the only module that reads or writes its keys.

A respondent's session (a signed cookie, see ``config.sessions``) holds, per survey, the token
of the draft being filled in, the id of the submitted response and the link code the visitor
arrived with. The keys are named after the survey's slug so that one browser may take part in
several surveys.
"""

from __future__ import annotations

from django.http import HttpRequest

from surveys.models import Draft, Response, Survey
from surveys.selectors import draft_find, response_find

DRAFT = "draft"
RESPONSE = "response"
LINK_CODE = "code"


def _key(survey: Survey, what: str) -> str:
    return f"survey:{survey.slug}:{what}"


def visitor_draft_token(*, request: HttpRequest, survey: Survey) -> str:
    """Return the token of the draft this browser is filling in, or an empty string."""
    return str(request.session.get(_key(survey, DRAFT)) or "")


def visitor_response_id(*, request: HttpRequest, survey: Survey) -> int | None:
    """Return the id of the response this browser submitted, if any."""
    response_id = request.session.get(_key(survey, RESPONSE))
    return response_id if isinstance(response_id, int) else None


def visitor_link_code(*, request: HttpRequest, survey: Survey) -> str:
    """Return the seed or personal link code this browser arrived with, or an empty string."""
    return str(request.session.get(_key(survey, LINK_CODE)) or "")


def visitor_remember_draft(*, request: HttpRequest, survey: Survey, draft: Draft) -> None:
    """Tie the draft to this browser's session."""
    request.session[_key(survey, DRAFT)] = str(draft.token)


def visitor_remember_response(*, request: HttpRequest, survey: Survey, response: Response) -> None:
    """Tie the submitted response to this browser's session."""
    request.session[_key(survey, RESPONSE)] = response.pk


def visitor_remember_link_code(*, request: HttpRequest, survey: Survey, code: str) -> None:
    """Remember the link code a visitor arrived with (empty: none) until they consent."""
    request.session[_key(survey, LINK_CODE)] = code


def visitor_draft(*, request: HttpRequest, survey: Survey) -> Draft | None:
    """Return the draft this browser is filling in for the survey, if any."""
    token = visitor_draft_token(request=request, survey=survey)
    return draft_find(survey=survey, token=token) if token else None


def visitor_response(*, request: HttpRequest, survey: Survey) -> Response | None:
    """Return the response this browser submitted for the survey, if any."""
    response_id = visitor_response_id(request=request, survey=survey)
    return response_find(survey=survey, response_id=response_id) if response_id else None
