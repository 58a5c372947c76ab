"""Reads of the recruitment monitor: totals, waves, chains, countries, days, funnels, recruiters.

The counts come from the running tally of ``surveys.monitor_tally``; this module turns them
into the figures shown, with a fixed handful of queries for the seed links, the country labels
and the top recruiters' codes, however many responses there are.

A survey can have hundreds of seed links, so the chains are handled in two passes: every chain
gets a ``ChainSummary`` (a few numbers, no model instance), enough for the totals, the order
and the dormant filter; only the chains on the page shown become full ``Chain`` rows, with
their seed link, countries and funnel.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.core.paginator import Page, Paginator
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


@dataclass(frozen=True, slots=True)
class ChainSummary:
    """One chain as the totals, the order and the dormant filter need it."""

    seed_id: int
    size: int
    used: int
    deepest_wave: int | None
    last_activity: datetime | None
    # Last completed response, or the link's creation for a chain that has not started.
    since: datetime
    dormant: bool
    state: str


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
    # The chains shown: one page of those asked for (all of them unless a page size is given).
    chains: list[Chain]
    # That page of the chain summaries asked for; its paginator counts them all.
    chains_page: Page
    countries: list[CountryCount]
    daily: list[tuple[date, int]]
    personal_funnel: Funnel
    top_recruiters: list[Recruiter]
    coupon_limit: int | None


class _SeedRow(NamedTuple):
    pk: int
    created_at: datetime
    is_active: bool
    expires_at: datetime | None
    coupon_limit: int | None


@dataclass
class _Growth:
    """A chain's completed responses, summed over its waves from the tally."""

    size: int = 0
    used: int = 0
    deepest_wave: int | None = None
    last: datetime | None = None


@dataclass(frozen=True)
class _WaveCounts:
    """The tally's responses per seed link and wave, summed for the survey and per chain."""

    responses: int
    unattributed: int
    flagged: int
    waves: Counter
    growth: dict[int, _Growth]


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


