"""The analysts' dashboard: charts and tables of the aggregate tables, for analysts only."""

from __future__ import annotations

import io
import random
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from aggregates.models import AggregateSnapshot, AggregateState
from aggregates.rebuild import aggregates_rebuild, aggregates_stale
from estimates.rds.refresh import rds_rebuild, rds_stale
from surveys.models import Response, Survey
from tests.fixtures.analytics import dashboard_charts, submit, varied_answers
from tests.fixtures.staff import logged_in
from tests.flow import complete_survey


def _as_of(html: str) -> str:
    return re.search(r'id="as-of">([^<]*)<', html).group(1)


@pytest.fixture
def ten(sco_survey: Survey) -> Survey:
    rng = random.Random(21)
    for index in range(10):
        answers = varied_answers(sco_survey, rng)
        answers["awareness"] = "yes_fully" if index < 7 else "no"
        answers["country"] = "kz" if index < 4 else "ru"
        submit(sco_survey, answers, language="kk" if index % 2 else "ru")
    aggregates_rebuild(survey_id=sco_survey.pk)
    return sco_survey


def test_anonymous_visitors_are_sent_to_log_in(ten: Survey) -> None:
    for method, path in [("get", "/en/analytics/"), ("post", "/en/analytics/rebuild/")]:
        reply = getattr(Client(), method)(path, {"survey": "sco-2025"})
        assert reply.status_code == 302
        assert reply["Location"].startswith("/en/accounts/login/?next=")


def test_staff_without_the_analyst_permission_are_refused(ten: Survey, organizer: User) -> None:
    client = logged_in(organizer)
    assert client.get("/en/analytics/").status_code == 403
    runs = AggregateState.objects.get(pk=ten.pk).runs
    assert client.post("/en/analytics/rebuild/", {"survey": "sco-2025"}).status_code == 403
    assert AggregateState.objects.get(pk=ten.pk).runs == runs


def test_an_analyst_sees_every_question_with_shares_and_base(ten: Survey, analyst: User) -> None:
    reply = logged_in(analyst).get("/en/analytics/")
    assert reply.status_code == 200
    html = reply.content.decode()
    charts = dashboard_charts(html)
    snapshot = AggregateState.objects.get(pk=ten.pk).snapshot
    assert _as_of(html).startswith("As of ")
    assert f"{snapshot.built_at:%Y}" in _as_of(html) and "10 respondents" in _as_of(html)

    awareness = charts["awareness"]
    assert awareness["title"] == "Figure 1. Do you know what digital diplomacy is?"
    assert awareness["subtitle"] == "n = 10"
    assert (
        dict(zip(awareness["labels"], awareness["percents"], strict=True))[
            "Yes, I fully understand it"
        ]
        == 70.0
    )
    assert {"impact", "initiatives", "platforms", "trust", "threats", "conflict_prevention"} <= set(
        charts
    )
    assert charts["platforms"]["note"]  # several answers possible
    # Figure 2: awareness by age group, shares within each group.
    crosstab = charts["awareness-by-age_group"]
    assert crosstab["type"] == "grouped" and crosstab["title"].startswith("Figure 2.")
    for group in range(len(crosstab["labels"])):
        assert round(sum(series["percents"][group] for series in crosstab["series"])) == 100
    # A table beside each chart, PNG and SVG buttons, and no inline script.
    assert html.count('class="table table-sm small mb-0 shares"') == len(charts) - 1
    assert html.count('data-download="png"') == html.count('data-download="svg"') == len(charts)
    assert "<script>" not in html and "vendor/chartjs/chart.umd.min.js" in html


def test_a_single_dimension_filter_reads_the_crosstab_rows(ten: Survey, analyst: User) -> None:
    client = logged_in(analyst)
    reply = client.get("/en/analytics/", {"survey": "sco-2025", "country": "kz"})
    html = reply.content.decode()
    assert _as_of(html).startswith("As of ") and "4 respondents" in _as_of(html)
    assert dashboard_charts(html)["awareness"]["subtitle"] == "n = 4"
    assert dashboard_charts(html)["awareness"]["percents"][0] == 100.0


