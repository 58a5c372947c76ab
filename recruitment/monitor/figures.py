"""Reads of the recruitment monitor: totals, waves, chains, countries, days, funnels, recruiters.

The counts come from the running tally of ``recruitment.monitor.tally``, which keeps the
survey's totals summed; this module turns them into the figures shown, with a fixed handful of
queries for the seed links and the top recruiters' codes, however many responses there are (the
country question and its labels come from the questionnaire cache). A link's state is the one
link policy's, ``surveys.links.policy.link_state``, applied to plain numbers.

A survey can have hundreds of seed links, so the chains are handled in two passes: every chain
gets a sort key (plain numbers: the tally's counts and the few columns the database computes
for its link), enough for the totals, the order and the dormant filter; only the chains on the
page shown become ``ChainSummary`` and full ``Chain`` rows, with their seed link, waves,
countries and funnel.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from recruitment.monitor.stamps import Stamp, moment_of, stamp
from recruitment.monitor.tally import Tally, country_question, tally_read
from surveys.links import policy
from surveys.links.funnel import screened_out_by_chain
from surveys.models import Response, SeedLink, Survey

# The chart shows the survey's whole period unless a window is asked for; beyond this many days
# (ten years) it shows only the latest ones, to keep the page's data bounded.
MAX_CHART_DAYS = 3660
SHORT_CODE = 6


@dataclass(frozen=True)
class Funnel:
    opened: int = 0
    consented: int = 0
    completed: int = 0
    screened_out: int = 0


@dataclass(frozen=True)
class CountryCount:
    code: str
    label: str
    count: int
    last: datetime | None = None  # the last completion from the country (survey-wide only)


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
    used: int = 0  # completed wave-0 responses (not withdrawn), against the link's limit
    size: int = 0
    deepest_wave: int | None = None
    waves: Counter = field(default_factory=Counter)
    countries: list[CountryCount] = field(default_factory=list)
    last_activity: datetime | None = None
    dormant: bool = False
    funnel: Funnel = Funnel()
    state: str = policy.LinkState.USABLE
    # Visits the eligibility rule turned away through any link of the chain.
    screened_out: int = 0

    @property
    def screened_out_percent(self) -> int | None:
        """Return the screened-out share of the chain's screened visits (None: none yet)."""
        screened = self.screened_out + self.size
        return round(100 * self.screened_out / screened) if self.screened_out else None


@dataclass(frozen=True)
class Recruiter:
    short_code: str
    wave: int | None
    chain: str
    recruits: int
    # The recruiter's id when they are the root of a self-started chain: its tree opens by it.
    root_id: int | None = None


@dataclass(frozen=True)
class Totals:
    responses: int
    attributed: int
    unattributed: int
    seed_links: int
    active_seed_links: int
    chains_started: int
    # Chains whose root came without a link, beside the seed links' chains.
    self_started_chains: int
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
    # Whether the survey has a country-role question: without one there is no country breakdown.
    has_countries: bool = True
    # Completed responses before the chart's first day: its running total starts from them.
    daily_before: int = 0
    # The tally's flagged responses per chain and review (quarantine.flagged_chains shows them).
    flag_chains: dict = field(default_factory=dict)


class _SeedRow(NamedTuple):
    """What the order, the totals and the dormant filter need of a seed link."""

    pk: int
    coupon_limit: int | None
    # Closed by hand or expired.
    closed: bool
    # The link's creation as stamp(): a chain that has not started counts from it.
    created: int


def short_code(code: str) -> str:
    """Return the first symbols of a pseudonymous code, enough to tell recruiters apart."""
    return code[:SHORT_CODE] + "…"


def country_labels(*, survey: Survey) -> dict[str, str]:
    """Return the labels of the country question's options in the active language."""
    question = country_question(survey=survey)
    if question is None:
        return {}
    return {option.code: option.label for option in question.options.all()}


def _country_counts(
    counter: Counter, labels: dict[str, str], last: dict | None = None
) -> list[CountryCount]:
    last = last or {}
    return [
        CountryCount(
            code or "",
            labels.get(code or "", code or _("not answered")),
            count,
            moment_of(last[code]) if last.get(code) else None,
        )
        for code, count in sorted(counter.items(), key=lambda item: (-item[1], item[0] or ""))
        if count
    ]


