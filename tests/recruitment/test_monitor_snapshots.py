"""The monitor reads its counts from the tally and the stored health, not from the responses.

Its figures must stay those of a count from scratch while respondents submit and withdraw and
responses are flagged and reviewed; and once the tally and the health alerts are stored, the
page's queries read no response beyond the newest rows and a bounded handful of others.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recruitment.health.store import health_store
from recruitment.monitor.quarantine import NO_SEED
from surveys.models import LinkEvent, Response, Review, Survey
from surveys.quality.reviews import response_flag_add, response_review
from tests.fixtures.recruitment import HttpTree, make_response, respondent_client
from tests.fixtures.staff import logged_in


def _age(survey: Survey) -> None:
    """Make every response and link event old enough for the tally to store them."""
    past = timezone.now() - timedelta(days=1)
    Response.objects.filter(survey=survey).update(submitted_at=past)
    LinkEvent.objects.filter(survey=survey).update(created_at=past)


def _flagged_from_scratch(survey: Survey) -> list[tuple]:
    """Count the flagged responses per chain and review straight from the responses table."""
    flagged = ~Q(quality_flags=[])
    rows = (
        Response.objects.filter(survey=survey, withdrawn_at__isnull=True)
        .filter(flagged)
        .order_by()
        .values("seed_link_id")
        .annotate(
            n=Count("id"),
            pending=Count("id", filter=Q(review=Review.NONE)),
            accepted=Count("id", filter=Q(review=Review.ACCEPTED)),
            excluded=Count("id", filter=Q(review=Review.EXCLUDED)),
        )
    )
    return sorted(
        (str(r["seed_link_id"] or NO_SEED), r["n"], r["pending"], r["accepted"], r["excluded"])
        for r in rows
    )


def _flagged_shown(context: dict) -> list[tuple]:
    return sorted(
        (c.chain, c.flagged, c.pending, c.accepted, c.excluded) for c in context["flagged_chains"]
    )


def _totals_from_scratch(survey: Survey) -> tuple[int, int]:
    kept = Response.objects.filter(survey=survey, withdrawn_at__isnull=True)
    return kept.count(), kept.exclude(quality_flags=[]).count()


def _flag_two(tree: HttpTree) -> tuple[Response, Response]:
    """Store a flagged recruit in the seed link's chain and a flagged respondent without link."""
    boris = tree.members["boris"].response
    linked = make_response(
        tree.survey, seed_link=boris.seed_link, wave=1, recruiter=boris, quality_flags=["too_fast"]
    )
    unlinked = make_response(tree.survey, wave=0, self_started=True, quality_flags=["honeypot"])
    linked.save()
    unlinked.save()
    return linked, unlinked


def test_the_monitors_figures_equal_a_count_from_scratch_after_submits_a_withdrawal_a_flag_and_a_review(  # noqa: E501
    http_tree: HttpTree, organizer: User, django_capture_on_commit_callbacks
) -> None:
    survey = http_tree.survey
    linked, _unlinked = _flag_two(http_tree)
    _age(survey)
    client = logged_in(organizer)
    before = client.get("/en/organize/").context
    assert before["m"].totals.flagged == 2

    http_tree.join("boris-2", "boris", "kz", 7)  # a submit through HTTP
    alma_3 = http_tree.members["alma-3"].response
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = respondent_client("alma-3").post(f"/en/withdraw/{alma_3.withdraw_token}/")
    assert withdrawn.status_code == 200
    _check(client, survey, responses=before["m"].totals.responses, flagged=2, pending=2)
    _age(survey)
    _check(client, survey, responses=before["m"].totals.responses, flagged=2, pending=2)

    # Then a flag added to a response counted already, and a review of another.
    with django_capture_on_commit_callbacks(execute=True):
        response_flag_add(response=http_tree.members["boris-1"].response, flag="same_device")
        response_review(response=linked, decision=Review.ACCEPTED, user=organizer)
    after = _check(client, survey, responses=before["m"].totals.responses, flagged=3, pending=2)
    # The stored tally, recounted from nothing, says the same.
    cache.clear()
    again = client.get("/en/organize/").context
    assert _flagged_shown(again) == _flagged_shown(after)
    assert again["m"].totals == after["m"].totals


def _check(client: Client, survey: Survey, *, responses: int, flagged: int, pending: int) -> dict:
    """Assert the monitor shows the counts from scratch (and these expected ones)."""
    context = client.get("/en/organize/").context
    assert (context["m"].totals.responses, context["m"].totals.flagged) == _totals_from_scratch(
        survey
    )
    assert (context["m"].totals.responses, context["m"].totals.flagged) == (responses, flagged)
    assert _flagged_shown(context) == _flagged_from_scratch(survey)
    assert context["flagged_pending"] == pending
    return context


# A statement reading the responses is bounded when it reads only ids above the tally's mark
# (an index range holding the rows not yet counted), ids it names, or a LIMITed page.
_BOUNDED = re.compile(r'"surveys_response"\."id" (>|IN \()|\bLIMIT\b')


def test_the_monitor_reads_no_response_beyond_the_tallys_mark_once_its_snapshots_are_stored(
    http_tree: HttpTree, organizer: User
) -> None:
    survey = http_tree.survey
    _flag_two(http_tree)
    _age(survey)
    health_store(survey=survey)  # as after a refresh of the aggregates
    client = logged_in(organizer)
    client.get("/en/organize/")  # stores the tally
    with CaptureQueriesContext(connection) as queries:
        reply = client.get("/en/organize/")
    assert reply.status_code == 200 and reply.context["m"].totals.flagged == 2
    assert [c.flagged for c in reply.context["flagged_chains"]] == [1, 1]
    reading = [q["sql"] for q in queries.captured_queries if '"surveys_response"' in q["sql"]]
    # The marks, the top recruiters by id and the latest flagged awaiting review: nothing else.
    assert reading, "the monitor reads the responses above the tally's mark"
    unbounded = [sql for sql in reading if not _BOUNDED.search(sql)]
    assert unbounded == []


def test_a_visit_before_any_refresh_stores_the_alerts_so_the_next_reads_no_whole_table(
    http_tree: HttpTree, organizer: User
) -> None:
    survey = http_tree.survey
    _flag_two(http_tree)
    _age(survey)
    cache.clear()  # no alerts stored: before the first refresh, or after the cache was emptied
    client = logged_in(organizer)
    first = client.get("/en/organize/")
    with CaptureQueriesContext(connection) as queries:
        reply = client.get("/en/organize/")
    assert reply.status_code == 200
    assert reply.context["health"].alerts == first.context["health"].alerts
    reading = [q["sql"] for q in queries.captured_queries if '"surveys_response"' in q["sql"]]
    assert [sql for sql in reading if not _BOUNDED.search(sql)] == []
