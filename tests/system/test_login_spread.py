"""Password guessing spread over many addresses: one IPv6 /64 is one client, and an account
guessed at from many addresses pauses for browsers it has not used before."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from pytest_django.fixtures import Settings

from tests.fixtures.staff import staff_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def olga(db: None) -> User:
    user = staff_user("olga", "Organizers")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(password: str, address: str, client: Client | None = None) -> int:
    client = client or Client()
    data = {"username": "olga", "password": password}
    return client.post("/en/accounts/login/", data, REMOTE_ADDR=address).status_code


def test_forty_wrong_passwords_from_twenty_addresses_of_one_slash_64_lock_that_64(
    olga: User, settings: Settings
) -> None:
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 1000  # the per-address lockout alone
    replies = [
        _login("wrong guess", f"2001:db8:aa:bb::{host:x}")
        for host in range(1, 21)
        for _attempt in range(2)
    ]
    assert replies[:4] == [200] * 4
    assert set(replies[4:]) == {429}
    # The right password from a fresh address of the same /64 is refused too; another /64 not.
    assert _login(PASSWORD, "2001:db8:aa:bb:ffff::1") == 429
    assert _login(PASSWORD, "2001:db8:aa:cc::1") == 302


def _spread_failures(count: int) -> list[int]:
    # One failure from each of many addresses: no address alone reaches the axes lockout.
    return [_login("wrong guess", f"198.51.{n // 250}.{n % 250 + 1}") for n in range(count)]


def test_thirty_failures_from_thirty_addresses_pause_the_account_for_new_browsers_and_tell_admins(
    olga: User, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.ADMINS = [("", "security@example.org")]
    assert set(_spread_failures(29)) == {200}
    assert _login(PASSWORD, "203.0.113.50") == 302  # below the cap: any browser logs in
    assert set(_spread_failures(31)) <= {200, 429}
    stranger = Client()
    data = {"username": "olga", "password": PASSWORD}
    refused = stranger.post("/en/accounts/login/", data, REMOTE_ADDR="203.0.113.51")
    assert refused.status_code == 429
    assert 'id="login-username-capped"' in refused.content.decode()
    assert "_auth_user_id" not in stranger.session
    # One line in the log and one mail for the whole burst, naming no address.
    warnings = [r for r in caplog.records if "failed logins for the account" in r.getMessage()]
    assert len(warnings) == 1
    assert [m.to for m in mail.outbox] == [["security@example.org"]]
    assert "198.51." not in warnings[0].getMessage() + mail.outbox[0].body


def test_the_organizer_still_logs_in_from_the_browser_they_used_before(
    olga: User, settings: Settings
) -> None:
    own = Client()
    assert _login(PASSWORD, "203.0.113.60", own) == 302
    own.post("/en/accounts/logout/", REMOTE_ADDR="203.0.113.60")
    _spread_failures(40)
    assert _login(PASSWORD, "203.0.113.61", Client()) == 429
    # Their own browser, even from another address (a phone on the move), gets in.
    assert _login(PASSWORD, "192.0.2.77", own) == 302
    assert own.session["_auth_user_id"] == str(olga.pk)
