"""Running recruitment counts for the monitor, kept in the cache and brought up to date on read.

Counting a million responses takes seconds; counting the few that arrived since the last look
takes a millisecond. So the monitor keeps a tally per survey in the shared cache (Redis in
production): every count it shows, plus the id up to which responses and link events are in it.
Each read first adds the rows whose ids lie above that mark and that are older than
``SETTLE`` (a transaction that old has committed, so no smaller id can still appear) and stores
the tally; then it adds the newer rows, if there are any, for this page only. Rows inserted in
bulk, with old submission times, get new ids and are counted like any other.

The countries are the answers to the survey's country-role question, if it has one; the tally
is kept apart per country question, so that giving the role to another question recounts.

A withdrawn response cannot be taken back out of a sum it went into without knowing which sums,
so a withdrawal drops the survey's tally (``response_withdrawn`` bumps a generation number in
the cache) and the next read recounts from scratch. If the cache is unreachable every read
recounts, which is slow on a large survey but right.

The flagged responses per chain, by the review they got, are kept too (the monitor's and the
review page's flagged counts). A flag added later or a review changes them for a response
counted already: it bumps a second generation number, and the next read recounts those counts
alone, from the flagged responses (a partial index holds them), not the whole survey.
"""

from __future__ import annotations

import heapq
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.dispatch import receiver
from django.utils import timezone

from recruitment.monitor.stamps import stamp
from surveys.models import LinkEvent, Question, QuestionRole, Response, Review, SeedLink, Survey
from surveys.questionnaire.cache import survey_pages_cached
from surveys.signals import response_flagged, response_reviewed, response_withdrawn

log = logging.getLogger(__name__)

TOP_RECRUITERS = 10
# Rows older than this are counted into the stored tally; younger ones only for the page shown.
SETTLE = timedelta(seconds=60)
# Recruiters whose earlier recruits are looked up in one query.
LOOKUP_CHUNK = 5000
VERSION = 5  # 5: the flagged responses per chain and review


@dataclass
class Tally:
    """Counts of the responses (not withdrawn) and link events with ids up to the marks.

    Stored as the page needs it, so that reading it stays cheap at any size: the survey's
    totals already summed, one tuple of plain numbers per chain (enough for the totals, the
    order and the dormant filter), and each chain's waves and countries packed apart, unpacked
    only for the chains on the page shown.
    """

    responses_done: int = 0
    events_done: int = 0
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
    # The flags generation the flagged counts are current with (see tally_flags_changed).
    flags_generation: int | None = None
    # Details unpacked to be added to, packed again by pack(); never stored unpacked.
    _unpacked: dict[int, tuple[dict, dict]] = field(default_factory=dict, repr=False)

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


def _keys(survey: Survey, country: str | None = None) -> tuple[str, str]:
    # The creation time tells apart surveys that reuse an id (a restored database, tests).
    stamp = int(survey.created_at.timestamp() * 1_000_000)
    base = f"surveys:monitor-tally:v{VERSION}:{survey.pk}:{stamp}"
    # One generation for the survey, whatever its country question: a withdrawal drops all.
    return f"{base}:tally:{country or ''}", f"{base}:generation"


def _flags_key(survey: Survey) -> str:
    return _keys(survey)[1].removesuffix(":generation") + ":flags-generation"


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


def _flags_recount(tally: Tally, survey: Survey, upto: int) -> None:
    """Count again the flagged responses with ids up to ``upto``, per chain and review."""
    tally.flag_chains, tally.flagged = {}, 0
    for seed_id, *counts in (
        _responses(survey)
        .filter(_FLAGGED, pk__lte=upto)
        .order_by()
        .values("seed_link_id")
        .annotate(**_flag_counts())
        .values_list("seed_link_id", "flagged", "pending", "accepted", "excluded")
    ):
        tally.flags_add(seed_id, tuple(counts))


def _add_responses(
    tally: Tally, survey: Survey, country: str | None, after: int, upto: int | None
) -> None:
    """Add the responses with ids in (after, upto] (no upper bound when upto is None), with
    their countries the answers to question ``country`` (none counted when it is None)."""
    rows = _responses(survey).filter(pk__gt=after)
    if upto is not None:
        rows = rows.filter(pk__lte=upto)
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
    added = dict(
        rows.filter(recruiter__isnull=False, recruiter__withdrawn_at__isnull=True)
        .values("recruiter_id")
        .annotate(n=Count("id"))
        .values_list("recruiter_id", "n")
    )
    _add_recruits(tally, survey, added, before=after)


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


def _add_recruits(tally: Tally, survey: Survey, added: dict[int, int], *, before: int) -> None:
    """Count new recruits per recruiter; ``before`` is the mark up to which they were counted."""
    earlier: dict[int, int] = {}
    if before and added:
        ids = list(added)
        for start in range(0, len(ids), LOOKUP_CHUNK):
            earlier.update(
                _responses(survey)
                .filter(
                    pk__lte=before,
                    recruiter_id__in=ids[start : start + LOOKUP_CHUNK],
                    recruiter__withdrawn_at__isnull=True,
                )
                .values("recruiter_id")
                .annotate(n=Count("id"))
                .values_list("recruiter_id", "n")
            )
    totals = dict(tally.top)
    for recruiter_id, count in added.items():
        had = earlier.get(recruiter_id, 0)
        if had == 0:
            tally.recruiters += 1
        totals[recruiter_id] = had + count
    # Counts only grow, so whoever is not in the old top and got nobody new stays out of it.
    tally.top = heapq.nsmallest(
        TOP_RECRUITERS, totals.items(), key=lambda item: (-item[1], item[0])
    )


