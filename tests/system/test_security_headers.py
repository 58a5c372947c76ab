"""Headers and login throttling that protect every page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from surveys.models import Survey


def test_pages_forbid_inline_scripts_and_framing(sco_survey: Survey, client: Client) -> None:
    reply = client.get("/ru/s/sco-2025/")
    policy = reply.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in reply.content.decode()


def test_respondent_pages_carry_no_inline_styles(sco_survey: Survey, client: Client) -> None:
    client.post("/en/s/sco-2025/", {"consent": "on"})
    for number in range(1, 6):
        assert 'style="' not in client.get(f"/en/s/sco-2025/p/{number}/").content.decode()


@pytest.mark.django_db
def test_it_throttles_login_brute_force() -> None:
    cache.clear()
    User.objects.create_user("organizer", password="correct horse battery staple")
    client = Client(REMOTE_ADDR="198.51.100.9")
    for attempt in range(1, 6):
        reply = client.post(
            "/en/accounts/login/", {"username": "organizer", "password": "wrong guess"}
        )
        # The form again with an error, until the fifth failure locks the door.
        assert reply.status_code == (429 if attempt == 5 else 200)
    locked = client.post(
        "/en/accounts/login/",
        {"username": "organizer", "password": "correct horse battery staple"},
    )
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    other_address = Client(REMOTE_ADDR="198.51.100.10")
    reply = other_address.post(
        "/en/accounts/login/",
        {"username": "organizer", "password": "correct horse battery staple"},
    )
    assert reply.status_code == 302
    cache.clear()
