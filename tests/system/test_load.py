"""Load: simulated respondents recruit each other through referral links for a minute.

gunicorn, PostgreSQL, Redis and a Celery worker run as real processes. Every submission that
reached the thank-you page is stored exactly once, nothing answers 5xx, and after the final
rebuild the aggregate tables equal a recount of the stored responses.
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest

from aggregates.models import AggregateCount
from aggregates.selectors import published_snapshot
from surveys.models import QuestionKind, Response, SeedLink, Survey
from tests.fixtures.analytics import varied_answers
from tests.fixtures.celery import WorkerProcess, database_url
from tests.fixtures.stack import Gunicorn, stack_env
from tests.flow import page_data
from tests.respondent_client import RespondentBrowser, answer_survey, page_forms

pytestmark = [pytest.mark.postgres, pytest.mark.services, pytest.mark.django_db(transaction=True)]

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "32"))


class Recruitment:
    """The links in circulation: seeds, and every personal link handed out so far."""

    def __init__(self, seeds: list[str]) -> None:
        self.lock = threading.Lock()
        self.seeds = seeds
        self.personal: list[str] = []
        self.accepted: list[str] = []
        self.refused = 0
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()

    def pick(self, rng: random.Random) -> str:
        with self.lock:
            if not self.personal or rng.random() < 0.1:
                return rng.choice(self.seeds)
            return rng.choice(self.personal[-200:])

    def record(self, code: str | None, seconds: float, statuses: list[int]) -> None:
        with self.lock:
            self.statuses.update(statuses)
            if code is None:
                self.refused += 1
                return
            self.accepted.append(code)
            self.personal.append(code)
            self.latencies.append(seconds)


def _recount(survey: Survey) -> dict[tuple[str, str], int]:
    counts: Counter[tuple[str, str]] = Counter()
    kinds = dict(survey.questions.values_list("code", "kind"))
    for answers in Response.objects.filter(survey=survey, withdrawn_at=None).values_list(
        "answers", flat=True
    ):
        for code, value in answers.items():
            if kinds[code] in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                for option in value if isinstance(value, list) else [value]:
                    counts[(code, option)] += 1
    return counts


def test_a_minute_of_snowball_load_loses_nothing_and_counts_right(
    sco_survey: Survey,
    redis_server,
    celery_worker_process: Callable[..., WorkerProcess],
    gunicorn_server: Callable[..., Gunicorn],
    tmp_path,
) -> None:
    seeds = [SeedLink.objects.create(survey=sco_survey, label=f"seed {i}").code for i in range(8)]
    env = stack_env(database_url=database_url(), redis_url=redis_server.url, var_dir=tmp_path)
    env["AGGREGATES_CATCH_UP_SECONDS"] = "2"
    worker = celery_worker_process(AGGREGATES_CATCH_UP_SECONDS="2")
    server = gunicorn_server(env, workers=4)
    recruitment = Recruitment(seeds)
    pages = len(sco_survey.ordered_pages())
    deadline = time.monotonic() + SECONDS

    def respondent_loop(number: int) -> None:
        rng = random.Random(number)
        while time.monotonic() < deadline:
            answers = varied_answers(sco_survey, rng)
            forms = page_forms([page_data(sco_survey, n, answers) for n in range(1, pages + 1)])
            browser = RespondentBrowser(server.url)
            started = time.monotonic()
            code = answer_survey(
                browser,
                language=rng.choice(["ru", "kk", "en"]),
                slug=sco_survey.slug,
                forms=forms,
                link=f"/r/{recruitment.pick(rng)}/",
            )
            recruitment.record(code, time.monotonic() - started, browser.statuses)
            browser.close()

    threads = [threading.Thread(target=respondent_loop, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    assert not any(thread.is_alive() for thread in threads)

    server_errors = {status: n for status, n in recruitment.statuses.items() if status >= 500}
    assert not server_errors, server_errors
    stored = list(
        Response.objects.filter(survey=sco_survey).values_list("referral_code", flat=True)
    )
    assert len(recruitment.accepted) > 100, "the load hardly ran"
    assert Counter(stored) == Counter(recruitment.accepted), "a submission was lost or doubled"

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        snapshot = published_snapshot(survey=sco_survey)
        if snapshot is not None and snapshot.responses == len(stored):
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"aggregates never caught up:\n{worker.log()[-3000:]}")
    published = {
        (row.question, row.option): row.count
        for row in AggregateCount.objects.filter(snapshot=snapshot, dimension="")
        if row.question and row.option and (row.question, row.option) in _recount(sco_survey)
    }
    assert published == _recount(sco_survey)
    seconds = sorted(recruitment.latencies)
    print(  # the figures go into RELIABILITY.md
        f"\nload: {CLIENTS} clients x {SECONDS:.0f} s: {len(stored)} stored, "
        f"{recruitment.refused} refused (used-up links), 0 lost, "
        f"{len(stored) / SECONDS:.1f} sessions/s, session median "
        f"{statistics.median(seconds):.2f} s, p99 {seconds[int(0.99 * (len(seconds) - 1))]:.2f} s, "
        f"statuses {dict(sorted(recruitment.statuses.items()))}"
    )
