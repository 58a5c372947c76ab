"""The read-only API: a study's token reads that study, page by page, and nothing else."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from openapi_spec_validator import validate

from api.models import ApiToken, ApiTokenUse
from api.tokens import api_token_create
from incentives.contacts import payout_contact_save
from surveys.models import Response, SeedLink, Survey
from tests.fixtures.recruitment import make_response
from tests.fixtures.staff import logged_in, staff_user

CAMPUS = Path(__file__).resolve().parents[1] / "data" / "questionnaires" / "campus-media-2026.json"
PHONE = "+7 701 555 0142"


@pytest.fixture
def campus(db: None) -> Survey:
    call_command("load_questionnaire", str(CAMPUS), stdout=io.StringIO())
    return Survey.objects.get(slug="campus-media-2026")


@pytest.fixture(autouse=True)
def _served_at_once(settings: object) -> None:
    # Rows are normally served once 2 s old (late commits); these tests read what they just made.
    settings.API_SETTLE_SECONDS = 0


def _client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def _grow(survey: Survey, n: int) -> list[int]:
    seed = SeedLink.objects.get_or_create(survey=survey, label="api seed")[0]
    rows = Response.objects.bulk_create(
        [make_response(survey, seed_link=seed, wave=0, code_used=seed.code) for _ in range(n)]
    )
    return [row.pk for row in rows]


def test_a_token_reads_every_response_of_its_survey_across_pages_while_new_ones_arrive(
    sco_survey: Survey,
) -> None:
    ids = _grow(sco_survey, 25)
    _token, plaintext = api_token_create(survey=sco_survey, name="pipeline")
    client = _client(plaintext)
    url = f"/api/v1/surveys/{sco_survey.slug}/responses/?page_size=10"
    seen: list[int] = []
    pages = 0
    while True:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        pages += 1
        if pages == 1:
            ids += _grow(sco_survey, 7)  # arriving while the client reads
        url = page["next"]
        if not page["has_more"]:
            break
    assert seen == sorted(set(seen)), "duplicates or out of order"
    assert seen == ids
    assert pages == 4
    # The last page's link resumes later with exactly what came since.
    ids_later = _grow(sco_survey, 3)
    later = client.get(url).json()
    assert [row["id"] for row in later["results"]] == ids_later and not later["has_more"]


def test_answers_are_keyed_by_question_code_with_flags_and_no_contact(sco_survey: Survey) -> None:
    call_command(
        "set_incentives", f"--survey={sco_survey.slug}", "--currency=KZT", "--primary=2000",
        "--per-recruit=1000", stdout=io.StringIO(),
    )  # fmt: skip
    (response_id,) = _grow(sco_survey, 1)
    response = Response.objects.get(pk=response_id)
    Response.objects.filter(pk=response_id).update(quality_flags=["too_fast"])
    payout_contact_save(response=response, text=PHONE)
    _token, plaintext = api_token_create(survey=sco_survey, name="pipeline")
    reply = _client(plaintext).get(f"/api/v1/surveys/{sco_survey.slug}/responses/")
    (row,) = reply.json()["results"]
    codes = set(sco_survey.questions.values_list("code", flat=True))
    assert set(row["answers"]) <= codes and row["answers"] == response.answers
    assert row["quality_flags"] == ["too_fast"]
    body = reply.content.decode()
    for secret in ("701", "5550142", response.referral_code, str(response.withdraw_token)):
        assert secret not in body


def test_a_token_gets_404_for_another_survey_and_lists_only_its_own(
    sco_survey: Survey, campus: Survey
) -> None:
    _token, plaintext = api_token_create(survey=sco_survey, name="pipeline")
    client = _client(plaintext)
    listed = client.get("/api/v1/surveys/").json()
    assert [s["slug"] for s in listed] == [sco_survey.slug]
    for tail in ("", "questionnaire/", "responses/", "recruitment/", "aggregates/", "estimates/"):
        assert client.get(f"/api/v1/surveys/{sco_survey.slug}/{tail}").status_code == 200, tail
        assert client.get(f"/api/v1/surveys/{campus.slug}/{tail}").status_code == 404, tail


def test_no_token_a_wrong_one_a_revoked_one_and_an_expired_one_get_401(sco_survey: Survey) -> None:
    url = f"/api/v1/surveys/{sco_survey.slug}/responses/"
    reply = Client().get(url)
    assert reply.status_code == 401 and reply["WWW-Authenticate"] == "Token"
    assert _client("sco_not-a-token").get(url).status_code == 401
    token, plaintext = api_token_create(survey=sco_survey, name="old")
    assert _client(plaintext).get(url).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at="2020-01-01T00:00:00Z")
    assert _client(plaintext).get(url).status_code == 401
    expired, text = api_token_create(survey=sco_survey, name="short", expires_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at="2020-01-01T00:00:00Z")
    assert _client(text).get(url).status_code == 401


def test_the_questionnaire_is_the_codebook_in_three_languages(sco_survey: Survey) -> None:
    _token, plaintext = api_token_create(survey=sco_survey, name="pipeline")
    questions = _client(plaintext).get(f"/api/v1/surveys/{sco_survey.slug}/questionnaire/").json()
    assert [q["code"] for q in questions] == list(
        sco_survey.questions.order_by("page__position", "position").values_list("code", flat=True)
    )
    single = next(q for q in questions if q["kind"] == "single")
    assert set(single["text"]) == {"en", "ru", "kk"} and single["options"][0]["label"]["kk"]


def test_recruitment_gives_each_respondents_recruiter_and_wave(sco_survey: Survey) -> None:
    (seed_id,) = _grow(sco_survey, 1)
    seed = Response.objects.get(pk=seed_id)
    recruit = Response.objects.create(
        **{f: getattr(make_response(sco_survey), f) for f in ("submission_key", "started_at")},
        survey=sco_survey, language="en", recruiter=seed, seed_link=seed.seed_link, wave=1,
    )  # fmt: skip
    _token, plaintext = api_token_create(survey=sco_survey, name="pipeline")
    edges = _client(plaintext).get(f"/api/v1/surveys/{sco_survey.slug}/recruitment/").json()
    by_id = {edge["id"]: edge for edge in edges["results"]}
    assert by_id[recruit.pk]["recruiter_id"] == seed.pk and by_id[recruit.pk]["wave"] == 1
    assert by_id[seed.pk]["recruiter_id"] is None


def test_a_page_size_above_1000_or_a_bad_cursor_or_since_is_refused(sco_survey: Survey) -> None:
    _token, plaintext = api_token_create(survey=sco_survey, name="pipeline")
    client = _client(plaintext)
    base = f"/api/v1/surveys/{sco_survey.slug}/responses/"
    assert client.get(f"{base}?page_size=1000").status_code == 200
    too_big = client.get(f"{base}?page_size=1001")
    assert too_big.status_code == 400 and "page_size" in too_big.json()
    assert client.get(f"{base}?cursor=rubbish").status_code == 400
    assert client.get(f"{base}?since=yesterday").status_code == 400


def test_since_leaves_out_responses_submitted_before_it(sco_survey: Survey) -> None:
    old, new = _grow(sco_survey, 2)
    Response.objects.filter(pk=old).update(submitted_at="2025-01-01T00:00:00Z")
    _token, plaintext = api_token_create(survey=sco_survey, name="pipeline")
    url = f"/api/v1/surveys/{sco_survey.slug}/responses/?since=2025-06-01T00:00:00Z"
    assert [row["id"] for row in _client(plaintext).get(url).json()["results"]] == [new]


def test_every_use_of_a_token_is_logged_and_its_last_use_kept(sco_survey: Survey) -> None:
    token, plaintext = api_token_create(survey=sco_survey, name="pipeline")
    client = _client(plaintext)
    client.get(f"/api/v1/surveys/{sco_survey.slug}/")
    client.get("/api/v1/surveys/nope/")
    uses = list(ApiTokenUse.objects.filter(token=token).order_by("at", "pk"))
    assert [(use.path, use.status) for use in uses] == [
        (f"/api/v1/surveys/{sco_survey.slug}/", 200),
        ("/api/v1/surveys/nope/", 404),
    ]
    token.refresh_from_db()
    assert token.last_used_at == uses[-1].at


def test_a_token_is_throttled_beyond_its_rate(sco_survey: Survey, settings: object) -> None:
    settings.API_TOKEN_RATE = "3/minute"
    _token, plaintext = api_token_create(survey=sco_survey, name="greedy")
    client = _client(plaintext)
    codes = [client.get("/api/v1/surveys/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # Another study's token has a count of its own.
    _other, fresh = api_token_create(survey=sco_survey, name="calm")
    assert _client(fresh).get("/api/v1/surveys/").status_code == 200


def test_create_api_token_prints_the_token_last_and_stores_only_its_hash(
    sco_survey: Survey,
) -> None:
    out = io.StringIO()
    call_command(
        "create_api_token", f"--survey={sco_survey.slug}", "--name=R pipeline",
        "--expires-days=30", stdout=out,
    )  # fmt: skip
    plaintext = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(name="R pipeline")
    assert plaintext.startswith("sco_") and token.digest != plaintext
    assert plaintext not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert token.expires_at is not None
    assert _client(plaintext).get("/api/v1/surveys/").status_code == 200


def test_the_schema_validates_as_openapi_3(db: None) -> None:
    reply = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert reply.status_code == 200 and reply["Content-Type"].startswith("application/")
    spec = json.loads(reply.content)
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/surveys/{slug}/responses/" in spec["paths"]


def test_the_docs_page_loads_its_assets_from_this_site_under_the_strict_csp(db: None) -> None:
    reply = Client().get("/api/docs/")
    html = reply.content.decode()
    assert reply.status_code == 200
    assert "script-src 'self'" in reply["Content-Security-Policy"]
    assert "swagger-ui-dist/swagger-ui-bundle.js" in html and "<script>" not in html
    assert "http://" not in html and "https://" not in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("js/api-docs.js")


def test_an_organizer_creates_a_token_seen_once_and_revokes_it(
    sco_survey: Survey, campus: Survey
) -> None:
    organizer = logged_in(staff_user("olga", "Organizers", surveys=[sco_survey]))
    page = f"/en/organize/{sco_survey.slug}/api-tokens/"
    created = organizer.post(page, {"name": "dashboard", "expires_days": "90"})
    plaintext = created.context["created"]
    assert plaintext.startswith("sco_") and plaintext in created.content.decode()
    assert plaintext not in organizer.get(page).content.decode()
    assert _client(plaintext).get("/api/v1/surveys/").status_code == 200
    token = ApiToken.objects.get(name="dashboard")
    assert token.created_by.username == "olga"
    organizer.post(f"{page}{token.pk}/revoke/")
    assert _client(plaintext).get("/api/v1/surveys/").status_code == 401
    # Another study's tokens are out of reach.
    other = f"/en/organize/{campus.slug}/api-tokens/"
    assert organizer.post(other, {"name": "x"}).status_code == 404
    assert not ApiToken.objects.filter(survey=campus).exists()
