"""A phone passed from person to person: the next one answers, and cannot withdraw the last."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import translation

from surveys.links.limits import FLAG_SAME_DEVICE
from surveys.models import Response, SeedLink, Survey
from tests.fixtures.recruitment import respondent_client
from tests.flow import SCO_ANSWERS, complete_survey, page_data


def _withdraw_code(page: str) -> str:
    found = re.search(r'id="withdraw-code">([0-9A-Z-]+)<', page)
    assert found, "the thank-you page shows no withdrawal code"
    return found.group(1)


def test_the_withdrawal_link_and_code_show_once_and_never_on_a_revisit(
    sco_survey: Survey,
) -> None:
    phone = respondent_client("shared")
    response = complete_survey(phone, sco_survey)  # it opened the thank-you page once
    again = phone.get("/en/s/sco-2025/thanks/").content.decode()
    assert str(response.withdraw_token) not in again
    assert response.withdraw_code not in again.replace("-", "")
    assert 'href="/en/withdraw/"' in again  # the way for whoever saved their code


def test_the_first_thank_you_page_says_to_save_the_withdrawal_link_and_code(
    sco_survey: Survey,
) -> None:
    phone = respondent_client("first")
    response = complete_survey(phone, sco_survey, language="ru", thanks_seen=False)
    page = phone.get("/ru/s/sco-2025/thanks/").content.decode()
    assert str(response.withdraw_token) in page
    assert _withdraw_code(page).replace("-", "") == response.withdraw_code
    with translation.override("ru"):
        advice = translation.gettext(
            "This private link and code withdraw your answers. Save the link or write the code "
            "down now: for your privacy this page will not show them again. Keep them to "
            "yourself: whoever has them can withdraw your answers."
        )
    assert advice in page and not advice.startswith("This private")


def test_the_withdrawal_code_withdraws_from_another_browser(sco_survey: Survey) -> None:
    phone = respondent_client("owner")
    complete_survey(phone, sco_survey)
    code = Response.objects.get().withdraw_code
    typed = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"
    laptop = Client()
    asked = laptop.post("/en/withdraw/", {"code": typed})
    assert asked.status_code == 200 and "Withdraw my answers" in asked.content.decode()
    assert Response.objects.get().withdrawn_at is None  # asking is not yet withdrawing
    done = laptop.post("/en/withdraw/", {"code": typed, "confirm": "1"})
    assert 'id="withdrawn"' in done.content.decode()
    assert Response.objects.get().withdrawn_at is not None


def test_a_wrong_withdrawal_code_says_so_in_kazakh_and_withdraws_nothing(
    sco_survey: Survey,
) -> None:
    complete_survey(respondent_client("owner"), sco_survey)
    reply = Client().post("/kk/withdraw/", {"code": "ZZZZ-ZZZZ-ZZZZ", "confirm": "1"})
    with translation.override("kk"):
        message = translation.gettext("No answers have this withdrawal code. Check the code.")
    assert reply.status_code == 404 and message in reply.content.decode()
    assert message != "No answers have this withdrawal code. Check the code."
    assert Response.objects.get().withdrawn_at is None


def test_someone_else_on_the_same_phone_answers_as_a_new_person_through_the_link_they_opened(
    sco_survey: Survey,
) -> None:
    first_seed = SeedLink.objects.create(survey=sco_survey, label="Campus")
    second_seed = SeedLink.objects.create(survey=sco_survey, label="Library")
    phone = respondent_client("family")
    first = complete_survey(phone, sco_survey, start_path=f"/en/r/{first_seed.code}/")
    opened = phone.get(f"/en/r/{second_seed.code}/", follow=True).content.decode()
    assert "Answer as a new person" in opened
    assert str(first.withdraw_token) not in opened
    assert phone.post("/en/s/sco-2025/new-person/").status_code == 302
    second = complete_survey(phone, sco_survey, answers={**SCO_ANSWERS, "gender": "male"})
    assert second.pk != first.pk and second.seed_link_id == second_seed.pk
    # Honest duplicate checks: the same device is still reported to the analysts.
    assert FLAG_SAME_DEVICE in second.quality_flags
    assert Response.objects.count() == 2


def test_a_new_person_who_opened_no_link_is_not_credited_to_the_last_persons_link(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Campus")
    phone = respondent_client("family")
    complete_survey(phone, sco_survey, start_path=f"/en/r/{seed.code}/")
    phone.post("/en/s/sco-2025/new-person/")
    second = complete_survey(phone, sco_survey, answers={**SCO_ANSWERS, "gender": "male"})
    assert second.seed_link_id is None and second.self_started


def test_a_returning_respondent_is_welcomed_back_on_the_page_they_were_on(
    sco_survey: Survey,
) -> None:
    phone = respondent_client("returning")
    phone.post("/ru/s/sco-2025/", {"consent": "on"})
    for number in (1, 2):
        data = {"action": "next", **page_data(sco_survey, number, SCO_ANSWERS)}
        assert phone.post(f"/ru/s/sco-2025/p/{number}/", data).status_code == 302
    reply = phone.get("/ru/s/sco-2025/", follow=True)
    total = len(sco_survey.ordered_pages())
    with translation.override("ru"):
        welcome = translation.gettext(
            "Welcome back! You were on page %(number)s of %(total)s; your answers are kept."
        ) % {"number": 3, "total": total}
    assert reply.redirect_chain[-1][0] == "/ru/s/sco-2025/p/3/"
    assert welcome in reply.content.decode() and not welcome.startswith("Welcome")


def test_the_consent_and_privacy_pages_give_the_study_contact_for_withdrawing_elsewhere(
    sco_survey: Survey, client: Client
) -> None:
    sco_survey.contact = "sco-study@example.org"
    sco_survey.save()
    with translation.override("kk"):
        said = translation.gettext(
            "To withdraw from another device, or with any question about the study, contact the "
            "study team: %(contact)s"
        ) % {"contact": "sco-study@example.org"}
    assert said.startswith("Жауаптарды")
    assert said in client.get("/kk/s/sco-2025/").content.decode()
    privacy = client.get("/kk/privacy/").content.decode()
    assert said in privacy and 'href="/kk/withdraw/"' in privacy
