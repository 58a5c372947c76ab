"""Writes of the organizers: creating, closing and reopening seed links."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from surveys.models import SeedLink, Survey


def expiry_after(day: date) -> datetime:
    """Return the moment a link valid through ``day`` (in the site's time zone) expires."""
    return datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )


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
    return SeedLink.objects.create(
        survey=survey,
        label=label,
        note=note,
        coupon_limit=coupon_limit,
        expires_at=expiry_after(valid_through) if valid_through else None,
        created_by=created_by,
    )


def seed_link_deactivate(*, seed_link: SeedLink) -> SeedLink:
    """Stop a seed link from bringing anyone new; the chain it started keeps growing."""
    if seed_link.is_active:
        seed_link.is_active = False
        seed_link.save(update_fields=["is_active"])
    return seed_link


def seed_link_reopen(*, seed_link: SeedLink) -> SeedLink:
    """Let a closed seed link bring new people again; its expiry and limit still apply."""
    if not seed_link.is_active:
        seed_link.is_active = True
        seed_link.save(update_fields=["is_active"])
    return seed_link


def seed_label_taken(*, survey: Survey, label: str) -> bool:
    """Return whether another seed link of the survey already has this label (any case)."""
    return survey.seed_links.filter(label__iexact=label).exists()
