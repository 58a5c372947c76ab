"""Running recruitment counts for the monitor, kept in the cache and brought up to date on read.

Counting a million responses takes seconds; counting the few that arrived since the last look
takes a millisecond. So the monitor keeps a tally per survey in the shared cache (Redis in
production): every count it shows, plus its cursors in the change feed (surveys.changefeed)
for the responses and in the link events. Each read adds what the feed hands out since, late
commits included, and stores the tally again. Rows inserted in bulk, with old submission
times, get new ids and are counted like any other.

The countries are the answers to the survey's country-role question, if it has one; the tally
is kept apart per country question, so that giving the role to another question recounts.

A withdrawn response cannot be taken back out of a sum it went into without knowing which sums,
so when the feed reports the withdrawal of a response counted already, the read recounts from
scratch. A flag added later or a review changes only the flagged responses per chain, by the
review they got (the monitor's and the review page's flagged counts): those alone are counted
again, from the flagged responses (a partial index holds them). If the cache is unreachable
every read recounts, which is slow on a large survey but right.
"""

from __future__ import annotations

import heapq
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import timezone

from recruitment.monitor.stamps import stamp
from surveys.changefeed.cursor import FeedCursor, SequenceCursor
from surveys.changefeed.feed import IdSet, changes_since, sequence_read
from surveys.models import LinkEvent, Question, QuestionRole, Response, Review, SeedLink, Survey
from surveys.questionnaire.cache import survey_pages_cached

log = logging.getLogger(__name__)

TOP_RECRUITERS = 10
VERSION = 6  # 6: the change feed's cursors instead of marks and generations


@dataclass
class Tally:
    """Counts of the responses (not withdrawn) and link events that the cursors have read.

    Stored as the page needs it, so that reading it stays cheap at any size: the survey's
    totals already summed, one tuple of plain numbers per chain (enough for the totals, the
    order and the dormant filter), and each chain's waves and countries packed apart, unpacked
    only for the chains on the page shown.
    """

    cursor: FeedCursor = field(default_factory=FeedCursor)
    events: SequenceCursor = field(default_factory=SequenceCursor)
    responses: int = 0
    # Answered without any link (no seed link, no recruiter).
    unattributed: int = 0
    # Of those, the wave-0 roots of chains of their own (all of them but rows older than roots).
    self_started: int = 0
    flagged: int = 0
    # Wave -> responses through a link; country code or None -> responses; day -> responses.
    waves: Counter = field(default_factory=Counter)
    countries: Counter = field(default_factory=Counter)
    # Country code or None -> the last completion from it, as stamp()
    country_last: dict = field(default_factory=dict)
    days: Counter = field(default_factory=Counter)
    # Respondents with at least one recruit, and the ones with most: [(response id, recruits)]
    recruiters: int = 0
    top: list[tuple[int, int]] = field(default_factory=list)
    # Seed link id -> (responses, wave-0 responses, deepest wave, last submitted_at as stamp())
    chains: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    # Seed link id -> JSON of [[wave, responses], ...] and [[country code or None, responses], ...]
    chain_details: dict[int, str] = field(default_factory=dict)
    # Seed link code, or "" for all personal links together -> kind -> events
    funnels: dict[str, dict[str, int]] = field(default_factory=dict)
    # Seed link id (None: no seed link) -> flagged responses: (all, pending, accepted, excluded)
    flag_chains: dict[int | None, tuple[int, int, int, int]] = field(default_factory=dict)
    # Details unpacked to be added to, packed again by pack(); never stored unpacked.
    _unpacked: dict[int, tuple[dict, dict]] = field(default_factory=dict, repr=False)

    @property
    def responses_done(self) -> int:
        """Return the id up to which responses were read (but the feed's gaps)."""
        return self.cursor.responses.watermark

    def chain_detail(self, seed_id: int) -> tuple[dict[int, int], dict[str | None, int]]:
        """Return one chain's responses per wave and per country."""
        unpacked = self._unpacked.get(seed_id)
        if unpacked is not None:
            return unpacked
        packed = self.chain_details.get(seed_id)
        if not packed:
            return {}, {}
        waves, countries = json.loads(packed)
        return dict(waves), dict(countries)

    def _detail_to_add_to(self, seed_id: int) -> tuple[dict[int, int], dict[str | None, int]]:
        unpacked = self._unpacked.get(seed_id)
        if unpacked is None:
            unpacked = self._unpacked[seed_id] = self.chain_detail(seed_id)
        return unpacked

    def flags_add(self, seed_id: int | None, counts: tuple[int, int, int, int]) -> None:
        """Add flagged responses of one chain: (all, pending, accepted, excluded)."""
        if not counts[0]:
            return
        had = self.flag_chains.get(seed_id, (0, 0, 0, 0))
        self.flag_chains[seed_id] = tuple(a + b for a, b in zip(had, counts, strict=True))
        self.flagged += counts[0]

    def pack(self) -> None:
        """Pack the chain details added to since the last call."""
        for seed_id, detail in self._unpacked.items():
            waves, countries = detail
            self.chain_details[seed_id] = json.dumps(
                [list(waves.items()), list(countries.items())], separators=(",", ":")
            )
        self._unpacked.clear()

    def __getstate__(self) -> dict[str, Any]:
        self.pack()  # whatever was added is stored packed
        return self.__dict__


