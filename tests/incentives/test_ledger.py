"""The ledger along a three-wave chain: what accrues, what is held, accepted, excluded, voided."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Sum
from django.test import Client

from incentives.ledger import entries_accrue
from incentives.models import LedgerEntry, Status
from surveys.models import Response, Review, Survey
from surveys.quality.reviews import response_flag_add, response_review
from tests.fixtures.factories import ResponseFactory
from tests.fixtures.recruitment import HttpTree
from tests.flow import complete_survey
from tests.incentives.conftest import PER_RECRUIT, PRIMARY, Committed

RECRUITS = {"alma": 3, "alma-1": 1, "alma-2": 0, "alma-3": 0, "alma-1-a": 1, "alma-1-a-x": 0}


def owed(response: Response, *statuses: str) -> int:
    """Return the sum of the response's entries, of these statuses (any if none given)."""
    entries = LedgerEntry.objects.filter(beneficiary=response)
    if statuses:
        entries = entries.filter(status__in=statuses)
    return entries.aggregate(total=Sum("amount"))["total"] or 0


def give_contact(client: Client, survey: Survey, contact: str) -> None:
    """Post a payout contact from the respondent's own browser, as the thank-you page does."""
    reply = client.post(f"/en/s/{survey.slug}/payout-contact/", {"payout_contact": contact})
    assert reply.status_code == 302, reply.content.decode()[:500]


def test_a_three_wave_chain_owes_each_respondent_primary_plus_per_recruit_times_recruits(
    chain: HttpTree,
) -> None:
    assert {member.wave for member in chain.members.values()} == {0, 1, 2, 3}
    for name, recruits in RECRUITS.items():
        response = chain.members[name].response
        assert owed(response) == PRIMARY + PER_RECRUIT * recruits, name
        # Nobody has given a contact yet: nothing can be paid, nothing is held.
        assert owed(response, Status.PENDING) == owed(response), name
    entries = LedgerEntry.objects.filter(survey=chain.survey)
    assert entries.aggregate(total=Sum("amount"))["total"] == 6 * PRIMARY + 5 * PER_RECRUIT


def test_giving_a_contact_approves_what_the_respondent_is_owed(chain: HttpTree) -> None:
    alma = chain.members["alma"]
    give_contact(alma.client, chain.survey, "+7 701 123 4567")
    assert owed(alma.response, Status.APPROVED) == PRIMARY + 3 * PER_RECRUIT
    assert owed(chain.members["alma-1"].response, Status.APPROVED) == 0


def test_the_recruiters_amount_stops_at_the_coupon_limit(chain: HttpTree) -> None:
    alma = chain.members["alma"].response
    # A fourth recruit who consented before the link was used up is stored (flagged overrun).
    extra = ResponseFactory(survey=chain.survey, recruiter=alma, wave=1, seed_link=alma.seed_link)
    entries_accrue(response=extra)
    assert owed(alma) == PRIMARY + 3 * PER_RECRUIT
    assert owed(extra) == PRIMARY


def test_a_flagged_recruits_money_is_on_hold_until_accepted_and_void_when_excluded(
    chain: HttpTree, committed: Committed, organizer: User
) -> None:
    alma, recruit = chain.members["alma"], chain.members["alma-2"]
    give_contact(alma.client, chain.survey, "+7 701 123 4567")
    give_contact(recruit.client, chain.survey, "recruit@example.org")
    flagged = committed(response_flag_add, response=recruit.response, flag="too_fast")
    assert owed(flagged, Status.ON_HOLD) == PRIMARY
    assert owed(alma.response, Status.ON_HOLD) == PER_RECRUIT
    assert owed(alma.response, Status.APPROVED) == PRIMARY + 2 * PER_RECRUIT

    committed(response_review, response=flagged, decision=Review.ACCEPTED, user=organizer)
    assert owed(flagged, Status.APPROVED) == PRIMARY
    assert owed(alma.response, Status.APPROVED) == PRIMARY + 3 * PER_RECRUIT

    committed(response_review, response=flagged, decision=Review.EXCLUDED, user=organizer)
    assert owed(flagged, Status.VOID) == PRIMARY
    assert owed(alma.response, Status.VOID) == PER_RECRUIT
    assert owed(alma.response, Status.APPROVED) == PRIMARY + 2 * PER_RECRUIT


def test_incentives_are_off_by_default_and_nothing_accrues(
    sco_survey: Survey, committed: Committed
) -> None:
    browser = Client()
    committed(complete_survey, browser, sco_survey)
    assert Response.objects.filter(survey=sco_survey).count() == 1
    assert not LedgerEntry.objects.filter(survey=sco_survey).exists()
    page = browser.get(f"/en/s/{sco_survey.slug}/thanks/")
    assert b"Your personal link" in page.content and b"payout_contact" not in page.content
