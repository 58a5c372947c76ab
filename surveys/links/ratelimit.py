"""Per-client counters in the shared cache (Redis in production) for rate limits."""

from __future__ import annotations

import logging

from django.conf import settings
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


def start_within_limit(*, request: HttpRequest) -> bool:
    """Count a start from the client's address; False beyond START_RATE_LIMIT in the window."""
    # The real address alone: a new browser name must not buy a fresh count.
    key = f"surveys:starts:{client_address_hash(request)}"
    if rate_count(key=key) >= settings.START_RATE_LIMIT:
        return False
    rate_hit(key=key, window_seconds=limits.START_WINDOW_SECONDS)
    return True