def _top_recruiters(tally: Tally) -> list[Recruiter]:
    details = {
        pk: (code, wave, label)
        for pk, code, wave, label in Response.objects.filter(
            pk__in=[pk for pk, _n in tally.top]
        ).values_list("pk", "referral_code", "wave", "seed_link__label")
    }
    return [
        Recruiter(
            short_code=short_code(details[pk][0]),
            wave=details[pk][1],
            chain=details[pk][2] or "",
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


def _wave_counts(tally: Tally) -> _WaveCounts:
    waves: Counter = Counter()
    growth: dict[int, _Growth] = defaultdict(_Growth)
    responses = unattributed = flagged = 0
    for (seed_id, wave), (count, last, flags) in tally.seed_waves.items():
        responses += count
        flagged += flags
        if wave is None:  # no seed link and no recruiter: answered without a link
            unattributed += count
            continue
        waves[wave] += count
        if not seed_id:  # recruits of someone who came without a link: no seed link's chain
            continue
        chain = growth[seed_id]
        chain.size += count
        if wave == 0:
            chain.used += count
        chain.deepest_wave = wave if chain.deepest_wave is None else max(chain.deepest_wave, wave)
        chain.last = last if chain.last is None else max(chain.last, last)
    return _WaveCounts(responses, unattributed, flagged, waves, growth)


def _seed_rows(*, survey: Survey) -> list[_SeedRow]:
    # Plain tuples: every seed link is needed for the totals, but as a model only on its page.
    return [
        _SeedRow(*row)
        for row in SeedLink.objects.filter(survey=survey)
        .order_by()
        .values_list("pk", "created_at", "is_active", "expires_at", "coupon_limit")
    ]


def _link_state(row: _SeedRow, *, used: int, now: datetime) -> str:
    # SeedLink.is_expired's test, on the plain row: no model instance for every link.
    if not row.is_active or (row.expires_at is not None and row.expires_at <= now):
        return coupons.LinkState.EXPIRED
    if row.coupon_limit is not None and used >= row.coupon_limit:
        return coupons.LinkState.USED_UP
    return coupons.LinkState.USABLE


def _summaries(
    rows: list[_SeedRow], growth: dict[int, _Growth], *, quiet_since: datetime, now: datetime
) -> list[ChainSummary]:
    """Return every chain's summary, latest activity first."""
    summaries = []
    for row in rows:
        grown = growth.get(row.pk) or _Growth()
        since = grown.last or row.created_at
        summaries.append(
            ChainSummary(
                seed_id=row.pk,
                size=grown.size,
                used=grown.used,
                deepest_wave=grown.deepest_wave,
                last_activity=grown.last,
                since=since,
                dormant=since < quiet_since,
                state=_link_state(row, used=grown.used, now=now),
            )
        )
    # A seed link without completes counts from its creation, so that new and growing chains
    # lead and dormant ones sink.
    summaries.sort(key=lambda chain: (chain.since, chain.seed_id), reverse=True)
    return summaries


def _chains(summaries: list[ChainSummary], tally: Tally, labels: dict[str, str]) -> list[Chain]:
    """Return the full rows of the given chains, in their order."""
    seeds = SeedLink.objects.in_bulk([summary.seed_id for summary in summaries])
    waves: dict[int, Counter] = defaultdict(Counter)
    countries: dict[int, Counter] = defaultdict(Counter)
    for (seed_id, wave), (count, _last, _flags) in tally.seed_waves.items():
        if seed_id in seeds and wave is not None:
            waves[seed_id][wave] += count
    for (seed_id, country), count in tally.seed_countries.items():
        if seed_id in seeds:
            countries[seed_id][country] += count
    return [
        Chain(
            seed=seeds[summary.seed_id],
            used=summary.used,
            size=summary.size,
            deepest_wave=summary.deepest_wave,
            waves=waves[summary.seed_id],
            countries=_country_counts(countries[summary.seed_id], labels),
            last_activity=summary.last_activity,
            dormant=summary.dormant,
            funnel=_funnel(tally.funnels.get(seeds[summary.seed_id].code)),
            state=summary.state,
        )
        for summary in summaries
        if summary.seed_id in seeds  # a link deleted since the summaries were read
    ]


def _totals(counts: _WaveCounts, summaries: list[ChainSummary], tally: Tally) -> Totals:
    return Totals(
        responses=counts.responses,
        attributed=counts.responses - counts.unattributed,
        unattributed=counts.unattributed,
        seed_links=len(summaries),
        active_seed_links=sum(1 for c in summaries if c.state == coupons.LinkState.USABLE),
        chains_started=sum(1 for c in summaries if c.size),
        seeds=counts.waves.get(0, 0),
        deepest_wave=max(counts.waves) if counts.waves else None,
        recruiters=tally.recruiters,
        flagged=counts.flagged,
        dormant_chains=sum(1 for c in summaries if c.dormant),
    )


def _page(summaries: list[ChainSummary], *, number: int | str | None, per_page: int | None) -> Page:
    # Without a page size every chain asked for is on the one page.
    paginator = Paginator(summaries, per_page or max(len(summaries), 1))
    return paginator.get_page(number)  # a page out of range or not a number gives a real one


def monitor_figures(
    *,
    survey: Survey,
    dormant_days: int,
    now: datetime | None = None,
    chains_page: int | str | None = 1,
    chains_per_page: int | None = None,
    dormant_only: bool = False,
) -> Monitor:
    """Return the figures of the recruitment monitor for one survey.

    The totals count every chain; ``chains`` holds page ``chains_page`` of the chains (only the
    dormant ones if ``dormant_only``), ``chains_per_page`` to a page, or all of them.
    """
    now = now or timezone.now()
    tally = tally_read(survey=survey, now=now)
    labels = country_labels(survey=survey)
    counts = _wave_counts(tally)
    summaries = _summaries(
        _seed_rows(survey=survey),
        counts.growth,
        quiet_since=now - timedelta(days=dormant_days),
        now=now,
    )
    shown = [chain for chain in summaries if chain.dormant] if dormant_only else summaries
    page = _page(shown, number=chains_page, per_page=chains_per_page)

    countries: Counter = Counter()
    for (_seed_id, country), count in tally.seed_countries.items():
        countries[country] += count

    return Monitor(
        survey=survey,
        dormant_days=dormant_days,
        totals=_totals(counts, summaries, tally),
        waves=sorted((wave, count) for wave, count in counts.waves.items() if count),
        chains=_chains(list(page.object_list), tally, labels),
        chains_page=page,
        countries=_country_counts(countries, labels),
        daily=_daily(tally.days),
        personal_funnel=_funnel(tally.funnels.get("")),
        top_recruiters=_top_recruiters(tally),
        coupon_limit=coupons.personal_limit(survey=survey),
    )
