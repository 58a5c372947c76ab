"""Recruits racing for a link's last coupon on PostgreSQL: all answers kept, overruns flagged."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client

from surveys.links import limits
from surveys.models import Response, SeedLink, Survey
from tests.fixtures.recruitment import respondent_client
from tests.flow import SCO_ANSWERS, complete_survey, page_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _ready_to_submit(client: Client, survey: Survey, link: str) -> dict:
    assert client.get(link).status_code == 302
    assert client.post("/en/s/sco-2025/", {"consent": "on"}).status_code == 302
    for number in range(1, 5):
        data = {"action": "next", **page_data(survey, number, SCO_ANSWERS)}
        assert client.post(f"/en/s/sco-2025/p/{number}/", data).status_code == 302
    return {"action": "submit", **page_data(survey, 5, SCO_ANSWERS)}


def test_simultaneous_submits_through_one_link_are_all_kept_and_the_overrun_flagged(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Race")
    recruiter = complete_survey(
        respondent_client("recruiter"), sco_survey, start_path=f"/en/r/{seed.code}/"
    )
    link = f"/en/r/{recruiter.referral_code}/"
    complete_survey(respondent_client("early"), sco_survey, start_path=link)
    complete_survey(respondent_client("early-2"), sco_survey, start_path=link)
    # One coupon left; four people have consented and answered everything.
    racers = [respondent_client(f"racer-{i}") for i in range(4)]
    finals = [_ready_to_submit(client, sco_survey, link) for client in racers]
    barrier = threading.Barrier(len(racers))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(client: Client, final: dict) -> None:
        try:
            barrier.wait()
            statuses.append(client.post("/en/s/sco-2025/p/5/", final).status_code)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=submit, args=pair) for pair in zip(racers, finals, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert statuses == [302] * 4
    recruits = list(Response.objects.filter(recruiter=recruiter).order_by("id"))
    assert len(recruits) == 6 and all(r.wave == 1 and r.seed_link == seed for r in recruits)
    flagged = [r for r in recruits if limits.FLAG_COUPON_OVERRUN in r.quality_flags]
    # The row lock makes the count exact: exactly the three beyond the limit are flagged.
    assert len(flagged) == 3
    assert recruits[2] not in flagged