def _daily(days: Counter, *, window: int | None) -> tuple[list[tuple[date, int]], int]:
    """Return the responses of each day from the first (or the window's first) to the newest,
    and how many came before the first day shown."""
    days = Counter({day: count for day, count in days.items() if count})
    if not days:
        return [], 0
    last = max(days)
    shown = min(window or MAX_CHART_DAYS, MAX_CHART_DAYS)
    first = max(min(days), last - timedelta(days=shown - 1))
    span = (last - first).days + 1
    before = sum(count for day, count in days.items() if day < first)
    return [
        (first + timedelta(days=i), days.get(first + timedelta(days=i), 0)) for i in range(span)
    ], before


def _top_recruiters(tally: Tally) -> list[Recruiter]:
    details = {
        pk: (code, wave, label, self_started)
        for pk, code, wave, label, self_started in Response.objects.filter(
            pk__in=[pk for pk, _n in tally.top]
        ).values_list("pk", "referral_code", "wave", "seed_link__label", "self_started")
    }
    return [
        Recruiter(
            short_code=short_code(details[pk][0]),
            wave=details[pk][1],
            chain=details[pk][2] or "",
            recruits=count,
            root_id=pk if details[pk][3] else None,
        )
        for pk, count in tally.top
        if pk in details
    ]


def _funnel(kinds: dict[str, int] | None) -> Funnel:
    kinds = kinds or {}
    return Funnel(
        opened=kinds.get("opened", 0),
        consented=kinds.get("consented", 0),
        completed=kinds.get("completed", 0),
        screened_out=kinds.get("screened_out", 0),
    )


def _seed_rows(*, survey: Survey, now: datetime) -> list[_SeedRow]:
    """Return every seed link of the survey as a few plain numbers, computed by the database:
    reading a datetime costs more than the rest of the row."""
    return [
        _SeedRow(*row)
        for row in SeedLink.objects.filter(survey=survey)
        .order_by()
        .annotate(
            closed=Case(
                When(Q(is_active=False) | Q(expires_at__lte=now), then=Value(True)),
                default=Value(False),
            ),
            created=Stamp("created_at"),
        )
        .values_list("pk", "coupon_limit", "closed", "created")
    ]


def _link_state(row: _SeedRow, *, used: int) -> policy.LinkState:
    # row.closed is SeedLink.is_expired's test, done by the database: no model instance each.
    return policy.link_state(closed=row.closed, limit=row.coupon_limit, used=used)


@dataclass(frozen=True)
class _Order:
    """Every chain in order, latest activity first, with the counts the totals need."""

    # (since as stamp(), seed link id, dormant), latest first
    keys: list[tuple[int, int, bool]]
    rows: dict[int, _SeedRow]
    started: int
    usable: int
    dormant: int


def _order(rows: list[_SeedRow], tally: Tally, *, quiet_since: datetime) -> _Order:
    """Order the chains by their last completed response, or by their link's creation for a
    chain that has not started, so that new and growing chains lead and dormant ones sink.

    One pass over plain numbers per seed link; no model instance, no datetime."""
    chains = tally.chains
    quiet = stamp(quiet_since)
    keys = []
    started = usable = dormant = 0
    for row in rows:
        counts = chains.get(row.pk)
        if counts is None:
            used, since = 0, row.created
        else:
            started += 1
            used, since = counts[1], counts[3]
        usable += _link_state(row, used=used) is policy.LinkState.USABLE
        quiet_chain = since < quiet
        dormant += quiet_chain
        keys.append((since, row.pk, quiet_chain))
    keys.sort(reverse=True)
    return _Order(
        keys=keys,
        rows={row.pk: row for row in rows},
        started=started,
        usable=usable,
        dormant=dormant,
    )


def _summary(key: tuple[int, int, bool], order: _Order, tally: Tally) -> ChainSummary:
    since, seed_id, dormant = key
    size, used, deepest, last = tally.chains.get(seed_id, (0, 0, None, None))
    return ChainSummary(
        seed_id=seed_id,
        size=size,
        used=used,
        deepest_wave=deepest,
        last_activity=None if last is None else moment_of(last),
        since=moment_of(since),
        dormant=dormant,
        state=_link_state(order.rows[seed_id], used=used),
    )