def country_question(*, survey: Survey) -> Question | None:
    """Return the question telling where a respondent lives, with its options, or None.

    Read from the process's questionnaire cache: no query once the questionnaire is held.
    """
    for page in survey_pages_cached(survey=survey):
        for question in page.questions.all():
            if question.role == QuestionRole.COUNTRY:
                return question
    return None


def _key(survey: Survey, country: str | None) -> str:
    # The creation time tells apart surveys that reuse an id (a restored database, tests).
    created = int(survey.created_at.timestamp() * 1_000_000)
    return f"surveys:monitor-tally:v{VERSION}:{survey.pk}:{created}:tally:{country or ''}"


def _responses(survey: Survey) -> QuerySet[Response]:
    return Response.objects.filter(survey=survey, withdrawn_at__isnull=True)


_FLAGGED = ~Q(quality_flags=[])


def _flag_counts() -> dict[str, Count]:
    """Return the counts of flagged rows by review, as aggregates: all, pending, accepted,
    excluded (the review page's states)."""
    return {
        "flagged": Count("id", filter=_FLAGGED),
        "pending": Count("id", filter=_FLAGGED & Q(review=Review.NONE)),
        "accepted": Count("id", filter=_FLAGGED & Q(review=Review.ACCEPTED)),
        "excluded": Count("id", filter=_FLAGGED & Q(review=Review.EXCLUDED)),
    }


def _flags_recount(tally: Tally, survey: Survey, counted: SequenceCursor) -> None:
    """Count again the flagged responses among those the cursor has read, per chain and review."""
    tally.flag_chains, tally.flagged = {}, 0
    for seed_id, *counts in (
        _responses(survey)
        .filter(_FLAGGED, counted.delivered_q())
        .order_by()
        .values("seed_link_id")
        .annotate(**_flag_counts())
        .values_list("seed_link_id", "flagged", "pending", "accepted", "excluded")
    ):
        tally.flags_add(seed_id, tuple(counts))


def _add_responses(
    tally: Tally, survey: Survey, country: str | None, ids: IdSet, before: SequenceCursor
) -> None:
    """Add the responses with the ids handed out, ``before`` the cursor they were read after,
    with their countries the answers to question ``country`` (none counted when it is None)."""
    rows = _responses(survey).filter(ids.q())
    for seed_id, wave, count, last, *flags in (
        rows.values("seed_link_id", "wave")
        .annotate(n=Count("id"), last=Max("submitted_at"), **_flag_counts())
        .values_list(
            "seed_link_id", "wave", "n", "last", "flagged", "pending", "accepted", "excluded"
        )
    ):
        tally.responses += count
        tally.flags_add(seed_id, tuple(flags))
        if wave is None:  # stored before link-less respondents became roots: outside chains
            tally.unattributed += count
            continue
        tally.waves[wave] += count
        if seed_id is None:  # a self-started chain: it has no seed link's row
            if wave == 0:  # its root, who came without a link
                tally.unattributed += count
                tally.self_started += count
            continue
        size, used, deepest, latest = tally.chains.get(seed_id, (0, 0, wave, 0))
        tally.chains[seed_id] = (
            size + count,
            used + count if wave == 0 else used,
            max(deepest, wave),
            max(latest, stamp(last)),
        )
        per_wave = tally._detail_to_add_to(seed_id)[0]
        per_wave[wave] = per_wave.get(wave, 0) + count
    if country is not None:
        _add_countries(tally, rows, country)
    for day, count in (
        rows.annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    ):
        tally.days[day] += count
    # The new recruits and those counted before, per recruiter of a new row, in one query.
    recruiters = rows.filter(recruiter__isnull=False).values("recruiter_id")
    recruits = (
        _responses(survey)
        .filter(recruiter_id__in=recruiters, recruiter__withdrawn_at__isnull=True)
        .values("recruiter_id")
        .annotate(new=Count("id", filter=ids.q()), earlier=Count("id", filter=before.delivered_q()))
        .values_list("recruiter_id", "new", "earlier")
    )
    _add_recruits(tally, {recruiter: (new, earlier) for recruiter, new, earlier in recruits if new})


