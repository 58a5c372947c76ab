"""Paying: the payouts page for the payments role, logged contact views, batches, erasure."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from incentives.models import ContactAccess, LedgerEntry, PayoutBatch, PayoutContact, Status
from incentives.tasks import contacts_erase_task
from tests.fixtures.recruitment import HttpTree
from tests.fixtures.staff import logged_in, staff_user
from tests.incentives.conftest import PER_RECRUIT, PRIMARY
from tests.incentives.test_ledger import give_contact, owed

PHONE = "+77011234567"


def _payer() -> Client:
    return logged_in(staff_user("pavel-payer", "Payments"))


def _codes(tree: HttpTree, *names: str) -> list[str]:
    return [tree.members[name].response.referral_code for name in names]


def test_the_payouts_page_lists_amounts_without_contacts_until_asked_and_logs_each_look(
    chain: HttpTree,
) -> None:
    give_contact(chain.members["alma"].client, chain.survey, "8 701 123 45 67")
    give_contact(chain.members["alma-1"].client, chain.survey, "alma1@example.org")
    payer, url = _payer(), f"/en/organize/{chain.survey.slug}/payouts/"
    page = payer.get(url).content.decode()
    assert chain.members["alma"].response.referral_code in page
    assert f"{PRIMARY + 3 * PER_RECRUIT} KZT" in page
    assert PHONE not in page and "alma1@example.org" not in page
    assert not ContactAccess.objects.exists()  # a GET shows no contact and logs nothing

    shown = payer.post(url + "contacts/").content.decode()
    assert PHONE in shown and "alma1@example.org" in shown
    (access,) = ContactAccess.objects.all()
    assert (access.user.username, access.action, access.contacts) == ("pavel-payer", "view", 2)


def test_organizers_and_analysts_never_reach_the_contacts(
    chain: HttpTree, organizer: User, analyst: User
) -> None:
    give_contact(chain.members["alma"].client, chain.survey, PHONE)
    base = f"/en/organize/{chain.survey.slug}/payouts/"
    for user in (organizer, analyst):
        browser = logged_in(user)
        assert browser.get(base).status_code == 403
        for action in ("contacts/", "download/", "pay/"):
            reply = browser.post(base + action, {"reference": "x", "respondent": "y"})
            assert reply.status_code == 403, (user.username, action)
    assert not ContactAccess.objects.exists() and not PayoutBatch.objects.exists()


def test_a_batch_marked_paid_moves_only_the_chosen_approved_amounts_and_keeps_its_reference(
    chain: HttpTree,
) -> None:
    for name, contact in (("alma", PHONE), ("alma-1", "a1@example.org"), ("alma-2", "a2@x.org")):
        give_contact(chain.members[name].client, chain.survey, contact)
    payer, url = _payer(), f"/en/organize/{chain.survey.slug}/payouts/pay/"
    refused = payer.post(url, {"respondent": _codes(chain, "alma")})
    assert refused.status_code == 400 and not PayoutBatch.objects.exists()
    done = payer.post(url, {"respondent": _codes(chain, "alma", "alma-1"), "reference": "KASPI-17"})
    assert done.status_code == 302
    (batch,) = PayoutBatch.objects.all()
    assert (batch.reference, batch.paid_by.username) == ("KASPI-17", "pavel-payer")
    assert owed(chain.members["alma"].response, Status.PAID) == PRIMARY + 3 * PER_RECRUIT
    assert owed(chain.members["alma-1"].response, Status.PAID) == PRIMARY + PER_RECRUIT
    assert owed(chain.members["alma-2"].response, Status.APPROVED) == PRIMARY
    # What is paid stays paid, whatever an organizer decides afterwards.
    thanks = chain.members["alma"].client.get(f"/en/s/{chain.survey.slug}/thanks/").content
    assert b'id="payout-paid">5000 KZT' in thanks and b'id="payout-recruits">3<' in thanks


def test_the_downloaded_list_and_export_payouts_have_the_stable_columns_and_formula_proof_cells(
    chain: HttpTree, tmp_path: Path
) -> None:
    give_contact(chain.members["alma"].client, chain.survey, PHONE)
    give_contact(chain.members["alma-1"].client, chain.survey, "=cmd@example.org")
    reply = _payer().post(f"/en/organize/{chain.survey.slug}/payouts/download/")
    downloaded = b"".join(reply.streaming_content).decode("utf-8-sig")
    output = tmp_path / "payouts.csv"
    call_command(
        "export_payouts",
        f"--survey={chain.survey.slug}",
        f"--output={output}",
        stdout=io.StringIO(),
    )
    assert output.stat().st_mode & 0o077 == 0
    for text in (downloaded, output.read_text(encoding="utf-8-sig")):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0]) == ["respondent", "contact", "currency", "approved", "on_hold", "paid"]
        by_code = {row["respondent"]: row for row in rows}
        alma = by_code[chain.members["alma"].response.referral_code]
        assert alma["contact"] == "'" + PHONE  # a leading + would be a formula in a spreadsheet
        assert (alma["currency"], alma["approved"], alma["on_hold"], alma["paid"]) == (
            "KZT",
            str(PRIMARY + 3 * PER_RECRUIT),
            "0",
            "0",
        )
        assert by_code[chain.members["alma-1"].response.referral_code]["contact"].startswith("'=")
    logged = list(ContactAccess.objects.order_by("at", "id").values_list("action", "contacts"))
    assert logged == [("download", 2), ("command", 2)]


def test_contacts_are_erased_the_set_number_of_days_after_the_last_payment(
    chain: HttpTree,
) -> None:
    call_command(
        "set_incentives",
        f"--survey={chain.survey.slug}",
        "--erase-after-days=30",
        stdout=io.StringIO(),
    )
    for name, contact in (("alma", PHONE), ("alma-1", "a1@example.org")):
        give_contact(chain.members[name].client, chain.survey, contact)
    _payer().post(
        f"/en/organize/{chain.survey.slug}/payouts/pay/",
        {"respondent": _codes(chain, "alma"), "reference": "R-1"},
    )
    assert contacts_erase_task() == 0  # paid today: kept for 30 days
    PayoutBatch.objects.update(paid_at=timezone.now() - dt.timedelta(days=31))
    assert contacts_erase_task() == 1
    remaining = PayoutContact.objects.values_list("response_id", flat=True)
    assert list(remaining) == [chain.members["alma-1"].response.pk]
    # The ledger keeps what was paid; only the contact is gone.
    assert LedgerEntry.objects.filter(status=Status.PAID).count() == 4
