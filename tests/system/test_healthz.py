"""/healthz tells an orchestrator whether the database and the Celery broker answer."""

from __future__ import annotations

import socket
import time

import pytest
from django.db import connection

from tests.fixtures.services import free_port


def test_healthz_reports_the_database_and_in_process_tasks_without_redis(client, db, settings):
    settings.REDIS_URL = None
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok", "database": "ok", "broker": "in-process"}
    assert "no-cache" in reply["Cache-Control"]


@pytest.mark.services
def test_healthz_answers_503_while_redis_is_down_and_recovers(client, db, settings, redis_server):
    settings.REDIS_URL = redis_server.url
    assert client.get("/healthz").json()["broker"] == "ok"

    redis_server.stop()
    try:
        reply = client.get("/healthz")
        assert reply.status_code == 503
        assert reply.json()["status"] == "error"
        assert reply.json()["broker"].startswith("error: ")
        assert reply.json()["database"] == "ok"
    finally:
        redis_server.start()
    assert client.get("/healthz").status_code == 200


def test_healthz_gives_up_on_a_broker_that_never_answers_within_two_seconds(client, db, settings):
    # A listening socket that never accepts: the connection opens, PING gets no reply.
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        started = time.monotonic()
        reply = client.get("/healthz")
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert reply.status_code == 503
    assert reply.json()["broker"] == "error: TimeoutError"
    assert elapsed < 2.5


@pytest.mark.postgres
def test_healthz_answers_503_while_postgresql_is_unreachable(client, transactional_db):
    original = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())  # nothing listens there
    try:
        reply = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original
    assert reply.status_code == 503
    assert reply.json()["database"] == "error: OperationalError"
    assert client.get("/healthz").status_code == 200
