"""What respondents are told about their data, and withdrawing a response."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from surveys.models import Response, Survey
from tests.flow import complete_survey


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_privacy_page_explains_storage_in_each_language(
    client: Client, language: str, db: None
) -> None:
    reply = client.get(f"/{language}/privacy/")
    assert reply.status_code == 200
    with translation.override(language):
        heading = translation.gettext("Privacy: what we store and for how long")
        no_ip = translation.gettext(
            "We do not ask for your name, e-mail or phone number, and we do not store your IP "
            "address."
        )
    if language != "en":
        assert heading != "Privacy: what we store and for how long"
    assert heading in reply.content.decode() and no_ip in reply.content.decode()


def test_every_page_links_to_the_privacy_page(sco_survey: Survey, client: Client) -> None:
    assert 'href="/kk/privacy/"' in client.get("/kk/s/sco-2025/").content.decode()


def test_a_respondent_withdraws_their_response_with_the_private_link(
    sco_survey: Survey, client: Client
) -> None:
    response = complete_survey(client, sco_survey)
    link = f"/en/withdraw/{response.withdraw_token}/"
    stranger = Client()
    assert "Withdraw my answers" in stranger.get(link).content.decode()
    assert Response.objects.get().withdrawn_at is None  # looking changes nothing
    reply = stranger.post(link)
    assert reply.status_code == 200 and 'id="withdrawn"' in reply.content.decode()
    withdrawn_at = Response.objects.get().withdrawn_at
    assert withdrawn_at is not None
    stranger.post(link)
    assert Response.objects.get().withdrawn_at == withdrawn_at


def test_a_made_up_withdrawal_link_finds_nothing(sco_survey: Survey, client: Client) -> None:
    complete_survey(client, sco_survey)
    assert client.post("/en/withdraw/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert client.get("/en/withdraw/not-a-token/").status_code == 404
    assert Response.objects.get().withdrawn_at is None