def test_combined_filters_and_dates_are_counted_live(ten: Survey, analyst: User) -> None:
    Response.objects.filter(answers__country="kz").update(submitted_at="2025-04-02T10:00:00Z")
    client = logged_in(analyst)
    reply = client.get(
        "/en/analytics/",
        {"survey": "sco-2025", "country": "kz", "language": "kk", "date_from": "2025-04-01"},
    )
    html = reply.content.decode()
    expected = Response.objects.filter(answers__country="kz", language="kk").count()
    assert _as_of(html).startswith("Counted just now from")
    assert dashboard_charts(html)["awareness"]["subtitle"] == f"n = {expected}"
    wrong = client.get("/en/analytics/", {"date_from": "2025-05-01", "date_to": "2025-04-01"})
    assert "The start date is after the end date." in wrong.content.decode()


def test_the_rebuild_button_publishes_a_fresh_full_snapshot(ten: Survey, analyst: User) -> None:
    before = AggregateState.objects.get(pk=ten.pk)
    reply = logged_in(analyst).post("/en/analytics/rebuild/", {"survey": "sco-2025"})
    assert reply.status_code == 302 and reply["Location"] == "/en/analytics/?survey=sco-2025"
    after = AggregateState.objects.get(pk=ten.pk)
    assert after.full_runs == before.full_runs + 1
    assert after.snapshot.built_at > before.snapshot.built_at


@pytest.mark.django_db(transaction=True)
def test_a_submission_through_the_flow_is_on_the_dashboard_at_once_without_a_worker(
    sco_survey: Survey, analyst: User
) -> None:
    complete_survey(Client(), sco_survey)  # in-process, the rebuild runs when it commits
    complete_survey(Client(), sco_survey, language="ru")
    html = logged_in(analyst).get("/en/analytics/").content.decode()
    assert "2 respondents" in _as_of(html)


def test_a_dashboard_get_rebuilds_nothing_and_writes_nothing(
    ten: Survey, analyst: User, django_assert_max_num_queries
) -> None:
    submit(ten, varied_answers(ten, random.Random(1)))  # its on-commit hook never ran here
    client = logged_in(analyst)
    snapshots = AggregateSnapshot.objects.count()
    with django_assert_max_num_queries(30) as queries:
        html = client.get("/en/analytics/").content.decode()
    assert "10 respondents" in _as_of(html), "the published snapshot, as it stands"
    assert AggregateSnapshot.objects.count() == snapshots
    assert aggregates_stale(survey_id=ten.pk) == "incremental"
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_the_dashboard_reads_a_constant_number_of_queries_and_no_answers(
    sco_survey: Survey, analyst: User, django_assert_max_num_queries
) -> None:
    client = logged_in(analyst)
    rng = random.Random(31)
    counts = []
    for total in (5, 50):
        while Response.objects.count() < total:
            submit(sco_survey, varied_answers(sco_survey, rng))
        aggregates_rebuild(survey_id=sco_survey.pk)
        rds_rebuild(survey_id=sco_survey.pk)  # as the rebuild task does after the counts
        with django_assert_max_num_queries(20) as queries:
            assert client.get("/en/analytics/").status_code == 200
        counts.append(len(queries))
        assert not [q for q in queries.captured_queries if '"answers"' in q["sql"]]
    assert counts[0] == counts[1], counts


def test_the_dashboard_is_translated(ten: Survey, analyst: User) -> None:
    html = logged_in(analyst).get("/kk/analytics/").content.decode()
    charts = dashboard_charts(html)
    assert "Қазақстан" in charts["country"]["labels"]


@pytest.mark.django_db(transaction=True)
def test_seeded_demo_data_are_counted_and_estimated_by_the_time_seeding_ends(
    sco_survey: Survey,
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    snapshot = AggregateState.objects.get(pk=sco_survey.pk).snapshot
    assert snapshot.responses == Response.objects.filter(survey=sco_survey).count() > 0
    assert aggregates_stale(survey_id=sco_survey.pk) == ""
    assert not rds_stale(survey_id=sco_survey.pk)


def test_the_filter_form_is_drawn_by_crispy_with_every_label_bound_to_its_control(
    ten: Survey, analyst: User
) -> None:
    html = logged_in(analyst).get("/en/analytics/", {"country": "kz"}).content.decode()
    form = html[html.index('<details class="card') : html.index("</details>")]
    names = re.findall(r'<(?:select|input) [^>]*name="(\w+)"', form)
    assert {"country", "age_group", "language", "wave", "date_from", "question"} <= set(names)
    for name in names:
        if name != "survey":
            assert f'for="id_{name}"' in form and f'id="id_{name}"' in form, name
    assert 'class="form-select-sm form-select"' in form
    assert '<option value="kz" selected>' in form
