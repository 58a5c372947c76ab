"""The embedded default (`make run`) is safe to expose by accident: plain error pages."""

from __future__ import annotations

import gzip
import http.client
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.services import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "Makefile"
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
    reply, body = _fetch(port, path, {"Host": host})
    return reply.status, body.decode("utf-8", "replace"), len(body)


def _fetch(port: int, path: str, headers: dict[str, str]) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        reply = connection.getresponse()
        return reply, reply.read()
    finally:
        connection.close()


def _make_run_collects(env: dict[str, str]) -> None:
    """Run the `collectstatic` line of the Makefile's `run` recipe, as `make run` does."""
    recipe = MAKEFILE.read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    (line,) = [line for line in recipe.splitlines() if "collectstatic" in line and "#" not in line]
    command = shlex.split(line.strip().replace("$(PY)", shlex.quote(sys.executable)))
    subprocess.run(command, cwd=ROOT, env=env, check=True)


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


def test_make_run_sends_a_stylesheet_gzipped_to_a_browser_that_accepts_it(tmp_path: Path) -> None:
    _make_run_collects(_embedded_env(tmp_path))
    source = (ROOT / "static/css/site.css").read_bytes()
    for port in _serve(tmp_path):
        reply, body = _fetch(port, "/static/css/site.css", {"Accept-Encoding": "gzip, deflate"})
        assert reply.status == 200 and reply.getheader("Content-Encoding") == "gzip"
        assert gzip.decompress(body) == source and len(body) < len(source) / 2
        reply, body = _fetch(port, "/static/css/site.css", {})
        assert reply.getheader("Content-Encoding") is None and body == source


def test_a_stylesheet_edited_since_the_last_collect_is_sent_as_edited(tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.test import Client, override_settings

    source = tmp_path / "src" / "css" / "edited.css"
    source.parent.mkdir(parents=True)
    source.write_text("body { color: black; }\n" * 200)
    with override_settings(STATIC_ROOT=tmp_path / "root", STATICFILES_DIRS=[tmp_path / "src"]):
        call_command("collectstatic", "--noinput", verbosity=0)
        reply = Client().get("/static/css/edited.css", HTTP_ACCEPT_ENCODING="gzip")
        assert reply["Content-Encoding"] == "gzip"
        source.write_text("body { color: navy; }\n")
        later = source.stat().st_mtime + 5
        os.utime(source, (later, later))
        reply = Client().get("/static/css/edited.css", HTTP_ACCEPT_ENCODING="gzip")
        assert not reply.has_header("Content-Encoding")
        assert b"".join(reply.streaming_content) == b"body { color: navy; }\n"
