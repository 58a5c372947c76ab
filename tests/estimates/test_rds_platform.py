"""RDS population estimates inside the platform: reference data end to end, dashboard, limits."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

import pandas as pd
import pytest
from celery.exceptions import Retry
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from aggregates.rebuild import aggregates_rebuild
from estimates import tasks
from estimates.models import RDSEstimateSet, RDSQuestion
from estimates.rds import refresh
from surveys.models import SeedLink, Survey
from surveys.services import Attribution, draft_start, response_submit
from tests.fixtures.analytics import dashboard_charts, page_json, varied_answers
from tests.fixtures.staff import logged_in, staff_user

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"


def _aggregates_csv(tmp_path: Path, slug: str) -> pd.DataFrame:
    output = tmp_path / f"{slug}-aggregates.csv"
    call_command("export_csv", "aggregates", survey=slug, output=output)
    frame = pd.read_csv(output, encoding="utf-8-sig", dtype={"option": str})
    return frame.set_index(["question", "option"])


@pytest.mark.django_db
def test_faux_through_import_rebuild_and_export_matches_r(tmp_path: Path) -> None:
    call_command("import_rds", str(REFERENCE / "faux.csv"), survey="faux", outcomes="X")
    call_command("rebuild_aggregates", survey="faux", stdout=io.StringIO())
    table = _aggregates_csv(tmp_path, "faux")
    assert table.loc[("x", "blue"), "rds2_share"] == pytest.approx(0.310334112778454, abs=1e-9)
    assert table.loc[("x", "red"), "rds2_share"] == pytest.approx(0.689665887221546, abs=1e-9)
    assert table.loc[("x", "blue"), "rds1_share"] == pytest.approx(0.310913, abs=1e-6)
    # One seed: no tree to resample, so the interval reported is R's and the CSV says so.
    assert pd.isna(table.loc[("x", "blue"), "rds2_tree_low"])
    assert table.loc[("x", "blue"), "rds2_ci_low"] == table.loc[("x", "blue"), "rds2_el_low"]
    assert table.loc[("x", "blue"), "rds2_ci_method"] == "el"
    assert table.loc[("x", "blue"), "count"] == 389 - table.loc[("x", "red"), "count"]
    stored = RDSQuestion.objects.get(question="x")
    assert stored.unavailable["interval"] == refresh.ONE_SEED_EL


@pytest.mark.django_db
def test_fauxmadrona_disease_share_matches_r_with_an_interval(tmp_path: Path) -> None:
    call_command(
        "import_rds",
        str(REFERENCE / "fauxmadrona.csv"),
        survey="fauxmadrona",
        outcomes="disease",
        degree_column="degree",
    )
    call_command("rebuild_aggregates", survey="fauxmadrona", stdout=io.StringIO())
    row = _aggregates_csv(tmp_path, "fauxmadrona").loc[("disease", "1")]
    assert row["rds2_share"] == pytest.approx(0.1644, abs=5e-4)
    assert row["rds2_ci_low"] < row["rds2_share"] < row["rds2_ci_high"]
    # The true prevalence in the simulated population is 0.2; a 95 % interval should cover it.
    assert row["rds2_ci_low"] < 0.2 < row["rds2_ci_high"]
    assert row["rds1_share"] == pytest.approx(0.1592, abs=5e-4)


@pytest.fixture
def demo(db: None, sco_survey: Survey) -> Survey:
    call_command("seed_demo", stdout=io.StringIO())
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    refresh.rds_rebuild(survey_id=sco_survey.pk)
    return sco_survey


def test_the_dashboard_shows_weighted_shares_with_intervals_beside_raw_ones(demo: Survey) -> None:
    analyst = logged_in(staff_user("ana", "Analysts"))
    html = analyst.get("/en/analytics/").content.decode()
    assert 'id="rds-note"' in html and "RDS-II" in html
    stored = RDSQuestion.objects.get(question="awareness").shares
    awareness = html[html.index('id="q-awareness"') : html.index('id="q-impact"')]
    for code in ("yes_fully", "partially", "no", "hard_to_say"):
        share = stored[code]
        assert share["low"] < share["rds2"] < share["high"]
        assert f"{100 * share['rds2']:.1f}" in awareness
        dash = "\N{EN DASH}"
        assert f"{100 * share['low']:.1f}{dash}{100 * share['high']:.1f}" in awareness
    chart = dashboard_charts(html)["awareness"]
    assert chart["percents"] == [48.5, 27.7, 17.8, 5.9]  # the raw shares stay the study's
    assert [s["percents"] for s in chart["series"]][1] == [
        round(100 * stored[c]["rds2"], 1) for c in ("yes_fully", "partially", "no", "hard_to_say")
    ]
    assert "/en/analytics/sco-2025/rds/awareness/" in awareness


def test_the_dashboard_leaves_the_diagnostics_unread(demo: Survey) -> None:
    # A curve per question and a share per seed grow with the sample; the dashboard shows
    # neither, so at a million responses reading them cost more than the rest of the page.
    analyst = logged_in(staff_user("ana", "Analysts"))
    with CaptureQueriesContext(connection) as captured:
        html = analyst.get("/en/analytics/").content.decode()
    assert "RDS-II" in html
    read = " ".join(query["sql"] for query in captured.captured_queries)
    assert "analytics_rdsquestion" in read
    for column in ("convergence_wave", "convergence_order", "bottleneck"):
        assert column not in read, column


def test_filtered_views_show_the_subgroups_estimates(demo: Survey) -> None:
    analyst = logged_in(staff_user("ana", "Analysts"))
    html = analyst.get("/en/analytics/?survey=sco-2025&country=kz").content.decode()
    assert 'id="subgroup-note"' in html
    assert "series" in dashboard_charts(html)["awareness"]


def test_diagnostics_page_plots_convergence_and_bottlenecks(demo: Survey) -> None:
    analyst = logged_in(staff_user("ana", "Analysts"))
    reply = analyst.get("/kk/analytics/sco-2025/rds/platforms/")
    assert reply.status_code == 200
    html = reply.content.decode()
    data = page_json(html, "rds-diagnostics")
    estimates = RDSEstimateSet.objects.get()
    assert [p["position"] for p in data["wave"]] == list(range(estimates.waves))
    assert data["order"][-1]["respondents"] == estimates.respondents
    assert len(data["bottleneck"]) == estimates.seeds
    # The last cumulative point is the estimate over everyone.
    final = RDSQuestion.objects.get(question="platforms").shares
    assert data["wave"][-1]["shares"]["telegram"] == pytest.approx(final["telegram"]["rds2"])
    assert data["labels"]["telegram"] == "Telegram"
    with translation.override("kk"):
        assert translation.gettext("Convergence by wave") in html


def test_estimates_are_the_same_on_every_rebuild(demo: Survey) -> None:
    first = {q.question: q.shares for q in RDSQuestion.objects.all()}
    refresh.rds_rebuild(survey_id=demo.pk)
    assert {q.question: q.shares for q in RDSQuestion.objects.all()} == first


def _respondent(survey: Survey, rng: random.Random, **attribution: object):
    draft = draft_start(
        survey=survey, language="en", attribution=Attribution(**attribution), client_hash=""
    )
    answers = varied_answers(survey, rng)
    draft.answers = {k: v for k, v in answers.items() if "__" not in k}
    draft.other_texts = {k.split("__")[0]: v for k, v in answers.items() if "__" in k}
    draft.save()
    response, _ = response_submit(draft=draft, pages=survey.ordered_pages())
    return response


def test_it_says_why_when_no_one_came_through_a_link(sco_survey: Survey) -> None:
    rng = random.Random(1)
    for _ in range(5):
        _respondent(sco_survey, rng)
    estimates = refresh.rds_rebuild(survey_id=sco_survey.pk)
    assert estimates.unavailable == refresh.NO_CHAINS
    analyst = logged_in(staff_user("ana", "Analysts"))
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    html = analyst.get("/kk/analytics/").content.decode()
    with translation.override("kk"):
        assert translation.gettext(refresh.NO_CHAINS) in html


def test_it_says_why_with_one_seed_and_one_wave(sco_survey: Survey) -> None:
    rng = random.Random(2)
    seed = SeedLink.objects.create(survey=sco_survey, label="one seed")
    for _ in range(4):
        _respondent(sco_survey, rng, code=seed.code, seed_link=seed)
    estimates = refresh.rds_rebuild(survey_id=sco_survey.pk)
    assert (estimates.seeds, estimates.waves, estimates.unavailable) == (4, 1, "")
    trust = RDSQuestion.objects.get(question="trust")
    assert trust.unavailable["rds1"] == refresh.ONE_WAVE
    assert trust.unavailable["convergence"] == refresh.ONE_WAVE
    assert sum(s["rds2"] for s in trust.shares.values()) == pytest.approx(1.0)


def test_submissions_refresh_the_estimates_in_process(
    sco_survey: Survey, django_capture_on_commit_callbacks
) -> None:
    rng = random.Random(3)
    seeds = [SeedLink.objects.create(survey=sco_survey, label=f"seed {i}") for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        for seed in seeds:
            _respondent(sco_survey, rng, code=seed.code, seed_link=seed)
    # Eager mode: each committed submission rebuilt the counts, which queued the estimates.
    estimates = RDSEstimateSet.objects.get(pk=sco_survey.pk)
    assert estimates.respondents >= 2 and estimates.seeds == 2


def test_the_diagnostics_page_needs_the_analyst_permission(demo: Survey) -> None:
    assert Client().get("/en/analytics/sco-2025/rds/trust/").status_code == 302
    organizer = logged_in(staff_user("org", "Organizers"))
    assert organizer.get("/en/analytics/sco-2025/rds/trust/").status_code == 403


def _stale_after_a_new_response(survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=survey, label="late seed")
    _respondent(survey, random.Random(4), code=seed.code, seed_link=seed)
    aggregates_rebuild(survey_id=survey.pk)
    assert refresh.rds_stale(survey_id=survey.pk)


def test_slow_estimates_rest_before_they_are_computed_again(demo: Survey, settings) -> None:
    settings.RDS_REST_FACTOR = 9
    # As at a million responses, where one run of the bootstrap takes minutes.
    RDSEstimateSet.objects.filter(pk=demo.pk).update(seconds=400.0)
    _stale_after_a_new_response(demo)

    assert refresh.rds_refresh(survey_id=demo.pk) is None
    assert 9 * 400 < refresh.rds_rest_remaining(survey_id=demo.pk) <= 10 * 400
    assert refresh.rds_stale(survey_id=demo.pk), "the catch-up must still see them stale"

    # Once the rest is over, the next catch-up computes them.
    RDSEstimateSet.objects.filter(pk=demo.pk).update(
        built_at=timezone.now() - dt.timedelta(seconds=10 * 400 + 1)
    )
    assert refresh.rds_refresh(survey_id=demo.pk) is not None
    assert not refresh.rds_stale(survey_id=demo.pk)


def test_an_organizers_rebuild_does_not_wait_for_the_rest(demo: Survey, settings) -> None:
    settings.RDS_REST_FACTOR = 9
    RDSEstimateSet.objects.filter(pk=demo.pk).update(seconds=400.0)
    _stale_after_a_new_response(demo)
    estimates = refresh.rds_refresh(survey_id=demo.pk, force=True)
    assert estimates is not None and estimates.respondents == demo.responses.count()


def test_a_catch_up_during_a_computation_does_not_start_a_second(
    demo: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stale_after_a_new_response(demo)
    rebuild = refresh.rds_rebuild
    meanwhile: list[object] = []

    def slow_rebuild(**kwargs: object) -> RDSEstimateSet:
        # Another worker's catch-up arrives while this computation runs.
        meanwhile.append(refresh.rds_refresh(survey_id=demo.pk, force=True))
        return rebuild(**kwargs)

    monkeypatch.setattr(refresh, "rds_rebuild", slow_rebuild)
    assert refresh.rds_refresh(survey_id=demo.pk) is not None
    assert meanwhile == [None]
    _stale_after_a_new_response(demo)
    assert refresh.rds_refresh(survey_id=demo.pk) is not None, "the guard was released"


def test_a_recompute_for_a_new_population_size_waits_for_a_computation_already_running(
    demo: Survey,
) -> None:
    built = RDSEstimateSet.objects.get(pk=demo.pk).built_at
    running = refresh.rds_running_key(survey_id=demo.pk)
    assert cache.add(running, 1), "another worker computes the survey's estimates"
    try:
        assert refresh.rds_recompute(survey_id=demo.pk) is None
        assert RDSEstimateSet.objects.get(pk=demo.pk).built_at == built, "no second computation"
        with pytest.raises(Retry):
            tasks.rds_recompute_task.apply(args=(demo.pk,), throw=True).get()
    finally:
        cache.delete(running)
    assert tasks.rds_recompute_task.apply(args=(demo.pk,), throw=True).get() > 0
    assert RDSEstimateSet.objects.get(pk=demo.pk).built_at > built
