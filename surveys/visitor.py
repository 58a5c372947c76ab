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
# Set at the submit, taken by the first thank-you page: the withdrawal link and code are shown
# to the person who has just answered, never to whoever opens the page again on this browser.
JUST_SUBMITTED = "just-submitted"


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


def visitor_forget_draft(*, request: HttpRequest, survey: Survey) -> None:
    """Untie a deleted draft (a screened-out visit) from this browser's session."""
    request.session.pop(_key(survey, DRAFT), None)


def visitor_remember_response(*, request: HttpRequest, survey: Survey, response: Response) -> None:
    """Tie the submitted response to this browser's session."""
    request.session[_key(survey, RESPONSE)] = response.pk
    request.session[_key(survey, JUST_SUBMITTED)] = True
    # The link is spent on this response: a next person on this browser brings their own.
    request.session.pop(_key(survey, LINK_CODE), None)


def visitor_take_just_submitted(*, request: HttpRequest, survey: Survey) -> bool:
    """Return whether this browser has just submitted, and forget it (like a one-time message)."""
    return bool(request.session.pop(_key(survey, JUST_SUBMITTED), False))


def visitor_forget_response(*, request: HttpRequest, survey: Survey) -> None:
    """Let the next person on this browser answer: forget the response and its draft here.

    The device cookie stays, so the next response is still marked as coming from the same
    device as the earlier one: a shared phone is allowed, and honestly reported to analysts.
    A link opened since the earlier submit is kept: the next person came through it.
    """
    for what in (RESPONSE, DRAFT, JUST_SUBMITTED):
        request.session.pop(_key(survey, what), None)


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
