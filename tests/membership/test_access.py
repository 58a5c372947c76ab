"""The decorator that keeps studies apart reads the survey once and hands it to the page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import Survey
from tests.fixtures.staff import logged_in, staff_user

# A query that looks the survey up by the URL's slug (the monitor's menu of slugs is another).
SURVEY_READ = re.compile(r'FROM "surveys_survey" .*"surveys_survey"\."slug" = ')

PAGES = [
    "/en/organize/{slug}/",
    "/en/organize/{slug}/members/",
    "/en/organize/{slug}/api-tokens/",
    "/en/organize/{slug}/webhooks/",
    "/en/organize/{slug}/incentives/",
    "/en/organize/{slug}/seeds/new/",
    "/en/organize/{slug}/alerts/thresholds/",
    "/en/organize/{slug}/settings/",
    "/en/organize/{slug}/digest/",
    "/en/analytics/margins/{slug}/",
    "/en/analytics/{slug}/population/",
    "/en/organize/{slug}/payouts/",
]


def _survey_reads(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries if SURVEY_READ.search(q["sql"])]


@pytest.mark.parametrize("page", PAGES)
def test_a_staff_page_of_a_survey_reads_the_survey_once(sco_survey: Survey, page: str) -> None:
    member = logged_in(
        staff_user("aigerim", "Organizers", "Analysts", "Payments", surveys=[sco_survey])
    )
    url = page.format(slug=sco_survey.slug)
    assert member.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        assert member.get(url).status_code == 200
    reads = _survey_reads(queries.captured_queries)
    assert len(reads) == 1, "\n".join(reads)
