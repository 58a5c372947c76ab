"""Kazakh and Russian pages write numbers with a decimal comma and times on a 24-hour clock."""

# ruff: noqa: RUF001 - Russian and Kazakh texts on purpose
from __future__ import annotations

import datetime as dt
import random
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from aggregates.models import AggregateSnapshot
from aggregates.rebuild import aggregates_rebuild
from surveys.models import Response, SeedLink, Survey
from tests.fixtures.analytics import submit, varied_answers
from tests.fixtures.recruitment import make_response
from tests.fixtures.staff import logged_in

NBSP = "\u00a0"
AFTERNOON = dt.datetime(2026, 12, 1, 15, 11, tzinfo=dt.UTC)


@pytest.fixture
def three(sco_survey: Survey) -> Survey:
    """One respondent of three knows digital diplomacy (33.3 %); the figures built at 15:11."""
    rng = random.Random(26)
    for index in range(3):
        answers = varied_answers(sco_survey, rng)
        answers["awareness"] = "yes_fully" if index == 0 else "no"
        submit(sco_survey, answers, language="kk")
    aggregates_rebuild(survey_id=sco_survey.pk)
    AggregateSnapshot.objects.filter(survey=sco_survey).update(built_at=AFTERNOON)
    return sco_survey


def _as_of(html: str) -> str:
    return re.search(r'id="as-of">([^<]*)<', html).group(1)


@pytest.mark.parametrize(
    ("language", "moment"),
    [("kk", "01.12.2026 15:11 UTC"), ("ru", "1 декабря 2026 г. 15:11 UTC")],
)
def test_the_dashboard_shows_a_24_hour_time_and_decimal_commas(
    three: Survey, analyst: User, language: str, moment: str
) -> None:
    html = logged_in(analyst).get(f"/{language}/analytics/").content.decode()
    assert moment in _as_of(html)
    assert "3:11" not in _as_of(html).replace("15:11", "")
    assert ">33,3<" in html and ">66,7<" in html and ">33.3<" not in html


def test_the_english_dashboard_keeps_its_decimal_point(three: Survey, analyst: User) -> None:
    html = logged_in(analyst).get("/en/analytics/").content.decode()
    assert ">33.3<" in html and "Dec. 1, 2026" in _as_of(html)


def _chain(survey: Survey, label: str, size: int) -> None:
    seed_link = SeedLink.objects.create(survey=survey, label=label)
    moment = timezone.now() - timedelta(hours=1)
    root = make_response(survey, seed_link=seed_link, wave=0, submitted_at=moment)
    root.save()
    Response.objects.bulk_create(
        make_response(survey, seed_link=seed_link, wave=1, recruiter=root, submitted_at=moment)
        for _ in range(size - 1)
    )


@pytest.mark.parametrize(
    ("language", "title", "limit"),
    [
        ("kk", f"Іріктеменің 85,1{NBSP}% бөлігі «Big circle» тізбегінде", f"40{NBSP}%"),
        ("ru", f"На цепочку «Big circle» приходится 85,1{NBSP}% выборки", f"40{NBSP}%"),
        ("en", "Chain “Big circle” holds 85.1 % of the sample", "40 %"),
    ],
)
def test_an_alert_shows_its_share_as_the_page_language_writes_it(
    sco_survey: Survey, organizer: User, language: str, title: str, limit: str
) -> None:
    _chain(sco_survey, "Big circle", 40)
    _chain(sco_survey, "Small circle", 7)
    html = logged_in(organizer).get(f"/{language}/organize/{sco_survey.slug}/").content.decode()
    assert title in html
    assert limit in html
    if language != "en":
        assert "85.1" not in html


def test_a_kazakh_threshold_field_holds_a_number_the_browser_accepts(
    sco_survey: Survey, organizer: User
) -> None:
    html = logged_in(organizer).get(f"/kk/organize/{sco_survey.slug}/").content.decode()
    field = re.search(r'<input type="number"[^>]*name="convergence__points"[^>]*>', html).group(0)
    assert 'value="2.0"' in field and 'min="0.1"' in field  # HTML wants a decimal point


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("ru", "Сумма долей по вопросу «country» равна 0,5, а не 1."),
        ("kk", "«country» сұрағы үлестерінің қосындысы 1 емес, 0,5."),
        ("en", "The shares of “country” add up to 0.5, not 1."),
    ],
)
def test_a_margins_error_writes_the_sum_as_the_page_language_does(
    sco_survey: Survey, analyst: User, language: str, said: str
) -> None:
    url = f"/{language}/analytics/margins/{sco_survey.slug}/"
    bad = logged_in(analyst).post(url, {"action": "replace", "share__country__kz": "0.5"})
    assert bad.status_code == 400
    assert said in unescape(bad.content.decode())
