"""Password guessing spread over many addresses: one IPv6 /64 is one client."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

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
    olga: User,
) -> None:
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
