"""With a real redis-server and a real worker: submissions survive Redis going down.

The worker (with its embedded beat) is a separate process on the same PostgreSQL test database.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable

import pytest
from django.test import Client

from aggregates.counting import count_plan, count_python
from aggregates.filters import ResponseFilter
from aggregates.models import AggregateCount
from aggregates.selectors import published_snapshot, survey_results
from surveys.models import Response, Survey
from tests.fixtures.analytics import varied_answers
from tests.fixtures.celery import WorkerProcess, celery_broker
from tests.flow import complete_survey

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


def _wait_for(survey: Survey, responses: int, timeout: float, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snapshot = published_snapshot(survey=survey)
        if snapshot is not None and snapshot.responses == responses:
            return
        time.sleep(0.25)
    raise AssertionError(
        f"the aggregates did not reach {responses} responses in {timeout:.0f} s; "
        f"worker log:\n{worker.log()[-4000:]}"
    )


def _assert_equal_to_a_recount(survey: Survey) -> None:
    snapshot = published_snapshot(survey=survey)
    published = {
        (row.dimension, row.value, row.question, row.option): row.count
        for row in AggregateCount.objects.filter(snapshot=snapshot)
    }
    assert published == dict(count_python(survey=survey, plan=count_plan(survey=survey)))
    results, _ = survey_results(survey=survey, filters=ResponseFilter())
    assert results.respondents == Response.objects.filter(survey=survey).count()


def test_submissions_while_redis_is_down_are_kept_and_counted_after_it_returns(
    sco_survey: Survey,
    redis_server,
    celery_worker_process: Callable[..., WorkerProcess],
    settings,
) -> None:
    settings.AGGREGATES_COALESCE_SECONDS = 1
    worker = celery_worker_process(AGGREGATES_COALESCE_SECONDS="1", AGGREGATES_CATCH_UP_SECONDS="2")
    rng = random.Random(51)

    with celery_broker(redis_server.url):
        for _ in range(4):
            complete_survey(Client(), sco_survey, answers=varied_answers(sco_survey, rng))
        _wait_for(sco_survey, 4, 60, worker)
        _assert_equal_to_a_recount(sco_survey)
        assert "analytics.aggregates_rebuild" in worker.log()

        redis_server.stop()
        try:
            for _ in range(3):
                started = time.monotonic()
                # complete_survey asserts the redirect to the thank-you page and its 200.
                complete_survey(Client(), sco_survey, answers=varied_answers(sco_survey, rng))
                assert time.monotonic() - started < 5
            assert Response.objects.filter(survey=sco_survey).count() == 7
            assert published_snapshot(survey=sco_survey).responses == 4
        finally:
            redis_server.start()

        # Nothing re-sends the lost rebuild: the beat's catch-up finds the missing responses.
        _wait_for(sco_survey, 7, 120, worker)
        _assert_equal_to_a_recount(sco_survey)
    assert "analytics.aggregates_catch_up" in worker.log()


def test_the_worker_yields_the_cpu_to_the_web_processes(
    celery_worker_process: Callable[..., WorkerProcess],
) -> None:
    # Its rebuilds and the RDS refresh of a million responses must not slow respondents' pages.
    worker = celery_worker_process()
    assert worker.process is not None
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == min(19, ours + 10)
