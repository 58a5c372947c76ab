"""Respondents' sessions live in a signed cookie, staff sessions in the database."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client

from surveys.models import Draft, Response, Survey
from tests.fixtures.staff import staff_user
from tests.flow import SCO_ANSWERS, complete_survey, page_data


def test_a_respondents_whole_way_leaves_no_row_in_the_session_table(
    sco_survey: Survey, client: Client
) -> None:
    response = complete_survey(client, sco_survey)
    assert Session.objects.count() == 0
    cookie = client.cookies["respondent"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # The same browser comes back to its thank-you page and its own referral link.
    again = client.get("/en/s/sco-2025/")
    assert again.status_code == 302 and again.headers["Location"] == "/en/s/sco-2025/thanks/"
    assert response.referral_code in client.get("/en/s/sco-2025/thanks/").content.decode()


def test_a_respondent_resumes_their_draft_from_the_cookie_alone(
    sco_survey: Survey, client: Client
) -> None:
    client.post("/en/s/sco-2025/", {"consent": "on"})
    client.post("/en/s/sco-2025/p/1/", {"action": "next", **page_data(sco_survey, 1, SCO_ANSWERS)})
    resumed = Client()
    resumed.cookies["respondent"] = client.cookies["respondent"].value
    reply = resumed.get("/en/s/sco-2025/")
    assert reply.status_code == 302 and reply.headers["Location"] == "/en/s/sco-2025/p/2/"


def test_a_forged_respondent_cookie_is_ignored(sco_survey: Survey, client: Client) -> None:
    client.post("/en/s/sco-2025/", {"consent": "on"})
    victim = Draft.objects.get()
    forger = Client()
    # A cookie claiming the victim's draft without the server's signature.
    forger.cookies["respondent"] = client.cookies["respondent"].value[:-3] + "xyz"
    reply = forger.get("/en/s/sco-2025/")
    assert reply.status_code == 200 and 'name="consent"' in reply.content.decode()
    assert forger.get("/en/s/sco-2025/p/1/").headers["Location"] == "/en/s/sco-2025/"
    assert Draft.objects.get() == victim and Response.objects.count() == 0


def test_staff_sessions_stay_in_the_database_and_end_at_logout(db: None) -> None:
    user = staff_user("dana", "Organizers")
    user.set_password("a-long-password-9")
    user.save()
    client = Client()
    assert (
        client.post(
            "/en/accounts/login/", {"username": "dana", "password": "a-long-password-9"}
        ).status_code
        == 302
    )
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post("/en/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, replayed, no longer opens staff pages.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get("/en/organize/").status_code == 302


def test_a_staff_member_trying_their_survey_stays_logged_in(sco_survey: Survey) -> None:
    client = Client()
    client.force_login(staff_user("erlan", "Organizers"))
    complete_survey(client, sco_survey)
    assert client.get("/en/organize/").status_code == 200
