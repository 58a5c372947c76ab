"""Alerts about the chains: dying out, one chain dominating the sample, many flagged responses.

A chain is a seed link's recruitment, or the tree under one self-started root (a respondent
who came without a link). Its counts leave withdrawn responses out, as the monitor does.
Everything is read in two or three queries, whatever the number of chains.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q

from recruitment.health.thresholds import DYING_CHAIN, FLAGGED_SHARE, SEED_DOMINANCE, Thresholds
from surveys.links import policy
from surveys.models import Response, Review, SeedLink, Survey

# Below this many responses one chain holding most of the sample is how every survey starts.
MIN_SAMPLE_FOR_DOMINANCE = 30
# A share of flagged responses means little in a chain smaller than this.
MIN_CHAIN_FOR_FLAGGED = 10

# Flagged and not accepted on review: the responses that weigh on a chain's quality.
_DOUBTFUL = ~Q(quality_flags=[]) & ~Q(review=Review.ACCEPTED)


@dataclass
class ChainStats:
    """One chain's counts: responses not withdrawn, recruits brought, the latest completion."""

    key: str  # the seed link's id, or "root-<response id>" for a self-started chain
    label: str
    size: int = 0
    recruited: int = 0
    flagged: int = 0
    last: dt.datetime | None = None
    seed: SeedLink | None = None
    seed_used: int = 0  # wave-0 responses through the seed link, against its limit


@dataclass(frozen=True)
class RawAlert:
    """An alert as computed: plain data, worded in the active language when shown."""

    kind: str
    key: str
    severity: str  # "warning" or "info"
    params: dict


def _day(moment: dt.datetime | None) -> str:
    """Return a moment as the ISO day kept in an alert (alerts are cached as plain data)."""
    return moment.date().isoformat() if moment else ""


def _seed_chains(survey: Survey) -> tuple[dict[str, ChainStats], bool]:
    """Return the seed links' chains, and whether any response came outside them in a chain
    of its own (a self-started root or their recruits)."""
    chains = {
        str(seed.pk): ChainStats(key=str(seed.pk), label=seed.label, seed=seed)
        for seed in SeedLink.objects.filter(survey=survey)
    }
    rows = (
        Response.objects.filter(survey=survey)
        .order_by()
        .values("seed_link_id")
        .annotate(
            size=Count("id", filter=Q(withdrawn_at__isnull=True)),
            recruited=Count("id", filter=Q(recruiter__isnull=False)),
            seeds=Count("id", filter=Q(wave=0, withdrawn_at__isnull=True)),
            flagged=Count("id", filter=_DOUBTFUL & Q(withdrawn_at__isnull=True)),
            last=Max("submitted_at", filter=Q(withdrawn_at__isnull=True)),
            chained=Count("id", filter=Q(wave__isnull=False)),
        )
    )
    self_started = False
    for row in rows:
        if row["seed_link_id"] is None:
            self_started = row["chained"] > 0
            continue
        chain = chains.get(str(row["seed_link_id"]))
        if chain is not None:
            chain.size, chain.recruited = row["size"], row["recruited"]
            chain.seed_used, chain.flagged, chain.last = row["seeds"], row["flagged"], row["last"]
    return chains, self_started


def _self_started_chains(survey: Survey) -> dict[str, ChainStats]:
    """Return the trees under self-started roots, followed recruiter by recruiter."""
    rows = (
        Response.objects.filter(survey=survey, seed_link__isnull=True, wave__isnull=False)
        .order_by("id")
        .annotate(doubtful=ExpressionWrapper(_DOUBTFUL, output_field=BooleanField()))
        .values_list("id", "recruiter_id", "submitted_at", "withdrawn_at", "doubtful")
    )
    root_of: dict[int, int] = {}
    chains: dict[str, ChainStats] = {}
    for pk, recruiter, submitted, withdrawn, doubtful in rows.iterator(chunk_size=5000):
        # A recruiter always comes before their recruits, so their root is known already.
        root = root_of.get(recruiter, pk) if recruiter else pk
        root_of[pk] = root
        key = f"root-{root}"
        chain = chains.setdefault(key, ChainStats(key=key, label=f"#{root}"))
        chain.recruited += recruiter is not None
        if withdrawn is None:
            chain.size += 1
            chain.flagged += bool(doubtful)
            chain.last = submitted if chain.last is None else max(chain.last, submitted)
    return chains


