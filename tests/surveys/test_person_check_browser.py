"""The "I am a person" page in a real Chromium: its script solves the proof of work under CSP."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from surveys.links import limits
from surveys.models import Draft, Survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey(live_server: object) -> Survey:
    call_command("load_questionnaire")
    return Survey.objects.get(slug="sco-2025")


def test_a_person_beyond_the_start_limit_taps_once_and_the_page_proves_the_work(
    live_server: object, phone: object, survey: Survey, settings: Settings
) -> None:
    settings.START_RATE_LIMIT = 1
    # Someone else on the same address (the live server sees loopback) used up its limit.
    assert Client(REMOTE_ADDR="127.0.0.1").post("/kk/s/sco-2025/", {"consent": "on"}).status_code
    refused: list[str] = []
    phone.on("console", lambda message: refused.append(message.text))
    posted: list[dict[str, list[str]]] = []
    phone.on(
        "request",
        lambda request: request.method == "POST" and posted.append(parse_qs(request.post_data)),
    )
    phone.goto(f"{live_server.url}/kk/s/sco-2025/")
    phone.check("input[name='consent']")
    phone.click("#start")
    phone.wait_for_selector("#too-many-starts")
    phone.click("#start-ticket")  # at once, before the work may be done: the script waits
    phone.wait_for_url("**/kk/s/sco-2025/p/1/")
    assert Draft.objects.count() == 2
    proof = posted[-1].get(limits.PERSON_PROOF_FIELD, [""])[0]
    assert proof, "the ticket was admitted without the page's proof of work"
    assert not [text for text in refused if "Content Security Policy" in text], refused
