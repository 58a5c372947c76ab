"""The device cookie and the device class: what a response says about the browser it came from.

The device cookie is a long-lived random value (``secrets.token_urlsafe``) that recognises a
browser which answers the same survey twice, even after its session cookie was cleared or
through another link. Only its salted hash (``surveys.privacy.device_hash``) is stored, on the
draft and the response; the privacy page discloses it. It is set when a visitor consents, the
one moment a draft is written anyway, so that looking at a page sets nothing.

The device class is phone, tablet or desktop, worked out from the User-Agent by the rule in
``device_class``; the User-Agent itself is never stored. A library (ua-parser) was considered:
it names device families, not classes, and would need the same rule on top of its answer.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEVICE_COOKIE = "device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 60 * 60  # two years: longer than any fieldwork
# What secrets.token_urlsafe(32) makes; anything else in the cookie is replaced.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")

PHONE, TABLET, DESKTOP = "phone", "tablet", "desktop"


def device_token(request: HttpRequest) -> str:
    """Return this browser's device cookie, or a new random value when it has none."""
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    return token if _TOKEN.match(token) else secrets.token_urlsafe(32)


def device_remember(response: HttpResponse, token: str) -> None:
    """Set (or renew) the device cookie on a response."""
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def device_class(user_agent: str) -> str:
    """Return phone, tablet or desktop for a User-Agent; an empty string when there is none.

    The rule: iPad, "Tablet", or Android without "Mobile" is a tablet; then "Mobi" (Mobile,
    Opera Mobi), Android, iPhone, iPod or Windows Phone is a phone; anything else a desktop.
    An iPad asking for desktop sites says "Macintosh" and is counted as a desktop.
    """
    agent = user_agent.lower()
    if not agent.strip():
        return ""
    if "ipad" in agent or "tablet" in agent or ("android" in agent and "mobile" not in agent):
        return TABLET
    if any(word in agent for word in ("mobi", "android", "iphone", "ipod", "windows phone")):
        return PHONE
    return DESKTOP


def request_device_class(request: HttpRequest) -> str:
    """Return the device class of the browser making this request."""
    return device_class(request.META.get("HTTP_USER_AGENT", "")[:500])