def chain_stats(*, survey: Survey) -> list[ChainStats]:
    """Return every chain of the survey with its counts (two queries, three with chains that
    started without a link)."""
    chains, self_started = _seed_chains(survey)
    found = list(chains.values())
    if self_started:
        found += _self_started_chains(survey).values()
    return found


def _has_unused_coupons(chain: ChainStats, *, personal_limit: int | None, now: dt.datetime) -> bool:
    """Return whether someone in the chain, or its seed link, could still bring a recruit."""
    if chain.seed is not None and not chain.seed.is_expired(now=now):
        state = policy.link_state(
            closed=not chain.seed.is_active, limit=chain.seed.coupon_limit, used=chain.seed_used
        )
        if state is policy.LinkState.USABLE:
            return True
    if personal_limit is None:
        return chain.size > 0
    return chain.size * personal_limit > chain.recruited


def dying_chains(
    *, survey: Survey, chains: list[ChainStats], thresholds: Thresholds, now: dt.datetime
) -> list[RawAlert]:
    """Return the chains without a completed recruit for N days that could still grow.

    Only while the survey is recruiting: open, with a completed response in the last N days.
    A chain is dying when the rest of the sample keeps growing without it; when the whole
    survey has been quiet that long its recruitment is over or has stalled (the demo data,
    dated 2025), which the monitor's dormant chains show, and no chain is singled out.
    """
    days = thresholds[DYING_CHAIN]["days"]
    quiet_since = now - dt.timedelta(days=days)
    latest = max((chain.last for chain in chains if chain.last), default=None)
    if not survey.is_open or latest is None or latest < quiet_since:
        return []
    personal_limit = policy.personal_limit(survey=survey)
    alerts = []
    for chain in chains:
        since = chain.last or (chain.seed.created_at if chain.seed else None)
        if since is None or since >= quiet_since:
            continue
        if not _has_unused_coupons(chain, personal_limit=personal_limit, now=now):
            continue
        alerts.append(
            RawAlert(
                kind=DYING_CHAIN,
                key=chain.key,
                severity="warning",
                params={
                    "chain": chain.label,
                    "days": (now - since).days,
                    "started": chain.last is not None,
                    "size": chain.size,
                    "last": _day(chain.last),
                },
            )
        )
    return alerts


def dominant_chains(*, chains: list[ChainStats], thresholds: Thresholds) -> list[RawAlert]:
    """Return the chains holding more than X % of the sample."""
    percent = thresholds[SEED_DOMINANCE]["percent"]
    total = sum(chain.size for chain in chains)
    if total < MIN_SAMPLE_FOR_DOMINANCE:
        return []
    return [
        RawAlert(
            kind=SEED_DOMINANCE,
            key=chain.key,
            severity="warning",
            params={
                "chain": chain.label,
                "share": round(100 * chain.size / total, 1),
                "size": chain.size,
                "total": total,
                "last": _day(chain.last),
            },
        )
        for chain in chains
        if 100 * chain.size / total > percent
    ]


def flagged_share_alerts(*, chains: list[ChainStats], thresholds: Thresholds) -> list[RawAlert]:
    """Return the chains where more than X % of the responses are flagged and not accepted."""
    percent = thresholds[FLAGGED_SHARE]["percent"]
    return [
        RawAlert(
            kind=FLAGGED_SHARE,
            key=chain.key,
            severity="warning",
            params={
                "chain": chain.label,
                "share": round(100 * chain.flagged / chain.size, 1),
                "flagged": chain.flagged,
                "size": chain.size,
                "last": _day(chain.last),
            },
        )
        for chain in chains
        if chain.size >= MIN_CHAIN_FOR_FLAGGED and 100 * chain.flagged / chain.size > percent
    ]
