"""Faults with nothing lost: a worker killed mid-rebuild, PostgreSQL restarted under load.

(Redis stopped during submissions is proved in test_celery_services.py; a full disk during an
export in test_exports.py.)
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone, translation

from aggregates.models import AggregateSchedule, AggregateState
from aggregates.rebuild import aggregates_rebuild
from aggregates.selectors import published_snapshot
from sampledata.bulk import responses_generate
from surveys.models import Response, Survey
from surveys.questionnaire.loader import shipped_questionnaires
from tests.fixtures.celery import WorkerProcess
from tests.fixtures.stack import Gunicorn, OwnPostgres, manage, stack_env
from tests.respondent_client import REFERRAL, RespondentBrowser

pytestmark = [pytest.mark.postgres, pytest.mark.services]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_rebuild_leaves_the_last_tables_and_the_next_run_completes(
    sco_survey: Survey,
    redis_server,
    celery_worker_process: Callable[..., WorkerProcess],
) -> None:
    responses_generate(survey=sco_survey, n=60_000, seed=7)
    before = aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    responses_generate(survey=sco_survey, n=2_000, seed=8)
    # Ask for a full rebuild, as a withdrawal does; the worker's beat catch-up starts it.
    AggregateSchedule.objects.update_or_create(
        survey_id=sco_survey.pk, defaults={"full_requested_at": timezone.now()}
    )
    worker = celery_worker_process(AGGREGATES_CATCH_UP_SECONDS="1")
    # Kill the worker while its rebuild is inserting the new snapshot's counts.
    deadline = time.monotonic() + 60
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                "AND query LIKE '%%INSERT INTO analytics_aggregatecount%%' "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.02)
        else:
            raise AssertionError(f"the rebuild never started:\n{worker.log()[-3000:]}")
    # SIGKILL the worker and its embedded beat child, as an out-of-memory kill of the box would.
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)

    state = AggregateState.objects.get(pk=sco_survey.pk)
    assert state.snapshot_id == before.pk, "a half-built snapshot was published"
    assert published_snapshot(survey=sco_survey).responses == 60_000

    # A new worker's beat catch-up finishes the job.
    fresh = celery_worker_process(AGGREGATES_CATCH_UP_SECONDS="2")
    total = Response.objects.filter(survey=sco_survey).count()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        snapshot = published_snapshot(survey=sco_survey)
        if snapshot.responses == total:
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"no rebuild completed:\n{fresh.log()[-3000:]}")
    assert snapshot.pk != before.pk


def _questionnaire() -> list[list[dict[str, Any]]]:
    (path,) = [p for p in shipped_questionnaires() if p.stem == "sco-2025"]
    return [page["questions"] for page in json.loads(path.read_text())["pages"]]


def _answers(rng: random.Random, pages: list[list[dict[str, Any]]]) -> list[list[tuple[str, str]]]:
    forms = []
    for questions in pages:
        fields: list[tuple[str, str]] = []
        for question in questions:
            codes = [o["code"] for o in question["options"] if not o["other"]]
            if question["kind"] == "single":
                fields.append((question["code"], rng.choice(codes)))
            elif question["kind"] == "multiple":
                fields += [(question["code"], c) for c in rng.sample(codes, rng.randint(1, 3))]
            else:
                fields.append((question["code"], str(rng.randint(0, 60))))
        forms.append(fields)
    return forms


class Outage:
    """What the respondents saw while PostgreSQL went away and came back."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.unavailable_pages: list[tuple[str, str]] = []
        self.completed: dict[str, list[list[tuple[str, str]]]] = {}
        self.saw_outage: set[str] = set()
        self.unexpected: list[tuple[str, str, int, str]] = []


def _persevering_respondent(
    server: str,
    forms: list[list[tuple[str, str]]],
    language: str,
    outage: Outage,
    deadline: float,
) -> None:
    """Answer the survey, sending a page again after a "try again" page, as a person would."""
    browser = RespondentBrowser(server, timeout=20)
    base = f"/{language}/s/sco-2025/"
    steps: list[tuple[str, str, list | None]] = [
        ("GET", base, None),
        ("POST", base, [("consent", "on")]),
    ]
    for number, fields in enumerate(forms, start=1):
        action = "submit" if number == len(forms) else "next"
        steps.append(("POST", f"{base}p/{number}/", [*fields, ("action", action)]))
    steps.append(("GET", f"{base}thanks/", None))
    hit_outage = False
    for method, path, form in steps:
        while True:
            reply = browser.request(method, path, form)
            with outage.lock:
                outage.statuses[reply.status] += 1
                if reply.status == 503:
                    outage.unavailable_pages.append((language, reply.body))
                elif reply.status not in (200, 302):
                    outage.unexpected.append((method, path, reply.status, reply.body[:3000]))
            if reply.status != 503 or time.monotonic() > deadline:
                break
            hit_outage = True
            time.sleep(0.3)
    found = REFERRAL.search(reply.body)
    if found:
        with outage.lock:
            outage.completed[found.group(1)] = forms
            if hit_outage:
                outage.saw_outage.add(found.group(1))
    browser.close()


def test_postgresql_restarted_under_load_loses_no_answer(
    own_postgres: OwnPostgres, gunicorn_server: Callable[..., Gunicorn], tmp_path: Path
) -> None:
    env = stack_env(database_url=own_postgres.url, redis_url=None, var_dir=tmp_path)
    manage(env, "migrate", "--noinput")
    manage(env, "load_questionnaire")
    manage(env, "compilemessages", "--ignore=.venv", "-l", "kk", "-l", "ru")
    server = gunicorn_server(env, workers=4)
    pages = _questionnaire()
    outage = Outage()
    stop_at = time.monotonic() + 25

    def loop(number: int) -> None:
        rng = random.Random(number)
        while time.monotonic() < stop_at:
            _persevering_respondent(
                server.url,
                _answers(rng, pages),
                rng.choice(["ru", "kk", "en"]),
                outage,
                stop_at + 20,
            )

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    time.sleep(6)
    own_postgres.stop()
    time.sleep(4)
    own_postgres.start()  # gunicorn keeps running: its workers reconnect on their own
    for thread in threads:
        thread.join(timeout=120)

    assert set(outage.statuses) <= {200, 302, 503}, (outage.statuses, outage.unexpected)
    assert outage.statuses[503] > 0, "the outage was never seen"
    assert outage.saw_outage, "nobody who met the outage finished afterwards"
    for language, body in outage.unavailable_pages[:20]:
        with translation.override(language):
            assert translation.gettext("Please try again in a moment") in body
    with psycopg.connect(own_postgres.url) as db:
        rows = db.execute("SELECT referral_code, answers FROM surveys_response").fetchall()
    stored = {code: answers for code, answers in rows}
    assert Counter(code for code, _ in rows) == Counter(outage.completed.keys()), "lost or doubled"
    for code, forms in outage.completed.items():
        sent = {}
        for fields in forms:
            for key, value in fields:
                sent.setdefault(key, []).append(value)
        for key, values in sent.items():
            kept = stored[code][key]
            assert (kept if isinstance(kept, list) else [str(kept)]) == values or sorted(
                kept if isinstance(kept, list) else [str(kept)]
            ) == sorted(values), (code, key)
    print(  # the figures go into RELIABILITY.md
        f"\npostgres restart: {len(rows)} stored, {len(outage.saw_outage)} finished after the "
        f"outage, statuses {dict(sorted(outage.statuses.items()))}, 0 lost"
    )
