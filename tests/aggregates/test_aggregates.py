"""The aggregate tables count what respondents submitted, and keep up with new submissions."""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from aggregates import enqueue
from aggregates.counting import (
    count_crosstab,
    count_live,
    count_plan,
    count_python,
    count_sql,
    integer_bin,
)
from aggregates.filters import ResponseFilter
from aggregates.models import (
    AggregateCount,
    AggregateSchedule,
    AggregateSnapshot,
    AggregateState,
)
from aggregates.rebuild import aggregates_rebuild, aggregates_stale, snapshot_cursor
from aggregates.selectors import published_snapshot, survey_results
from aggregates.tasks import aggregates_catch_up_task
from surveys.models import Response, Survey
from surveys.services import response_withdraw
from tests.fixtures.analytics import submit, varied_answers
from tests.fixtures.celery import celery_broker
from tests.fixtures.services import free_port
from tests.flow import complete_survey


def _expected(answer_sets: list[dict[str, Any]], question: str) -> tuple[int, Counter[str]]:
    """Count one question's answers with plain Python: (respondents who answered, ticks)."""
    counts: Counter[str] = Counter()
    base = 0
    for answers in answer_sets:
        value = answers.get(question)
        if value is None:
            continue
        base += 1
        for code in value if isinstance(value, list) else [value]:
            counts[integer_bin(code) if isinstance(code, int) else code] += 1
    return base, counts


def _published(survey: Survey) -> dict[tuple[str, str, str, str], int]:
    snapshot = published_snapshot(survey=survey)
    return {
        (row.dimension, row.value, row.question, row.option): row.count
        for row in AggregateCount.objects.filter(snapshot=snapshot)
    }


def _submit_through_the_flow(survey: Survey, count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    sets = []
    for index in range(count):
        answers = varied_answers(survey, rng)
        complete_survey(Client(), survey, language=("ru", "kk", "en")[index % 3], answers=answers)
        sets.append(answers)
    return sets


def test_aggregates_equal_a_hand_computed_distribution_of_submitted_responses(
    sco_survey: Survey,
) -> None:
    answer_sets = _submit_through_the_flow(sco_survey, 12, seed=4)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)

    results, _crosstab = survey_results(survey=sco_survey, filters=ResponseFilter())
    assert results.respondents == 12
    for question in results.questions:
        base, counts = _expected(answer_sets, question.code)
        assert question.base == base, question.code
        for share in question.shares:
            assert share.count == counts[share.code], (question.code, share.code)
            assert share.percent == round(100 * counts[share.code] / base, 1)


def test_multiple_choice_shares_are_shares_of_respondents_and_sum_over_100(
    sco_survey: Survey,
) -> None:
    for ticks in (["telegram", "youtube"], ["telegram"], ["telegram", "vk", "x"], ["wechat"]):
        answers = varied_answers(sco_survey, random.Random(1))
        answers["platforms"] = ticks
        answers.pop("platforms__other", None)
        submit(sco_survey, answers)
    aggregates_rebuild(survey_id=sco_survey.pk)

    results, _ = survey_results(survey=sco_survey, filters=ResponseFilter())
    platforms = next(q for q in results.questions if q.code == "platforms")
    shares = {share.code: share.percent for share in platforms.shares}
    assert platforms.base == 4
    assert shares["telegram"] == 75.0
    assert shares["youtube"] == shares["vk"] == shares["x"] == shares["wechat"] == 25.0
    assert sum(share.percent for share in platforms.shares) == 175.0
    # The study's way: the most chosen platform first.
    assert platforms.shares[0].code == "telegram"


