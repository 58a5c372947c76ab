"""Celery entry points of the surveys app."""

from __future__ import annotations

from celery import shared_task

from surveys.retention import drafts_purge


@shared_task(name="surveys.drafts_purge", ignore_result=True)
def drafts_purge_task() -> int:
    """Delete drafts past their retention period."""
    return drafts_purge()
