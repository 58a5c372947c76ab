"""The respondent's experience of issue 15: Enter, "other" texts, language, thanks, consent."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from surveys import forms
from surveys.models import Draft, Response, SeedLink, Survey
from tests.flow import SCO_ANSWERS, complete_survey, page_data


def _start(client: Client, language: str = "kk") -> str:
    base = f"/{language}/s/sco-2025/"
    assert client.post(base, {"consent": "on"}).status_code == 302
    return base


def _reach(client: Client, survey: Survey, number: int, language: str = "kk") -> str:
    base = _start(client, language)
    for earlier in range(1, number):
        data = {"action": "next", **page_data(survey, earlier, SCO_ANSWERS)}
        assert client.post(f"{base}p/{earlier}/", data).status_code == 302
    return f"{base}p/{number}/"


def _first_submit_button(html: str) -> str:
    form = html[html.index('id="survey-form"') :]
    return re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group(0)


@pytest.mark.parametrize("number", [1, 5])
def test_the_first_submit_button_of_a_survey_page_moves_on_and_never_switches_language(
    sco_survey: Survey, client: Client, number: int
) -> None:
    path = _reach(client, sco_survey, number)
    first = _first_submit_button(client.get(path).content.decode())
    # What Enter presses posts the form with no name of its own: neither a language nor "back".
    assert "name=" not in first
    reply = client.post(path, page_data(sco_survey, number, SCO_ANSWERS))
    assert reply.status_code == 302
    assert reply.headers["Location"] == (
        "/kk/s/sco-2025/thanks/" if number == 5 else f"/kk/s/sco-2025/p/{number + 1}/"
    )


def test_other_text_typed_without_its_tick_is_kept_as_other_in_a_multiple_choice(
    sco_survey: Survey, client: Client
) -> None:
    path = _reach(client, sco_survey, 2)
    data = {"action": "next", "platforms": ["telegram"], "platforms__other": "Signal"}
    reply = client.post(path, {**data, "trust": "rather_yes"})
    assert reply.status_code == 302
    draft = Draft.objects.get()
    assert draft.answers["platforms"] == ["telegram", "other"]
    assert draft.other_texts == {"platforms": "Signal"}


def test_other_text_typed_with_nothing_chosen_in_a_single_choice_chooses_other(
    sco_survey: Survey, client: Client
) -> None:
    path = _reach(client, sco_survey, 3)
    data = {**page_data(sco_survey, 3, SCO_ANSWERS), "threats": "", "threats__other": "Фейки"}
    assert client.post(path, {"action": "next", **data}).status_code == 302
    draft = Draft.objects.get()
    assert draft.answers["threats"] == "other"
    assert draft.other_texts["threats"] == "Фейки"


def test_other_text_beside_another_single_choice_is_refused_beside_the_field(
    sco_survey: Survey, client: Client
) -> None:
    path = _reach(client, sco_survey, 3)
    data = {**page_data(sco_survey, 3, SCO_ANSWERS), "threats__other": "Фейки"}
    reply = client.post(path, {"action": "next", **data})
    assert reply.status_code == 400
    html = reply.content.decode()
    block = html[html.index('id="q-threats"') :]
    block = block[: block.index("</fieldset>")]
    error = block.split('id="err-threats"')[1].split("</div></div>")[0]
    with translation.override("kk"):
        assert str(forms.OTHER_NOT_CHOSEN) % {"option": "Өз нұсқаңыз"} in error
    assert 'value="Фейки"' in block, "the text stays in its box to be kept or cleared"
    assert "threats" not in Draft.objects.get().answers


def test_the_other_error_quotes_the_options_real_label(sco_survey: Survey, client: Client) -> None:
    path = _reach(client, sco_survey, 2, language="ru")
    reply = client.post(path, {"action": "next", "platforms": ["other"], "trust": "rather_yes"})
    assert reply.status_code == 400
    error = reply.content.decode().split('id="err-platforms"')[1].split("</div></div>")[0]
    assert "Свой вариант" in error
    with translation.override("ru"):
        assert str(forms.OTHER_MISSING) % {"option": "Свой вариант"} in reply.content.decode()


def _personal_code(survey: Survey) -> str:
    return complete_survey(Client(), survey).referral_code


@pytest.mark.parametrize("browser", ["zh-CN,zh;q=0.9", "hi-IN,hi;q=0.9", "ur", ""])
def test_a_browser_in_a_language_we_do_not_offer_opens_a_personal_link_in_english(
    sco_survey: Survey, browser: str
) -> None:
    code = _personal_code(sco_survey)
    reply = Client().get(f"/r/{code}/", HTTP_ACCEPT_LANGUAGE=browser)
    assert reply.status_code == 302 and reply.headers["Location"] == "/en/s/sco-2025/"
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE=browser).headers["Location"] == "/en/"


@pytest.mark.parametrize(
    ("browser", "language"), [("ru-RU,ru;q=0.9", "ru"), ("kk-KZ,kk", "kk"), ("zh,ru;q=0.5", "ru")]
)
def test_a_browser_in_one_of_our_languages_keeps_it(
    sco_survey: Survey, browser: str, language: str
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Posters")
    reply = Client().get(f"/r/{seed.code}/", HTTP_ACCEPT_LANGUAGE=browser)
    assert reply.headers["Location"] == f"/{language}/s/sco-2025/"


def test_the_language_chosen_once_sticks_for_links_without_one(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Posters")
    visitor = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert visitor.get("/kk/s/sco-2025/").status_code == 200
    assert visitor.cookies["django_language"].value == "kk"
    reply = visitor.get(f"/r/{seed.code}/")
    assert reply.headers["Location"] == "/kk/s/sco-2025/"


def test_a_thank_you_page_whose_link_is_used_up_thanks_without_share_buttons(
    sco_survey: Survey,
) -> None:
    sco_survey.coupon_limit = 1
    sco_survey.save()
    recruiter = Client()
    code = complete_survey(recruiter, sco_survey, language="kk").referral_code
    complete_survey(Client(), sco_survey, start_path=f"/kk/r/{code}/")
    page = recruiter.get("/kk/s/sco-2025/thanks/").content.decode()
    assert 'id="referral-used-up"' in page
    for gone in ('id="copy-referral"', 'id="web-share"', "data-share=", 'id="referral-url"'):
        assert gone not in page
    assert "js/referral.js" not in page
    assert Response.objects.count() == 2


def test_the_consent_page_leads_with_a_summary_the_box_and_start_and_folds_the_rest(
    sco_survey: Survey, client: Client
) -> None:
    html = client.get("/ru/s/sco-2025/").content.decode()
    first, *rest = sco_survey.consent_ru.split("\n\n")
    summary = html.index('class="consent-summary"')
    details = html.index('id="consent-details"')
    assert summary < details < html.index('id="id_consent"') < html.index('id="start"')
    assert first.strip() in html[summary:details]
    assert all(part.strip() in html[details:] for part in rest)
    assert sco_survey.description_ru in html[details:]


def test_an_empty_consent_gets_an_error_summary_linking_to_the_box(
    sco_survey: Survey, client: Client
) -> None:
    html = client.post("/kk/s/sco-2025/", {}).content.decode()
    summary = re.search(r'<div[^>]*id="error-summary"[^>]*>.*?</div>', html, re.S).group(0)
    assert 'tabindex="-1"' in summary and 'href="#id_consent"' in summary
    assert "js/survey.js" in html


def test_an_empty_page_gets_an_error_summary_linking_to_each_question(
    sco_survey: Survey, client: Client
) -> None:
    reply = client.post(_reach(client, sco_survey, 1), {"action": "next"})
    html = reply.content.decode()
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', html, re.S).group(0)
    assert 'tabindex="-1"' in summary
    for code in ("awareness", "impact", "initiatives"):
        assert f'href="#q-{code}"' in summary
