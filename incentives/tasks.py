"""Celery entry points of the incentives app."""

from __future__ import annotations

from celery import shared_task

from incentives.contacts import contacts_erase_due, contacts_erase_withdrawn
from incentives.ledger import entries_settle_unpaid


@shared_task(name="incentives.contacts_erase", ignore_result=True)
def contacts_erase_task() -> int:
    """Erase the payout contacts whose last payment is older than their survey allows."""
    return contacts_erase_due()


@shared_task(name="incentives.ledger_catch_up", ignore_result=True)
def ledger_catch_up_task() -> int:
    """Do what a failed receiver left undone: erase withdrawn contacts, settle unpaid entries."""
    return contacts_erase_withdrawn() + entries_settle_unpaid()
