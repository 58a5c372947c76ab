"""The monitor's running tally: stored counts plus new rows always equal a full recount."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone

from recruitment.monitor import stamps, tally
from recruitment.monitor.figures import Monitor, monitor_figures
from recruitment.monitor.tally import tally_read
from surveys.changefeed.feed import GAP_TTL
from surveys.models import LinkEvent, Response, SeedLink, Survey
from tests.fixtures.recruitment import (
    HttpTree,
    grow_chain,
    grow_funnel,
    make_response,
    respondent_client,
)
from tests.fixtures.staff import logged_in
from tests.flow import complete_survey


def _age(survey: Survey, *, days: int) -> None:
    """Make every response and link event of the survey old enough to be settled."""
    past = timezone.now() - timedelta(days=days)
    Response.objects.filter(survey=survey).update(submitted_at=past)
    LinkEvent.objects.filter(survey=survey).update(created_at=past)


def _figures(survey: Survey) -> Monitor:
    return monitor_figures(survey=survey, dormant_days=7)


def _comparable(figures: Monitor) -> tuple:
    chains = [
        (c.seed.pk, c.used, c.size, c.deepest_wave, c.last_activity, c.funnel, c.countries)
        for c in figures.chains
    ]
    return (
        figures.totals,
        figures.waves,
        figures.countries,
        figures.daily,
        figures.personal_funnel,
        figures.top_recruiters,
        chains,
    )


def _stored(survey: Survey) -> tally.Tally:
    """Return the tally stored for the survey's country question."""
    question = tally.country_question(survey=survey)
    return tally._stored(survey, None if question is None else question.code)[0]


def _recount(survey: Survey) -> Monitor:
    cache.clear()
    return _figures(survey)


def test_counts_carried_over_and_new_rows_add_up_to_a_full_recount(sco_survey: Survey) -> None:
    first = SeedLink.objects.create(survey=sco_survey, label="First")
    grow_chain(sco_survey, first, seeds=2, waves=3, fanout=2)
    grow_funnel(sco_survey, first.code, opened=5, consented=3, completed=2)
    _age(sco_survey, days=3)
    stored = _figures(sco_survey)
    assert tally_read(survey=sco_survey).responses_done == Response.objects.latest("id").pk
    # More arrives: a bulk load with old timestamps, a new chain, live respondents.
    second = SeedLink.objects.create(survey=sco_survey, label="Second")
    bulk = grow_chain(sco_survey, second, seeds=1, waves=2, fanout=3, country=lambda i: "ru")
    Response.objects.filter(seed_link=second).update(
        submitted_at=timezone.now() - timedelta(days=30)
    )
    recruiter = Response.objects.filter(seed_link=first, wave=1).first()
    complete_survey(
        respondent_client("live"), sco_survey, start_path=f"/en/r/{recruiter.referral_code}/"
    )
    complete_survey(respondent_client("unattributed"), sco_survey)
    after = _figures(sco_survey)
    assert after.totals.responses == stored.totals.responses + len(bulk) + 2
    assert _comparable(after) == _comparable(_recount(sco_survey))


