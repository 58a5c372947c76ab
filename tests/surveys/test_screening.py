"""Eligibility screening: a screened-out visit ends politely and leaves nothing but a count."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from surveys.models import Draft, LinkEvent, Response, SeedLink, Survey
from tests.fixtures.recruitment import respondent_client
from tests.flow import pace
from tests.surveys.test_skip_logic import cycling  # noqa: F401 (fixture)

ELIGIBLE = {"lives_city": "yes", "age": "25"}


def answer(client: Client, survey: Survey, screening: dict[str, Any], lang: str = "en") -> Any:
    """Consent and answer the screening page; return the reply to it."""
    base = f"/{lang}/s/{survey.slug}/"
    assert client.post(base, {"consent": "on"}).status_code == 302
    pace(survey)
    return client.post(f"{base}p/1/", {"action": "next", **screening})


def finish(client: Client, survey: Survey) -> Response:
    base = f"/en/s/{survey.slug}/"
    client.post(f"{base}p/2/", {"rides_bike": "no"})
    client.post(f"{base}p/3/", {"why_not": "distance"})
    pace(survey)
    done = client.post(f"{base}p/4/", {"district": "centre", "riders_known": "9"})
    assert done["Location"].endswith("/thanks/"), done.content.decode()[:800]
    return client.get(f"{base}thanks/").context["response"]


def test_a_respondent_who_fails_the_rule_sees_a_polite_end_page_and_nothing_is_kept(
    cycling: Survey,  # noqa: F811
) -> None:
    client = Client()
    reply = answer(client, cycling, {"lives_city": "no", "age": "25"}, lang="kk")
    assert reply.status_code == 302 and reply["Location"].endswith("/not-eligible/")
    page = client.get(reply["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Уақытыңызға рақмет" in text
    assert "/r/" not in text and "withdraw" not in text
    assert not Draft.objects.exists() and not Response.objects.exists()
    # The survey's address starts afresh: the deleted draft is no longer this browser's.
    assert client.get(f"/kk/s/{cycling.slug}/").status_code == 200


def test_an_under_age_respondent_is_screened_out_as_soon_as_the_rule_is_decided(
    cycling: Survey,  # noqa: F811
) -> None:
    reply = answer(Client(), cycling, {"lives_city": "yes", "age": "16"})
    assert reply["Location"].endswith("/not-eligible/")
    eligible = answer(Client(), cycling, ELIGIBLE)
    assert eligible["Location"].endswith("/p/2/")


def test_a_screened_out_recruit_does_not_use_the_recruiters_coupon(
    cycling: Survey,  # noqa: F811
) -> None:
    seed = SeedLink.objects.create(survey=cycling, label="Bike club", coupon_limit=1)
    outsider = respondent_client("outsider")
    assert outsider.get(f"/en/r/{seed.code}/").status_code == 302
    assert answer(outsider, cycling, {"lives_city": "no", "age": "40"})["Location"].endswith(
        "/not-eligible/"
    )
    seed_member = respondent_client("seed member")
    seed_member.get(f"/en/r/{seed.code}/")
    answer(seed_member, cycling, ELIGIBLE)
    recruiter = finish(seed_member, cycling)
    assert recruiter.wave == 0 and recruiter.seed_link == seed

    # The coupon limit is 2: two screened-out recruits leave both coupons to eligible ones.
    for name in ("too young", "lives elsewhere"):
        visitor = respondent_client(name)
        visitor.get(f"/en/r/{recruiter.referral_code}/")
        screening = (
            {"lives_city": "yes", "age": "15"}
            if name == "too young"
            else {"lives_city": "no", "age": "30"}
        )
        assert answer(visitor, cycling, screening)["Location"].endswith("/not-eligible/")
    recruits = []
    for name in ("first", "second"):
        visitor = respondent_client(name)
        assert visitor.get(f"/en/r/{recruiter.referral_code}/").status_code == 302
        answer(visitor, cycling, ELIGIBLE)
        recruits.append(finish(visitor, cycling))
    assert [r.recruiter_id for r in recruits] == [recruiter.pk, recruiter.pk]
    assert all("coupon_overrun" not in r.quality_flags for r in recruits)
    third = respondent_client("third")
    refused = third.get(f"/en/r/{recruiter.referral_code}/", follow=True)
    assert "used" in refused.content.decode().lower()

    events = LinkEvent.objects.filter(code=recruiter.referral_code)
    assert events.filter(kind=LinkEvent.Kind.SCREENED_OUT).count() == 2
    assert events.filter(kind=LinkEvent.Kind.COMPLETED).count() == 2
    assert Response.objects.count() == 3


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_end_page_speaks_the_respondents_language(
    cycling: Survey,  # noqa: F811
    language: str,
) -> None:
    expected = {
        "en": "Thank you for your time",
        "ru": "Спасибо за уделённое время",
        "kk": "Уақытыңызға рақмет",
    }[language]
    client = Client()
    reply = answer(client, cycling, {"lives_city": "no", "age": "30"}, lang=language)
    assert expected in client.get(reply["Location"]).content.decode()
