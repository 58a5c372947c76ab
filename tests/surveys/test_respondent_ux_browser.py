"""Issue 15 in a real phone-sized Chromium: Enter, "other", language, errors, consent page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from surveys.models import Draft, Response, Survey
from tests.flow import SCO_ANSWERS, complete_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def survey(live_server: object) -> Survey:
    call_command("load_questionnaire")
    return Survey.objects.get(slug="sco-2025")


def _new_page(chromium: object, **options: object) -> Iterator[object]:
    context = chromium.new_context(**PHONE, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def chinese_phone(chromium: object) -> Iterator[object]:
    """Return a phone whose browser asks for Chinese, which the survey does not offer."""
    yield from _new_page(chromium, locale="zh-CN")


@pytest.fixture
def phone_without_js(chromium: object) -> Iterator[object]:
    yield from _new_page(chromium, locale="kk-KZ", java_script_enabled=False)


def _consent(page: object, base: str) -> None:
    page.goto(base)
    page.click("label[for='id_consent']")
    page.click("#start")
    page.wait_for_url(f"{base}p/1/")


def _tick(page: object, question: str, value: object) -> None:
    for code in value if isinstance(value, list) else [value]:
        page.click(f"label[for='{question}-{code}']")


def _answer(page: object, survey: Survey, number: int) -> None:
    for question in survey.ordered_pages()[number - 1].questions.all():
        value = SCO_ANSWERS[question.code]
        if question.kind == "integer":
            page.fill(f"#{question.code}-input", str(value))
        else:
            _tick(page, question.code, value)
    if number == 2:
        page.fill("#platforms-other-text", SCO_ANSWERS["platforms__other"])


def test_enter_on_a_kazakh_page_moves_on_in_kazakh(live_server, phone, survey: Survey) -> None:
    base = f"{live_server.url}/kk/s/sco-2025/"
    _consent(phone, base)
    _answer(phone, survey, 1)
    phone.focus("#awareness-partially")
    phone.keyboard.press("Enter")
    phone.wait_for_url(f"{base}p/2/")
    _answer(phone, survey, 2)
    phone.press("#platforms-other-text", "Enter")  # the phone's Go key in the "other" box
    phone.wait_for_url(f"{base}p/3/")
    for number in (3, 4):
        _answer(phone, survey, number)
        phone.click("button.btn[value=next]")
        phone.wait_for_url(f"{base}p/{number + 1}/")
    phone.fill("#network_size-input", "25")
    phone.press("#network_size-input", "Enter")  # on the last page Enter submits
    phone.wait_for_url(f"{base}thanks/")
    assert phone.locator("html").get_attribute("lang") == "kk"
    assert Response.objects.get().language == "kk"


def test_typing_other_text_ticks_other_in_the_browser(live_server, phone, survey: Survey) -> None:
    base = f"{live_server.url}/kk/s/sco-2025/"
    _consent(phone, base)
    _answer(phone, survey, 1)
    phone.click("button.btn[value=next]")
    phone.wait_for_url(f"{base}p/2/")
    _tick(phone, "platforms", "telegram")
    phone.fill("#platforms-other-text", "Signal")
    assert phone.is_checked("#platforms-other") and phone.is_checked("#platforms-telegram")
    _tick(phone, "trust", "rather_yes")
    phone.click("button.btn[value=next]")
    phone.wait_for_url(f"{base}p/3/")
    _tick(phone, "threats", "cyberattacks")
    phone.locator("#threats-other-text").press_sequentially("Фейк")
    assert phone.is_checked("#threats-other") and not phone.is_checked("#threats-cyberattacks")
    draft = Draft.objects.get()
    assert draft.answers["platforms"] == ["telegram", "other"]
    assert draft.other_texts["platforms"] == "Signal"


def test_without_javascript_other_text_is_kept_or_refused_beside_the_field(
    live_server, phone_without_js, survey: Survey
) -> None:
    page = phone_without_js
    base = f"{live_server.url}/kk/s/sco-2025/"
    _consent(page, base)
    _answer(page, survey, 1)
    page.click("button.btn[value=next]")
    _tick(page, "platforms", "telegram")
    page.fill("#platforms-other-text", "Signal")
    _tick(page, "trust", "rather_yes")
    page.click("button.btn[value=next]")
    page.wait_for_url(f"{base}p/3/")
    assert Draft.objects.get().other_texts == {"platforms": "Signal"}
    _answer(page, survey, 3)
    page.fill("#threats-other-text", "Фейк")  # beside "cyberattacks", ticked
    page.click("button.btn[value=next]")
    assert page.url == f"{base}p/3/"
    assert "Өз нұсқаңыз" in page.inner_text("#err-threats")
    assert page.input_value("#threats-other-text") == "Фейк"


def test_a_browser_in_chinese_opens_a_personal_link_in_english(
    live_server, chinese_phone, survey: Survey
) -> None:
    code = complete_survey(Client(), survey, language="ru").referral_code
    chinese_phone.goto(f"{live_server.url}/r/{code}/")
    chinese_phone.wait_for_url(f"{live_server.url}/en/s/sco-2025/")
    assert chinese_phone.locator("html").get_attribute("lang") == "en"


def test_an_empty_submit_focuses_the_error_summary_and_back_does_not_resubmit(
    live_server, phone, survey: Survey
) -> None:
    base = f"{live_server.url}/kk/s/sco-2025/"
    _consent(phone, base)
    phone.click("button.btn[value=next]")
    phone.wait_for_selector("#error-summary")
    phone.wait_for_load_state("load")  # survey.js is deferred; see the consent test below
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    _answer(phone, survey, 1)
    phone.click("button.btn[value=next]")
    phone.wait_for_url(f"{base}p/2/")
    methods: list[str] = []
    phone.on("request", lambda request: methods.append(request.method))
    phone.go_back()
    phone.wait_for_url(f"{base}p/1/")
    assert methods[:1] == ["GET"], "Back re-posted the refused page"
    assert phone.is_checked("#awareness-partially")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_consent_pages_start_button_is_on_a_phones_first_screen(
    live_server, phone, survey: Survey, language: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.goto(f"{live_server.url}/{language}/s/sco-2025/")
    phone.screenshot(path=str(SCREENSHOTS / f"{language}-consent-360.png"))
    box = phone.locator("#start").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740, box
    consent = phone.locator("#id_consent").bounding_box()
    assert consent is not None and consent["y"] + consent["height"] <= 740


def test_a_radio_focused_from_the_keyboard_has_a_clear_focus_ring(
    live_server, phone, survey: Survey
) -> None:
    base = f"{live_server.url}/kk/s/sco-2025/"
    _consent(phone, base)
    phone.focus("#awareness-partially")
    phone.keyboard.press("ArrowDown")
    ring = phone.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e);
        return {type: e.type, visible: e.matches(':focus-visible'),
                width: parseFloat(s.outlineWidth), style: s.outlineStyle,
                color: s.outlineColor}; }"""
    )
    assert ring["type"] == "radio" and ring["visible"], ring
    assert ring["width"] >= 2 and ring["style"] == "solid" and ring["color"] == "rgb(26, 26, 26)"


def test_an_empty_consent_focuses_its_error_summary(live_server, phone, survey: Survey) -> None:
    phone.goto(f"{live_server.url}/kk/s/sco-2025/")
    phone.click("#start")
    phone.wait_for_selector("#error-summary")
    # survey.js is deferred: the summary is in the DOM before the script that focuses it runs.
    phone.wait_for_load_state("load")
    assert phone.evaluate("document.activeElement.id") == "error-summary"
