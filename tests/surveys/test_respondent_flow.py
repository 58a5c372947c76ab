"""The respondent's way through the questionnaire, in Russian, Kazakh and English."""

from __future__ import annotations

import html as html_module
import json
import re

import pytest
from django.core import serializers
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.utils import translation

from surveys import forms
from surveys.models import Draft, Response, Survey
from tests.flow import SCO_ANSWERS, complete_survey, page_data


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", html))


def _start(client: Client, survey: Survey, language: str) -> str:
    base = f"/{language}/s/{survey.slug}/"
    assert client.post(base, {"consent": "on"}).status_code == 302
    return base


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_it_stores_one_response_with_the_answers_given(
    sco_survey: Survey, client: Client, language: str
) -> None:
    response = complete_survey(client, sco_survey, language=language)
    assert Response.objects.count() == 1
    assert response.language == language
    expected = {k: v for k, v in SCO_ANSWERS.items() if "__" not in k}
    assert response.answers == expected
    assert response.other_texts == {"platforms": "Signal"}
    assert response.network_size == 25
    assert response.started_at <= response.submitted_at


def test_the_language_follows_the_browser_when_no_prefix_is_given(sco_survey, client) -> None:
    reply = client.get("/s/sco-2025/", HTTP_ACCEPT_LANGUAGE="kk,ru;q=0.8")
    assert reply.status_code == 302
    assert reply.headers["Location"] == "/kk/s/sco-2025/"


def test_an_unknown_language_prefix_is_not_found(sco_survey, client) -> None:
    assert client.get("/de/s/sco-2025/").status_code == 404


@pytest.mark.parametrize(
    ("language", "foreign"),
    [("kk", ("ru", "en")), ("ru", ("kk", "en")), ("en", ("ru", "kk"))],
)
def test_every_page_is_wholly_in_the_chosen_language(
    sco_survey: Survey, client: Client, language: str, foreign: tuple[str, str]
) -> None:
    # Texts that differ between the languages; brand names are the same everywhere.
    questionnaire = [sco_survey, *sco_survey.ordered_pages()]
    for page in sco_survey.ordered_pages():
        for question in page.questions.all():
            questionnaire.append(question)
            questionnaire.extend(question.options.all())
    pages = [client.get(f"/{language}/s/{sco_survey.slug}/")]
    base = _start(client, sco_survey, language)
    for number in range(1, 6):
        pages.append(client.get(f"{base}p/{number}/"))
    interface = [
        "Next",
        "Back",
        "Submit answers",
        "Page %(number)s of %(total)s",
        "More about the survey and your answers",
    ]
    with translation.override(language):
        localized_interface = [translation.gettext(text) for text in interface]
    interface[3] = interface[3] % {"number": 1, "total": 5}
    localized_interface[3] = localized_interface[3] % {"number": 1, "total": 5}
    text = " ".join(_visible_text(p.content.decode()) for p in pages)
    own_texts = " ".join(
        str(getattr(obj, f"{field}_{language}", ""))
        for obj in questionnaire
        for field in ("title", "text", "label")
    )
    for obj in questionnaire:
        for field in ("title", "text", "label", "consent"):
            own = getattr(obj, f"{field}_{language}", None)
            if own is None:
                continue
            assert own.split("\n")[0] in text or field == "consent", (obj, field)
            for other in foreign:
                theirs = getattr(obj, f"{field}_{other}")
                if theirs not in own_texts and len(theirs) > 3:
                    assert theirs not in text, (obj, field, other, theirs)
    if language != "en":
        for english, localized in zip(interface, localized_interface, strict=True):
            assert localized != english, f"{english!r} has no {language} translation"
            assert english not in text
    for localized in localized_interface[:2]:
        assert localized in text


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_errors_stand_next_to_their_field_in_the_page_language(
    sco_survey: Survey, client: Client, language: str
) -> None:
    base = _start(client, sco_survey, language)
    reply = client.post(f"{base}p/1/", {"action": "next", "awareness": "partially"})
    assert reply.status_code == 400
    html = reply.content.decode()
    with translation.override(language):
        required = str(forms.REQUIRED)
    if language != "en":
        assert required != "Please answer this question."
    impact_block = html[html.index('id="q-impact"') : html.index('id="q-initiatives"')]
    assert required in impact_block
    awareness_block = html[html.index('id="q-awareness"') : html.index('id="q-impact"')]
    assert required not in awareness_block
    assert 'value="partially" checked' in awareness_block


