"""Quality flags: too fast, honeypot, same device; flagged responses are kept, never dropped."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from surveys.links import limits
from surveys.models import Response, SeedLink, Survey
from surveys.paradata.device import DEVICE_COOKIE
from surveys.paradata.timing import HONEYPOT_FIELD, SERVED_FIELD, TOTAL_SECONDS
from tests.fixtures.factories import ResponseFactory
from tests.fixtures.recruitment import respondent_client
from tests.flow import SCO_ANSWERS, complete_survey, page_data
from tests.surveys.pace import answer_at_pace


def _race(client: Client, survey: Survey, *, fetch_pages: bool) -> int:
    """Consent and post every page at once, as a script does; return the last status."""
    base = f"/en/s/{survey.slug}/"
    client.post(base, {"consent": "on"})
    total = len(survey.ordered_pages())
    status = 0
    for number in range(1, total + 1):
        data: dict[str, Any] = {"action": "submit" if number == total else "next"}
        if fetch_pages:
            page = client.get(f"{base}p/{number}/").content.decode()
            data[SERVED_FIELD] = re.search(rf'name="{SERVED_FIELD}" value="([^"]+)"', page)[1]
        data.update(page_data(survey, number, SCO_ANSWERS))
        status = client.post(f"{base}p/{number}/", data).status_code
    return status


def test_ten_scripted_respondents_racing_through_the_form_are_all_stored_and_flagged_too_fast(
    sco_survey: Survey,
) -> None:
    for number in range(10):
        script = respondent_client(f"script-{number}")
        # Half read the pages they post (stamps and all), half post blind: both are timed.
        assert _race(script, sco_survey, fetch_pages=number % 2 == 0) == 302
    responses = list(Response.objects.filter(survey=sco_survey))
    assert len(responses) == 10
    for response in responses:
        assert limits.FLAG_TOO_FAST in response.quality_flags
        assert response.answers["trust"] == SCO_ANSWERS["trust"]
        assert response.paradata[TOTAL_SECONDS] < sco_survey.min_completion_seconds


def test_a_respondent_at_a_persons_pace_is_not_flagged(sco_survey: Survey) -> None:
    response = answer_at_pace(respondent_client("reader"), sco_survey, seconds_per_page=45)
    assert response.paradata[TOTAL_SECONDS] >= 5 * 45
    assert response.quality_flags == []


def test_the_floor_is_the_surveys_own_setting(sco_survey: Survey) -> None:
    sco_survey.min_completion_seconds = 600
    sco_survey.save()  # an organizer's edit in the admin
    slow_enough_elsewhere = answer_at_pace(
        respondent_client("careful"), sco_survey, seconds_per_page=100
    )
    assert slow_enough_elsewhere.quality_flags == [limits.FLAG_TOO_FAST]
    sco_survey.min_completion_seconds = 0
    sco_survey.save()
    assert _race(respondent_client("quick"), sco_survey, fetch_pages=True) == 302
    # No floor and fewer than 30 responses: nothing to compare a quick completion with.
    assert Response.objects.latest("id").quality_flags == []


def test_once_thirty_responses_exist_under_40_percent_of_their_median_is_too_fast(
    sco_survey: Survey,
) -> None:
    for _ in range(30):
        ResponseFactory(survey=sco_survey, paradata={TOTAL_SECONDS: 1000})
    # 5 pages of 70 s = 350 s: over the 60-second floor, under 40 % of 1,000 s.
    hurried = answer_at_pace(respondent_client("hurried"), sco_survey, seconds_per_page=70)
    assert hurried.quality_flags == [limits.FLAG_TOO_FAST]
    # 5 pages of 90 s = 450 s: over 400 s.
    steady = answer_at_pace(respondent_client("steady"), sco_survey, seconds_per_page=90)
    assert steady.quality_flags == []


def test_with_fewer_than_thirty_responses_only_the_floor_counts(sco_survey: Survey) -> None:
    for _ in range(29):
        ResponseFactory(survey=sco_survey, paradata={TOTAL_SECONDS: 1000})
    response = answer_at_pace(respondent_client("hurried"), sco_survey, seconds_per_page=70)
    assert response.quality_flags == []


def test_a_filled_honeypot_is_accepted_and_flags_the_response(sco_survey: Survey) -> None:
    bot = respondent_client("form-filler")
    response = answer_at_pace(
        bot, sco_survey, seconds_per_page=45, extra={2: {HONEYPOT_FIELD: "http://spam.example"}}
    )
    assert response.quality_flags == [limits.FLAG_HONEYPOT]
    assert response.answers["platforms"] == SCO_ANSWERS["platforms"]


def test_an_empty_honeypot_flags_nothing(sco_survey: Survey) -> None:
    person = respondent_client("person")
    response = answer_at_pace(
        person, sco_survey, seconds_per_page=45, extra={1: {HONEYPOT_FIELD: "  "}}
    )
    assert response.quality_flags == []


def test_the_honeypot_is_hidden_from_screens_screen_readers_and_the_tab_key(
    sco_survey: Survey, client: Client
) -> None:
    client.post("/en/s/sco-2025/", {"consent": "on"})
    html = client.get("/en/s/sco-2025/p/1/").content.decode()
    container = re.search(
        r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', html, re.S
    )
    assert container is not None
    field = re.search(rf'<input type="text" name="{HONEYPOT_FIELD}"[^>]*>', container[1])
    assert field is not None
    assert 'tabindex="-1"' in field[0] and 'autocomplete="off"' in field[0]
    assert 'aria-hidden="true"' in field[0]


def _same_device(name: str, device: Client) -> Client:
    """Return another browser session (own session cookie and agent) with the same device."""
    browser = respondent_client(name)
    browser.cookies[DEVICE_COOKIE] = device.cookies[DEVICE_COOKIE].value
    return browser


def test_one_device_answering_in_two_chains_is_flagged_same_device_other_chain(
    sco_survey: Survey,
) -> None:
    first_seed = SeedLink.objects.create(survey=sco_survey, label="Debate club")
    second_seed = SeedLink.objects.create(survey=sco_survey, label="Youth council")
    phone = respondent_client("two-branches")
    first = answer_at_pace(
        phone, sco_survey, seconds_per_page=45, start_path=f"/en/r/{first_seed.code}/"
    )
    # Recruited a second time, through someone in the other seed's chain.
    other = answer_at_pace(
        respondent_client("recruiter"),
        sco_survey,
        seconds_per_page=45,
        start_path=f"/en/r/{second_seed.code}/",
    )
    again = answer_at_pace(
        _same_device("two-branches-again", phone),
        sco_survey,
        seconds_per_page=45,
        start_path=f"/en/r/{other.referral_code}/",
    )
    assert first.quality_flags == [] and other.quality_flags == []
    assert again.device_hash == first.device_hash != ""
    assert again.quality_flags == [
        limits.FLAG_SAME_DEVICE,
        limits.FLAG_SAME_DEVICE_OTHER_CHAIN,
    ]
    assert Response.objects.count() == 3


def test_one_device_answering_twice_in_one_chain_is_flagged_same_device_only(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Debate club")
    phone = respondent_client("one-branch")
    first = answer_at_pace(phone, sco_survey, seconds_per_page=45, start_path=f"/en/r/{seed.code}/")
    again = answer_at_pace(
        _same_device("one-branch-again", phone),
        sco_survey,
        seconds_per_page=45,
        start_path=f"/en/r/{first.referral_code}/",
    )
    assert again.quality_flags == [limits.FLAG_SAME_DEVICE]


def test_a_self_started_chain_is_one_chain_and_a_seeds_chain_another(sco_survey: Survey) -> None:
    laptop = respondent_client("no-link")
    root = answer_at_pace(laptop, sco_survey, seconds_per_page=45)
    recruit = answer_at_pace(
        respondent_client("friend"),
        sco_survey,
        seconds_per_page=45,
        start_path=f"/en/r/{root.referral_code}/",
    )
    # Two waves down in the root's own chain: the same chain.
    below = answer_at_pace(
        _same_device("no-link-again", laptop),
        sco_survey,
        seconds_per_page=45,
        start_path=f"/en/r/{recruit.referral_code}/",
    )
    assert root.self_started and below.quality_flags == [limits.FLAG_SAME_DEVICE]
    seed = SeedLink.objects.create(survey=sco_survey, label="Youth council")
    elsewhere = answer_at_pace(
        _same_device("no-link-third", laptop),
        sco_survey,
        seconds_per_page=45,
        start_path=f"/en/r/{seed.code}/",
    )
    assert elsewhere.quality_flags == [
        limits.FLAG_SAME_DEVICE,
        limits.FLAG_SAME_DEVICE_OTHER_CHAIN,
    ]


def test_a_withdrawn_earlier_answer_does_not_flag_the_device(sco_survey: Survey) -> None:
    phone = respondent_client("changed-mind")
    first = answer_at_pace(phone, sco_survey, seconds_per_page=45)
    assert phone.post(f"/en/withdraw/{first.withdraw_token}/").status_code == 200
    again = answer_at_pace(
        _same_device("changed-mind-again", phone), sco_survey, seconds_per_page=45
    )
    assert again.quality_flags == []


def test_racing_through_the_existing_flow_keeps_every_answer(sco_survey: Survey) -> None:
    response = complete_survey(respondent_client("hasty"), sco_survey, paced=False)
    assert response.quality_flags == [limits.FLAG_TOO_FAST]
    assert response.other_texts == {"platforms": "Signal"}
