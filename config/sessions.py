"""Sessions: a respondent's in a signed cookie, everyone else's in the database.

A respondent's session holds three small values, read and written by ``surveys.visitor``
alone: the draft's token, the submitted response's id and the link code they came with. A
signed cookie keeps them without a database read and write on every page of the
questionnaire, and without a row per respondent in ``django_session`` (a million rows at a
million responses). The signature makes the values tamper-proof; they are not secret, and
none of them is personal. Staff sessions stay in the database, where logging out ends them
for good.

Both kinds use the session settings (age, flags); they differ in the cookie's name, so that a
staff member who tries their own survey keeps their login.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import signed_cookies
from django.contrib.sessions.middleware import SessionMiddleware as DatabaseSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

# The respondent's way: /<lang>/s/<survey>/… and the referral links /<lang>/r/….
RESPONDENT_PATH = re.compile(r"^/(?:[a-z]{2}/)?[sr]/")


def respondent_cookie_name() -> str:
    """Return the name of the cookie holding a respondent's session."""
    return settings.RESPONDENT_SESSION_COOKIE_NAME


class SessionMiddleware(DatabaseSessionMiddleware):
    """Django's session middleware, with respondents' sessions kept in a signed cookie."""

    def process_request(self, request: HttpRequest) -> None:
        if RESPONDENT_PATH.match(request.path_info):
            cookie = request.COOKIES.get(respondent_cookie_name())
            request.session = signed_cookies.SessionStore(cookie)
        else:
            super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session: Any = getattr(request, "session", None)
        if not isinstance(session, signed_cookies.SessionStore):
            return super().process_response(request, response)
        name = respondent_cookie_name()
        if name in request.COOKIES and session.is_empty():
            response.delete_cookie(
                name,
                path=settings.SESSION_COOKIE_PATH,
                domain=settings.SESSION_COOKIE_DOMAIN,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
            patch_vary_headers(response, ("Cookie",))
            return response
        if session.accessed:
            patch_vary_headers(response, ("Cookie",))
        if session.modified and not session.is_empty() and response.status_code < 500:
            session.save()
            max_age = session.get_expiry_age()
            response.set_cookie(
                name,
                session.session_key,
                max_age=max_age,
                expires=http_date(time.time() + max_age),
                domain=settings.SESSION_COOKIE_DOMAIN,
                path=settings.SESSION_COOKIE_PATH,
                secure=settings.SESSION_COOKIE_SECURE or None,
                httponly=settings.SESSION_COOKIE_HTTPONLY or None,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
            patch_vary_headers(response, ("Cookie",))
        return response
