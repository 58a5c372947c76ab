"""The thank-you page on a 360 px phone in a real Chromium: the personal link shows whole."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from surveys.models import Survey
from tests.fixtures.recruitment import respondent_client
from tests.flow import complete_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_personal_link_shows_whole_on_a_360_px_phone(
    live_server: Any, phone: Any, settings: Any
) -> None:
    # A production-length address: the one-line field cut it after "http://127.0.0.1:18".
    settings.SITE_URL = "https://survey.sco-youth-study.example.org"
    call_command("load_questionnaire")
    survey = Survey.objects.get(slug="sco-2025")
    client = respondent_client("narrow")
    response = complete_survey(client, survey, language="kk", thanks_seen=False)
    phone.context.add_cookies(
        [{"name": k, "value": m.value, "url": live_server.url} for k, m in client.cookies.items()]
    )
    phone.goto(f"{live_server.url}/kk/s/sco-2025/thanks/")
    url = f"{settings.SITE_URL}/r/{response.referral_code}/"
    assert phone.input_value("#referral-url") == url
    field = phone.evaluate(
        """() => { const f = document.querySelector('#referral-url');
        return {sw: f.scrollWidth, cw: f.clientWidth, sh: f.scrollHeight, ch: f.clientHeight,
                page: document.documentElement.scrollWidth}; }"""
    )
    assert field["sw"] <= field["cw"] and field["sh"] <= field["ch"] + 1, field
    assert field["page"] <= 360, field
    # The withdrawal code fits too, and is shown in full.
    code = phone.inner_text("#withdraw-code")
    assert code.replace("-", "") == response.withdraw_code
    box = phone.locator("#withdraw-code").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360
