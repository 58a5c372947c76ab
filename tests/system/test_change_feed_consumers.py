"""The dashboard's aggregates and the monitor's tally, both fed by the change feed, agree with
each other and with a count from scratch through late commits, withdrawals and flags."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connections, transaction

from aggregates.counting import count_plan, count_python
from aggregates.filters import ResponseFilter
from aggregates.models import AggregateCount, AggregateSnapshot
from aggregates.rebuild import aggregates_rebuild
from aggregates.selectors import published_snapshot, survey_results
from recruitment.monitor.figures import Monitor, monitor_figures
from surveys.models import Response, SeedLink, Survey
from surveys.quality.reviews import response_flag_add
from surveys.services import response_withdraw
from tests.fixtures.recruitment import grow_chain, make_response


def _monitor(survey: Survey) -> Monitor:
    return monitor_figures(survey=survey, dormant_days=7)


def _shown(figures: Monitor) -> tuple:
    chains = [(c.seed.pk, c.used, c.size, c.deepest_wave, c.countries) for c in figures.chains]
    return (
        figures.totals,
        figures.waves,
        figures.countries,
        figures.top_recruiters,
        figures.flag_chains,
        chains,
    )


def _agree(survey: Survey) -> tuple[AggregateSnapshot, Monitor]:
    """Bring both consumers up to date; assert they equal a recount and each other."""
    snapshot = aggregates_rebuild(survey_id=survey.pk)
    monitor = _monitor(survey)
    published = {
        (row.dimension, row.value, row.question, row.option): (row.count, row.unflagged)
        for row in AggregateCount.objects.filter(snapshot=published_snapshot(survey=survey))
    }
    recount = count_python(survey=survey, plan=count_plan(survey=survey))
    assert published == {cell: (n, recount.unflagged[cell]) for cell, n in recount.items()}
    cache.clear()  # the monitor's tally, counted again from nothing
    assert _shown(monitor) == _shown(_monitor(survey))
    results, _ = survey_results(survey=survey, filters=ResponseFilter())
    kept = Response.objects.filter(survey=survey, withdrawn_at__isnull=True).count()
    assert results.respondents == monitor.totals.responses == kept
    return snapshot, monitor


def _chain(survey: Survey) -> list[Response]:
    seed = SeedLink.objects.create(survey=survey, label="Fed")
    return grow_chain(survey, seed, seeds=2, waves=2, fanout=2)


def _recruit(of: Response) -> Response:
    recruit = make_response(of.survey, seed_link=of.seed_link, wave=1, recruiter=of)
    recruit.save()
    return recruit


def test_both_consumers_agree_with_a_recount_through_a_late_commit_a_withdrawal_and_a_flag(
    sco_survey: Survey,
) -> None:
    chain = _chain(sco_survey)
    _agree(sco_survey)
    late, later = _recruit(chain[0]), _recruit(chain[1])
    # The lower id's transaction has not committed when both consumers read.
    Response.objects.filter(pk=late.pk).delete()
    snapshot, monitor = _agree(sco_survey)
    assert not snapshot.full and monitor.totals.responses == len(chain) + 1
    late.save(force_insert=True)
    snapshot, monitor = _agree(sco_survey)
    assert not snapshot.full and monitor.totals.responses == len(chain) + 2
    # A respondent counted by both withdraws; another counted one is flagged.
    response_withdraw(response=chain[0])
    response_flag_add(response=later, flag="same_device")
    snapshot, monitor = _agree(sco_survey)
    assert snapshot.full and monitor.totals.responses == len(chain) + 1
    assert monitor.totals.flagged == 1
    assert not aggregates_rebuild(survey_id=sco_survey.pk).full  # nothing new is counted again


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_both_consumers_agree_with_a_recount_when_a_transaction_commits_late_on_postgresql(
    sco_survey: Survey,
) -> None:
    chain = _chain(sco_survey)
    _agree(sco_survey)
    holding, release = threading.Event(), threading.Event()
    late_ids: list[int] = []
    errors: list[BaseException] = []

    def late_submitter() -> None:
        try:
            with transaction.atomic():
                late_ids.append(_recruit(chain[0]).pk)
                holding.set()
                release.wait(60)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=late_submitter)
    thread.start()
    try:
        assert holding.wait(60)
        later = _recruit(chain[1])
        assert later.pk > late_ids[0]
        snapshot, monitor = _agree(sco_survey)
        assert not snapshot.full and monitor.totals.responses == len(chain) + 1
    finally:
        release.set()
        thread.join(60)
    assert not errors, errors
    response_withdraw(response=chain[2])
    snapshot, monitor = _agree(sco_survey)
    assert monitor.totals.responses == len(chain) + 1
    assert Response.objects.filter(pk=late_ids[0]).exists()
