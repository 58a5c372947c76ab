"""Quality flags set when a response is submitted: kept for analysts, never a reason to drop."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from surveys.links import limits, policy
from surveys.models import Response, SeedLink, Survey
from surveys.paradata.speed import too_fast

# A chain is named by its seed link ("seed", id) or by its self-started root ("root", id).
Chain = tuple[str, int | None]
# Earlier responses of one device whose chains are looked up (a walk up a self-started chain
# costs a query per wave): a handful for a person, bounded for a computer many people shared.
SAME_DEVICE_LOOKED_AT = 20


def submit_flags(
    *,
    survey: Survey,
    client_hash: str,
    answers: dict[str, Any],
    recruiter: Response | None,
    seed_link: SeedLink | None,
    total_seconds: int | None = None,
    honeypot: bool = False,
    device_hash: str = "",
) -> list[str]:
    """Return the quality flags of a response about to be stored through this link.

    Call it inside the transaction that stores the response, after locking the link's row,
    so that two recruits racing for a link's last coupon are counted one after the other.
    """
    flags: list[str] = []
    if policy.coupon_overrun(survey=survey, recruiter=recruiter, seed_link=seed_link):
        flags.append(limits.FLAG_COUPON_OVERRUN)
    recent, same_device = _earlier(survey=survey, client_hash=client_hash, device_hash=device_hash)
    if client_hash:
        # A campus or a carrier puts many people with the same phone behind one address: only
        # the same answers as well make a repeat likely.
        if any(earlier == answers for earlier in recent):
            flags.append(limits.FLAG_SAME_CLIENT_RECENTLY)
        # Kept on the hash alone: a recruiter who answers again "for" a recruit changes answers.
        if recruiter is not None and recruiter.client_hash == client_hash:
            flags.append(limits.FLAG_SAME_CLIENT_AS_RECRUITER)
    if too_fast(survey=survey, total_seconds=total_seconds):
        flags.append(limits.FLAG_TOO_FAST)
    if honeypot:
        flags.append(limits.FLAG_HONEYPOT)
    if same_device:
        flags += _same_device_flags(earlier=same_device, recruiter=recruiter, seed_link=seed_link)
    return flags


def _earlier(
    *, survey: Survey, client_hash: str, device_hash: str
) -> tuple[list[dict[str, Any]], list[tuple[int, int | None, int | None]]]:
    """Return the answers of the same client's recent responses and the same device's responses.

    One query for both (each side through its own index), because the final submit is the
    busiest write of a survey; either side is a handful of rows for a person.
    """
    if not (client_hash or device_hash):
        return [], []
    since = timezone.now() - limits.SAME_CLIENT_WINDOW
    same_client = Q(client_hash=client_hash, submitted_at__gte=since)
    same_device_ = Q(device_hash=device_hash, withdrawn_at__isnull=True)
    if client_hash and device_hash:
        wanted = same_client | same_device_
    else:
        wanted = same_client if client_hash else same_device_
    rows = Response.objects.filter(wanted, survey=survey).values_list(
        "answers",
        "client_hash",
        "submitted_at",
        "device_hash",
        "withdrawn_at",
        "pk",
        "seed_link_id",
        "recruiter_id",
    )
    recent: list[dict[str, Any]] = []
    same_device: list[tuple[int, int | None, int | None]] = []
    for answers, client, submitted_at, device, withdrawn_at, pk, seed_link_id, recruiter_id in rows:
        if client_hash and client == client_hash and submitted_at >= since:
            recent.append(answers)
        if device_hash and device == device_hash and withdrawn_at is None:
            same_device.append((pk, seed_link_id, recruiter_id))
    return recent, same_device[:SAME_DEVICE_LOOKED_AT]


def _same_device_flags(
    *,
    earlier: list[tuple[int, int | None, int | None]],
    recruiter: Response | None,
    seed_link: SeedLink | None,
) -> list[str]:
    """Return same_device, and same_device_other_chain when an earlier one is in another chain."""
    flags = [limits.FLAG_SAME_DEVICE]
    if recruiter is not None:
        own = _chain(recruiter.pk, recruiter.seed_link_id, recruiter.recruiter_id)
    elif seed_link is not None:
        own = ("seed", seed_link.pk)
    else:
        own = ("new", None)  # a self-started root starts a chain no earlier answer is in
    if any(_chain(*row) != own for row in earlier):
        flags.append(limits.FLAG_SAME_DEVICE_OTHER_CHAIN)
    return flags


def _chain(pk: int, seed_link_id: int | None, recruiter_id: int | None) -> Chain:
    """Return the chain a response belongs to: its seed link's, or its self-started root's."""
    if seed_link_id is not None:
        return ("seed", seed_link_id)
    # A self-started chain: walk up to its root, one wave per query (recruiters come first).
    while recruiter_id is not None:
        pk = recruiter_id
        recruiter_id = Response.objects.filter(pk=pk).values_list("recruiter_id", flat=True).first()
    return ("root", pk)


def lock_link(*, recruiter: Response | None, seed_link: SeedLink | None) -> None:
    """Lock the row of the link a response arrives through until the transaction ends."""
    if recruiter is not None:
        list(Response.objects.select_for_update().filter(pk=recruiter.pk).values_list("pk"))
    elif seed_link is not None:
        list(SeedLink.objects.select_for_update().filter(pk=seed_link.pk).values_list("pk"))
