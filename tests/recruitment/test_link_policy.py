"""One link policy: the link pages, the quality flags and the monitor agree on every link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from recruitment.monitor.figures import monitor_figures
from surveys.links import limits, policy
from surveys.links.policy import LinkState
from surveys.models import Question, QuestionRole, SeedLink, Survey
from tests.fixtures.recruitment import HttpTree, grow_chain, respondent_client
from tests.fixtures.staff import logged_in
from tests.flow import SCO_ANSWERS, complete_survey, pace, page_data


@pytest.mark.parametrize(
    ("closed", "limit", "used", "withdrawn", "state"),
    [
        (False, None, 10_000, False, LinkState.USABLE),
        (False, 3, 2, False, LinkState.USABLE),
        (False, 3, 3, False, LinkState.USED_UP),
        (False, 3, 4, False, LinkState.USED_UP),
        (True, 3, 0, False, LinkState.EXPIRED),
        (True, 3, 3, False, LinkState.EXPIRED),
        (False, None, 0, True, LinkState.EXPIRED),
    ],
)
def test_a_link_is_expired_before_used_up_and_used_up_at_its_limit(
    closed: bool, limit: int | None, used: int, withdrawn: bool, state: LinkState
) -> None:
    assert policy.link_state(closed=closed, limit=limit, used=used, withdrawn=withdrawn) is state


def _monitor_state(survey: Survey, seed: SeedLink) -> str:
    figures = monitor_figures(survey=survey, dormant_days=7)
    return next(chain.state for chain in figures.chains if chain.seed == seed)


def test_a_seed_link_at_its_limit_is_used_up_on_the_monitor_refused_and_overrun_flagged(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Two coupons", coupon_limit=2)
    link = f"/en/r/{seed.code}/"
    complete_survey(respondent_client("first"), sco_survey, start_path=link)
    # One more consents while a coupon is left, and is overtaken by another.
    racing = respondent_client("racing")
    assert racing.get(link).status_code == 302
    assert racing.post("/en/s/sco-2025/", {"consent": "on"}).status_code == 302
    complete_survey(respondent_client("second"), sco_survey, start_path=link)

    assert policy.seed_state(seed_link=seed) is LinkState.USED_UP
    assert _monitor_state(sco_survey, seed) == LinkState.USED_UP
    assert monitor_figures(survey=sco_survey, dormant_days=7).totals.active_seed_links == 0
    refused = respondent_client("third").get(link)
    assert refused.status_code == 410 and 'id="link-used-up"' in refused.content.decode()

    for number in range(1, 6):
        action = "submit" if number == 5 else "next"
        data = {"action": action, **page_data(sco_survey, number, SCO_ANSWERS)}
        pace(sco_survey)
        assert racing.post(f"/en/s/sco-2025/p/{number}/", data).status_code == 302
    extra = racing.get("/en/s/sco-2025/thanks/").context["response"]
    assert extra.seed_link == seed and extra.quality_flags == [limits.FLAG_COUPON_OVERRUN]


def test_a_closed_or_expired_seed_link_is_expired_on_the_monitor_and_refused(
    sco_survey: Survey,
) -> None:
    closed = SeedLink.objects.create(survey=sco_survey, label="Closed", is_active=False)
    past = SeedLink.objects.create(
        survey=sco_survey, label="Past", expires_at=timezone.now() - timedelta(minutes=1)
    )
    open_ = SeedLink.objects.create(survey=sco_survey, label="Open", coupon_limit=5)
    for seed in (closed, past):
        assert policy.seed_state(seed_link=seed) is LinkState.EXPIRED
        assert _monitor_state(sco_survey, seed) == LinkState.EXPIRED
        refused = respondent_client(seed.label).get(f"/en/r/{seed.code}/")
        assert refused.status_code == 410 and 'id="link-expired"' in refused.content.decode()
    assert policy.seed_state(seed_link=open_) is LinkState.USABLE
    assert _monitor_state(sco_survey, open_) == LinkState.USABLE
    assert monitor_figures(survey=sco_survey, dormant_days=7).totals.active_seed_links == 1


def test_a_withdrawn_recruiters_link_shows_the_expired_page(http_tree: HttpTree) -> None:
    boris = http_tree.members["boris"]
    assert policy.personal_state(recruiter=boris.response) is LinkState.USABLE
    assert boris.client.post(f"/en/withdraw/{boris.response.withdraw_token}/").status_code == 200
    boris.response.refresh_from_db()
    assert policy.personal_state(recruiter=boris.response) is LinkState.EXPIRED
    refused = respondent_client("late-for-boris").get(f"/en/r/{boris.response.referral_code}/")
    assert refused.status_code == 410 and 'id="link-expired"' in refused.content.decode()


def test_without_a_country_question_the_monitor_and_tree_show_no_countries(
    sco_survey: Survey, organizer: User
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="No countries")
    grow_chain(sco_survey, seed, seeds=2, waves=2, fanout=2)
    client = logged_in(organizer)
    before = client.get(f"/en/organize/{sco_survey.slug}/").context["m"]
    assert before.has_countries and before.countries[0].count == 14
    question = Question.objects.get(survey=sco_survey, role=QuestionRole.COUNTRY)
    question.role = ""
    question.save()  # its signal tells the questionnaire cache

    reply = client.get(f"/en/organize/{sco_survey.slug}/")
    assert reply.status_code == 200
    figures = reply.context["m"]
    assert not figures.has_countries and figures.countries == []
    assert figures.chains[0].countries == [] and figures.totals.responses == 14
    assert 'id="per-country"' not in reply.content.decode()
    tree = client.get(f"/en/organize/{sco_survey.slug}/tree/{seed.pk}/?color=country")
    assert tree.status_code == 200 and tree.context["tree"].nodes[0].country == ""
