"""Delete what the privacy page promises not to keep."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from surveys.models import Draft

DRAFT_RETENTION = timedelta(days=30)


def drafts_purge(*, older_than: timedelta = DRAFT_RETENTION) -> int:
    """Delete drafts untouched for longer than the retention period; return how many."""
    deleted, _ = Draft.objects.filter(updated_at__lt=timezone.now() - older_than).delete()
    return deleted
