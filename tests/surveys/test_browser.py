"""A person on a phone answers the whole questionnaire in Kazakh in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from surveys.models import Response, Survey
from tests.flow import SCO_ANSWERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _answer_page(page: object, survey: Survey, number: int) -> None:
    questions = survey.ordered_pages()[number - 1].questions.all()
    for question in questions:
        value = SCO_ANSWERS[question.code]
        if question.kind == "integer":
            page.fill(f"#{question.code}-input", str(value))
            continue
        for code in value if isinstance(value, list) else [value]:
            # A person taps the label, not the tiny input.
            page.click(f"label[for='{question.code}-{code}']")
        if f"{question.code}__other" in SCO_ANSWERS:
            page.fill(f"#{question.code}-other-text", SCO_ANSWERS[f"{question.code}__other"])


def test_a_phone_user_completes_the_survey_in_kazakh(live_server, phone) -> None:
    call_command("load_questionnaire")
    survey = Survey.objects.get(slug="sco-2025")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.goto(f"{live_server.url}/kk/s/sco-2025/")
    assert phone.locator("html").get_attribute("lang") == "kk"
    assert survey.title_kk in phone.content()
    phone.click("label[for='id_consent']")
    phone.click("button[type=submit]")

    for number in range(1, 6):
        phone.wait_for_url(f"**/kk/s/sco-2025/p/{number}/")
        assert survey.ordered_pages()[number - 1].title_kk in phone.content()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"page {number} scrolls sideways on a phone ({width}px)"
        if number == 1:
            # Submitting an empty page first shows the errors in Kazakh beside the questions.
            phone.click("button[value=next]")
            assert (
                phone.locator("#err-awareness").inner_text().strip() == "Осы сұраққа жауап беріңіз."
            )
        _answer_page(phone, survey, number)
        phone.screenshot(path=str(SCREENSHOTS / f"kk-page-{number}.png"), full_page=True)
        phone.click("button[value=submit]" if number == 5 else "button[value=next]")

    phone.wait_for_url("**/kk/s/sco-2025/thanks/")
    phone.screenshot(path=str(SCREENSHOTS / "kk-thanks.png"), full_page=True)
    response = Response.objects.get()
    assert response.language == "kk"
    assert response.answers == {k: v for k, v in SCO_ANSWERS.items() if "__" not in k}
    assert response.other_texts == {"platforms": SCO_ANSWERS["platforms__other"]}
    assert response.referral_code in phone.input_value("#referral-url")
