"""Two pages of one draft posted at the same moment both keep their answers."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client

from surveys.models import Draft, Survey
from tests.flow import SCO_ANSWERS, page_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 6


def _post_at_once(client: Client, survey: Survey, numbers: tuple[int, ...]) -> list[int]:
    barrier = threading.Barrier(len(numbers))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post(number: int) -> None:
        try:
            tab = Client()
            tab.cookies = client.cookies
            data = {"action": "next", **page_data(survey, number, SCO_ANSWERS)}
            barrier.wait()
            statuses.append(tab.post(f"/en/s/{survey.slug}/p/{number}/", data).status_code)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(number,)) for number in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


def test_two_pages_posted_at_the_same_moment_both_keep_their_answers(sco_survey: Survey) -> None:
    pages = sco_survey.ordered_pages()
    wanted = {question.code for page in pages[:3] for question in page.questions.all()} & set(
        SCO_ANSWERS
    )
    for _round in range(ROUNDS):
        client = Client()
        assert client.post(f"/en/s/{sco_survey.slug}/", {"consent": "on"}).status_code == 302
        draft = Draft.objects.latest("pk")
        assert _post_at_once(client, sco_survey, (1, 2, 3)) == [302, 302, 302]
        kept = set(Draft.objects.get(pk=draft.pk).answers)
        assert wanted <= kept, sorted(wanted - kept)
