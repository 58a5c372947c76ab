"""The embedded default (`make run`) is safe to expose by accident: plain error pages."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.services import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
UNSET = {"DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "SECRET_KEY", "CLIENT_HASH_SALT"}


def _embedded_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # As a new user runs it: no DEBUG, no database or Redis, no environment of ours.
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(VAR_DIR=str(tmp_path / "var"), **extra)
    return env


def _serve(tmp_path: Path, **extra: str) -> Iterator[int]:
    env = _embedded_env(tmp_path, **extra)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    process = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                _get(port, "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        stop_process(process, grace=5)


def _get(port: int, path: str, host: str = "127.0.0.1") -> tuple[int, str, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        reply = connection.getresponse()
        body = reply.read()
        return reply.status, body.decode("utf-8", "replace"), len(body)
    finally:
        connection.close()


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[int]:
    yield from _serve(tmp_path)


def test_a_bad_host_and_an_unknown_url_get_plain_pages_and_static_files_are_served(
    embedded: int,
) -> None:
    status, page, size = _get(embedded, "/en/", host="attacker.example")
    assert status == 400
    assert "DisallowedHost" not in page and "SECRET" not in page and size < 20_000
    status, page, size = _get(embedded, "/en/no-such-page/")
    assert status == 404
    assert "URLconf" not in page and "organize/" not in page and size < 20_000
    status, page, _ = _get(embedded, "/static/vendor/bootstrap/LICENSE")
    assert status == 200 and "Permission is hereby granted" in page


def test_a_developer_who_asks_for_debug_gets_the_debug_page(tmp_path: Path) -> None:
    for port in _serve(tmp_path, DEBUG="true"):
        status, page, _ = _get(port, "/en/no-such-page/")
        assert status == 404 and "URLconf" in page
