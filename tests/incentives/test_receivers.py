"""A ledger receiver that fails never fails the page that sent its signal; the catch-up repairs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from incentives.ledger import batch_pay
from incentives.models import PayoutContact, Status
from incentives.tasks import ledger_catch_up_task
from surveys.models import Response, Review
from surveys.quality.reviews import response_flag_add
from tests.fixtures.recruitment import HttpTree
from tests.fixtures.staff import logged_in
from tests.incentives.conftest import PER_RECRUIT, PRIMARY, Committed
from tests.incentives.test_ledger import give_contact, owed


def _broken(**kwargs: object) -> None:
    raise RuntimeError("ledger table locked")


def test_a_failing_erase_keeps_the_withdrawal_logs_it_and_the_catch_up_erases_the_contact(
    chain: HttpTree,
    committed: Committed,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alma = chain.members["alma"]
    give_contact(alma.client, chain.survey, "+7 701 123 4567")
    code = alma.response.referral_code
    assert owed(alma.response, Status.APPROVED) == PRIMARY + 3 * PER_RECRUIT
    monkeypatch.setattr("incentives.receivers.payout_contact_erase", _broken)

    reply = committed(alma.client.post, f"/en/withdraw/{alma.response.withdraw_token}/")

    assert reply.status_code == 200
    assert Response.objects.get(pk=alma.response.pk).withdrawn_at is not None
    assert f"could not erase the payout contact and void the incentives after response " \
        f"{alma.response.pk}" in caplog.text  # fmt: skip
    assert "ledger table locked" in caplog.text
    # Left undone by the receiver: the contact is still there, the money still approved.
    assert PayoutContact.objects.filter(response=alma.response).exists()
    # Whoever pays meanwhile cannot pay her: paying settles the chosen respondents first.
    with pytest.raises(ValidationError) as refused:
        batch_pay(survey=chain.survey, respondents=[code], reference="B-1", user=None)
    assert refused.value.code == "payout_nothing"
    monkeypatch.undo()
    ledger_catch_up_task()
    assert not PayoutContact.objects.filter(response=alma.response).exists()
    assert owed(alma.response, Status.VOID) == PRIMARY + 3 * PER_RECRUIT


def test_a_failing_settle_keeps_the_review_logs_it_and_the_catch_up_settles_the_money(
    chain: HttpTree,
    committed: Committed,
    organizer: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alma, recruit = chain.members["alma"], chain.members["alma-2"]
    give_contact(alma.client, chain.survey, "+7 701 123 4567")
    give_contact(recruit.client, chain.survey, "recruit@example.org")
    committed(response_flag_add, response=recruit.response, flag="too_fast")
    assert owed(recruit.response, Status.ON_HOLD) == PRIMARY
    monkeypatch.setattr("incentives.receivers.entries_settle", _broken)

    url = f"/en/organize/{chain.survey.slug}/responses/{recruit.response.pk}/review/"
    reply = committed(logged_in(organizer).post, url, {"decision": Review.ACCEPTED})

    assert reply.status_code == 302
    assert Response.objects.get(pk=recruit.response.pk).review == Review.ACCEPTED
    assert f"could not settle the incentives after response {recruit.response.pk}" in caplog.text
    assert owed(recruit.response, Status.ON_HOLD) == PRIMARY  # not settled by the receiver
    monkeypatch.undo()
    ledger_catch_up_task()
    assert owed(recruit.response, Status.APPROVED) == PRIMARY
    assert owed(alma.response, Status.APPROVED) == PRIMARY + 3 * PER_RECRUIT
