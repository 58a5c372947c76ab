"""The charts write their shares as the page's language does, like the tables beside them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.core.management import call_command

from aggregates.rebuild import aggregates_rebuild
from surveys.models import Survey
from tests.fixtures.analytics import submit, varied_answers
from tests.fixtures.browser import log_in_browser
from tests.fixtures.staff import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NBSP = "\u00a0"


@pytest.fixture
def three() -> Survey:
    """One respondent of three knows digital diplomacy: 33.3 %."""
    call_command("load_questionnaire")
    survey = Survey.objects.get(slug="sco-2025")
    rng = random.Random(26)
    for index in range(3):
        answers = varied_answers(survey, rng)
        answers["awareness"] = "yes_fully" if index == 0 else "no"
        submit(survey, answers)
    aggregates_rebuild(survey_id=survey.pk, full=True)
    return survey


@pytest.mark.parametrize(
    ("language", "share"), [("kk", f"33,3{NBSP}%"), ("ru", f"33,3{NBSP}%"), ("en", f"33.3{NBSP}%")]
)
def test_a_downloaded_chart_writes_shares_with_the_page_languages_decimal_mark(
    chromium: object, live_server, three: Survey, language: str, share: str
) -> None:
    context = chromium.new_context(accept_downloads=True)
    log_in_browser(context, user=staff_user(f"charts-{language}", "Analysts"), url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/{language}/analytics/")
    with page.expect_download() as download:
        page.click('[data-download="svg"][data-chart="chart-awareness"]')
    svg = Path(download.value.path()).read_text(encoding="utf-8")
    context.close()
    assert share in svg and f"66{share[2]}7{NBSP}%" in svg
    assert ("33.3" in svg) == (language == "en")