def test_new_rows_are_shown_and_stored_at_once(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Young")
    made = grow_chain(sco_survey, seed, seeds=1, waves=1, fanout=2)
    figures = _figures(sco_survey)
    assert figures.totals.responses == 3
    # No settling time: the feed's gaps catch a row that commits late, so all is stored now.
    stored = _stored(sco_survey)
    assert stored.responses_done == made[-1].pk and stored.responses == 3
    assert stored.chains[seed.pk][:3] == (3, 1, 1)


def test_top_recruiters_stay_right_as_recruits_trickle_in(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Trickle")
    roots = grow_chain(sco_survey, seed, seeds=12, waves=0, fanout=0)
    _age(sco_survey, days=2)
    for round_number in range(4):
        for index, root in enumerate(roots):
            if index % (round_number + 1) == 0:
                grow_chain_child(sco_survey, seed, root)
        _age(sco_survey, days=1)
        incremental = _figures(sco_survey)
        assert _comparable(incremental) == _comparable(_recount(sco_survey))


def grow_chain_child(survey: Survey, seed: SeedLink, recruiter: Response) -> None:
    Response.objects.bulk_create(
        [make_response(survey, seed_link=seed, wave=1, recruiter_id=recruiter.pk)]
    )


def test_a_withdrawal_is_taken_out_of_every_count(
    http_tree: HttpTree, organizer: User, django_capture_on_commit_callbacks
) -> None:
    _age(http_tree.survey, days=1)
    client = logged_in(organizer)
    before = client.get("/en/organize/").context["m"]
    alma = http_tree.members["alma"].response
    with django_capture_on_commit_callbacks(execute=True):
        withdraw = respondent_client("alma").post(f"/en/withdraw/{alma.withdraw_token}/")
    assert withdraw.status_code == 200
    after = client.get("/en/organize/").context["m"]
    assert after.totals.responses == before.totals.responses - 1
    assert after.totals.seeds == before.totals.seeds - 1
    # alma's recruits stay in the chain; she no longer counts as a recruiter.
    assert after.totals.recruiters == before.totals.recruiters - 1
    assert all(r.short_code != alma.referral_code[:6] + "…" for r in after.top_recruiters)
    assert _comparable(after) == _comparable(_recount(http_tree.survey))


def test_the_monitor_still_counts_right_without_a_cache(
    http_tree: HttpTree, organizer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _comparable(_figures(http_tree.survey))

    class Unreachable:
        def __getattr__(self, name: str) -> object:
            def fail(*args: object, **kwargs: object) -> None:
                raise ConnectionError("cache down")

            return fail

    monkeypatch.setattr(tally, "cache", Unreachable())
    reply = logged_in(organizer).get("/en/organize/")
    assert reply.status_code == 200
    assert _comparable(reply.context["m"]) == expected


def test_the_stored_tally_keeps_each_chains_waves_and_countries_packed(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Packed")
    grow_chain(sco_survey, seed, seeds=1, waves=2, fanout=2, country=lambda i: "kz")
    _age(sco_survey, days=1)
    _figures(sco_survey)
    stored = _stored(sco_survey)
    assert isinstance(stored.chain_details[seed.pk], str) and not stored._unpacked
    assert stored.chain_detail(seed.pk) == ({0: 1, 1: 2, 2: 4}, {"kz": 7})
    assert stored.chains[seed.pk][:3] == (7, 1, 2)
    # More arrives: the stored details are unpacked, added to and packed again.
    grow_chain(sco_survey, seed, seeds=1, waves=1, fanout=1, country=lambda i: "ru")
    _age(sco_survey, days=1)
    _figures(sco_survey)
    stored = _stored(sco_survey)
    assert stored.chain_detail(seed.pk) == ({0: 2, 1: 3, 2: 4}, {"kz": 8, "ru": 1})


def test_a_current_tally_is_read_with_two_queries_when_nothing_is_young(
    sco_survey: Survey, django_assert_num_queries
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Settled")
    grow_chain(sco_survey, seed, seeds=2, waves=2, fanout=2)
    grow_funnel(sco_survey, seed.code, opened=3, consented=2, completed=1)
    _age(sco_survey, days=1)
    tally_read(survey=sco_survey)
    # Ids taken by rows rolled back (other tests': PostgreSQL's sequences do not roll back) are
    # young gaps, looked for on each read for ten minutes; a read after that forgets them.
    later = timezone.now() + GAP_TTL + timedelta(minutes=1)
    tally_read(survey=sco_survey, now=later)
    # Only the two marks: nothing settled is new and nothing young needs adding.
    with django_assert_num_queries(2):
        tally = tally_read(survey=sco_survey, now=later)
    assert tally.responses == Response.objects.filter(survey=sco_survey).count()


def test_the_database_stamps_a_moment_as_python_does(sco_survey: Survey) -> None:
    moments = [
        timezone.now().replace(microsecond=0) - timedelta(days=40),
        timezone.now().replace(microsecond=123456) - timedelta(days=2),
        timezone.now().replace(microsecond=7),
    ]
    for number, moment in enumerate(moments):
        seed = SeedLink.objects.create(survey=sco_survey, label=f"Stamp {number}")
        SeedLink.objects.filter(pk=seed.pk).update(created_at=moment)
    rows = SeedLink.objects.annotate(stamp=stamps.Stamp("created_at")).order_by("pk")
    assert [row.stamp for row in rows] == [stamps.stamp(m) for m in moments]
    assert [stamps.moment_of(row.stamp) for row in rows] == moments