def _chains(
    survey: Survey, summaries: list[ChainSummary], tally: Tally, labels: dict[str, str]
) -> list[Chain]:
    """Return the full rows of the given chains, in their order."""
    seeds = SeedLink.objects.in_bulk([summary.seed_id for summary in summaries])
    # Only a survey that screens has screened-out visits to look for.
    screening = seeds and survey.eligibility.strip()
    screened = screened_out_by_chain(survey_id=survey.pk, seed_ids=list(seeds)) if screening else {}
    chains = []
    for summary in summaries:
        seed = seeds.get(summary.seed_id)
        if seed is None:  # a link deleted since the summaries were read
            continue
        waves, countries = tally.chain_detail(seed.pk)
        chains.append(
            Chain(
                seed=seed,
                used=summary.used,
                size=summary.size,
                deepest_wave=summary.deepest_wave,
                waves=Counter(waves),
                countries=_country_counts(Counter(countries), labels),
                last_activity=summary.last_activity,
                dormant=summary.dormant,
                funnel=_funnel(tally.funnels.get(seed.code)),
                state=summary.state,
                screened_out=screened.get(seed.pk, 0),
            )
        )
    return chains


def _totals(tally: Tally, order: _Order) -> Totals:
    return Totals(
        responses=tally.responses,
        attributed=tally.responses - tally.unattributed,
        unattributed=tally.unattributed,
        seed_links=len(order.keys),
        active_seed_links=order.usable,
        chains_started=order.started,
        self_started_chains=tally.self_started,
        seeds=tally.waves.get(0, 0),
        deepest_wave=max((wave for wave, count in tally.waves.items() if count), default=None),
        recruiters=tally.recruiters,
        flagged=tally.flagged,
        dormant_chains=order.dormant,
    )


def _by_country(keys: list, tally: Tally, labels: dict[str, str]) -> list:
    """Order chains by the name of the country most of their respondents come from, chains
    without an answered country last; within a country the latest activity stays first."""

    def country_name(key: tuple[int, int, bool]) -> tuple[bool, str]:
        counts = {code: n for code, n in tally.chain_detail(key[1])[1].items() if code and n}
        if not counts:
            return True, ""
        code = min(counts, key=lambda code: (-counts[code], code))
        return False, labels.get(code, code).casefold()

    return sorted(keys, key=country_name)  # stable: the activity order within a country


def _page(keys: list, *, number: int | str | None, per_page: int | None) -> Page:
    # Without a page size every chain asked for is on the one page.
    paginator = Paginator(keys, per_page or max(len(keys), 1))
    return paginator.get_page(number)  # a page out of range or not a number gives a real one


def monitor_figures(
    *,
    survey: Survey,
    dormant_days: int,
    now: datetime | None = None,
    chains_page: int | str | None = 1,
    chains_per_page: int | None = None,
    dormant_only: bool = False,
    chart_days: int | None = None,
    country: str | None = None,
    by_country: bool = False,
) -> Monitor:
    """Return the figures of the recruitment monitor for one survey.

    The totals count every chain; ``chains`` holds page ``chains_page`` of the chains (only the
    dormant ones if ``dormant_only``), ``chains_per_page`` to a page, or all of them. The chart
    covers the survey's whole period, or its last ``chart_days`` days up to the newest response.
    ``by_country`` orders the chains by their largest country's name instead of by activity.
    """
    now = now or timezone.now()
    tally = tally_read(survey=survey, now=now)
    labels = country_labels(survey=survey)
    order = _order(
        _seed_rows(survey=survey, now=now),
        tally,
        quiet_since=now - timedelta(days=dormant_days),
    )
    shown = [key for key in order.keys if key[2]] if dormant_only else order.keys
    if country:
        # Chains with at least one respondent from the country (their details are unpacked).
        shown = [key for key in shown if tally.chain_detail(key[1])[1].get(country)]
    if by_country:
        shown = _by_country(shown, tally, labels)
    page = _page(shown, number=chains_page, per_page=chains_per_page)
    # Only the chains on the page become summaries, and full rows.
    page.object_list = [_summary(key, order, tally) for key in page.object_list]
    daily, daily_before = _daily(tally.days, window=chart_days)

    return Monitor(
        survey=survey,
        dormant_days=dormant_days,
        totals=_totals(tally, order),
        waves=sorted((wave, count) for wave, count in tally.waves.items() if count),
        chains=_chains(survey, page.object_list, tally, labels),
        chains_page=page,
        countries=_country_counts(tally.countries, labels, tally.country_last),
        daily=daily,
        personal_funnel=_funnel(tally.funnels.get("")),
        top_recruiters=_top_recruiters(tally),
        coupon_limit=policy.personal_limit(survey=survey),
        has_countries=country_question(survey=survey) is not None,
        daily_before=daily_before,
        flag_chains=tally.flag_chains,
    )
