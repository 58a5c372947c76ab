"""Staff login lockout: per username and real client address, with a page that says when."""

from __future__ import annotations

import ipaddress

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from tests.fixtures.staff import staff_user

PASSWORD = "correct horse battery staple"
ADDRESS_A = "203.0.113.5"
ADDRESS_B = "198.51.100.7"
PROXY = "127.0.0.1"


@pytest.fixture
def olga(db: None) -> User:
    user = staff_user("olga", "Organizers")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client: Client, password: str, **meta: str) -> int:
    reply = client.post("/en/accounts/login/", {"username": "olga", "password": password}, **meta)
    return reply.status_code


def _fail_five_times(client: Client, **meta: str) -> list[int]:
    return [_login(client, "wrong guess", **meta) for _ in range(5)]


def test_failures_from_one_address_never_block_the_right_password_from_another(
    olga: User,
) -> None:
    attacker = Client()
    assert _fail_five_times(attacker, REMOTE_ADDR=ADDRESS_A) == [200, 200, 200, 200, 429]
    organizer = Client()
    assert _login(organizer, PASSWORD, REMOTE_ADDR=ADDRESS_B) == 302
    assert organizer.session["_auth_user_id"] == str(olga.pk)
    # Address A stays locked, even with the right password.
    locked = Client().post(
        "/en/accounts/login/", {"username": "olga", "password": PASSWORD}, REMOTE_ADDR=ADDRESS_A
    )
    assert locked.status_code == 429
    assert 'id="login-locked"' in locked.content.decode()


def test_behind_a_trusted_proxy_the_lockout_follows_the_forwarded_address(
    olga: User, settings: Settings
) -> None:
    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network(PROXY)]
    from_a = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ADDRESS_A}
    from_b = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ADDRESS_B}
    assert _fail_five_times(Client(), **from_a) == [200, 200, 200, 200, 429]
    assert _login(Client(), PASSWORD, **from_a) == 429
    assert _login(Client(), PASSWORD, **from_b) == 302


def test_the_lockout_page_says_when_to_try_again(olga: User, settings: Settings) -> None:
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    _fail_five_times(Client(), REMOTE_ADDR=ADDRESS_A)
    locked = Client().post(
        "/en/accounts/login/", {"username": "olga", "password": PASSWORD}, REMOTE_ADDR=ADDRESS_A
    )
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page
    assert "Please try again in 30 minutes." in page
    assert '<html lang="en">' in page
