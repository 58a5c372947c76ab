"""In real browsers: an organizer creates a seed link and three people pass their links on."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from surveys.models import Response, Survey
from tests.flow import SCO_ANSWERS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "lantern-meadow-copper-77"


def _answer_everything(page: object, survey: Survey, answers: dict) -> None:
    pages = survey.ordered_pages()
    for number, survey_page in enumerate(pages, start=1):
        page.wait_for_url(re.compile(rf"/s/{survey.slug}/p/{number}/$"))
        for question in survey_page.questions.all():
            value = answers[question.code]
            if question.kind == "integer":
                page.fill(f"#{question.code}-input", str(value))
                continue
            for code in value if isinstance(value, list) else [value]:
                page.click(f"label[for='{question.code}-{code}']")
            if f"{question.code}__other" in answers:
                page.fill(f"#{question.code}-other-text", answers[f"{question.code}__other"])
        page.click("button[value=submit]" if number == len(pages) else "button[value=next]")


def _respond(chromium: object, link: str, *, locale: str, country: str, phone: bool) -> str:
    """Open the link in a new browser, answer, and return the personal link it is given."""
    size = {"width": 360, "height": 740} if phone else {"width": 1280, "height": 900}
    context = chromium.new_context(viewport=size, locale=locale, is_mobile=phone, has_touch=phone)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(link)
        language = locale[:2]
        page.wait_for_url(re.compile(rf"/{language}/s/sco-2025/$"))
        page.click("label[for='id_consent']")
        page.click("button[type=submit]")
        survey = Survey.objects.get(slug="sco-2025")
        _answer_everything(page, survey, {**SCO_ANSWERS, "country": country})
        page.wait_for_url(re.compile(rf"/{language}/s/sco-2025/thanks/$"))
        assert page.locator("#referral .qr-code").count() == 1
        assert (
            page.locator("a[data-share=telegram]")
            .get_attribute("href")
            .startswith("https://t.me/share/url?url=")
        )
        page.click("#copy-referral")
        expect(page.locator("#copy-status")).not_to_be_empty()
        if phone:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"the thank-you page scrolls sideways ({width}px)"
            page.screenshot(path=str(SCREENSHOTS / "thanks-phone.png"), full_page=True)
        return page.input_value("#referral-url")
    finally:
        context.close()


def test_a_seed_link_made_by_an_organizer_grows_a_three_wave_chain(
    live_server, chromium, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_command("load_questionnaire")
    monkeypatch.setenv("BROWSER_TEST_PASSWORD", PASSWORD)
    call_command(
        "create_staff",
        "--username=olga",
        "--role=organizer",
        "--survey=sco-2025",  # staff see only the studies they are members of
        "--password-env=BROWSER_TEST_PASSWORD",
        stdout=io.StringIO(),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    staff = desk.new_page()
    staff.set_default_timeout(15_000)
    staff.goto(f"{live_server.url}/en/organize/")
    staff.wait_for_url(re.compile(r"/en/accounts/login/"))
    staff.fill("#id_username", "olga")
    staff.fill("#id_password", PASSWORD)
    staff.click("form button")
    staff.wait_for_url(re.compile(r"/en/organize/$"))
    staff.fill("#id_label", "Browser seed")
    staff.fill("#id_note", "Kazakhstan, Telegram")
    staff.fill("#id_coupon_limit", "2")
    staff.click("#create-seed")
    staff.wait_for_url(re.compile(r"/en/organize/sco-2025/#seed-\d+$"))
    seed_id = int(staff.url.rsplit("-", 1)[1])
    seed_link = staff.input_value(f"#seed-url-{seed_id}")
    assert re.fullmatch(rf"{re.escape(live_server.url)}/r/[0-9A-Z]{{14}}/", seed_link)

    wave0 = _respond(chromium, seed_link, locale="en-US", country="kz", phone=False)
    wave1 = _respond(chromium, wave0, locale="kk-KZ", country="ru", phone=True)
    wave2 = _respond(chromium, wave1, locale="ru-RU", country="by", phone=False)
    assert len({seed_link, wave0, wave1, wave2}) == 4

    responses = list(Response.objects.order_by("id"))
    assert [r.wave for r in responses] == [0, 1, 2]
    assert [r.language for r in responses] == ["en", "kk", "ru"]
    assert responses[1].recruiter == responses[0] and responses[2].recruiter == responses[1]
    assert {r.seed_link_id for r in responses} == {seed_id}

    staff.goto(f"{live_server.url}/en/organize/")
    assert staff.inner_text("[data-total=responses]") == "3"
    assert staff.inner_text("[data-total=deepest_wave]") == "2"
    assert staff.inner_text(f"#seed-{seed_id} [data-field=size]") == "3"
    staff.wait_for_selector("#daily-chart")
    staff.screenshot(path=str(SCREENSHOTS / "monitor-desktop.png"), full_page=True)
    staff.click(f"#seed-{seed_id} a:has-text('Tree')")
    staff.wait_for_url(re.compile(rf"/en/organize/sco-2025/tree/{seed_id}/$"))
    assert staff.locator("svg#recruitment-tree circle.tree-node").count() == 3
    # The zoom buttons appear once the script has attached d3-zoom.
    staff.wait_for_selector("button[data-zoom=in]:not([hidden])")
    staff.click("svg#recruitment-tree circle.tree-node >> nth=2")
    assert "wave 2" in staff.inner_text("#tree-info")
    staff.screenshot(path=str(SCREENSHOTS / "tree-desktop.png"), full_page=True)
    staff.click("button[data-zoom=in]")
    expect(staff.locator("g.tree-viewport")).to_have_attribute(
        "transform", re.compile(r"scale\(2\)")
    )
    desk.close()
