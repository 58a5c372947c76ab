"""The one link policy: whether a seed or personal link may still bring someone, and coupons.

``link_state`` is the rule, on plain values so that the monitor can apply it to hundreds of
links without a model instance each; ``seed_state`` and ``personal_state`` feed it one link's
values for the link pages, and ``coupon_overrun`` applies it when a response is stored.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils import timezone

from surveys.models import Response, SeedLink, Survey


class LinkState(StrEnum):
    """Whether a seed or personal link may still bring a respondent."""

    USABLE = "usable"
    USED_UP = "used_up"
    # Closed by hand, past its expiry, or the personal link of a respondent who withdrew: the
    # link pages show one page for all three.
    EXPIRED = "expired"


def link_state(*, closed: bool, limit: int | None, used: int, withdrawn: bool = False) -> LinkState:
    """Return whether a link may still bring someone, given what is known of it.

    ``closed``: closed by hand or past its expiry; ``limit``: the recruits it may bring, None
    for unlimited; ``used``: the recruits it brought; ``withdrawn``: its respondent withdrew.
    """
    if closed or withdrawn:
        return LinkState.EXPIRED
    if limit is not None and used >= limit:
        return LinkState.USED_UP
    return LinkState.USABLE


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
    closed = not seed_link.is_active or seed_link.is_expired(now=timezone.now())
    limit = seed_link.coupon_limit
    # Counting is the costly part: skipped when the state cannot depend on it.
    used = 0 if closed or limit is None else seed_used(seed_link=seed_link)
    return link_state(closed=closed, limit=limit, used=used)


def personal_state(*, recruiter: Response) -> LinkState:
    """Return whether a respondent's personal link may still bring a recruit."""
    withdrawn = recruiter.withdrawn_at is not None
    limit = personal_limit(survey=recruiter.survey)
    used = 0 if withdrawn or limit is None else personal_used(recruiter=recruiter)
    return link_state(closed=False, limit=limit, used=used, withdrawn=withdrawn)


def coupon_overrun(
    *, survey: Survey, recruiter: Response | None, seed_link: SeedLink | None
) -> bool:
    """Return whether a response arriving now through this link goes beyond its coupons.

    Only the coupons count: a link closed, expired or withdrawn after the respondent opened
    it still takes their answers unflagged, as it did when they began.
    """
    if recruiter is not None:
        limit = personal_limit(survey=survey)
        used = 0 if limit is None else personal_used(recruiter=recruiter)
    elif seed_link is not None:
        limit = seed_link.coupon_limit
        used = 0 if limit is None else seed_used(seed_link=seed_link)
    else:
        return False
    return link_state(closed=False, limit=limit, used=used) is LinkState.USED_UP
