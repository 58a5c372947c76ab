"""Writes of the organizers: creating, editing, closing and reopening seed links.

Every change of a link's limit, expiry or state is logged as a design change
(``surveys.quality.design_log``), for the STROBE-RDS report.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from surveys.models import SeedLink, Survey
from surveys.quality import design_log


def expiry_after(day: date) -> datetime:
    """Return the moment a link valid through ``day`` (in the site's time zone) expires."""
    return datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )


def valid_through(seed_link: SeedLink) -> date | None:
    """Return the last day on which the link works, as the seed-link forms show it."""
    if seed_link.expires_at is None:
        return None
    return timezone.localtime(seed_link.expires_at).date() - timedelta(days=1)


@transaction.atomic
def seed_link_create(
    *,
    survey: Survey,
    label: str,
    note: str = "",
    coupon_limit: int | None = None,
    valid_through: date | None = None,
    created_by: AbstractBaseUser | None = None,
) -> SeedLink:
    """Create a seed link that starts a new recruitment chain."""
    seed_link = SeedLink.objects.create(
        survey=survey,
        label=label,
        note=note,
        coupon_limit=coupon_limit,
        expires_at=expiry_after(valid_through) if valid_through else None,
        created_by=created_by,
    )
    design_log.seed_link_created(seed_link=seed_link, user=created_by)
    return seed_link


@transaction.atomic
def seed_link_update(
    *,
    seed_link: SeedLink,
    note: str,
    coupon_limit: int | None,
    valid_through: date | None,
    user: AbstractBaseUser | None = None,
) -> SeedLink:
    """Change a seed link's note, limit and last valid day; log the limit and expiry."""
    before = copy.copy(seed_link)
    seed_link.note = note
    seed_link.coupon_limit = coupon_limit
    seed_link.expires_at = expiry_after(valid_through) if valid_through else None
    seed_link.save(update_fields=["note", "coupon_limit", "expires_at"])
    design_log.seed_link_changed(seed_link=seed_link, before=before, user=user)
    return seed_link


def _switch(seed_link: SeedLink, *, active: bool, user: AbstractBaseUser | None) -> SeedLink:
    if seed_link.is_active != active:
        with transaction.atomic():
            before = copy.copy(seed_link)
            seed_link.is_active = active
            seed_link.save(update_fields=["is_active"])
            design_log.seed_link_changed(seed_link=seed_link, before=before, user=user)
    return seed_link


def seed_link_deactivate(*, seed_link: SeedLink, user: AbstractBaseUser | None = None) -> SeedLink:
    """Stop a seed link from bringing anyone new; the chain it started keeps growing."""
    return _switch(seed_link, active=False, user=user)


def seed_link_reopen(*, seed_link: SeedLink, user: AbstractBaseUser | None = None) -> SeedLink:
    """Let a closed seed link bring new people again; its expiry and limit still apply."""
    return _switch(seed_link, active=True, user=user)


def seed_label_taken(*, survey: Survey, label: str) -> bool:
    """Return whether another seed link of the survey already has this label (any case)."""
    return survey.seed_links.filter(label__iexact=label).exists()
