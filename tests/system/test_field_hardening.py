"""Field hardening: secrets stay secret, files private, proxies believed only when named."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.debug import SafeExceptionReporterFilter, get_default_exception_reporter_filter

from surveys.privacy import client_ip

ROOT = Path(__file__).resolve().parents[2]


def test_no_secret_appears_among_the_settings_the_debug_page_shows(settings) -> None:
    settings.REDIS_URL = "redis://:redis-password@cache.internal:6379/0"
    shown = get_default_exception_reporter_filter().get_safe_settings()
    text = repr(shown)
    for secret in (settings.SECRET_KEY, settings.CLIENT_HASH_SALT, "redis-password"):
        assert secret not in text
    # Django's own filter would have shown the salt: ours is the one in use.
    assert settings.CLIENT_HASH_SALT in repr(SafeExceptionReporterFilter().get_safe_settings())


def test_the_client_hash_salt_is_its_own_secret(settings) -> None:
    assert settings.CLIENT_HASH_SALT and settings.CLIENT_HASH_SALT != settings.SECRET_KEY


def _fresh_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "CLIENT_HASH_SALT"}}
    clean.update(VAR_DIR=str(tmp_path / "var"), **env)
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    clean.pop("DJANGO_ENV", None)
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_files_under_var_are_readable_by_the_site_alone(tmp_path: Path) -> None:
    reply = _fresh_settings(tmp_path)
    assert reply.returncode == 0, reply.stderr
    var = tmp_path / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for name in ("dev-secret-key", "dev-client-hash-salt", "db.sqlite3"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600, name


def test_a_salt_equal_to_the_secret_key_is_refused(tmp_path: Path) -> None:
    reply = _fresh_settings(tmp_path, SECRET_KEY="same-" * 10, CLIENT_HASH_SALT="same-" * 10)
    assert reply.returncode != 0
    assert "CLIENT_HASH_SALT must differ from SECRET_KEY" in reply.stderr


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        # The embedded default believes no header: whoever connects is the client.
        ([], "198.51.100.7", "203.0.113.5", "198.51.100.7"),
        # A named proxy relays the client's address...
        (["127.0.0.1"], "127.0.0.1", "203.0.113.5", "203.0.113.5"),
        # ...but a visitor cannot pick an address by writing the header themselves.
        (["127.0.0.1"], "127.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        (["127.0.0.1"], "198.51.100.7", "203.0.113.5", "198.51.100.7"),
        # Ranges, and chains of trusted proxies.
        (["10.0.0.0/8"], "10.1.2.3", "203.0.113.5, 10.9.9.9", "203.0.113.5"),
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_the_client_address_believes_only_trusted_proxies(
    settings, trusted: list[str], peer: str, forwarded: str, client: str
) -> None:
    import ipaddress

    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network(p) for p in trusted]
    meta = {"REMOTE_ADDR": peer}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == client


def test_the_bad_host_page_carries_the_security_headers(client) -> None:
    reply = client.get("/en/", HTTP_HOST="evil.example.org")
    assert reply.status_code == 400
    assert "Content-Security-Policy" in reply.headers
    assert reply.headers["X-Frame-Options"] == "DENY"


def test_password_reset_is_not_offered_without_a_mail_server(client, db) -> None:
    assert client.get("/en/accounts/password_reset/").status_code == 404
    assert client.get("/en/accounts/login/").status_code == 200


@pytest.mark.parametrize(
    ("path", "for_staff"),
    [("/en/analytics/", True), ("/kk/organize/sco-2025/", True), ("/ru/s/sco-2025/p/2/", False)],
)
def test_the_error_page_speaks_to_staff_on_staff_pages(path: str, for_staff: bool) -> None:
    from django.utils import translation

    from config.views import server_error

    with translation.override("en"):
        page = server_error(RequestFactory().get(path)).content.decode()
    assert ("Your answers saved so far are kept" in page) is not for_staff
    assert ("tell the site's administrator" in page) is for_staff