def test_crosstab_shares_are_within_each_age_group(sco_survey: Survey) -> None:
    rows = [("under_30", "yes_fully")] * 3 + [("under_30", "no")] + [("40_49", "partially")] * 2
    for age, awareness in rows:
        answers = varied_answers(sco_survey, random.Random(2))
        answers.update(age_group=age, awareness=awareness)
        submit(sco_survey, answers)
    aggregates_rebuild(survey_id=sco_survey.pk)

    _, table = survey_results(
        survey=sco_survey, filters=ResponseFilter(), crosstab=("awareness", "age_group")
    )
    groups = {group.value: group for group in table.groups}
    assert list(groups) == ["under_30", "40_49"]  # in the questionnaire's order
    assert groups["under_30"].base == 4
    under_30 = {share.code: share.percent for share in groups["under_30"].shares}
    assert under_30 == {"yes_fully": 75.0, "partially": 0.0, "no": 25.0, "hard_to_say": 0.0}
    assert {s.code: s.percent for s in groups["40_49"].shares}["partially"] == 100.0


def test_crosstabs_cover_language_and_wave(sco_survey: Survey) -> None:
    recruiter = submit(sco_survey, varied_answers(sco_survey, random.Random(3)), language="kk")
    Response.objects.filter(pk=recruiter.pk).update(wave=0)
    recruiter.refresh_from_db()
    submit(sco_survey, varied_answers(sco_survey, random.Random(4)), wave_of=recruiter)
    aggregates_rebuild(survey_id=sco_survey.pk)

    cells = _published(sco_survey)
    assert cells[("language", "kk", "", "")] == 1
    assert cells[("language", "en", "", "")] == 1
    assert cells[("wave", "0", "", "")] == 1
    assert cells[("wave", "1", "awareness", "")] == 1