def _add_events(tally: Tally, survey: Survey, after: int, upto: int | None) -> None:
    """Add the link events with ids in (after, upto], per seed link and for personal links."""
    events = LinkEvent.objects.filter(survey=survey, pk__gt=after)
    if upto is not None:
        events = events.filter(pk__lte=upto)
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


def _settled_mark(
    rows: QuerySet, done: int, moment: str, cutoff: datetime
) -> tuple[int, bool, bool]:
    """Return the highest id below which every row above ``done`` is older than the cutoff,
    whether any row lies between ``done`` and that id, and whether any lies above it."""
    bounds = rows.filter(pk__gt=done).aggregate(
        first=Min("id"), young=Min("id", filter=Q(**{f"{moment}__gte": cutoff})), last=Max("id")
    )
    if bounds["first"] is None:
        return done, False, False
    if bounds["young"] is None:
        return bounds["last"], True, False
    mark = bounds["young"] - 1
    return mark, bounds["first"] <= mark, True


def _generation(key: str) -> int:
    generation = cache.get(key)
    if generation is None:
        cache.add(key, 0, timeout=None)
        generation = cache.get(key)
    return generation


def _stored(survey: Survey, country: str | None) -> tuple[Tally, int | None, int | None]:
    """Return the stored tally (or a new one), its generation and the flags generation."""
    tally_key, generation_key = _keys(survey, country)
    try:
        # Read before the rows: a change committed after this is seen by the next read.
        generation, flags = _generation(generation_key), _generation(_flags_key(survey))
        stored = cache.get(tally_key)
    except Exception:
        log.warning("monitor tally cache unreachable; counting from scratch", exc_info=True)
        return Tally(), None, None
    if stored is not None and stored[0] == generation:
        return stored[1], generation, flags
    return Tally(flags_generation=flags), generation, flags


def tally_read(*, survey: Survey, now: datetime | None = None) -> Tally:
    """Return the survey's counts up to this moment, storing the settled part for next time."""
    cutoff = (now or timezone.now()) - SETTLE
    question = country_question(survey=survey)
    country = None if question is None else question.code
    tally, generation, flags_generation = _stored(survey, country)
    flags_stale = flags_generation is None or tally.flags_generation != flags_generation
    if flags_stale and tally.responses_done:
        _flags_recount(tally, survey, tally.responses_done)
    tally.flags_generation = flags_generation
    responses_mark, new_responses, young_responses = _settled_mark(
        Response.objects.filter(survey=survey), tally.responses_done, "submitted_at", cutoff
    )
    events_mark, new_events, young_events = _settled_mark(
        LinkEvent.objects.filter(survey=survey), tally.events_done, "created_at", cutoff
    )
    moved = responses_mark > tally.responses_done or events_mark > tally.events_done
    if moved or flags_stale:
        if new_responses:
            _add_responses(tally, survey, country, tally.responses_done, responses_mark)
        if new_events:
            _add_events(tally, survey, tally.events_done, events_mark)
        tally.responses_done, tally.events_done = responses_mark, events_mark
        if generation is not None:
            try:
                cache.set(_keys(survey, country)[0], (generation, tally), timeout=None)
            except Exception:
                log.warning("monitor tally cache unreachable; not stored", exc_info=True)
    # This tally was read from the cache for this call alone and what is stored was pickled
    # already: the rows too young to store are added to it in place, no copy needed.
    if young_responses:
        _add_responses(tally, survey, country, tally.responses_done, None)
    if young_events:
        _add_events(tally, survey, tally.events_done, None)
    return tally


def tally_forget(*, survey: Survey) -> None:
    """Make the next read count the survey from scratch."""
    generation_key = _keys(survey)[1]
    try:
        if not cache.add(generation_key, 1, timeout=None):
            cache.incr(generation_key)
    except Exception:
        log.warning("monitor tally cache unreachable; cannot drop the tally", exc_info=True)


@receiver(response_withdrawn)
def on_response_withdrawn_forget_tally(sender: type, response: Response, **kwargs: Any) -> None:
    """Receive surveys.signals.response_withdrawn: drop the survey's tally, to be recounted."""
    tally_forget(survey=response.survey)


def tally_flags_changed(*, survey: Survey) -> None:
    """Make the next read count the survey's flagged responses again (the rest stays)."""
    key = _flags_key(survey)
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except Exception:
        log.warning(
            "monitor tally cache unreachable; cannot drop the flagged counts", exc_info=True
        )


@receiver(response_flagged)
@receiver(response_reviewed)
def on_response_flagged_or_reviewed_recount_flags(
    sender: type, response: Response, **kwargs: Any
) -> None:
    """Receive surveys.signals.response_flagged and response_reviewed: the flagged counts of a
    response counted already changed; have them recounted."""
    tally_flags_changed(survey=response.survey)
