"""A filtered dashboard shows the subgroup's RDS estimates (R's subset), or says why not."""

from __future__ import annotations

import io
from html import unescape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from aggregates.filters import ResponseFilter
from aggregates.rebuild import aggregates_rebuild
from estimates.rds import refresh, subgroup
from estimates.rds.ss import ss_weights
from estimates.rds.ss_estimates import SS_SEED, ss_sample_count
from surveys.models import Response, Survey
from tests.fixtures.analytics import dashboard_charts
from tests.fixtures.staff import logged_in, staff_user

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"


@pytest.fixture
def demo(db: None, sco_survey: Survey, settings) -> Survey:
    settings.RDS_BOOTSTRAP_REPLICATES = 200
    call_command("seed_demo", stdout=io.StringIO())
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    refresh.rds_rebuild(survey_id=sco_survey.pk)
    return sco_survey


def _rds2_by_hand(survey: Survey, question: str, member: dict[str, object]) -> dict[str, float]:
    """RDS-II over the subgroup with weights 1 / degree, as RDS.II.estimates(subset=...)."""
    rows = list(
        Response.objects.filter(survey=survey, wave__isnull=False).values_list(
            "network_size", "answers"
        )
    )
    reported = [size for size, _answers in rows if size]
    largest = max(reported)
    totals: dict[str, float] = {}
    base = 0.0
    for size, answers in rows:
        if any(answers.get(code) != value for code, value in member.items()):
            continue
        answer = answers.get(question)
        if answer in (None, "", []):
            continue
        weight = 1 / (size or largest)  # a missing or zero size counts as the largest, as in R
        base += weight
        for option in answer if isinstance(answer, list) else [answer]:
            totals[option] = totals.get(option, 0.0) + weight
    return {option: total / base for option, total in totals.items()}


def test_a_country_filter_shows_that_countrys_rds_estimates_with_intervals(demo: Survey) -> None:
    html = (
        logged_in(staff_user("ana", "Analysts")).get("/en/analytics/?country=kz").content.decode()
    )
    assert 'id="rds-note"' in html and 'id="subgroup-note"' in html
    expected = _rds2_by_hand(demo, "awareness", {"country": "kz"})
    chart = dashboard_charts(html)["awareness"]
    raw, rds2 = chart["series"]
    codes = ["yes_fully", "partially", "no", "hard_to_say"]
    assert rds2["percents"] == [round(100 * expected.get(c, 0), 1) for c in codes]
    assert raw["percents"] != [round(100 * share, 1) for share in expected.values()]
    for percent, (low, high) in zip(rds2["percents"], rds2["intervals"], strict=True):
        assert low <= percent <= high
    note = unescape(html[html.index('id="subgroup-note"') :])
    kz = Response.objects.filter(survey=demo, wave__isnull=False, answers__country="kz").count()
    assert f"{kz} of the {Response.objects.filter(wave__isnull=False).count()}" in note
    assert "tree bootstrap of the whole sample with 200 replicates" in note


def test_a_multiple_choice_subgroup_estimate_matches_the_weights_restricted_by_hand(
    demo: Survey,
) -> None:
    html = (
        logged_in(staff_user("ana", "Analysts")).get("/en/analytics/?country=ru").content.decode()
    )
    chart = dashboard_charts(html)["platforms"]
    expected = _rds2_by_hand(demo, "platforms", {"country": "ru"})
    assert chart["labels"][0] == "Telegram"
    assert chart["series"][1]["percents"][0] == round(100 * expected["telegram"], 1)


def test_a_filtered_view_computes_once_then_reads_the_cache_and_writes_nothing(
    demo: Survey,
) -> None:
    analyst = logged_in(staff_user("ana", "Analysts"))
    first = analyst.get("/en/analytics/?country=kz").content.decode()
    with CaptureQueriesContext(connection) as captured:
        second = analyst.get("/en/analytics/?country=kz").content.decode()
    assert (
        dashboard_charts(first)["awareness"]["series"]
        == dashboard_charts(second)["awareness"]["series"]
    )
    sql = [query["sql"] for query in captured.captured_queries]
    assert not [q for q in sql if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert not [q for q in sql if "network_size" in q], "the second view re-read the forest"


def test_a_subgroup_below_the_threshold_gets_a_sentence_instead_of_numbers(
    demo: Survey, settings
) -> None:
    settings.RDS_SUBGROUP_MIN_RESPONDENTS = 10_000
    html = (
        logged_in(staff_user("ana", "Analysts")).get("/kk/analytics/?country=kz").content.decode()
    )
    assert "series" not in dashboard_charts(html)["awareness"]
    kz = Response.objects.filter(survey=demo, wave__isnull=False, answers__country="kz").count()
    with translation.override("kk"):
        sentence = translation.gettext(subgroup.TOO_FEW) % {"n": kz, "minimum": 10_000}
    assert sentence in unescape(html)


def test_a_filter_on_the_seeds_alone_says_there_is_no_recruitment_to_weight_by(
    demo: Survey,
) -> None:
    html = logged_in(staff_user("ana", "Analysts")).get("/en/analytics/?wave=0").content.decode()
    assert translation.gettext(subgroup.ONLY_SEEDS) in unescape(html)
    assert "series" not in dashboard_charts(html)["awareness"]


def test_a_sample_above_the_on_request_limit_is_not_computed_and_says_so(
    demo: Survey, settings
) -> None:
    settings.RDS_SUBGROUP_MAX_RESPONDENTS = 100
    with CaptureQueriesContext(connection) as captured:
        html = logged_in(staff_user("ana", "Analysts")).get("/en/analytics/?country=kz")
    page = unescape(html.content.decode())
    assert "on request they are computed for samples of up to 100 respondents" in page
    assert not [q["sql"] for q in captured.captured_queries if "network_size" in q["sql"]]


@pytest.mark.django_db
def test_ss_of_a_subgroup_restricts_the_whole_samples_ss_weights(settings) -> None:
    settings.RDS_BOOTSTRAP_REPLICATES = 200
    call_command(
        "import_rds",
        str(REFERENCE / "fauxmadrona.csv"),
        survey="fauxmadrona",
        outcomes="disease",
        degree_column="degree",
        population_size=1000,
    )
    call_command("rebuild_aggregates", survey="fauxmadrona", stdout=io.StringIO())
    survey = Survey.objects.get(slug="fauxmadrona")
    html = (
        logged_in(staff_user("ana", "Analysts"))
        .get("/en/analytics/?survey=fauxmadrona&wave=2")
        .content.decode()
    )
    found = subgroup.subgroup_compute(survey=survey, filters=ResponseFilter(wave=2))
    assert found.reason == "" and found.ss_unavailable == ""
    # By hand: SS weights of the whole forest (as the rebuild computes them), summed over wave 2.
    forest = refresh.survey_forest(survey, list(survey.questions.all()))
    sample = forest.sample
    samples = ss_sample_count(respondents=sample.size)
    weights = ss_weights(sample, population_size=1000, seed=SS_SEED, samples=samples)
    ticked, answered = forest.answers["disease"]
    column = [o.code for o in survey.questions.get(code="disease").options.all()].index("1")
    member = (sample.wave == 2) & answered
    sick = float(weights[member] @ ticked[member, column]) / float(weights[member].sum())
    share = found.questions["disease"].option("1")
    assert share.ss.share == pytest.approx(sick)
    assert share.ss.low < share.ss.share < share.ss.high
    assert share.rds2.low < share.rds2.share < share.rds2.high
    assert "SS, %" in html
