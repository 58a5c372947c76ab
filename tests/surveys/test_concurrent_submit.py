"""Two browsers tabs submitting the same draft at once still store one response."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from surveys.models import Draft, Response, Survey
from tests.flow import SCO_ANSWERS, page_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _fill_all_but_submit(client: Client, survey: Survey) -> dict:
    base = f"/en/s/{survey.slug}/"
    client.post(base, {"consent": "on"})
    for number in range(1, 5):
        client.post(
            f"{base}p/{number}/", {"action": "next", **page_data(survey, number, SCO_ANSWERS)}
        )
    return {"action": "submit", **page_data(survey, 5, SCO_ANSWERS)}


def test_it_runs_on_postgresql() -> None:
    assert connection.vendor == "postgresql"


def test_concurrent_final_submits_store_one_response(sco_survey: Survey) -> None:
    client = Client()
    final = _fill_all_but_submit(client, sco_survey)
    barrier = threading.Barrier(8)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            tab = Client()
            tab.cookies = client.cookies
            barrier.wait()
            statuses.append(tab.post("/en/s/sco-2025/p/5/", final).status_code)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert statuses == [302] * 8
    assert Response.objects.count() == 1
    assert Response.objects.get().submission_key == Draft.objects.get().token


def test_the_database_refuses_a_second_response_for_one_draft(sco_survey: Survey) -> None:
    from django.db import IntegrityError, transaction

    client = Client()
    final = _fill_all_but_submit(client, sco_survey)
    client.post("/en/s/sco-2025/p/5/", final)
    stored = Response.objects.get()
    stored.pk = None
    stored.referral_code = "X" * 14
    stored.withdraw_token = None
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            survey=sco_survey,
            submission_key=stored.submission_key,
            language="en",
            started_at=stored.started_at,
            answers={},
            referral_code="Y" * 14,
        )
    assert Response.objects.count() == 1
