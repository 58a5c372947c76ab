"""The change feed hands out every response once, late commits included, and every change to a
response counted before (a withdrawal, a flag, a review) once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from surveys.changefeed.cursor import FeedCursor, SequenceCursor
from surveys.changefeed.feed import GAP_TTL, Changes, changes_since
from surveys.models import Response, ResponseChange, Review, Survey
from surveys.quality.reviews import response_flag_add, response_review
from surveys.services import response_withdraw
from tests.fixtures.recruitment import make_response


def _store(survey: Survey, count: int = 1, **fields: object) -> list[Response]:
    made = [make_response(survey, **fields) for _ in range(count)]
    for response in made:
        response.save()
    return made


def _handed_out(survey: Survey, changes: Changes) -> set[int]:
    return set(
        Response.objects.filter(changes.added.q(), survey=survey).values_list("pk", flat=True)
    )


def test_a_late_commit_below_the_cursor_is_handed_out_exactly_once(sco_survey: Survey) -> None:
    first, late, last = _store(sco_survey, 3)
    # The middle response's transaction has not committed when the feed is read...
    Response.objects.filter(pk=late.pk).delete()
    step = changes_since(survey_id=sco_survey.pk, cursor=None)
    assert _handed_out(sco_survey, step) == {first.pk, last.pk}
    assert late.pk in step.cursor.responses.gap_ids()
    # ... and commits afterwards, below the watermark.
    late.save(force_insert=True)
    again = changes_since(survey_id=sco_survey.pk, cursor=step.cursor)
    assert _handed_out(sco_survey, again) == {late.pk}
    assert late.pk not in again.cursor.responses.gap_ids()
    assert changes_since(survey_id=sco_survey.pk, cursor=again.cursor).empty


def test_a_row_committing_while_the_feed_is_read_is_left_out_until_the_next_read(
    sco_survey: Survey,
) -> None:
    first, late = _store(sco_survey, 2)
    Response.objects.filter(pk=late.pk).delete()
    step = changes_since(survey_id=sco_survey.pk, cursor=None)
    # It commits between the feed's read and the consumer's count: the count leaves it out.
    late.save(force_insert=True)
    assert _handed_out(sco_survey, step) == {first.pk}
    assert _handed_out(sco_survey, changes_since(survey_id=sco_survey.pk, cursor=step.cursor)) == {
        late.pk
    }


def test_nothing_is_handed_out_twice_once_the_cursor_advances(sco_survey: Survey) -> None:
    cursor: FeedCursor | None = None
    seen: list[int] = []
    for batch in (3, 0, 2, 5, 0, 1):
        _store(sco_survey, batch)
        step = changes_since(survey_id=sco_survey.pk, cursor=cursor)
        seen += sorted(_handed_out(sco_survey, step))
        assert step.empty == (batch == 0)
        cursor = step.cursor
    assert seen == list(Response.objects.order_by("pk").values_list("pk", flat=True))


def test_a_withdrawal_of_a_response_handed_out_before_is_reported_once(
    sco_survey: Survey,
) -> None:
    _kept, gone = _store(sco_survey, 2)
    step = changes_since(survey_id=sco_survey.pk, cursor=None)
    response_withdraw(response=gone)
    withdrawn = changes_since(survey_id=sco_survey.pk, cursor=step.cursor)
    assert withdrawn.changed == {gone.pk: frozenset({ResponseChange.Kind.WITHDRAWN})}
    assert withdrawn.withdrawals and withdrawn.added.empty
    assert changes_since(survey_id=sco_survey.pk, cursor=withdrawn.cursor).empty


def test_a_flag_and_an_exclusion_of_counted_responses_are_reported(
    sco_survey: Survey, organizer: User
) -> None:
    flagged, excluded, untouched = _store(sco_survey, 3)
    excluded.quality_flags = ["too_fast"]
    excluded.save(update_fields=["quality_flags"])
    step = changes_since(survey_id=sco_survey.pk, cursor=None)
    response_flag_add(response=flagged, flag="same_device")
    response_review(response=excluded, decision=Review.EXCLUDED, user=organizer)
    changed = changes_since(survey_id=sco_survey.pk, cursor=step.cursor)
    assert changed.changed == {
        flagged.pk: frozenset({ResponseChange.Kind.FLAGGED}),
        excluded.pk: frozenset({ResponseChange.Kind.REVIEWED}),
    }
    assert not changed.withdrawals and untouched.pk not in changed.changed


def test_a_response_new_to_the_reader_is_handed_out_as_it_is_now_not_as_a_change(
    sco_survey: Survey,
) -> None:
    step = changes_since(survey_id=sco_survey.pk, cursor=None)
    (fresh,) = _store(sco_survey)
    response_flag_add(response=fresh, flag="same_device")
    after = changes_since(survey_id=sco_survey.pk, cursor=step.cursor)
    assert _handed_out(sco_survey, after) == {fresh.pk} and not after.changed
    assert changes_since(survey_id=sco_survey.pk, cursor=after.cursor).empty


def test_a_change_logged_late_below_the_changes_cursor_is_reported_once(
    sco_survey: Survey,
) -> None:
    first, second = _store(sco_survey, 2)
    step = changes_since(survey_id=sco_survey.pk, cursor=None)
    response_flag_add(response=first, flag="same_device")
    response_flag_add(response=second, flag="same_device")
    early = ResponseChange.objects.get(response=first)
    # The first flag's transaction commits after the second one's.
    ResponseChange.objects.filter(pk=early.pk).delete()
    partial = changes_since(survey_id=sco_survey.pk, cursor=step.cursor)
    assert set(partial.changed) == {second.pk}
    early.save(force_insert=True)
    late = changes_since(survey_id=sco_survey.pk, cursor=partial.cursor)
    assert set(late.changed) == {first.pk}
    assert changes_since(survey_id=sco_survey.pk, cursor=late.cursor).empty


def test_a_gap_that_never_commits_is_forgotten_after_a_while(sco_survey: Survey) -> None:
    _first, rolled_back, _last = _store(sco_survey, 3)
    Response.objects.filter(pk=rolled_back.pk).delete()
    step = changes_since(survey_id=sco_survey.pk, cursor=None)
    # (On PostgreSQL the ids other tests' rolled-back rows took are gaps too.)
    assert rolled_back.pk in step.cursor.responses.gap_ids()
    still = changes_since(survey_id=sco_survey.pk, cursor=step.cursor)
    assert still.cursor.responses.gap_ids() == step.cursor.responses.gap_ids()
    later = timezone.now() + GAP_TTL + timedelta(seconds=1)
    gone = changes_since(survey_id=sco_survey.pk, cursor=step.cursor, now=later)
    assert gone.cursor.responses.gaps == () and gone.empty


def test_another_surveys_rows_fill_gaps_but_are_not_handed_out(sco_survey: Survey) -> None:
    other_survey = Survey.objects.create(
        slug="other-study", title_en="Other", consent_en="c", consent_label_en="c"
    )
    (mine,) = _store(sco_survey)
    (theirs,) = _store(other_survey)
    Response.objects.filter(pk=theirs.pk).delete()
    (mine_too,) = _store(sco_survey)
    step = changes_since(survey_id=sco_survey.pk, cursor=None)
    assert theirs.pk in step.cursor.responses.gap_ids()
    theirs.save(force_insert=True)
    after = changes_since(survey_id=sco_survey.pk, cursor=step.cursor)
    assert after.empty and theirs.pk not in after.cursor.responses.gap_ids()
    assert _handed_out(sco_survey, step) == {mine.pk, mine_too.pk}


def test_a_cursor_reads_back_from_its_json_and_refuses_an_unknown_version() -> None:
    moment = timezone.now()
    cursor = FeedCursor(
        responses=SequenceCursor(watermark=105, gaps=((104, moment),)),
        changes=SequenceCursor(watermark=7),
    )
    assert FeedCursor.from_json(cursor.to_json()) == cursor
    with pytest.raises(ValueError, match="version"):
        FeedCursor.from_json({**cursor.to_json(), "version": 99})
