"""The Kobo-style XLSForm, in a real browser: branching on the page, across pages, screening."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from surveys.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = Path(__file__).resolve().parents[1] / "data" / "xlsforms" / "youth-sport-2026.xlsx"
SLUG = "youth-sport-2026"


def start(page: object, base: str, *, student: str, age: str) -> None:
    page.goto(f"{base}/")
    page.click("label[for='id_consent']")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/p/1/")
    page.click(f"label[for='student-{student}']")
    page.fill("#age-input", age)
    page.click("button[value=next]")


def test_a_kazakh_respondent_sees_dependent_questions_appear_and_is_checked_in_kazakh(
    live_server, phone
) -> None:
    call_command("load_questionnaire", str(FORM))
    base = f"{live_server.url}/kk/s/{SLUG}"
    start(phone, base, student="yes", age="20")
    phone.wait_for_url(f"{base}/p/2/")
    assert not phone.locator("#q-sports_played").is_visible()
    assert not phone.locator("#q-hours_week").is_visible()
    phone.click("label[for='plays_sport-yes']")
    assert phone.locator("#q-sports_played").is_visible()  # the script, no round trip
    assert not phone.locator("#q-hours_week").is_visible()
    assert "Басқа" in phone.locator("#q-sports_played").inner_text()
    phone.click("label[for='sports_played-football']")
    assert phone.locator("#q-hours_week").is_visible()
    phone.fill("#sports_played-other-text", "Тоғызқұмалақ")
    phone.fill("#hours_week-input", "70")
    phone.click("button[value=next]")
    phone.wait_for_selector("#err-hours_week")
    assert "Аптасына 60 сағаттан көп болуы мүмкін емес." in phone.inner_text("#err-hours_week")
    phone.fill("#hours_week-input", "6")
    phone.click("button[value=next]")
    # The page for those without sport is skipped.
    phone.wait_for_url(f"{base}/p/4/")
    phone.click("label[for='city-almaty']")
    phone.click("label[for='gender-female']")
    phone.fill("#students_known-input", "30")
    phone.click("button[value=submit]")
    phone.wait_for_url(f"{base}/thanks/")
    response = Response.objects.get()
    assert response.answers["sports_played"] == ["football", "other"]
    assert response.other_texts == {"sports_played": "Тоғызқұмалақ"}
    assert response.answers["hours_week"] == 6 and "why_no_sport" not in response.answers


def test_an_english_respondent_who_changes_the_branch_keeps_no_hidden_answer(
    live_server, phone
) -> None:
    call_command("load_questionnaire", str(FORM))
    base = f"{live_server.url}/en/s/{SLUG}"
    start(phone, base, student="yes", age="22")
    phone.wait_for_url(f"{base}/p/2/")
    phone.click("label[for='plays_sport-yes']")
    phone.click("label[for='sports_played-chess']")
    phone.fill("#hours_week-input", "3")
    phone.click("label[for='plays_sport-no']")  # changed their mind: the answers hide
    assert not phone.locator("#q-sports_played").is_visible()
    phone.click("button[value=next]")
    phone.wait_for_url(f"{base}/p/3/")
    assert "Thank you: that helps us too." in phone.content()
    phone.click("label[for='why_no_sport-time']")
    phone.click("button[value=next]")
    phone.wait_for_url(f"{base}/p/4/")
    phone.click("label[for='city-astana']")
    phone.click("label[for='gender-male']")
    phone.fill("#students_known-input", "12")
    phone.click("button[value=submit]")
    phone.wait_for_url(f"{base}/thanks/")
    answers = Response.objects.get().answers
    assert "sports_played" not in answers and "hours_week" not in answers
    assert answers["why_no_sport"] == "time"


def test_an_english_visitor_who_is_not_a_student_is_screened_out_politely(
    live_server, phone
) -> None:
    call_command("load_questionnaire", str(FORM))
    base = f"{live_server.url}/en/s/{SLUG}"
    start(phone, base, student="no", age="22")
    phone.wait_for_url(f"{base}/not-eligible/")
    assert "Thank you for your time" in phone.content()
    assert "/r/" not in phone.content()
    assert not Response.objects.exists()