def test_an_incremental_rebuild_equals_a_full_one(sco_survey: Survey) -> None:
    rng = random.Random(5)
    for _ in range(6):
        submit(sco_survey, varied_answers(sco_survey, rng))
    first = aggregates_rebuild(survey_id=sco_survey.pk)
    assert first.full
    for _ in range(5):
        submit(sco_survey, varied_answers(sco_survey, rng))
    assert aggregates_stale(survey_id=sco_survey.pk) == "incremental"

    incremental = aggregates_rebuild(survey_id=sco_survey.pk)
    assert not incremental.full
    assert incremental.responses == 11
    after_increment = _published(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    assert _published(sco_survey) == after_increment
    assert aggregates_stale(survey_id=sco_survey.pk) == ""


def test_a_response_that_commits_late_below_the_watermark_is_still_counted(
    sco_survey: Survey,
) -> None:
    rng = random.Random(6)
    responses = [submit(sco_survey, varied_answers(sco_survey, rng)) for _ in range(3)]
    # The middle response's transaction has not committed yet when the rebuild runs...
    late = Response.objects.get(pk=responses[1].pk)
    Response.objects.filter(pk=late.pk).delete()
    snapshot = aggregates_rebuild(survey_id=sco_survey.pk)
    assert snapshot.responses == 2
    assert late.pk in snapshot_cursor(snapshot).responses.gap_ids()
    # ... and commits afterwards, with an id below the watermark.
    late.save(force_insert=True)
    assert aggregates_stale(survey_id=sco_survey.pk) == "incremental"
    assert aggregates_catch_up_task() == [sco_survey.pk]
    assert published_snapshot(survey=sco_survey).responses == 3
    assert late.pk not in snapshot_cursor(published_snapshot(survey=sco_survey)).responses.gap_ids()


def test_a_withdrawal_leads_to_a_full_rebuild_without_the_response(
    sco_survey: Survey, django_capture_on_commit_callbacks
) -> None:
    rng = random.Random(7)
    kept = submit(sco_survey, varied_answers(sco_survey, rng))
    gone = submit(sco_survey, varied_answers(sco_survey, rng))
    aggregates_rebuild(survey_id=sco_survey.pk)
    runs = AggregateState.objects.get(pk=sco_survey.pk).full_runs

    with django_capture_on_commit_callbacks(execute=True):
        response_withdraw(response=gone)

    state = AggregateState.objects.get(pk=sco_survey.pk)
    assert state.full_runs == runs + 1
    assert state.snapshot.responses == 1
    assert _published(sco_survey)[("", "", "awareness", kept.answers["awareness"])] >= 1
    assert aggregates_stale(survey_id=sco_survey.pk) == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cache_away", [False, True], ids=["cache", "cache-away"])
def test_with_a_broker_a_burst_of_submissions_enqueues_a_handful_of_rebuilds(
    sco_survey: Survey, settings, monkeypatch: pytest.MonkeyPatch, cache_away: bool
) -> None:
    settings.AGGREGATES_COALESCE_SECONDS = 5
    if cache_away:
        # Without the shared cache the window is claimed in the survey's schedule row.
        def unreachable(*args: object, **kwargs: object) -> bool:
            raise ConnectionError("cache down")

        monkeypatch.setattr("aggregates.rebuild.cache.add", unreachable)
    enqueued: list[dict[str, Any]] = []
    real_enqueue = enqueue._enqueue

    def counted(**kwargs: Any) -> bool:
        enqueued.append(kwargs)
        return real_enqueue(**kwargs)

    monkeypatch.setattr(enqueue, "_enqueue", counted)
    rng = random.Random(8)
    with celery_broker("memory://"):  # a broker that holds the tasks; no worker runs them
        started = time.monotonic()
        for _ in range(300):
            submit(sco_survey, varied_answers(sco_survey, rng))
        elapsed = time.monotonic() - started

    # Each window's first submission enqueues a rebuild that waits out the window.
    assert 1 <= len(enqueued) <= elapsed / 5 + 2, (len(enqueued), elapsed)
    assert all(call["countdown"] == 5 for call in enqueued)
    monkeypatch.undo()  # the cache is back by the time the beat's catch-up runs
    aggregates_catch_up_task()
    assert published_snapshot(survey=sco_survey).responses == 300


@pytest.mark.django_db(transaction=True)
def test_in_process_every_submission_is_counted_as_soon_as_it_commits(
    sco_survey: Survey, settings
) -> None:
    settings.AGGREGATES_COALESCE_SECONDS = 5  # no worker waits out a window in-process
    rng = random.Random(8)
    for count in range(1, 6):
        submit(sco_survey, varied_answers(sco_survey, rng))
        assert published_snapshot(survey=sco_survey).responses == count
        assert aggregates_stale(survey_id=sco_survey.pk) == ""


@pytest.mark.django_db(transaction=True)
def test_a_failing_rebuild_never_fails_the_submission(
    sco_survey: Survey, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("aggregates.rebuild._rebuild", broken)
    response = complete_survey(Client(), sco_survey)  # asserts the thank-you page

    assert Response.objects.filter(pk=response.pk).exists()
    state = AggregateState.objects.get(pk=sco_survey.pk)
    assert "disk on fire" in state.last_error
    assert "not run now; the catch-up will" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_submission_with_the_broker_unreachable_is_stored_and_fast(
    sco_survey: Survey, caplog: pytest.LogCaptureFixture
) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with celery_broker(nobody):
        started = time.monotonic()
        response = complete_survey(Client(), sco_survey)
        elapsed = time.monotonic() - started

    assert elapsed < 5, elapsed
    assert Response.objects.filter(pk=response.pk).exists()
    assert AggregateSchedule.objects.get(pk=sco_survey.pk).failures == 1
    assert "the catch-up will" in caplog.text
    assert aggregates_stale(survey_id=sco_survey.pk) == "full"
    aggregates_catch_up_task()
    assert published_snapshot(survey=sco_survey).responses == 1


def test_live_counts_of_a_filter_match_the_published_crosstab(sco_survey: Survey) -> None:
    rng = random.Random(9)
    for _ in range(10):
        submit(sco_survey, varied_answers(sco_survey, rng))
    aggregates_rebuild(survey_id=sco_survey.pk)
    plan = count_plan(survey=sco_survey)
    live = count_live(
        survey=sco_survey, plan=plan, filters=ResponseFilter(answers={"country": "kz"})
    )
    published = _published(sco_survey)
    expected = {
        (question, option): count
        for (dimension, value, question, option), count in published.items()
        if dimension == "country" and value == "kz"
    }
    got = {(q, o): c for (d, v, q, o), c in live.items() if d == "" and c}
    assert got == expected


@pytest.mark.postgres
def test_the_sql_counting_equals_the_python_counting(sco_survey: Survey) -> None:
    assert connection.vendor == "postgresql"
    rng = random.Random(10)
    recruiter = None
    for index in range(25):
        recruiter = submit(
            sco_survey,
            varied_answers(sco_survey, rng),
            language=("ru", "kk", "en")[index % 3],
            wave_of=recruiter if index % 4 else None,
        )
        if index % 4 == 0:
            Response.objects.filter(pk=recruiter.pk).update(wave=0)
            recruiter.refresh_from_db()
    # Rows no form would store (imports, older versions): both ways must skip the same parts.
    odd = {
        "awareness": 5,
        "impact": "",
        "initiatives": ["fairly_effective"],
        "platforms": ["telegram", "telegram", "vk"],
        "threats": "cyberattacks",
        "network_size": 3.7,
        "country": "kz",
    }
    for index, answers in enumerate([odd, {"network_size": True, "trust": None}, {}]):
        Response.objects.create(
            survey=sco_survey,
            submission_key=uuid.uuid4(),
            language="en",
            started_at=timezone.now(),
            answers=answers,
            wave=index,
        )
    plan = count_plan(survey=sco_survey)
    python = count_python(survey=sco_survey, plan=plan)
    sql, params = count_sql(survey=sco_survey, plan=plan)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = {(d, v, q, o): c for d, v, q, o, c, _unflagged in cursor.fetchall()}
    assert rows == dict(python)
    assert rows[("", "", "", "")] == 28
    assert rows[("", "", "platforms", "telegram")] == python[("", "", "platforms", "telegram")]
    assert ("", "", "awareness", "5") not in rows


@pytest.mark.postgres
def test_the_filtered_crosstab_query_equals_the_python_counting(sco_survey: Survey) -> None:
    rng = random.Random(12)
    for index in range(30):
        submit(sco_survey, varied_answers(sco_survey, rng), language=("ru", "kk")[index % 2])
    plan = count_plan(survey=sco_survey)
    filters = ResponseFilter(language="kk")
    python = count_python(survey=sco_survey, plan=plan, filters=filters)
    for question, dimension in [("awareness", "age_group"), ("platforms", "country")]:
        cells = count_crosstab(
            survey=sco_survey, plan=plan, question=question, dimension=dimension, filters=filters
        )
        expected = {
            cell: count
            for cell, count in python.items()
            if cell[0] == dimension and cell[2] in {question, ""}
        }
        assert {cell: n for cell, n in cells.items() if cell[0] == dimension} == expected


def test_a_snapshot_stored_before_the_change_feed_is_carried_on_incrementally(
    sco_survey: Survey,
) -> None:
    rng = random.Random(11)
    responses = [submit(sco_survey, varied_answers(sco_survey, rng)) for _ in range(3)]
    late = Response.objects.get(pk=responses[1].pk)
    Response.objects.filter(pk=late.pk).delete()
    snapshot = aggregates_rebuild(survey_id=sco_survey.pk)
    # As stored before the feed: the watermark, and the gaps alone with when each was missed.
    seen = snapshot_cursor(snapshot).responses.gaps
    old_gaps = {str(gap): moment.isoformat() for gap, moment in seen}
    AggregateSnapshot.objects.filter(pk=snapshot.pk).update(gaps=old_gaps)
    assert str(late.pk) in old_gaps
    late.save(force_insert=True)
    submit(sco_survey, varied_answers(sco_survey, rng))
    assert aggregates_stale(survey_id=sco_survey.pk) == "incremental"

    carried = aggregates_rebuild(survey_id=sco_survey.pk)
    assert not carried.full and carried.responses == 4
    after_increment = _published(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    assert _published(sco_survey) == after_increment
