"""Pseudonymous client fingerprints: a salted hash that rotates, never the raw address."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def client_hash(request: HttpRequest) -> str:
    """Return a salted hash of the client's address and browser that changes every week."""
    year, week, _ = timezone.now().isocalendar()
    material = "|".join(
        [
            f"{year}-{week}",
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_USER_AGENT", "")[:300],
        ]
    )
    key = settings.CLIENT_HASH_SALT.encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()[:32]


def client_address_hash(request: HttpRequest) -> str:
    """Return a salted weekly hash of the client's address alone, for login throttling."""
    year, week, _ = timezone.now().isocalendar()
    material = f"{year}-{week}|{request.META.get('REMOTE_ADDR', '')}"
    key = settings.CLIENT_HASH_SALT.encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()[:32]
