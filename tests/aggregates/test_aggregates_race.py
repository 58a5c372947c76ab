"""Rebuilds racing with submissions on PostgreSQL: readers never see a half-built table."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connections

from aggregates.counting import count_plan, count_python
from aggregates.filters import ResponseFilter
from aggregates.models import AggregateCount
from aggregates.rebuild import aggregates_rebuild
from aggregates.selectors import published_snapshot, survey_results
from aggregates.tasks import aggregates_catch_up_task
from surveys.models import QuestionKind, Response, Survey
from tests.fixtures.analytics import submit, varied_answers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUBMITTERS = 4
EACH = 30


def _consistent(survey: Survey, problems: list[str]) -> int:
    """Read the dashboard's numbers once; record anything a half-built table would show."""
    results, _ = survey_results(survey=survey, filters=ResponseFilter())
    for question in results.questions:
        if question.kind == QuestionKind.SINGLE:
            total = sum(share.count for share in question.shares)
            if total != question.base:
                problems.append(f"{question.code}: options add to {total}, base {question.base}")
        if question.base != results.respondents:
            problems.append(f"{question.code}: base {question.base} of {results.respondents}")
    return results.respondents


def test_rebuilds_racing_with_submissions_stay_whole_and_end_exact(
    sco_survey: Survey, settings
) -> None:
    settings.AGGREGATES_COALESCE_SECONDS = 1
    for _ in range(20):
        submit(sco_survey, varied_answers(sco_survey, random.Random(0)))
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)

    done = threading.Event()
    problems: list[str] = []
    errors: list[BaseException] = []
    seen: list[int] = []

    def guarded(work):
        def run() -> None:
            try:
                work()
            except BaseException as error:
                errors.append(error)
            finally:
                connections.close_all()

        return run

    def submitter(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(EACH):
            submit(sco_survey, varied_answers(sco_survey, rng))

    def rebuilder() -> None:
        full = True
        while not done.is_set():
            aggregates_rebuild(survey_id=sco_survey.pk, full=full)
            full = not full

    def reader() -> None:
        while not done.is_set():
            seen.append(_consistent(sco_survey, problems))
            time.sleep(0.005)

    submitters = [threading.Thread(target=guarded(lambda s=s: submitter(s))) for s in range(4)]
    others = [threading.Thread(target=guarded(rebuilder)), threading.Thread(target=guarded(reader))]
    for thread in submitters + others:
        thread.start()
    for thread in submitters:
        thread.join(timeout=300)
    done.set()
    for thread in others:
        thread.join(timeout=120)

    assert not errors, errors
    assert not problems, problems[:5]
    assert len(seen) > 10 and min(seen) >= 20 and seen == sorted(seen)

    aggregates_catch_up_task()
    total = 20 + SUBMITTERS * EACH
    assert Response.objects.count() == total
    snapshot = published_snapshot(survey=sco_survey)
    assert snapshot.responses == total
    recount = count_python(survey=sco_survey, plan=count_plan(survey=sco_survey))
    published = {
        (row.dimension, row.value, row.question, row.option): row.count
        for row in AggregateCount.objects.filter(snapshot=snapshot)
    }
    assert published == dict(recount)