@pytest.mark.parametrize(
    ("number", "data", "message"),
    [
        (
            1,
            {"awareness": "maybe", "impact": "neutral", "initiatives": "not_familiar"},
            forms.INVALID_CHOICE,
        ),
        (2, {"platforms": ["telegram", "myspace"], "trust": "rather_yes"}, forms.INVALID_CHOICE),
        (2, {"platforms": ["other"], "trust": "rather_yes"}, forms.OTHER_MISSING),
        (5, {"network_size": "5001"}, forms.TOO_LARGE),
        (5, {"network_size": "-1"}, forms.TOO_SMALL),
        (5, {"network_size": "ten"}, forms.NOT_A_NUMBER),
        (
            2,
            {"platforms": ["other"], "platforms__other": "x" * 501, "trust": "rather_yes"},
            forms.TOO_LONG,
        ),
        (
            2,
            {"platforms": ["other"], "platforms__other": "a\x00b", "trust": "rather_yes"},
            forms.NULL_CHARACTER,
        ),
    ],
)
def test_it_rejects_invalid_answers_in_kazakh(
    sco_survey: Survey, client: Client, number: int, data: dict, message: str
) -> None:
    base = _start(client, sco_survey, "kk")
    for earlier in range(1, number):
        client.post(
            f"{base}p/{earlier}/", {"action": "next", **page_data(sco_survey, earlier, SCO_ANSWERS)}
        )
    reply = client.post(f"{base}p/{number}/", {"action": "next", **data})
    assert reply.status_code == 400
    with translation.override("kk"):
        expected = str(message).split("%(")[0]
    assert expected in reply.content.decode()
    assert Response.objects.count() == 0


def test_back_and_next_keep_answers(sco_survey: Survey, client: Client) -> None:
    base = _start(client, sco_survey, "en")
    client.post(f"{base}p/1/", {"action": "next", **page_data(sco_survey, 1, SCO_ANSWERS)})
    client.post(f"{base}p/2/", {"action": "back", "platforms": ["vk", "wechat"]})
    page_one = client.get(f"{base}p/1/").content.decode()
    assert 'value="moderately_positive" checked' in page_one
    page_two = client.get(f"{base}p/2/").content.decode()
    assert 'value="vk" checked' in page_two and 'value="wechat" checked' in page_two


def test_it_resumes_where_the_respondent_stopped(sco_survey: Survey, client: Client) -> None:
    base = _start(client, sco_survey, "ru")
    client.post(f"{base}p/1/", {"action": "next", **page_data(sco_survey, 1, SCO_ANSWERS)})
    client.post(f"{base}p/2/", {"action": "next", **page_data(sco_survey, 2, SCO_ANSWERS)})
    # The tab closes; the same browser (same session cookie) opens the link again.
    returning = Client()
    returning.cookies = client.cookies
    reply = returning.get(base)
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"{base}p/3/"


def test_switching_language_keeps_answers_typed_on_the_page(sco_survey, client) -> None:
    base = _start(client, sco_survey, "ru")
    reply = client.post(
        f"{base}p/1/", {"switch_language": "kk", "awareness": "no", "impact": "neutral"}
    )
    assert reply.status_code == 302
    assert reply.headers["Location"] == "/kk/s/sco-2025/p/1/"
    page = client.get(reply.headers["Location"]).content.decode()
    assert 'value="no" checked' in page and 'value="neutral" checked' in page
    assert sco_survey.questions.get(code="awareness").text_kk in page