def _add_countries(tally: Tally, rows: QuerySet[Response], country: str) -> None:
    """Add the rows' answers to question ``country``, per survey and per chain."""
    for seed_id, answer, count, last in (
        rows.annotate(country=KT(f"answers__{country}"))
        .values("seed_link_id", "country")
        .annotate(n=Count("id"), last=Max("submitted_at"))
        .values_list("seed_link_id", "country", "n", "last")
    ):
        tally.countries[answer] += count
        tally.country_last[answer] = max(tally.country_last.get(answer, 0), stamp(last))
        if seed_id is not None:
            per_country = tally._detail_to_add_to(seed_id)[1]
            per_country[answer] = per_country.get(answer, 0) + count


def _add_recruits(tally: Tally, recruits: dict[int, tuple[int, int]]) -> None:
    """Count new recruits per recruiter, given as (new recruits, recruits counted before)."""
    totals = dict(tally.top)
    for recruiter_id, (count, had) in recruits.items():
        if had == 0:
            tally.recruiters += 1
        totals[recruiter_id] = had + count
    # Counts only grow, so whoever is not in the old top and got nobody new stays out of it.
    tally.top = heapq.nsmallest(
        TOP_RECRUITERS, totals.items(), key=lambda item: (-item[1], item[0])
    )


def _add_events(tally: Tally, survey: Survey, ids: IdSet) -> None:
    """Add the link events with the ids handed out, per seed link and for personal links."""
    events = LinkEvent.objects.filter(ids.q(), survey=survey)
    seed_codes = SeedLink.objects.filter(survey=survey).values("code")
    for link, kind, count in (
        events.annotate(
            link=Case(
                When(code__in=seed_codes, then=F("code")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .values("link", "kind")
        .annotate(n=Count("id"))
        .values_list("link", "kind", "n")
    ):
        kinds = tally.funnels.setdefault(link, {})
        kinds[kind] = kinds.get(kind, 0) + count


def _stored(survey: Survey, country: str | None) -> tuple[Tally, bool]:
    """Return the stored tally (or a new one) and whether the cache can store it again."""
    try:
        stored = cache.get(_key(survey, country))
    except Exception:
        log.warning("monitor tally cache unreachable; counting from scratch", exc_info=True)
        return Tally(), False
    return (stored if isinstance(stored, Tally) else Tally()), True


def tally_read(*, survey: Survey, now: datetime | None = None) -> Tally:
    """Return the survey's counts up to this moment, storing them for next time."""
    now = now or timezone.now()
    question = country_question(survey=survey)
    country = None if question is None else question.code
    tally, storable = _stored(survey, country)
    changes = changes_since(survey_id=survey.pk, cursor=tally.cursor, now=now)
    if changes.withdrawals:
        # A withdrawn respondent leaves sums (recruiters, the top ten) that cannot be undone.
        tally = Tally()
        changes = changes_since(survey_id=survey.pk, cursor=None, now=now)
    elif changes.changed:
        _flags_recount(tally, survey, tally.cursor.responses)
    events = sequence_read(model=LinkEvent, survey_id=survey.pk, cursor=tally.events, now=now)
    if not changes.added.empty:
        _add_responses(tally, survey, country, changes.added, tally.cursor.responses)
    if not events.ids.empty:
        _add_events(tally, survey, events.ids)
    moved = changes.cursor != tally.cursor or events.cursor != tally.events
    tally.cursor, tally.events = changes.cursor, events.cursor
    if moved and storable:
        try:
            cache.set(_key(survey, country), tally, timeout=None)
        except Exception:
            log.warning("monitor tally cache unreachable; not stored", exc_info=True)
    return tally
