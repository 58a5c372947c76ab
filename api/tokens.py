"""Creating, finding and revoking API tokens; a token is shown once and stored as its hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, ApiTokenUse
from surveys.models import Survey

# Tokens look like "sco_" + 43 URL-safe characters (256 bits): easy to spot in a leaked file.
TOKEN_PREFIX = "sco_"  # noqa: S105 (a public marker, not a secret)
SHOWN_PREFIX = 10


def token_digest(*, token: str) -> str:
    """Return the stored form of a token: its SHA-256 (the token itself is 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(
    *,
    survey: Survey,
    name: str,
    expires_days: int | None = None,
    created_by: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for the survey; return it and the plaintext, which is never stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        survey=survey,
        name=name,
        prefix=plaintext[:SHOWN_PREFIX],
        digest=token_digest(token=plaintext),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None,
    )
    return token, plaintext


def api_token_find(*, token: str) -> ApiToken | None:
    """Return the usable token with this plaintext, or None (unknown, revoked or expired)."""
    found = (
        ApiToken.objects.select_related("survey").filter(digest=token_digest(token=token)).first()
    )
    return found if found is not None and found.usable else None


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token from now on; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def api_token_used(*, token: ApiToken, method: str, path: str, status: int) -> None:
    """Log one use of the token and remember when it was last used."""
    now = timezone.now()
    ApiTokenUse.objects.create(token=token, at=now, method=method, path=path[:300], status=status)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
