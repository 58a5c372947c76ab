"""Quality flags set when a response is submitted: kept for analysts, never a reason to drop."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from surveys.links import limits, policy
from surveys.models import Response, SeedLink, Survey


def submit_flags(
    *,
    survey: Survey,
    client_hash: str,
    answers: dict[str, Any],
    recruiter: Response | None,
    seed_link: SeedLink | None,
) -> list[str]:
    """Return the quality flags of a response about to be stored through this link.

    Call it inside the transaction that stores the response, after locking the link's row,
    so that two recruits racing for a link's last coupon are counted one after the other.
    """
    flags: list[str] = []
    if policy.coupon_overrun(survey=survey, recruiter=recruiter, seed_link=seed_link):
        flags.append(limits.FLAG_COUPON_OVERRUN)
    if client_hash:
        since = timezone.now() - limits.SAME_CLIENT_WINDOW
        # A campus or a carrier puts many people with the same phone behind one address: only
        # the same answers as well make a repeat likely.
        recent = Response.objects.filter(
            survey=survey, client_hash=client_hash, submitted_at__gte=since
        ).values_list("answers", flat=True)
        # A handful of rows at most (the index finds them): no server-side cursor for them.
        if any(earlier == answers for earlier in recent):
            flags.append(limits.FLAG_SAME_CLIENT_RECENTLY)
        # Kept on the hash alone: a recruiter who answers again "for" a recruit changes answers.
        if recruiter is not None and recruiter.client_hash == client_hash:
            flags.append(limits.FLAG_SAME_CLIENT_AS_RECRUITER)
    return flags


def lock_link(*, recruiter: Response | None, seed_link: SeedLink | None) -> None:
    """Lock the row of the link a response arrives through until the transaction ends."""
    if recruiter is not None:
        list(Response.objects.select_for_update().filter(pk=recruiter.pk).values_list("pk"))
    elif seed_link is not None:
        list(SeedLink.objects.select_for_update().filter(pk=seed_link.pk).values_list("pk"))
