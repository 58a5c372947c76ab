"""No page runs a query per row: each page's query count stays the same as the data grows.

Every page is requested twice, once with a small data set and once with about five times as
many responses, seed links and recruits; the number of queries must not change. (A page that
loops over responses or links and queries inside the loop would grow with the data.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sampledata.bulk import responses_generate
from surveys.models import Response, SeedLink, Survey
from tests.flow import SCO_ANSWERS, complete_survey, page_data


def _queries(client: Client, path: str, *, warm: bool = False) -> int:
    if warm:
        # Pages that keep running counts in the cache catch up on the first visit after new
        # rows arrive; the steady state is what every later visitor gets.
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        reply = client.get(path)
    assert reply.status_code == 200, (path, reply.status_code)
    if hasattr(reply, "streaming_content"):
        with CaptureQueriesContext(connection) as streamed:
            b"".join(reply.streaming_content)
        return len(captured) + len(streamed)
    return len(captured)


@pytest.fixture
def staff(db: None) -> Client:
    user = User.objects.create_user(username="counter", password="x-long-password-1", is_staff=True)
    user.is_superuser = True  # the admin's response list too
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="surveys", codename__in=["organizer", "analyst"]
        )
    )
    client = Client()
    client.force_login(user)
    return client


def _grow(survey: Survey, *, responses: int, seeds: int) -> SeedLink:
    """Add responses in chains under new seed links; return the biggest chain's seed."""
    result = responses_generate(survey=survey, n=responses, seeds=seeds, seed=responses)
    from aggregates.rebuild import aggregates_rebuild

    aggregates_rebuild(survey_id=survey.pk)
    return max(result.seed_links, key=lambda link: link.responses.count())


STAFF_PAGES: dict[str, Callable[[Survey, SeedLink], str]] = {
    "organizers' monitor": lambda s, seed: f"/en/organize/{s.slug}/",
    "recruitment tree": lambda s, seed: f"/en/organize/{s.slug}/tree/{seed.pk}/",
    "recruitment tree JSON": lambda s, seed: f"/en/organize/{s.slug}/tree/{seed.pk}.json",
    "recruitment CSV": lambda s, seed: f"/en/organize/{s.slug}/recruitment.csv",
    "analysts' dashboard": lambda s, seed: f"/en/analytics/?survey={s.slug}",
    "analysts' exports": lambda s, seed: f"/en/analytics/exports/?survey={s.slug}",
    "admin: responses": lambda s, seed: "/en/admin/surveys/response/",
    "admin: seed links": lambda s, seed: "/en/admin/surveys/seedlink/",
}


def test_staff_pages_run_as_many_queries_at_300_responses_as_at_60(sco_survey, staff):
    cache.clear()
    small_seed = _grow(sco_survey, responses=60, seeds=3)
    small = {
        name: _queries(staff, path(sco_survey, small_seed), warm=True)
        for name, path in STAFF_PAGES.items()
    }
    big_seed = _grow(sco_survey, responses=240, seeds=4)
    assert big_seed.responses.count() > small_seed.responses.count()
    assert Response.objects.count() == 300 and SeedLink.objects.count() == 7
    big = {
        name: _queries(staff, path(sco_survey, big_seed), warm=True)
        for name, path in STAFF_PAGES.items()
    }
    assert big == small


def test_respondent_pages_run_as_many_queries_at_300_responses_as_at_none(sco_survey):
    cache.clear()

    def counts() -> list[int]:
        client = Client()
        base = f"/en/s/{sco_survey.slug}/"
        found = [_queries(client, base)]
        client.post(base, {"consent": "on"})
        for number in range(1, 6):
            found.append(_queries(client, f"{base}p/{number}/"))
            action = "submit" if number == 5 else "next"
            client.post(
                f"{base}p/{number}/",
                {"action": action, **page_data(sco_survey, number, SCO_ANSWERS)},
            )
        found.append(_queries(client, f"{base}thanks/"))
        return found

    counts()  # the first visit also fills this process's questionnaire cache
    empty = counts()
    recruiter = complete_survey(Client(), sco_survey)
    responses_generate(survey=sco_survey, n=300, seeds=5, seed=9)
    for _ in range(2):  # a recruiter with recruits under them
        complete_survey(Client(), sco_survey, start_path=f"/en/r/{recruiter.referral_code}/")
    assert counts() == empty


def test_a_final_submit_inserts_the_response_and_nothing_else(sco_survey) -> None:
    client = Client()
    base = f"/en/s/{sco_survey.slug}/"
    client.post(base, {"consent": "on"})
    pages = [page_data(sco_survey, number, SCO_ANSWERS) for number in range(1, 6)]
    for number, data in enumerate(pages[:4], start=1):
        client.post(f"{base}p/{number}/", {"action": "next", **data})
    with CaptureQueriesContext(connection) as captured:
        reply = client.post(f"{base}p/5/", {"action": "submit", **pages[4]})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/thanks/")
    statements = [
        query["sql"] for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]
    ]
    writes = [" ".join(sql.split()[:3]) for sql in statements if not sql.startswith("SELECT")]
    # The busiest write of a survey: the response alone (the session is a signed cookie).
    assert writes == ['INSERT INTO "surveys_response"'], writes
    assert not any("submission_key" in sql for sql in statements if sql.startswith("SELECT"))
    assert not any("django_session" in sql for sql in statements)
    assert len(statements) <= 3, statements


MONITOR_VIEWS = {
    "first page of chains": "",
    "second page of chains": "?chains_page=2",
    "dormant chains only": "?chains=dormant",
}


def _quiet_link(survey: Survey) -> None:
    """Add a seed link nobody has used for weeks, so that the dormant filter lists a chain."""
    link = SeedLink.objects.create(survey=survey, label="Quiet")
    SeedLink.objects.filter(pk=link.pk).update(created_at=timezone.now() - timedelta(days=30))


def test_the_monitor_runs_as_many_queries_at_60_seed_links_as_at_3(sco_survey, staff):
    # The chain table shows one page of chains: however many seed links there are, every page
    # of it (and the dormant filter) runs the same queries.
    cache.clear()
    _grow(sco_survey, responses=30, seeds=2)
    _quiet_link(sco_survey)
    base = f"/en/organize/{sco_survey.slug}/"
    small = {
        name: _queries(staff, base + query, warm=True) for name, query in MONITOR_VIEWS.items()
    }
    _grow(sco_survey, responses=300, seeds=56)
    _quiet_link(sco_survey)
    assert SeedLink.objects.count() == 60
    big = {name: _queries(staff, base + query, warm=True) for name, query in MONITOR_VIEWS.items()}
    assert big == small
    second = staff.get(base + "?chains_page=2").context["m"]
    assert second.chains_page.number == 2 and len(second.chains) == 25