def test_a_replayed_final_post_stores_one_response(sco_survey: Survey, client: Client) -> None:
    complete_survey(client, sco_survey)
    last = page_data(sco_survey, 5, SCO_ANSWERS)
    for _ in range(3):
        reply = client.post("/en/s/sco-2025/p/5/", {"action": "submit", **last})
        assert reply.status_code == 302
    assert Response.objects.count() == 1


def test_a_draft_submitted_twice_directly_keeps_one_response(sco_survey, client) -> None:
    from surveys.services import response_submit

    complete_survey(client, sco_survey)
    draft = Draft.objects.get()
    first, created = response_submit(draft=draft, pages=sco_survey.ordered_pages())
    assert not created
    assert Response.objects.count() == 1 and first == Response.objects.get()


def test_pages_cannot_be_skipped(sco_survey: Survey, client: Client) -> None:
    base = _start(client, sco_survey, "en")
    reply = client.post(f"{base}p/5/", {"action": "submit", "network_size": "3"})
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"{base}p/1/"
    assert Response.objects.count() == 0


def test_it_rejects_a_closed_survey(sco_survey: Survey, client: Client) -> None:
    sco_survey.is_open = False
    sco_survey.save()
    reply = client.post("/en/s/sco-2025/", {"consent": "on"})
    assert reply.status_code == 410
    assert Draft.objects.count() == 0


def test_a_survey_closed_mid_session_refuses_the_next_submit(
    sco_survey: Survey, client: Client
) -> None:
    base = _start(client, sco_survey, "en")
    _answer_pages(client, sco_survey, base, range(1, 5))
    sco_survey.is_open = False
    sco_survey.save()
    reply = client.post(f"{base}p/5/", {"action": "submit", "network_size": "9"})
    assert reply.status_code == 410
    assert Response.objects.count() == 0
    assert 'value="9"' in client.get(f"{base}p/5/").content.decode(), "the answer is kept"


def test_a_survey_closed_by_another_process_is_closed_here_too(
    sco_survey: Survey, client: Client
) -> None:
    from django.core.cache import cache

    assert client.get("/en/s/sco-2025/").status_code == 200  # this process keeps the survey
    # Another process saves the row and bumps the shared version; this one saw no signal.
    Survey.objects.filter(pk=sco_survey.pk).update(is_open=False)
    cache.set(f"surveys:questionnaire-version:{sco_survey.pk}", "another process")
    assert client.post("/en/s/sco-2025/", {"consent": "on"}).status_code == 410


def test_it_needs_consent_before_any_question(sco_survey: Survey, client: Client) -> None:
    reply = client.post("/kk/s/sco-2025/", {})
    assert reply.status_code == 200
    with translation.override("kk"):
        assert translation.gettext("Please confirm your consent to take part.") in (
            reply.content.decode()
        )
    assert client.get("/kk/s/sco-2025/p/1/").headers["Location"] == "/kk/s/sco-2025/"


def test_no_raw_ip_address_is_stored(sco_survey: Survey) -> None:
    client = Client(REMOTE_ADDR="203.0.113.77")
    complete_survey(client, sco_survey)
    dumped = serializers.serialize("json", [*Response.objects.all(), *Draft.objects.all()])
    assert "203.0.113.77" not in dumped
    assert json.loads(dumped)[0]["fields"]["client_hash"]


def test_the_form_is_usable_by_a_screen_reader(sco_survey: Survey, client: Client) -> None:
    base = _start(client, sco_survey, "en")
    html = client.get(f"{base}p/2/").content.decode()
    assert html.count("<fieldset") == 2 and html.count("<legend") == 2
    for option in sco_survey.questions.get(code="platforms").options.all():
        assert f'<label class="form-check-label" for="platforms-{option.code}">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


