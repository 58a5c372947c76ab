"""Checks of the test infrastructure itself and of the loud failures of config/env.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int


@pytest.mark.services
def test_redis_server_answers_and_survives_stop_start(redis_server):
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
    client = redis.Redis.from_url(redis_server.url, socket_connect_timeout=1, socket_timeout=1)
    assert client.ping() is True
    client.set("infrastructure-probe", "1")
    assert client.get("infrastructure-probe") == b"1"

    redis_server.stop()
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(redis_server.url, socket_connect_timeout=1).ping()

    redis_server.start()
    client = redis.Redis.from_url(redis_server.url, socket_connect_timeout=1, socket_timeout=1)
    assert client.ping() is True
    assert client.get("infrastructure-probe") is None  # a fresh server: nothing persisted


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mysql://x", "DATABASE_URL must look like postgres://"),
        ("postgres://user@127.0.0.1:notaport/survey", "DATABASE_URL has an invalid port"),
        ("postgres://user@127.0.0.1:99999/survey", "DATABASE_URL has an invalid port"),
    ],
)
def test_env_database_rejects_bad_urls(monkeypatch, value, message):
    monkeypatch.setenv("DATABASE_URL", value)
    with pytest.raises(ImproperlyConfigured, match=message):
        env_database("DATABASE_URL", {})


def test_env_database_parses_a_postgres_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://survey:p%40ss@127.0.0.1:5433/survey")
    config = env_database("DATABASE_URL", {})
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"]) == ("survey", "p@ss")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("127.0.0.1", "5433", "survey")


def test_env_bool_rejects_maybe(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False)


def test_env_int_rejects_text_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("CONN_MAX_AGE", "ten")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE='ten' is not an integer"):
        env_int("CONN_MAX_AGE", 60, minimum=0)
    monkeypatch.setenv("CONN_MAX_AGE", "-1")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE=-1 must be at least 0"):
        env_int("CONN_MAX_AGE", 60, minimum=0)


REPO_ROOT = Path(__file__).resolve().parents[2]

INNER_TESTS = textwrap.dedent(
    """
    import pytest

    def test_runs():
        pass

    def test_skipped():
        pytest.skip("no service here")

    @pytest.mark.xfail(reason="known bug")
    def test_xfailed():
        raise AssertionError
    """
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CI": "true"}, pytest.ExitCode.TESTS_FAILED),
        ({"STRICT_NO_SKIP": "1"}, pytest.ExitCode.TESTS_FAILED),
        ({}, pytest.ExitCode.OK),
    ],
)
def test_skips_fail_the_run_under_ci(pytester, monkeypatch, env, expected):
    for name in ("CI", "STRICT_NO_SKIP", "DJANGO_SETTINGS_MODULE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))  # the inner run imports tests.conftest
    # Only the strict hooks of tests/conftest.py, not the project's fixtures and Django.
    pytester.makeconftest(
        "from tests.conftest import (pytest_collectreport, pytest_runtest_logreport,\n"
        "    pytest_sessionfinish, pytest_terminal_summary)\n"
    )
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:django")
    assert result.ret == expected
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    if expected == pytest.ExitCode.TESTS_FAILED:
        result.stdout.fnmatch_lines(
            [
                "*SKIPPED: test_inner.py::test_skipped - *no service here*",
                "*XFAILED: test_inner.py::test_xfailed - known bug*",
            ]
        )


@pytest.mark.services
def test_the_redis_cache_shares_counters_between_threads_and_survives_a_restart(redis_server):
    import threading

    from config.cache import RedisCache

    cache = RedisCache(redis_server.url, {"OPTIONS": {"socket_connect_timeout": 1}})
    cache.clear()
    assert cache.add("starts", 0, timeout=60) and not cache.add("starts", 5, timeout=60)

    def hit() -> None:
        for _ in range(100):
            cache.incr("starts")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("starts") == 800

    redis_server.stop()
    with pytest.raises(redis.ConnectionError):
        cache.get("starts")
    redis_server.start()
    assert cache.get("starts") is None and cache.add("starts", 1, timeout=60)
