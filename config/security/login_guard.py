"""Password guessing spread over many addresses: a cap per username, open to known browsers.

django-axes locks a username from one client (an address, an IPv6 /64). A guesser with many
addresses gets past that, so failures are also counted per username alone: beyond
``LOGIN_USERNAME_FAILURE_LIMIT`` in ``LOGIN_USERNAME_WINDOW_SECONDS`` the account can only be
logged into from a browser it logged in from before (a signed cookie set at each login), until
the window ends. Admins are told once per window. A stranger can thus delay logins from new
browsers, never lock the organizer out of the browser they use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import mail_admins
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from surveys.links.ratelimit import rate_count, rate_hit

logger = logging.getLogger(__name__)

COOKIE = "staff_browser"
COOKIE_SALT = "config.login_guard.browser"
COOKIE_MAX_AGE = 60 * 60 * 24 * 180
# Accounts remembered per browser (a shared office computer): the newest ones are kept.
COOKIE_ACCOUNTS = 5


def _account_key(username: str) -> str:
    return salted_hmac("config.login_guard.account", username).hexdigest()[:32]


def _failures_key(username: str) -> str:
    return f"login:username-failures:{_account_key(username)}"


def username_capped(*, username: str) -> bool:
    """Return whether the username failed too often, from anywhere, in the current window."""
    return rate_count(key=_failures_key(username)) >= settings.LOGIN_USERNAME_FAILURE_LIMIT


def _known_accounts(request: HttpRequest) -> list[str]:
    try:
        accounts = request.get_signed_cookie(COOKIE, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    except (KeyError, signing.BadSignature):
        return []
    return accounts.split(",") if isinstance(accounts, str) else []


def browser_known(*, request: HttpRequest, username: str) -> bool:
    """Return whether this browser logged into the account before."""
    return _account_key(username) in _known_accounts(request)


class UsernameCapBackend:
    """Refuse, before any password is checked, a capped account from an unknown browser."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **kwargs: Any
    ) -> None:
        if request is None or not username or not username_capped(username=username):
            return None
        if browser_known(request=request, username=username):
            return None
        # AxesMiddleware turns the flag into the lockout page (config.views).
        request.axes_locked_out = True
        request.login_username_capped = True
        raise PermissionDenied("Too many failed logins for this account")

    # No get_user: a backend with one is the one Django's force_login (and any login without a
    # named backend) stores in the session, and this one would then log nobody in.


@receiver(user_login_failed, dispatch_uid="config.login_guard.count")
def _count_failure(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    username = str(credentials.get("username") or "")
    if not username:
        return
    key = _failures_key(username)
    rate_hit(key=key, window_seconds=settings.LOGIN_USERNAME_WINDOW_SECONDS)
    if rate_count(key=key) < settings.LOGIN_USERNAME_FAILURE_LIMIT:
        return
    # Once per window: the cache claims the alert, whichever request crossed the line first.
    try:
        first = cache.add(f"{key}:alerted", 1, settings.LOGIN_USERNAME_WINDOW_SECONDS)
    except Exception:
        first = False
    if first:
        minutes = settings.LOGIN_USERNAME_WINDOW_SECONDS // 60
        message = (
            f"{settings.LOGIN_USERNAME_FAILURE_LIMIT} failed logins for the account "
            f"{username!r} within {minutes} minutes, from any address: logins from browsers "
            "it has not used before are paused until the window ends."
        )
        logger.warning(message)
        mail_admins("Password guessing against a staff account", message, fail_silently=True)


@receiver(user_logged_in, dispatch_uid="config.login_guard.remember")
def _remember_browser(
    sender: object, request: HttpRequest | None, user: AbstractBaseUser, **_: Any
) -> None:
    if request is not None:
        request.login_guard_remember = _account_key(user.get_username())


class KnownBrowserMiddleware:
    """Set the signed cookie that names the accounts logged in from this browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        account = getattr(request, "login_guard_remember", None)
        if account:
            others = [known for known in _known_accounts(request) if known != account]
            accounts = [account, *others][:COOKIE_ACCOUNTS]
            response.set_signed_cookie(
                COOKIE,
                ",".join(accounts),
                salt=COOKIE_SALT,
                max_age=COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
