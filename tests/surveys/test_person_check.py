"""Beyond the start limit: a ticket bound to its browser, proven by the page's work or a wait."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from altcha import solve_challenge_v1
from django.test import Client
from pytest_django.fixtures import Settings

from surveys.links import limits
from surveys.models import Draft, Survey

CAMPUS = "203.0.113.77"
ELSEWHERE = "198.51.100.9"
PHONE = "Mozilla/5.0 (Android 14; Pixel 8)"


@pytest.fixture
def over_the_limit(sco_survey: Survey, settings: Settings) -> Survey:
    settings.START_RATE_LIMIT = 1
    assert _consent(Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT="first")).status_code == 302
    return sco_survey


def _consent(client: Client, language: str = "en", **data: str) -> Any:
    return client.post(f"/{language}/s/sco-2025/", {"consent": "on", **data})


def _solve(challenge: Any) -> dict[str, str]:
    """Do what the page's script does: find the number and post the ALTCHA payload."""
    context = challenge.context
    data = json.loads(context["challenge"].challenge)
    solution = solve_challenge_v1(
        data["challenge"], data["salt"], data["algorithm"], data["maxNumber"]
    )
    payload = {key: data[key] for key in ("algorithm", "challenge", "salt", "signature")}
    payload["number"] = solution.number
    return {
        limits.START_TICKET_FIELD: context["challenge"].ticket,
        limits.PERSON_PROOF_FIELD: base64.b64encode(json.dumps(payload).encode()).decode(),
    }


def test_the_challenge_page_runs_the_proof_of_work_script_under_the_strict_csp(
    over_the_limit: Survey,
) -> None:
    page = _consent(Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT=PHONE), language="kk")
    assert page.status_code == 429
    text = page.content.decode()
    assert '<script src="/static/js/person-check.js" defer></script>' in text
    assert "data-person-challenge=" in text and "<noscript>" in text
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert "unsafe" not in page.headers["Content-Security-Policy"]


def test_a_solved_challenge_starts_this_browser_once(over_the_limit: Survey) -> None:
    person = Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT=PHONE)
    proof = _solve(_consent(person, language="kk"))
    started = _consent(person, language="kk", **proof)
    assert started.status_code == 302
    assert started.headers["Location"] == "/kk/s/sco-2025/p/1/"
    assert Draft.objects.count() == 2
    # The same ticket and proof again, in the same browser, start nobody.
    person.cookies.pop("respondent", None)
    assert _consent(person, language="kk", **proof).status_code == 429
    assert Draft.objects.count() == 2


def test_a_ticket_handed_to_one_address_does_not_start_a_survey_from_another(
    over_the_limit: Survey, settings: Settings
) -> None:
    person = Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT=PHONE)
    proof = _solve(_consent(person))
    device = person.cookies["device"].value
    scrapers = [
        Client(REMOTE_ADDR=ELSEWHERE, HTTP_USER_AGENT=PHONE),  # another address
        Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT="curl/8.5"),  # another browser
        Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT=PHONE),  # another device (no cookie)
    ]
    scrapers[0].cookies["device"] = device
    scrapers[1].cookies["device"] = device
    _consent(Client(REMOTE_ADDR=ELSEWHERE, HTTP_USER_AGENT="filler"))  # ELSEWHERE at its limit
    for scraper in scrapers:
        assert _consent(scraper, **proof).status_code == 429
    assert Draft.objects.count() == 2  # the first visitor and the filler
    # The browser it was issued to still starts with it.
    assert _consent(person, **proof).status_code == 302


def test_a_wrong_proof_does_not_start_before_the_wait(over_the_limit: Survey) -> None:
    person = Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT=PHONE)
    proof = _solve(_consent(person))
    payload = json.loads(base64.b64decode(proof[limits.PERSON_PROOF_FIELD]))
    payload["number"] += 1
    forged = {**proof, limits.PERSON_PROOF_FIELD: base64.b64encode(json.dumps(payload).encode())}
    refused = _consent(person, **forged)
    assert refused.status_code == 429
    assert 'id="person-check-too-early"' in refused.content.decode()
    assert Draft.objects.count() == 1


def test_without_javascript_the_ticket_starts_the_browser_after_the_wait(
    over_the_limit: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT=PHONE)
    page = _consent(person, language="ru")
    ticket = {limits.START_TICKET_FIELD: page.context["challenge"].ticket}
    early = _consent(person, language="ru", **ticket)
    assert early.status_code == 429
    assert "Подождите" in early.content.decode()
    # The page posted too early keeps the same ticket: the wait counts from the first page.
    assert early.context["challenge"].ticket == ticket[limits.START_TICKET_FIELD]
    monkeypatch.setattr(limits, "PERSON_WAIT_SECONDS", 0)  # the person waited
    assert _consent(person, language="ru", **ticket).status_code == 302


def test_one_address_is_handed_a_limited_number_of_tickets(
    over_the_limit: Survey, settings: Settings
) -> None:
    settings.START_TICKET_LIMIT = 2
    pages = [_consent(Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT=f"bot {n}")) for n in range(3)]
    assert [page.status_code for page in pages] == [429, 429, 429]
    assert [page.context["challenge"] is not None for page in pages] == [True, True, False]
    assert 'id="start-ticket"' not in pages[2].content.decode()


def test_an_expired_ticket_starts_nobody(
    over_the_limit: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Client(REMOTE_ADDR=CAMPUS, HTTP_USER_AGENT=PHONE)
    proof = _solve(_consent(person))
    monkeypatch.setattr(limits, "START_TICKET_SECONDS", -1)
    assert _consent(person, **proof).status_code == 429
