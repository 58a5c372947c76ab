"""Throttles that hit only the guilty: a campus behind one address, guessers, shared phones."""

from __future__ import annotations

import importlib
import ipaddress
from typing import Any

from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from surveys.links import attribution, limits
from surveys.models import Draft, Response, SeedLink, Survey
from tests.flow import SCO_ANSWERS, complete_survey

CAMPUS = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


def _browser(address: str, name: str) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=f"Mozilla/5.0 (Android 14; {name})")


def _consent(client: Client, language: str = "en") -> Any:
    return client.post(f"/{language}/s/sco-2025/", {"consent": "on"})


def test_a_valid_link_opens_from_anywhere_after_forged_codes_from_one_address(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Group chat")
    recruiter = complete_survey(_browser(ELSEWHERE, "recruiter"), sco_survey)
    guesser = _browser(CAMPUS, "guesser")
    for attempt in range(limits.GUESS_LIMIT):
        assert guesser.get(f"/en/r/GUESS{attempt:09d}/").status_code == 404
    # The guesser's own valid link, and the next person's on the same Wi-Fi, both open.
    for visitor in (guesser, _browser(CAMPUS, "classmate"), _browser(ELSEWHERE, "far")):
        for code in (recruiter.referral_code, seed.code):
            reply = visitor.get(f"/en/r/{code}/")
            assert reply.status_code == 302, code
            assert reply.headers["Location"] == "/en/s/sco-2025/"
            visitor.cookies.clear()
    # The next forged code from the guessing address is refused, from another address not.
    refused = _browser(CAMPUS, "guesser, renamed").get("/en/r/GUESS999999999/")
    assert refused.status_code == 429
    assert 'id="link-rate-limited"' in refused.content.decode()
    assert _browser(ELSEWHERE, "far").get("/en/r/GUESS999999999/").status_code == 404


def test_a_campus_of_150_browsers_behind_one_address_all_start(
    sco_survey: Survey, settings: Settings
) -> None:
    # The configured default, not the generous one every other test runs with.
    settings.START_RATE_LIMIT = importlib.import_module("config.settings").START_RATE_LIMIT
    assert settings.START_RATE_LIMIT >= 300
    for student in range(150):
        reply = _consent(_browser(CAMPUS, f"student {student}"))
        assert reply.status_code == 302, student
        assert reply.headers["Location"] == "/en/s/sco-2025/p/1/"
    assert Draft.objects.count() == 150


def test_a_new_browser_name_does_not_reset_the_start_count(
    sco_survey: Survey, settings: Settings
) -> None:
    settings.START_RATE_LIMIT = 3
    for attempt in range(3):
        assert _consent(_browser(CAMPUS, f"script {attempt}")).status_code == 302
    assert _consent(_browser(CAMPUS, "script, renamed again")).status_code == 429
    assert _consent(_browser(ELSEWHERE, "someone else")).status_code == 302


def test_behind_a_trusted_proxy_starts_are_counted_per_forwarded_address(
    sco_survey: Survey, settings: Settings
) -> None:
    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network("127.0.0.1/32")]
    settings.START_RATE_LIMIT = 2

    def via_proxy(client_address: str) -> int:
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_address)
        return _consent(client).status_code

    assert [via_proxy(CAMPUS) for _ in range(3)] == [302, 302, 429]
    assert via_proxy(ELSEWHERE) == 302


PHONE = "Pixel 8; Chrome 131"


def _answer_via_seed(survey: Survey, seed: SeedLink, *, address: str, **changes: Any) -> Response:
    """Answer through the seed link from a fresh browser of the same phone model."""
    return complete_survey(
        _browser(address, PHONE),
        survey,
        start_path=f"/en/r/{seed.code}/",
        answers={**SCO_ANSWERS, **changes},
    )


def test_two_people_with_the_same_phone_behind_one_address_are_not_flagged(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Dormitory chat")
    first = _answer_via_seed(sco_survey, seed, address=CAMPUS)
    second = _answer_via_seed(sco_survey, seed, address=CAMPUS, trust="rather_no", network_size=40)
    assert first.quality_flags == [] and second.quality_flags == []


def test_the_same_answers_twice_from_one_phone_are_flagged(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Dormitory chat")
    first = _answer_via_seed(sco_survey, seed, address=CAMPUS)
    again = _answer_via_seed(sco_survey, seed, address=CAMPUS)
    assert first.quality_flags == []
    assert again.quality_flags == [limits.FLAG_SAME_CLIENT_RECENTLY]
    # The same answers from another address are someone else's.
    assert _answer_via_seed(sco_survey, seed, address=ELSEWHERE).quality_flags == []
    assert Response.objects.count() == 3


def test_links_are_built_on_site_url_where_one_is_set(
    sco_survey: Survey, settings: Settings
) -> None:
    # The proxy hands the application an internal host name.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "web"]
    request = RequestFactory().get("/", HTTP_HOST="web:8000")
    settings.SITE_URL = ""
    assert attribution.link_url(request=request, code="ABC") == "http://web:8000/r/ABC/"
    settings.SITE_URL = "https://survey.example.org"
    assert attribution.link_url(request=request, code="ABC") == (
        "https://survey.example.org/r/ABC/"
    )
    respondent = _browser(CAMPUS, "behind the proxy")
    response = complete_survey(respondent, sco_survey)
    page = respondent.get("/en/s/sco-2025/thanks/", HTTP_HOST="web:8000").content.decode()
    assert f"https://survey.example.org/r/{response.referral_code}/" in page
    assert "web:8000/r/" not in page
