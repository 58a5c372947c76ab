"""On PostgreSQL, a transaction that took a lower id and commits after a higher one: the change
feed hands out its row exactly once, after it commits."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connections, transaction

from surveys.changefeed.feed import Changes, changes_since
from surveys.models import Response, ResponseChange, Survey
from surveys.quality.reviews import response_flag_add
from surveys.services import response_withdraw
from tests.fixtures.recruitment import make_response

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextmanager
def _held_open(work: Callable[[], object]) -> Iterator[list[object]]:
    """Run work in a transaction on another connection that commits when the block ends."""
    holding, release = threading.Event(), threading.Event()
    done: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                done.append(work())
                holding.set()
                release.wait(60)
        except BaseException as error:
            errors.append(error)
            holding.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert holding.wait(60) and not errors, errors
        yield done
    finally:
        release.set()
        thread.join(60)
    assert not errors, errors


def _stored(survey: Survey) -> Response:
    response = make_response(survey)
    response.save()
    return response


def _handed_out(survey: Survey, changes: Changes) -> set[int]:
    return set(
        Response.objects.filter(changes.added.q(), survey=survey).values_list("pk", flat=True)
    )


def test_a_response_committing_after_a_higher_id_is_handed_out_once_after_it_commits(
    sco_survey: Survey,
) -> None:
    first = _stored(sco_survey)
    with _held_open(lambda: _stored(sco_survey)) as late:
        higher = _stored(sco_survey)
        assert higher.pk > late[0].pk
        step = changes_since(survey_id=sco_survey.pk, cursor=None)
        assert _handed_out(sco_survey, step) == {first.pk, higher.pk}
        assert late[0].pk in step.cursor.responses.gap_ids()
    after = changes_since(survey_id=sco_survey.pk, cursor=step.cursor)
    assert _handed_out(sco_survey, after) == {late[0].pk}
    assert changes_since(survey_id=sco_survey.pk, cursor=after.cursor).empty


def test_a_withdrawal_committing_after_a_later_flag_is_reported_once_after_it_commits(
    sco_survey: Survey,
) -> None:
    gone, flagged = _stored(sco_survey), _stored(sco_survey)
    step = changes_since(survey_id=sco_survey.pk, cursor=None)
    def withdraw() -> int:
        response_withdraw(response=gone)
        return ResponseChange.objects.get(response=gone).pk

    with _held_open(withdraw) as withdrawal:
        response_flag_add(response=flagged, flag="same_device")
        assert ResponseChange.objects.get(response=flagged).pk > withdrawal[0]
        partial = changes_since(survey_id=sco_survey.pk, cursor=step.cursor)
        assert partial.changed == {flagged.pk: frozenset({ResponseChange.Kind.FLAGGED})}
    late = changes_since(survey_id=sco_survey.pk, cursor=partial.cursor)
    assert late.changed == {gone.pk: frozenset({ResponseChange.Kind.WITHDRAWN})}
    assert changes_since(survey_id=sco_survey.pk, cursor=late.cursor).empty
