"""Paradata: seconds per page, language switches, the device class and the device cookie."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from exports.options import ExportOptions, encoded
from exports.rows.codebook import codebook_rows
from exports.rows.paradata import paradata_rows
from surveys.models import Draft, Response, Survey
from surveys.paradata.device import DEVICE_COOKIE, DEVICE_COOKIE_AGE, device_class
from surveys.paradata.timing import (
    PAGE_SECONDS_CAP,
    SERVED_FIELD,
    TOTAL_SECONDS,
    served_stamp,
)
from surveys.privacy import device_hash
from surveys.questionnaire.loader import (
    questionnaire_load,
    questionnaire_read,
    shipped_questionnaires,
)
from surveys.services import response_withdraw
from tests.fixtures.recruitment import respondent_client
from tests.flow import SCO_ANSWERS, page_data
from tests.surveys.pace import answer_at_pace

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
BASE = "/en/s/sco-2025/"


def _consent(client: Client) -> Draft:
    assert client.post(BASE, {"consent": "on"}).status_code == 302
    return Draft.objects.latest("id")


def _post_page(
    client: Client,
    survey: Survey,
    number: int,
    *,
    stamp: str = "",
    base: str = BASE,
    action: str = "next",
) -> int:
    data = {"action": action, **page_data(survey, number, SCO_ANSWERS)}
    if stamp:
        data[SERVED_FIELD] = stamp
    return client.post(f"{base}p/{number}/", data).status_code


def _saved_ago(draft: Draft, seconds: float) -> None:
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds))


def test_each_pages_seconds_and_the_total_are_stored_with_the_response(
    sco_survey: Survey,
) -> None:
    before = timezone.now()
    response = answer_at_pace(respondent_client("reader"), sco_survey, seconds_per_page=50)
    after = timezone.now()
    positions = [str(page.position) for page in sco_survey.ordered_pages()]
    assert list(response.paradata["page_seconds"]) == positions
    assert all(50 <= seconds <= 52 for seconds in response.paradata["page_seconds"].values())
    assert response.paradata[TOTAL_SECONDS] == sum(response.paradata["page_seconds"].values())
    assert response.paradata["language_switches"] == 0
    # duration_seconds stays what it was: the wall clock from consent to submit, which here
    # took a moment, not the 50 seconds a page that the paradata were told.
    assert before <= response.started_at <= response.submitted_at <= after
    assert response.duration_seconds < 50 < response.paradata[TOTAL_SECONDS]


def test_a_tab_left_open_overnight_counts_thirty_minutes_at_most(sco_survey: Survey) -> None:
    client = respondent_client("sleepy")
    draft = _consent(client)
    night = timezone.now() - timedelta(hours=9)
    _saved_ago(draft, 9 * 3600)
    assert _post_page(client, sco_survey, 1, stamp=served_stamp(position=1, at=night)) == 302
    draft.refresh_from_db()
    assert draft.paradata["page_seconds"] == {"1": PAGE_SECONDS_CAP}
    assert PAGE_SECONDS_CAP == 30 * 60


def test_a_stamp_older_than_the_drafts_last_save_counts_from_the_save(
    sco_survey: Survey,
) -> None:
    client = respondent_client("replayer")
    draft = _consent(client)
    # A stamp kept from long ago cannot lengthen a page past the draft's last save.
    _saved_ago(draft, 20)
    old = served_stamp(position=1, at=timezone.now() - timedelta(minutes=10))
    assert _post_page(client, sco_survey, 1, stamp=old) == 302
    draft.refresh_from_db()
    assert 20 <= draft.paradata["page_seconds"]["1"] <= 22


def test_a_forged_or_foreign_stamp_counts_from_the_drafts_last_save(sco_survey: Survey) -> None:
    client = respondent_client("forger")
    draft = _consent(client)
    _saved_ago(draft, 5)
    long_ago = timezone.now() - timedelta(minutes=5)
    forged = served_stamp(position=1, at=long_ago)[:-3] + "abc"
    assert _post_page(client, sco_survey, 1, stamp=forged) == 302
    _saved_ago(draft, 5)
    other_page = served_stamp(position=1, at=long_ago)  # a genuine stamp, of page 1
    assert _post_page(client, sco_survey, 2, stamp=other_page) == 302
    draft.refresh_from_db()
    assert all(5 <= s <= 7 for s in draft.paradata["page_seconds"].values())


def test_posting_without_having_opened_the_page_is_timed_from_the_last_save(
    sco_survey: Survey,
) -> None:
    client = respondent_client("blind")
    draft = _consent(client)
    _saved_ago(draft, 12)
    assert _post_page(client, sco_survey, 1) == 302
    draft.refresh_from_db()
    assert 12 <= draft.paradata["page_seconds"]["1"] <= 14


def test_going_back_adds_the_time_to_the_page_left(sco_survey: Survey) -> None:
    client = respondent_client("doubter")
    draft = _consent(client)
    _saved_ago(draft, 30)
    assert _post_page(client, sco_survey, 1) == 302
    _saved_ago(draft, 15)
    assert client.post(f"{BASE}p/2/", {"action": "back"}).status_code == 302
    _saved_ago(draft, 10)
    assert _post_page(client, sco_survey, 1) == 302
    draft.refresh_from_db()
    assert 40 <= draft.paradata["page_seconds"]["1"] <= 43
    assert 15 <= draft.paradata["page_seconds"]["2"] <= 17


def test_a_refused_page_keeps_the_moment_it_was_first_served(sco_survey: Survey) -> None:
    client = respondent_client("typo")
    _consent(client)
    first = served_stamp(position=1, at=timezone.now() - timedelta(seconds=40))
    reply = client.post(f"{BASE}p/1/", {"action": "next", SERVED_FIELD: first})
    assert reply.status_code == 400
    assert f'name="{SERVED_FIELD}" value="{first}"' in reply.content.decode()


def test_language_switches_are_counted_and_kept(sco_survey: Survey) -> None:
    client = respondent_client("bilingual")
    draft = _consent(client)
    assert client.post(f"{BASE}p/1/", {"switch_language": "kk"}).status_code == 302
    assert client.post("/kk/s/sco-2025/p/1/", {"switch_language": "kk"}).status_code == 302
    assert client.post("/kk/s/sco-2025/p/1/", {"switch_language": "ru"}).status_code == 302
    draft.refresh_from_db()
    # Pressing the language already shown is no switch.
    assert draft.paradata["language_switches"] == 2
    total = len(sco_survey.ordered_pages())
    for number in range(1, total + 1):
        action = "submit" if number == total else "next"
        assert _post_page(client, sco_survey, number, base="/ru/s/sco-2025/", action=action) == 302
    response = Response.objects.get()
    assert response.paradata["language_switches"] == 2 and response.language == "ru"


def test_showing_a_page_writes_nothing_to_the_database(sco_survey: Survey) -> None:
    client = respondent_client("looker")
    _consent(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{BASE}p/2/").status_code == 200
    writes = [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)]
    assert writes == []


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (PHONE, "phone"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "phone",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "tablet",
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "tablet",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "desktop",
        ),
        ("Opera/9.80 (Android; Opera Mini/7.5.33361/31.1448; U; ru) Presto/2.8.119", "tablet"),
        ("Opera/9.80 (J2ME/MIDP; Opera Mini/9.80; U; ru) Opera Mobi", "phone"),
        ("", ""),
    ],
)
def test_the_device_class_follows_the_documented_rule(agent: str, expected: str) -> None:
    assert device_class(agent) == expected


def test_the_device_class_is_stored_and_the_user_agent_never(sco_survey: Survey) -> None:
    client = Client(HTTP_USER_AGENT=PHONE)
    response = answer_at_pace(client, sco_survey, seconds_per_page=45)
    assert response.device_class == "phone"
    dump = io.StringIO()
    call_command("dumpdata", "surveys", stdout=dump)
    assert "Pixel 8" not in dump.getvalue() and "Mobile Safari" not in dump.getvalue()


def test_the_device_cookie_is_long_lived_http_only_and_stored_only_hashed(
    sco_survey: Survey,
) -> None:
    client = respondent_client("cookie")
    reply = client.post(BASE, {"consent": "on"})
    cookie = reply.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == DEVICE_COOKIE_AGE >= 2 * 365 * 24 * 3600
    value = cookie.value
    assert len(value) >= 40
    draft = Draft.objects.get()
    assert draft.device_hash == device_hash(value) != value
    response = answer_at_pace(client, sco_survey, seconds_per_page=45)
    assert response.device_hash == device_hash(value)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert value not in dump.getvalue()


def test_a_second_consent_in_the_same_browser_keeps_its_device_cookie(sco_survey: Survey) -> None:
    client = respondent_client("loyal")
    first = client.post(BASE, {"consent": "on"}).cookies[DEVICE_COOKIE].value
    client.cookies.pop("respondent")
    assert client.post(BASE, {"consent": "on"}).cookies[DEVICE_COOKIE].value == first


def test_a_made_up_device_cookie_is_replaced(sco_survey: Survey) -> None:
    client = respondent_client("tamperer")
    client.cookies[DEVICE_COOKIE] = "'; DROP TABLE"
    value = client.post(BASE, {"consent": "on"}).cookies[DEVICE_COOKIE].value
    assert value != "'; DROP TABLE" and len(value) == 43


def test_a_withdrawal_erases_the_paradata_and_the_device(sco_survey: Survey) -> None:
    client = Client(HTTP_USER_AGENT=PHONE)
    response = answer_at_pace(client, sco_survey, seconds_per_page=45)
    assert response.paradata and response.device_class and response.device_hash
    assert client.post(f"/en/withdraw/{response.withdraw_token}/").status_code == 200
    response.refresh_from_db()
    assert response.withdrawn_at is not None
    assert (response.paradata, response.device_class, response.device_hash) == ({}, "", "")
    assert not Draft.objects.filter(token=response.submission_key).exists()


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_privacy_page_discloses_the_device_cookie(
    client: Client, language: str, db: None
) -> None:
    page = client.get(f"/{language}/privacy/").content.decode()
    with translation.override(language):
        cookie = translation.gettext(
            "A device cookie: a random code that stays in this browser for two years. It shows "
            "us when the same browser answers the survey twice, for example through two "
            "different links. We store only a salted hash of it, which cannot be turned back "
            "into the code. Such answers are kept and only marked for the researchers to check."
        )
    assert 'id="device-cookie"' in page and cookie in page.replace("&#x27;", "'")


def test_the_paradata_export_has_a_row_per_response_and_page(sco_survey: Survey) -> None:
    response = answer_at_pace(Client(HTTP_USER_AGENT=PHONE), sco_survey, seconds_per_page=45)
    withdrawn = answer_at_pace(respondent_client("gone"), sco_survey, seconds_per_page=45)
    response_withdraw(response=withdrawn)
    options = ExportOptions(kind="paradata")
    text = b"".join(encoded(paradata_rows(sco_survey, options, None), options)).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    pages = sco_survey.ordered_pages()
    assert [int(row["response_id"]) for row in rows] == [response.pk] * len(pages)
    assert [row["page_code"] for row in rows] == [page.code for page in pages]
    assert {row["device_class"] for row in rows} == {"phone"}
    assert sum(int(row["seconds"]) for row in rows) == int(rows[0]["total_seconds"])
    # Every column of the export is described in the codebook, in each language.
    codebook_options = ExportOptions(kind="codebook")
    described = {
        row["column"]: row
        for row in csv.DictReader(
            io.StringIO(
                b"".join(
                    encoded(codebook_rows(sco_survey, codebook_options, None), codebook_options)
                ).decode("utf-8-sig")
            )
        )
    }
    for column in rows[0]:
        assert described[column]["wording_kk"] and described[column]["wording_ru"], column
    assert described["seconds"]["kind"] == "paradata"


def test_a_questionnaire_file_sets_the_floor_and_reserved_codes_are_refused(
    sco_survey: Survey,
) -> None:
    assert sco_survey.min_completion_seconds == 60
    (path,) = [p for p in shipped_questionnaires() if p.stem == "sco-2025"]
    data = questionnaire_read(path=path)
    assert (
        questionnaire_load(data={**data, "min_completion_seconds": 90}).min_completion_seconds == 90
    )
    data["pages"][0]["questions"][0]["code"] = "website"
    with pytest.raises(ValidationError):
        questionnaire_load(data=data)
