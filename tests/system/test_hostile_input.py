"""A catalogue of hostile requests to the respondent's way, plus fuzzing of every form POST.

Each case gets a clear 4xx or an error message in the page's language, and nothing malformed is
stored. Referral codes, exports and dashboards have their own hostile cases beside their tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import forms
from surveys.models import Draft, Response, Survey
from tests.flow import SCO_ANSWERS, page_data
from tests.hostile import assert_nothing_malformed_stored

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass(frozen=True)
class Case:
    name: str
    page: int  # 0 = the consent page
    data: dict[str, Any] = field(default_factory=dict)
    status: int = 400
    message: Any = None  # a msgid expected on the page, in Kazakh
    raw_body: bytes | None = None


def _page(survey: Survey, number: int, **changes: Any) -> dict[str, Any]:
    """Return valid POST data for a page, with some fields changed (None removes one)."""
    data = {"action": "next", **page_data(survey, number, SCO_ANSWERS), **changes}
    return {k: v for k, v in data.items() if v is not None}


CASES = [
    Case("unknown single-choice code", 1, {"awareness": "maybe"}, message=forms.INVALID_CHOICE),
    Case(
        "code of another question",
        1,
        {"awareness": "strongly_positive"},
        message=forms.INVALID_CHOICE,
    ),
    Case("empty single choice", 1, {"awareness": ""}, message=forms.REQUIRED),
    Case("missing required question", 1, {"impact": None}, message=forms.REQUIRED),
    Case(
        "tampered multiple-choice code",
        2,
        {"platforms": ["telegram", "orkut"]},
        message=forms.INVALID_CHOICE,
    ),
    Case(
        "multiple choice with no tick",
        2,
        {"platforms": None, "platforms__other": None},  # a written "other" text ticks "other"
        message=forms.REQUIRED,
    ),
    Case(
        "SQL in an option code",
        2,
        {"platforms": ["telegram' OR 1=1 --"]},
        message=forms.INVALID_CHOICE,
    ),
    Case(
        "other ticked without text",
        2,
        {"platforms": ["other"], "platforms__other": ""},
        message=forms.OTHER_MISSING,
    ),
    Case(
        "other text of blanks only",
        2,
        {"platforms": ["other"], "platforms__other": "   "},
        message=forms.OTHER_MISSING,
    ),
    Case(
        "other text too long",
        2,
        {"platforms": ["other"], "platforms__other": "ә" * 501},
        message=forms.TOO_LONG,
    ),
    Case(
        "NUL byte in other text",
        2,
        {"platforms": ["other"], "platforms__other": "a\x00"},
        message=forms.NULL_CHARACTER,
    ),
    Case("integer as text", 5, {"network_size": "twelve"}, message=forms.NOT_A_NUMBER),
    Case("integer with decimals", 5, {"network_size": "12.5"}, message=forms.NOT_A_NUMBER),
    Case("integer above the bound", 5, {"network_size": "5001"}, message=forms.TOO_LARGE),
    Case("negative integer", 5, {"network_size": "-3"}, message=forms.TOO_SMALL),
    Case("huge integer", 5, {"network_size": "9" * 40}, message=forms.TOO_LARGE),
    Case("integer in exponent form", 5, {"network_size": "1e3"}, message=forms.NOT_A_NUMBER),
    Case(
        "list where one value belongs",
        5,
        {"network_size": ["1", "2000000"]},
        message=forms.TOO_LARGE,
    ),
    Case("consent missing", 0, {}, status=200, message="Please confirm your consent to take part."),
    Case(
        "one-megabyte other text",
        2,
        {"platforms": ["other"], "platforms__other": "x" * 2**20},
        status=400,
    ),
    Case("too many fields", 1, {f"junk{i}": "1" for i in range(500)}, status=400),
    Case(
        "invalid UTF-8 in an option code",
        1,
        status=400,
        message=forms.INVALID_CHOICE,
        raw_body=b"action=next&awareness=%FF%FE&impact=neutral&initiatives=not_familiar",
    ),
]


@pytest.fixture
def started(sco_survey: Survey) -> Client:
    """Return a client that has consented in Kazakh."""
    client = Client()
    assert client.post("/kk/s/sco-2025/", {"consent": "on"}).status_code == 302
    return client


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_answers_get_a_clear_error_and_store_nothing_malformed(
    sco_survey: Survey, case: Case
) -> None:
    client = Client()
    if case.page == 0:
        reply = client.post("/kk/s/sco-2025/", case.data)
    else:
        client.post("/kk/s/sco-2025/", {"consent": "on"})
        for earlier in range(1, case.page):
            client.post(f"/kk/s/sco-2025/p/{earlier}/", _page(sco_survey, earlier))
        path = f"/kk/s/sco-2025/p/{case.page}/"
        if case.raw_body is not None:
            reply = client.generic(
                "POST", path, case.raw_body, content_type="application/x-www-form-urlencoded"
            )
        else:
            reply = client.post(path, _page(sco_survey, case.page, **case.data))
    assert reply.status_code == case.status, reply.content[:300]
    if case.message is not None:
        with translation.override("kk"):
            expected = translation.gettext(str(case.message)).split("%(")[0]
        assert expected in reply.content.decode()
    assert Response.objects.count() == 0
    assert_nothing_malformed_stored(sco_survey)


def test_extra_fields_are_ignored_not_stored(sco_survey: Survey, started: Client) -> None:
    started.post("/kk/s/sco-2025/p/1/", _page(sco_survey, 1, is_admin="1", answers="{}", wave="0"))
    from surveys.models import Draft

    assert set(Draft.objects.get().answers) == {"awareness", "impact", "initiatives"}


def test_an_xss_payload_in_other_text_is_stored_as_text_and_shown_escaped(
    sco_survey: Survey, started: Client
) -> None:
    started.post("/kk/s/sco-2025/p/1/", _page(sco_survey, 1))
    started.post(
        "/kk/s/sco-2025/p/2/", _page(sco_survey, 2, platforms=["other"], platforms__other=XSS)
    )
    page = started.get("/kk/s/sco-2025/p/2/").content.decode()
    assert XSS not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/de/s/sco-2025/", 404),
        ("get", "/kk/s/no-such-survey/", 404),
        ("get", "/kk/s/sco-2025/p/0/", 404),
        ("get", "/kk/s/sco-2025/p/99/", 404),
        ("get", "/kk/s/sco-2025/p/1%2F..%2F..%2F/", 404),
        ("get", "/kk/s/../../etc/passwd", 404),
        ("put", "/kk/s/sco-2025/p/1/", 405),
        ("delete", "/kk/s/sco-2025/", 405),
        ("post", "/kk/s/sco-2025/thanks/", 405),
        ("get", "/en/analytics/exports/..%2F..%2Fetc%2Fpasswd/download/", 404),
        ("get", "/en/analytics/exports/00000000-0000-0000-0000-000000000000/../../x/", 404),
        ("get", "/en/organize/sco-2025/tree/-1/", 404),
        ("get", "/en/r/%00%00/", 404),
    ],
)
def test_unknown_paths_and_methods_get_a_clear_4xx(
    sco_survey: Survey, started: Client, method: str, path: str, status: int
) -> None:
    assert getattr(started, method)(path).status_code == status


@pytest.mark.parametrize("token", [None, "forged-token-value-forged-token-val"])
def test_a_missing_or_wrong_csrf_token_is_refused_in_the_page_language(
    sco_survey: Survey, token: str | None
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/kk/s/sco-2025/")
    data = {"consent": "on"}
    if token:
        data["csrfmiddlewaretoken"] = token
    reply = client.post("/kk/s/sco-2025/", data)
    assert reply.status_code == 403
    with translation.override("kk"):
        assert translation.gettext("The form has expired") in reply.content.decode()
    assert "respondent" not in client.cookies, "no session was started"
    assert not Draft.objects.exists()


def test_a_replayed_final_post_from_another_browser_stores_nothing(
    sco_survey: Survey, started: Client
) -> None:
    for number in range(1, 5):
        started.post(f"/kk/s/sco-2025/p/{number}/", _page(sco_survey, number))
    final = {**_page(sco_survey, 5), "action": "submit"}
    assert started.post("/kk/s/sco-2025/p/5/", final).status_code == 302
    replay = Client().post("/kk/s/sco-2025/p/5/", final)
    assert replay.status_code == 302 and replay.headers["Location"] == "/kk/s/sco-2025/"
    assert Response.objects.count() == 1


_TEXT = st.text(max_size=60) | st.sampled_from(
    ["yes_fully", "telegram", "other", "0", "5000", "-1", XSS, "=1+1", "\x00", "ә" * 10]
)
_VALUE = _TEXT | st.lists(_TEXT, max_size=4) | st.integers(-(10**12), 10**12).map(str)
_FIELDS = st.sampled_from(
    [
        "awareness",
        "impact",
        "initiatives",
        "platforms",
        "platforms__other",
        "trust",
        "threats",
        "threats__other",
        "conflict_prevention",
        "country",
        "country__other",
        "age_group",
        "gender",
        "status",
        "sphere",
        "network_size",
        "action",
        "switch_language",
        "junk",
    ]
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(number=st.integers(0, 6), form=st.dictionaries(_FIELDS, _VALUE, max_size=10))
def test_fuzzed_form_posts_never_crash_or_store_malformed_answers(
    sco_survey: Survey, number: int, form: dict[str, Any]
) -> None:
    client = Client()
    client.post("/kk/s/sco-2025/", {"consent": "on"})
    path = "/kk/s/sco-2025/" if number == 0 else f"/kk/s/sco-2025/p/{number}/"
    reply = client.post(path, {k: v for k, v in form.items() if "\x00" not in str(k)})
    assert reply.status_code in {200, 302, 400, 404}
    assert_nothing_malformed_stored(sco_survey)


def test_starting_questionnaire_after_questionnaire_is_rate_limited(
    sco_survey: Survey, settings
) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.START_RATE_LIMIT = 3
    script = Client(REMOTE_ADDR="192.0.2.50", HTTP_USER_AGENT="form-filler/1.0")
    for _ in range(3):
        assert script.post("/kk/s/sco-2025/", {"consent": "on"}).status_code == 302
        script.cookies.clear()  # a script forgets its session to start again
    refused = script.post("/kk/s/sco-2025/", {"consent": "on"})
    assert refused.status_code == 429
    with translation.override("kk"):
        assert translation.gettext("Too many attempts") in refused.content.decode()
    # Someone else on another connection is not affected.
    assert (
        Client(REMOTE_ADDR="192.0.2.51").post("/kk/s/sco-2025/", {"consent": "on"}).status_code
        == 302
    )
    cache.clear()