def _answer_pages(client: Client, survey: Survey, base: str, numbers: range) -> None:
    for number in numbers:
        reply = client.post(
            f"{base}p/{number}/", {"action": "next", **page_data(survey, number, SCO_ANSWERS)}
        )
        assert reply.status_code == 302, number


def test_a_question_added_mid_survey_is_asked_before_the_submit_keeps_the_last_page(
    sco_survey: Survey, client: Client
) -> None:
    base = _start(client, sco_survey, "en")
    _answer_pages(client, sco_survey, base, range(1, 5))
    # The organizer adds a required question to page 2 while this respondent is on page 5.
    page_two = sco_survey.ordered_pages()[1]
    added = page_two.questions.create(
        survey=sco_survey,
        code="vpn",
        position=99,
        kind="single",
        text_ru="VPN?",
        text_kk="VPN?",
        text_en="Do you use a VPN?",
    )
    for position, code in enumerate(["yes", "no"]):
        added.options.create(
            code=code, position=position, label_ru=code, label_kk=code, label_en=code
        )

    reply = client.post(f"{base}p/5/", {"action": "submit", "network_size": "77"})
    assert reply.status_code == 302 and reply.headers["Location"] == f"{base}p/2/"
    assert Response.objects.count() == 0
    assert 'name="vpn"' in client.get(f"{base}p/2/").content.decode()
    assert 'value="77"' in client.get(f"{base}p/5/").content.decode(), "the typed answer is kept"

    client.post(
        f"{base}p/2/", {"action": "next", **page_data(sco_survey, 2, SCO_ANSWERS), "vpn": "no"}
    )
    _answer_pages(client, sco_survey, base, range(3, 5))
    assert client.post(f"{base}p/5/", {"action": "submit", "network_size": "77"}).status_code == 302
    response = Response.objects.get()
    assert (response.answers["vpn"], response.network_size) == ("no", 77)


def test_an_other_option_ticked_without_its_text_is_asked_again_at_the_submit(
    sco_survey: Survey, client: Client
) -> None:
    base = _start(client, sco_survey, "en")
    _answer_pages(client, sco_survey, base, range(1, 2))
    # "Back" keeps what is valid on the page, the ticked "other" too, though its text is missing.
    back = client.post(
        f"{base}p/2/", {"action": "back", "platforms": ["telegram", "other"], "trust": "rather_yes"}
    )
    assert back.status_code == 302
    _answer_pages(client, sco_survey, base, range(3, 5))
    reply = client.post(f"{base}p/5/", {"action": "submit", "network_size": "5"})
    assert reply.headers["Location"] == f"{base}p/2/"
    assert Response.objects.count() == 0


class CountingCache(LocMemCache):
    """A real local-memory cache that counts the reads of the questionnaire's version."""

    version_reads = 0

    def get(self, key, default=None, version=None):
        if key.startswith("surveys:questionnaire-version:"):
            CountingCache.version_reads += 1
        return super().get(key, default, version)


def test_a_respondent_request_reads_the_questionnaire_version_from_the_shared_cache_once(
    sco_survey: Survey, client: Client, settings
) -> None:
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.CountingCache"}}
    base = _start(client, sco_survey, "en")
    assert client.get(f"{base}p/1/").status_code == 200  # the pages are held by this process
    CountingCache.version_reads = 0
    assert client.get(f"{base}p/2/").status_code == 200
    assert CountingCache.version_reads == 1
    # Still the version of this request: another process's edit is seen at the next request.
    from django.core.cache import cache

    cache.set(f"surveys:questionnaire-version:{sco_survey.pk}", "another process")
    Survey.objects.filter(pk=sco_survey.pk).update(is_open=False)
    reply = client.post(f"{base}p/5/", {"action": "submit", "network_size": "9"})
    assert reply.status_code == 410
