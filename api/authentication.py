"""`Authorization: Token <token>`: the token names the one survey the request may read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken

if TYPE_CHECKING:
    from rest_framework.views import APIView
from api.tokens import api_token_find

KEYWORD = "Token"


class SurveyTokenAuthentication(BaseAuthentication):
    """Read a study's token from the Authorization header; request.auth is the ApiToken."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token as: Token <token>."))
        try:
            plaintext = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = api_token_find(token=plaintext)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without a token.
        return KEYWORD


class HasSurveyToken(BasePermission):
    """Let in requests that carry a usable token."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, ApiToken)


class TokenRateThrottle(SimpleRateThrottle):
    """Count requests per token (API_TOKEN_RATE, e.g. "600/minute") in the shared cache."""

    scope = "api_token"

    def get_rate(self) -> str:
        # Read on each request, not once at import as DRF's THROTTLE_RATES are.
        return settings.API_TOKEN_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
