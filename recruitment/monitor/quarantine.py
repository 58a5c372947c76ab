"""Reads of the flagged responses for the organizers' review: per chain, and one page of them.

Only what a decision needs: the flags' labels, when, the wave, the chain and the recruiter's
shortened code, the time taken (in all, per page, and the too-fast limit), and who decided
what; never the answers, never a client hash.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from recruitment.monitor.figures import short_code
from recruitment.monitor.tally import tally_read
from surveys.models import Response, Review, SeedLink, Survey
from surveys.paradata.speed import too_fast_under
from surveys.paradata.timing import PAGE_SECONDS, TOTAL_SECONDS
from surveys.quality.reviews import flag_label

# ?chain= for the responses that came without a seed link (self-started chains).
NO_SEED = "none"
# A chain filter names a seed link by its id: ASCII digits only ("²".isdigit() is true), few
# enough for a 64-bit key on every database.
CHAIN_ID = re.compile(r"[0-9]{1,18}")
STATES = ("pending", "all")


@dataclass(frozen=True)
class FlaggedChain:
    """One chain's flagged responses, by the review they got."""

    chain: str  # the seed link's id, or NO_SEED
    label: str
    flagged: int
    pending: int
    accepted: int
    excluded: int


@dataclass(frozen=True)
class FlaggedResponse:
    id: int
    flags: list[str]
    submitted_at: dt.datetime
    wave: int | None
    chain: str
    recruiter: str  # the recruiter's shortened code, "" for wave 0
    review: str
    review_label: str
    reviewed_by: str
    reviewed_at: dt.datetime | None
    # What a reviewer needs to judge "too fast": the time taken, the limit, the time per page.
    total_seconds: int | None = None
    too_fast_under: int | None = None
    page_seconds: list[tuple[str, int]] = field(default_factory=list)


def _flagged(survey: Survey) -> QuerySet[Response]:
    # A withdrawn response has no flags left: nothing to review.
    return Response.objects.filter(survey=survey, withdrawn_at__isnull=True).exclude(
        quality_flags=[]
    )


def flagged_counts(
    counts: dict[int | None, tuple[int, int, int, int]],
) -> dict[int | None, tuple[int, int, int, int]]:
    """Return the tally's chain counts of the chains holding a flagged response."""
    return {seed_id: each for seed_id, each in counts.items() if each[0]}


def flagged_chains(
    *,
    survey: Survey,
    counts: dict[int | None, tuple[int, int, int, int]] | None = None,
    shown: int | None = None,
) -> list[FlaggedChain]:
    """Return the chains holding flagged responses, most awaiting review first.

    Counted by the monitor's tally (kept up to date by id, recounted after a flag or a review),
    not by reading the responses; ``counts`` is a tally's ``flag_chains`` read already. One
    query, for the seed links' labels: with ``shown``, only the first ``shown`` chains are
    returned and only their labels (and those of chains tied with the last) are read, so that
    the monitor's cost does not grow with the number of chains."""
    if counts is None:
        counts = tally_read(survey=survey).flag_chains
    flagged = flagged_counts(counts)
    wanted = list(flagged)
    if shown is not None and len(flagged) > shown:
        # The label only breaks ties: the chains ranked after the shown ones by their counts
        # alone cannot be shown whatever their label.
        keys = sorted((-each[1], -each[0]) for each in flagged.values())
        last = keys[shown - 1]
        wanted = [pk for pk, each in flagged.items() if (-each[1], -each[0]) <= last]
    labels = dict(
        SeedLink.objects.filter(pk__in=[pk for pk in wanted if pk is not None]).values_list(
            "pk", "label"
        )
    )
    chains = [
        FlaggedChain(
            chain=str(seed_id) if seed_id else NO_SEED,
            label=labels.get(seed_id, "") if seed_id else "",
            flagged=flagged[seed_id][0],
            pending=flagged[seed_id][1],
            accepted=flagged[seed_id][2],
            excluded=flagged[seed_id][3],
        )
        for seed_id in wanted
    ]
    chains.sort(key=lambda chain: (-chain.pending, -chain.flagged, chain.label))
    return chains if shown is None else chains[:shown]


def chain_known(chain: str) -> bool:
    """Return whether a chain filter has the form of a seed link id or names the unlinked."""
    return chain == NO_SEED or CHAIN_ID.fullmatch(chain) is not None


def flagged_page(
    *,
    survey: Survey,
    chain: str | None = None,
    state: str = "pending",
    page: int | str | None = 1,
    per_page: int = 25,
) -> Page:
    """Return one page of flagged responses, newest first: of one chain or all, awaiting review
    or all of them; its items are ``FlaggedResponse``."""
    rows = _flagged(survey)
    if chain == NO_SEED:
        rows = rows.filter(seed_link__isnull=True)
    elif chain:
        rows = rows.filter(seed_link_id=int(chain)) if chain_known(chain) else rows.none()
    if state == "pending":
        rows = rows.filter(review=Review.NONE)
    shown = Paginator(_rows(rows), per_page).get_page(page)
    shown.object_list = _responses(shown.object_list, survey=survey)
    return shown


def _rows(rows: QuerySet[Response]) -> QuerySet:
    return rows.order_by("-submitted_at", "-id").values(
        "id",
        "quality_flags",
        "submitted_at",
        "wave",
        "seed_link__label",
        "recruiter__referral_code",
        "review",
        "reviewed_by__username",
        "reviewed_at",
        "paradata",
    )


def _seconds(paradata: dict | None) -> tuple[int | None, list[tuple[str, int]]]:
    """Return a response's total time and its seconds per page, in page order."""
    paradata = paradata if isinstance(paradata, dict) else {}
    total = paradata.get(TOTAL_SECONDS)
    pages = paradata.get(PAGE_SECONDS) or {}
    ordered = sorted(pages.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0)
    return (int(total) if total is not None else None), [(k, int(v)) for k, v in ordered]


def _responses(rows: list[dict] | QuerySet, *, survey: Survey) -> list[FlaggedResponse]:
    labels = dict(Review.choices)
    limit = too_fast_under(survey=survey)
    return [
        FlaggedResponse(
            id=row["id"],
            flags=[flag_label(code) for code in row["quality_flags"] or []],
            submitted_at=row["submitted_at"],
            wave=row["wave"],
            chain=row["seed_link__label"] or "",
            recruiter=short_code(row["recruiter__referral_code"])
            if row["recruiter__referral_code"]
            else "",
            review=row["review"],
            review_label=str(labels.get(row["review"], row["review"])),
            reviewed_by=row["reviewed_by__username"] or "",
            reviewed_at=row["reviewed_at"],
            total_seconds=_seconds(row["paradata"])[0],
            too_fast_under=limit,
            page_seconds=_seconds(row["paradata"])[1],
        )
        for row in rows
    ]


def flagged_latest(*, survey: Survey, count: int) -> list[FlaggedResponse]:
    """Return the newest flagged responses awaiting review, at most ``count`` (one query)."""
    rows = list(_rows(_flagged(survey).filter(review=Review.NONE))[:count])
    return _responses(rows, survey=survey)


def reviewable(*, survey: Survey, response_id: int) -> Response | None:
    """Return the survey's response with this id if it is flagged or was reviewed."""
    return (
        Response.objects.filter(survey=survey, pk=response_id, withdrawn_at__isnull=True)
        .filter(~Q(quality_flags=[]) | ~Q(review=Review.NONE))
        .first()
    )
