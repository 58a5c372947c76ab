"""The demo data set reproduces the study's published picture, as a snowball forest."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from aggregates.rebuild import aggregates_rebuild
from sampledata.demo import DEMO_SIZE
from surveys.models import LinkEvent, Response, SeedLink, Survey
from tests.fixtures.analytics import dashboard_charts
from tests.fixtures.staff import logged_in

# Published in the study (tests/data/questionnaire.md); percent of the 505 respondents.
PUBLISHED = {
    "awareness": {"yes_fully": 48.5, "partially": 27.7, "no": 17.8, "hard_to_say": 5.9},
    "impact": {
        "neutral": 21.6,
        "moderately_negative": 2.8,
        "strongly_negative": 1.6,
        "hard_to_say": 17.8,
    },
    "initiatives": {
        "very_effective": 21.8,
        "fairly_effective": 22.6,
        "moderately_effective": 20.0,
        "low_effective": 5.9,
        "ineffective": 1.4,
        "not_familiar": 28.3,
    },
    "platforms": {
        "telegram": 68.7,
        "instagram": 46.5,
        "youtube": 44.2,
        "tiktok": 30.7,
        "facebook": 21.4,
        "whatsapp": 20.4,
        "x": 16.2,
        "vk": 15.4,
        "wechat": 12.3,
        "odnoklassniki": 6.7,
        "dzen": 5.0,
        "rumble": 2.0,
        "bluesky": 1.8,
        "other": 6.3,
    },
    "threats": {"cyberattacks": 36.4, "disinformation": 30.1, "data_loss": 16.0},
    "conflict_prevention": {"fast_exchange": 62.2},
    "gender": {"female": 53.5},
    "status": {"student": 59.8},
    "sphere": {"public_administration": 24.8, "education": 17.0},
}
STUDY_COUNTRIES = {"kz", "uz", "kg", "tj", "ru", "ir", "cn", "by"}


@pytest.fixture
def demo(sco_survey: Survey) -> Survey:
    call_command("seed_demo", "--if-empty")
    aggregates_rebuild(survey_id=sco_survey.pk)  # the on-commit rebuild does not run in tests
    return sco_survey


def _shares(survey: Survey, question: str) -> dict[str, float]:
    responses = list(Response.objects.filter(survey=survey).values_list("answers", flat=True))
    ticks: Counter[str] = Counter()
    for answers in responses:
        value = answers[question]
        ticks.update(value if isinstance(value, list) else [value])
    return {code: round(100 * count / len(responses), 1) for code, count in ticks.items()}


def test_the_demo_matches_every_published_share(demo: Survey) -> None:
    assert Response.objects.filter(survey=demo).count() == DEMO_SIZE == 505
    for question, published in PUBLISHED.items():
        shares = _shares(demo, question)
        for option, percent in published.items():
            assert shares.get(option) == percent, (question, option, shares.get(option), percent)
    impact = _shares(demo, "impact")
    assert abs(impact["strongly_positive"] + impact["moderately_positive"] - 56.2) < 0.15
    trust = _shares(demo, "trust")
    assert abs(trust["definitely_yes"] + trust["rather_yes"] - 85.6) < 0.15
    conflict = _shares(demo, "conflict_prevention")
    assert max(conflict, key=conflict.get) == "fast_exchange"
    countries = _shares(demo, "country")
    assert set(countries) == STUDY_COUNTRIES
    assert sorted(countries, key=countries.get, reverse=True)[:3] == ["kz", "ru", "by"]
    assert 79.0 <= _shares(demo, "age_group")["under_30"] <= 80.0
    sizes = sorted(Response.objects.values_list("network_size", flat=True))
    assert 10 <= sizes[len(sizes) // 2] <= 30
    # Every respondent reports at least one contact: an RDS degree of 0 has no weight.
    assert sizes[0] >= 1 and sizes[-1] <= 5000


def test_the_demo_is_a_snowball_forest_built_through_the_services(demo: Survey) -> None:
    responses = {r.pk: r for r in Response.objects.filter(survey=demo)}
    seeds = SeedLink.objects.filter(survey=demo)
    assert 8 <= seeds.count() <= 12
    waves = Counter(r.wave for r in responses.values())
    assert min(waves) == 0 and max(waves) >= 4
    recruits = Counter(r.recruiter_id for r in responses.values() if r.recruiter_id)
    assert max(recruits.values()) <= (demo.coupon_limit or 10**9)
    for response in responses.values():
        assert response.referral_code and response.seed_link_id
        if response.recruiter_id is None:
            assert response.wave == 0 and response.code_used == response.seed_link.code
        else:
            recruiter = responses[response.recruiter_id]
            assert response.wave == recruiter.wave + 1
            assert response.seed_link_id == recruiter.seed_link_id
            assert response.code_used == recruiter.referral_code
            assert response.submitted_at > recruiter.submitted_at
    days = {r.submitted_at.date() for r in responses.values()}
    assert min(days).year == 2025 and (max(days) - min(days)).days >= 50
    completed = LinkEvent.objects.filter(survey=demo, kind=LinkEvent.Kind.COMPLETED).count()
    assert completed == DEMO_SIZE
    assert not [r for r in responses.values() if r.quality_flags]


def test_seed_demo_if_empty_leaves_an_answered_survey_alone(demo: Survey) -> None:
    call_command("seed_demo", "--if-empty")
    assert Response.objects.filter(survey=demo).count() == DEMO_SIZE


def test_a_fresh_dashboard_shows_the_studys_figures(demo: Survey, analyst: User) -> None:
    html = logged_in(analyst).get("/en/analytics/").content.decode()
    charts = dashboard_charts(html)
    assert charts["awareness"]["percents"] == [48.5, 27.7, 17.8, 5.9]
    assert charts["awareness"]["subtitle"] == "n = 505"
    figures = {
        code: int(chart["title"].split(".")[0].split()[-1])
        for code, chart in charts.items()
        if chart["title"].startswith("Figure")
    }
    assert figures == {
        "awareness": 1,
        "awareness-by-age_group": 2,
        "impact": 3,
        "initiatives": 4,
        "platforms": 5,
        "trust": 6,
        "threats": 7,
        "conflict_prevention": 9,
    }
    platforms = dict(
        zip(charts["platforms"]["labels"], charts["platforms"]["percents"], strict=True)
    )
    assert platforms["Telegram"] == 68.7 and charts["platforms"]["labels"][0] == "Telegram"
