"""The embedded default (SQLite) takes concurrent final submits without an error page."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from surveys.models import Survey
from tests.fixtures.stack import Gunicorn, manage, stack_env
from tests.flow import SCO_ANSWERS, page_data
from tests.respondent_client import RespondentBrowser, page_forms

pytestmark = pytest.mark.django_db

RESPONDENTS = 12


def test_twelve_concurrent_final_submits_on_sqlite_are_all_stored(
    sco_survey: Survey, tmp_path: Path, gunicorn_server: Callable[..., Gunicorn]
) -> None:
    env = stack_env(database_url="", redis_url=None, var_dir=tmp_path / "var")
    env.pop("DATABASE_URL")  # SQLite in var/, in-process tasks: the embedded default
    manage(env, "migrate", "--noinput")
    manage(env, "load_questionnaire")
    server = gunicorn_server(env, workers=4)

    forms = page_forms([page_data(sco_survey, n, SCO_ANSWERS) for n in range(1, 6)])
    base = f"/en/s/{sco_survey.slug}/"
    browsers = [RespondentBrowser(server.url) for _ in range(RESPONDENTS)]
    for browser in browsers:
        assert browser.request("GET", base).status == 200
        assert browser.request("POST", base, [("consent", "on")]).status == 302
        for number, fields in enumerate(forms[:-1], start=1):
            reply = browser.request("POST", f"{base}p/{number}/", [*fields, ("action", "next")])
            assert reply.status == 302

    barrier = threading.Barrier(RESPONDENTS)
    statuses: list[int] = []

    def submit(browser: RespondentBrowser) -> None:
        barrier.wait()
        fields = [*forms[-1], ("action", "submit")]
        statuses.append(browser.request("POST", f"{base}p/{len(forms)}/", fields).status)

    threads = [threading.Thread(target=submit, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for browser in browsers:
        browser.close()

    assert statuses == [302] * RESPONDENTS, server.log.read_text()[-3000:]
    with sqlite3.connect(tmp_path / "var" / "db.sqlite3") as database:
        (stored,) = database.execute("SELECT COUNT(*) FROM surveys_response").fetchone()
    assert stored == RESPONDENTS
