"""Reads of the recruitment monitor: totals, waves, chains, countries, days, funnels, recruiters.

The counts come from the running tally of ``surveys.monitor_tally``; this module turns them
into the figures shown, with a fixed handful of queries for the seed links, the country labels
and the top recruiters' codes, however many responses there are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from surveys import coupons
from surveys.models import Option, Response, SeedLink, Survey
from surveys.monitor_tally import COUNTRY_QUESTION, Tally, tally_read

# A chart over more days than this shows only the latest ones.
MAX_CHART_DAYS = 366
SHORT_CODE = 6


@dataclass(frozen=True)
class Funnel:
    opened: int = 0
    consented: int = 0
    completed: int = 0


@dataclass(frozen=True)
class CountryCount:
    code: str
    label: str
    count: int


@dataclass
class Chain:
    """The recruitment started by one seed link."""

    seed: SeedLink
    url: str = ""
    used: int = 0  # completed wave-0 responses (not withdrawn), against the link's limit
    size: int = 0
    deepest_wave: int | None = None
    waves: Counter = field(default_factory=Counter)
    countries: list[CountryCount] = field(default_factory=list)
    last_activity: datetime | None = None
    dormant: bool = False
    funnel: Funnel = Funnel()
    state: str = coupons.LinkState.USABLE


@dataclass(frozen=True)
class Recruiter:
    short_code: str
    wave: int | None
    chain: str
    recruits: int


@dataclass(frozen=True)
class Totals:
    responses: int
    attributed: int
    unattributed: int
    seed_links: int
    active_seed_links: int
    chains_started: int
    seeds: int
    deepest_wave: int | None
    recruiters: int
    flagged: int
    dormant_chains: int


@dataclass(frozen=True)
class Monitor:
    survey: Survey
    dormant_days: int
    totals: Totals
    waves: list[tuple[int, int]]
    chains: list[Chain]
    countries: list[CountryCount]
    daily: list[tuple[date, int]]
    personal_funnel: Funnel
    top_recruiters: list[Recruiter]
    coupon_limit: int | None


def short_code(code: str) -> str:
    """Return the first symbols of a pseudonymous code, enough to tell recruiters apart."""
    return code[:SHORT_CODE] + "…"


def country_labels(*, survey: Survey) -> dict[str, str]:
    """Return the labels of the country question's options in the active language."""
    options = Option.objects.filter(
        question__survey=survey, question__code=COUNTRY_QUESTION
    ).order_by("position")
    return {option.code: option.label for option in options}


def _country_counts(counter: Counter, labels: dict[str, str]) -> list[CountryCount]:
    return [
        CountryCount(code or "", labels.get(code or "", code or _("not answered")), count)
        for code, count in sorted(counter.items(), key=lambda item: (-item[1], item[0] or ""))
        if count
    ]


def _daily(days: Counter) -> list[tuple[date, int]]:
    if not days:
        return []
    last = max(days)
    first = max(min(days), last - timedelta(days=MAX_CHART_DAYS - 1))
    span = (last - first).days + 1
    return [
        (first + timedelta(days=i), days.get(first + timedelta(days=i), 0)) for i in range(span)
    ]


def _top_recruiters(tally: Tally, chain_label: dict[int, str]) -> list[Recruiter]:
    details = {
        pk: (code, wave, seed_id)
        for pk, code, wave, seed_id in Response.objects.filter(
            pk__in=[pk for pk, _n in tally.top]
        ).values_list("pk", "referral_code", "wave", "seed_link_id")
    }
    return [
        Recruiter(
            short_code=short_code(details[pk][0]),
            wave=details[pk][1],
            chain=chain_label.get(details[pk][2], ""),
            recruits=count,
        )
        for pk, count in tally.top
        if pk in details
    ]


def _funnel(kinds: Counter | None) -> Funnel:
    kinds = kinds or Counter()
    return Funnel(
        opened=kinds["opened"], consented=kinds["consented"], completed=kinds["completed"]
    )


def monitor_figures(*, survey: Survey, dormant_days: int, now: datetime | None = None) -> Monitor:
    """Return every figure of the recruitment monitor for one survey."""
    now = now or timezone.now()
    tally = tally_read(survey=survey, now=now)
    labels = country_labels(survey=survey)
    seeds = list(SeedLink.objects.filter(survey=survey))
    chains = {seed.pk: Chain(seed=seed) for seed in seeds}

    waves: Counter = Counter()
    responses = unattributed = flagged = 0
    for (seed_id, wave), (count, last, flags) in tally.seed_waves.items():
        responses += count
        flagged += flags
        if wave is None:  # no seed link and no recruiter: answered without a link
            unattributed += count
            continue
        waves[wave] += count
        chain = chains.get(seed_id) if seed_id else None
        if chain is None:
            continue
        chain.size += count
        chain.waves[wave] += count
        if wave == 0:
            chain.used += count
        chain.deepest_wave = wave if chain.deepest_wave is None else max(chain.deepest_wave, wave)
        chain.last_activity = (
            last if chain.last_activity is None else max(chain.last_activity, last)
        )

    countries: Counter = Counter()
    chain_countries: dict[int, Counter] = defaultdict(Counter)
    for (seed_id, country), count in tally.seed_countries.items():
        countries[country] += count
        if seed_id in chains:
            chain_countries[seed_id][country] += count

    quiet_since = now - timedelta(days=dormant_days)
    for seed_id, chain in chains.items():
        chain.countries = _country_counts(chain_countries[seed_id], labels)
        chain.funnel = _funnel(tally.funnels.get(chain.seed.code))
        chain.dormant = (chain.last_activity or chain.seed.created_at) < quiet_since
        expired = not chain.seed.is_active or chain.seed.is_expired(now=now)
        limit = chain.seed.coupon_limit
        chain.state = (
            coupons.LinkState.EXPIRED
            if expired
            else coupons.LinkState.USED_UP
            if limit is not None and chain.used >= limit
            else coupons.LinkState.USABLE
        )

    dormant = sum(1 for chain in chains.values() if chain.dormant)
    totals = Totals(
        responses=responses,
        attributed=responses - unattributed,
        unattributed=unattributed,
        seed_links=len(seeds),
        active_seed_links=sum(1 for chain in chains.values() if chain.state == "usable"),
        chains_started=sum(1 for chain in chains.values() if chain.size),
        seeds=waves.get(0, 0),
        deepest_wave=max(waves) if waves else None,
        recruiters=tally.recruiters,
        flagged=flagged,
        dormant_chains=dormant,
    )
    return Monitor(
        survey=survey,
        dormant_days=dormant_days,
        totals=totals,
        waves=sorted((wave, count) for wave, count in waves.items() if count),
        # Latest activity first (a seed link without completes counts from its creation), so
        # that new and growing chains lead and dormant ones sink.
        chains=sorted(
            chains.values(),
            key=lambda chain: (chain.last_activity or chain.seed.created_at, chain.seed.pk),
            reverse=True,
        ),
        countries=_country_counts(countries, labels),
        daily=_daily(tally.days),
        personal_funnel=_funnel(tally.funnels.get("")),
        top_recruiters=_top_recruiters(tally, {seed.pk: seed.label for seed in seeds}),
        coupon_limit=coupons.personal_limit(survey=survey),
    )
