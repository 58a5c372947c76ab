"""Coupon accounting: how many completed recruits a link has brought and how many it may."""

from __future__ import annotations

from enum import StrEnum

from django.utils import timezone

from surveys.models import Response, SeedLink, Survey


class LinkState(StrEnum):
    """Whether a seed or personal link may still bring a respondent."""

    USABLE = "usable"
    USED_UP = "used_up"
    EXPIRED = "expired"


def personal_limit(*, survey: Survey) -> int | None:
    """Return how many recruits one personal link may bring, None for unlimited."""
    return survey.coupon_limit or None


def personal_used(*, recruiter: Response) -> int:
    """Return the number of completed responses this respondent's link brought."""
    return Response.objects.filter(recruiter=recruiter).count()


def seed_used(*, seed_link: SeedLink) -> int:
    """Return the number of completed wave-0 responses this seed link brought."""
    return Response.objects.filter(seed_link=seed_link, wave=0).count()


def remaining(*, limit: int | None, used: int) -> int | None:
    """Return how many more recruits a link may bring, None for unlimited."""
    return None if limit is None else max(limit - used, 0)


def seed_state(*, seed_link: SeedLink) -> LinkState:
    """Return whether a seed link may still bring a wave-0 respondent."""
    if not seed_link.is_active or seed_link.is_expired(now=timezone.now()):
        return LinkState.EXPIRED
    limit = seed_link.coupon_limit
    if limit is not None and seed_used(seed_link=seed_link) >= limit:
        return LinkState.USED_UP
    return LinkState.USABLE


def personal_state(*, recruiter: Response) -> LinkState:
    """Return whether a respondent's personal link may still bring a recruit."""
    if recruiter.withdrawn_at is not None:
        return LinkState.EXPIRED
    limit = personal_limit(survey=recruiter.survey)
    if limit is not None and personal_used(recruiter=recruiter) >= limit:
        return LinkState.USED_UP
    return LinkState.USABLE
