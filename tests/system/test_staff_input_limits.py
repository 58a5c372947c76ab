"""Odd staff input and oversized requests are refused with a 400 that says why, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from surveys.models import SeedLink, Survey
from tests.fixtures.staff import logged_in

BIG = 300 * 1024  # beyond DATA_UPLOAD_MAX_MEMORY_SIZE (256 KiB)


@pytest.mark.parametrize("chain", ["²", "99999999999999999999", "1 OR 1=1", "-1"])
def test_a_chain_filter_that_names_no_chain_answers_400_with_a_message(
    sco_survey: Survey, organizer: User, chain: str
) -> None:
    reply = logged_in(organizer).get(f"/en/organize/{sco_survey.slug}/flagged/", {"chain": chain})
    assert reply.status_code == 400
    assert 'id="bad-request-message"' in reply.content.decode()
    assert "There is no chain" in reply.content.decode()


def test_a_known_chain_filter_still_shows_the_page(sco_survey: Survey, organizer: User) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Students")
    client = logged_in(organizer)
    for chain in (str(seed.pk), "none", ""):
        url = f"/en/organize/{sco_survey.slug}/flagged/"
        assert client.get(url, {"chain": chain}).status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "3000-01-01"])
def test_a_seed_link_valid_until_the_end_of_the_calendar_is_refused_with_a_message(
    sco_survey: Survey, organizer: User, day: str
) -> None:
    client = logged_in(organizer)
    url = f"/ru/organize/{sco_survey.slug}/seeds/new/"
    reply = client.post(url, {"label": "Далеко", "valid_through": day})
    assert reply.status_code == 400
    assert "Последний день действия" in reply.content.decode()
    assert not SeedLink.objects.exists()
    seed = SeedLink.objects.create(survey=sco_survey, label="Near")
    edit = client.post(
        f"/en/organize/{sco_survey.slug}/seeds/{seed.pk}/edit/", {"valid_through": day}
    )
    assert edit.status_code == 400
    assert "The last valid day can be" in edit.content.decode()


def test_a_margins_cell_beyond_the_csv_field_limit_answers_400_with_its_line(
    sco_survey: Survey, analyst_client: Client
) -> None:
    text = "question,option,share\ncountry,kz," + "1" * 140_000 + "\n"
    upload = {"action": "upload", "csv": text}
    reply = analyst_client.post(f"/en/analytics/margins/{sco_survey.slug}/", upload)
    assert reply.status_code == 400
    assert "Line 2: a cell is too large (limit 131072 characters)." in reply.content.decode()


def test_a_margins_file_of_many_bad_lines_shows_the_first_twenty_and_a_count(
    sco_survey: Survey, analyst_client: Client
) -> None:
    lines = "".join(f"country,kz,x{n}\n" for n in range(5_000))
    upload = {"action": "upload", "csv": "question,option,share\n" + lines}
    reply = analyst_client.post(f"/kk/analytics/margins/{sco_survey.slug}/", upload)
    assert reply.status_code == 400
    page = reply.content.decode()
    summary = page[page.index("error-summary") :]
    summary = summary[: summary.index("</div>")]
    assert summary.count("<li>") == 20
    assert "x19" in summary and "x20" not in summary
    assert "4980" in summary  # …and 4980 more problems, in Kazakh
    assert len(reply.content) < 400_000


def test_pasted_margins_beyond_the_request_limit_say_too_large_with_the_limit(
    sco_survey: Survey, analyst_client: Client
) -> None:
    text = "question,option,share\n" + "country,kz,0.5\n" * (BIG // 14)
    reply = analyst_client.post(
        f"/ru/analytics/margins/{sco_survey.slug}/", {"action": "upload", "csv": text}
    )
    assert reply.status_code == 400
    page = reply.content.decode()
    assert "слишком" in page and "256,0" in page, page[-3000:]


def test_an_other_answer_beyond_the_request_limit_tells_the_respondent_in_their_language(
    sco_survey: Survey,
) -> None:
    client = Client()
    assert client.post("/kk/s/sco-2025/", {"consent": "on"}).status_code == 302
    reply = client.post("/kk/s/sco-2025/p/1/", {"action": "next", "awareness__other": "ы" * BIG})
    assert reply.status_code == 400
    page = reply.content.decode()
    assert 'id="bad-request-message"' in page and "256,0" in page
    assert '<html lang="kk">' in page
