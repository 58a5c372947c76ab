"""Per-client counters in the shared cache (Redis in production) for rate limits."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from surveys.links import limits
from surveys.privacy import client_address_hash

logger = logging.getLogger(__name__)


def rate_count(*, key: str) -> int:
    """Return how many hits the key has in its current window (0 if the cache is away)."""
    try:
        return cache.get(key) or 0
    except Exception:
        # A cache outage must not lock every respondent out.
        logger.warning("rate counter %s unavailable", key, exc_info=True)
        return 0


def rate_hit(*, key: str, window_seconds: int) -> None:
    """Count one hit; the window starts with the first hit and ends window_seconds later."""
    try:
        if not cache.add(key, 1, timeout=window_seconds):
            try:
                cache.incr(key)
            except ValueError:  # the window ended between add and incr
                cache.add(key, 1, timeout=window_seconds)
    except Exception:
        logger.warning("rate counter %s unavailable", key, exc_info=True)


def _start_allowed(request: HttpRequest) -> bool:
    # The real address alone: a new browser name must not buy a fresh count.
    key = f"surveys:starts:{client_address_hash(request)}"
    if rate_count(key=key) >= settings.START_RATE_LIMIT:
        return False
    rate_hit(key=key, window_seconds=limits.START_WINDOW_SECONDS)
    return True


def start_ticket_new(*, survey_slug: str) -> str:
    """Return a signed single-use ticket that lets one browser start beyond the address's limit."""
    return signing.dumps(
        {"survey": survey_slug, "nonce": secrets.token_urlsafe(16)}, salt=limits.START_TICKET_SALT
    )


def _start_ticket_redeemed(token: str, survey_slug: str) -> bool:
    try:
        data = signing.loads(
            token, salt=limits.START_TICKET_SALT, max_age=limits.START_TICKET_SECONDS
        )
    except signing.BadSignature:  # forged, or older than the ticket lives
        return False
    if not isinstance(data, dict) or data.get("survey") != survey_slug:
        return False
    try:
        # The first use claims the nonce for as long as the ticket could live: a replay fails.
        return bool(
            cache.add(f"surveys:start-ticket:{data.get('nonce')}", 1, limits.START_TICKET_SECONDS)
        )
    except Exception:
        # Without the cache nothing is counted either: the ticket is no worse than no limit.
        logger.warning("start ticket store unavailable", exc_info=True)
        return True


def start_admitted(*, request: HttpRequest, survey_slug: str) -> bool:
    """Return whether a consenting visitor may start: a valid ticket, or within the address's limit.

    A start with a ticket is not counted: the visitor has just shown that a person is there.
    """
    token = request.POST.get(limits.START_TICKET_FIELD, "")
    if token and _start_ticket_redeemed(token, survey_slug):
        return True
    return _start_allowed(request)
