"""The questionnaire's inputs are drawn by the forms' widgets and stay accessible."""

from __future__ import annotations

import re

from django.test import Client, override_settings

from surveys.models import QuestionRole, Survey
from tests.flow import SCO_ANSWERS, page_data


def _page_of(survey: Survey, code: str) -> int:
    for number, page in enumerate(survey.ordered_pages(), start=1):
        if any(question.code == code for question in page.questions.all()):
            return number
    raise AssertionError(code)


def test_a_number_typed_wrong_is_marked_invalid_and_described_by_its_error(
    sco_survey: Survey, client: Client
) -> None:
    code = sco_survey.role_code(QuestionRole.NETWORK_SIZE)
    assert code is not None
    number = _page_of(sco_survey, code)
    base = f"/en/s/{sco_survey.slug}/"
    client.post(base, {"consent": "on"})
    for earlier in range(1, number):
        data = {"action": "next", **page_data(sco_survey, earlier, SCO_ANSWERS)}
        assert client.post(f"{base}p/{earlier}/", data).status_code == 302
    data = {"action": "next", **page_data(sco_survey, number, SCO_ANSWERS), code: "many"}
    html = client.post(f"{base}p/{number}/", data).content.decode()
    number_input = re.search(rf'<input type="number" name="{code}"[^>]*>', html)
    assert number_input is not None
    tag = number_input.group(0)
    assert 'class="form-control number-input is-invalid"' in tag
    assert f'id="{code}-input"' in tag and 'value="many"' in tag
    assert f'aria-describedby="err-{code}"' in tag and f'id="err-{code}"' in html
    assert f'aria-labelledby="q-{code}-legend"' in tag and f'id="q-{code}-legend"' in html


def test_an_other_text_box_stands_inside_its_option_and_points_at_its_error(
    sco_survey: Survey, client: Client
) -> None:
    base = f"/en/s/{sco_survey.slug}/"
    client.post(base, {"consent": "on"})
    client.post(f"{base}p/1/", {"action": "next", **page_data(sco_survey, 1, SCO_ANSWERS)})
    data = {**page_data(sco_survey, 2, SCO_ANSWERS), "platforms": ["other"]}
    data.pop("platforms__other")
    html = client.post(f"{base}p/2/", {"action": "next", **data}).content.decode()
    option = html[
        html.index('id="platforms-other"') : html.index(
            "</div>", html.index('id="platforms-other"')
        )
    ]
    assert 'for="platforms-other"' in option and 'id="platforms-other-text"' in option
    assert 'aria-describedby="err-platforms"' in option and "is-invalid" in option


def test_the_consent_box_is_drawn_by_its_widget_and_described_by_the_consent_text(
    sco_survey: Survey, client: Client
) -> None:
    html = client.post(f"/en/s/{sco_survey.slug}/", {}).content.decode()
    box = re.search(r'<input type="checkbox" name="consent"[^>]*>', html)
    assert box is not None
    assert 'aria-describedby="consent-text consent-error"' in box.group(0)
    assert 'id="id_consent"' in box.group(0) and 'id="consent-error"' in html
    assert '<label class="form-check-label" for="id_consent">' in html


@override_settings(LANGUAGES=[("ru", "Russian"), ("en", "English")])
def test_the_language_switch_offers_the_languages_of_the_settings_alone(
    sco_survey: Survey, client: Client
) -> None:
    html = client.get(f"/en/s/{sco_survey.slug}/").content.decode()
    assert 'hreflang="ru"' in html and 'hreflang="en"' in html
    assert 'hreflang="kk"' not in html
