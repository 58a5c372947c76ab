"""Responses in bulk for load tests: a snowball forest with the study's marginals.

This is a write path for benchmarks and load tests only, beside the respondent's
``response_submit``: rows are built in numpy-vectorised batches and streamed into PostgreSQL with
``COPY`` (``bulk_create`` on SQLite, for tests). Each row looks like one that ``response_submit``
stores: answers keyed by question code in question order (an option code, a list of option codes
in option order, or an integer), "other" texts only for ticked "other" options, the network size
copied from its question, a fresh 70-bit referral code, unique submission and withdrawal keys,
and recruitment that holds together (the recruiter has a smaller id, the wave is the recruiter's
plus one, the seed link is the chain's root, ``code_used`` is the code that was followed, and no
link brings more recruits than the survey's coupon limit). Funnel events (opened, consented,
completed) are written for every generated respondent, as the real flow writes them.

Who recruits whom comes from ``sampledata.forest``, the answers from ``sampledata.answers``, the
paradata (page seconds, device) and a chosen share of quality flags from ``sampledata.timing``,
and ``sampledata.rows`` writes the batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from sampledata.answers import AnswerMaker
from sampledata.forest import Forest, forest_grow
from sampledata.identifiers import link_codes, random_hashes, random_uuids
from sampledata.rows import Batch, batch_write, tables_analyze
from sampledata.timing import timing_draw
from surveys.models import Response, SeedLink, Survey

LANGUAGE_SHARES: dict[str, float] = {"ru": 0.62, "kk": 0.14, "en": 0.24}
# How many recruits a respondent brings: 0, 1, 2, 3 (mean 1.3, so chains grow but many end).
RECRUIT_SHARES: tuple[float, ...] = (0.30, 0.30, 0.20, 0.20)
# Unlimited seed links bring a few wave-0 respondents each.
WAVE0_PER_SEED = (1, 6)
DEFAULT_SPAN = timedelta(days=60)
# The share of generated respondents flagged too_fast or same_device by default in
# ``generate_responses``: in the range online surveys report for speeders and repeaters.
FLAGGED_SHARE = 0.05


@dataclass(frozen=True)
class BulkForest:
    """Recruitment of n new respondents as arrays: indices into the run, -1 for wave 0."""

    recruiter: np.ndarray
    seed: np.ndarray
    wave: np.ndarray

    @property
    def size(self) -> int:
        return int(self.recruiter.size)


@dataclass(frozen=True)
class GenerateResult:
    """What a run stored."""

    created: int
    first_id: int
    last_id: int
    seed_links: list[SeedLink]
    seconds: float


def default_seed_count(n: int) -> int:
    """Return a plausible number of seed links for n respondents."""
    return max(1, round(n**0.5 / 5))


def bulk_forest_grow(
    *, n: int, seeds: int, coupon_limit: int, rng: np.random.Generator
) -> BulkForest:
    """Grow a recruitment forest of n respondents under the seed links, as arrays."""
    # Drawn up front in one go: a million draws from numpy cost less than a million calls.
    offspring = rng.choice(len(RECRUIT_SHARES), size=n, p=RECRUIT_SHARES).tolist()
    roots = [int(rng.integers(*WAVE0_PER_SEED, endpoint=True)) for _ in range(seeds)]
    extra_roots = rng.integers(0, seeds, size=n).tolist()
    forest: Forest = forest_grow(
        n=n,
        roots_per_seed=roots,
        offspring=lambda index, _wave: offspring[index],
        extra_root=extra_roots.__getitem__,
        coupon_limit=coupon_limit,
    )
    return BulkForest(
        recruiter=np.array(forest.recruiter, dtype=np.int64),
        seed=np.array(forest.seed, dtype=np.int64),
        wave=np.array(forest.wave, dtype=np.int64),
    )


def _timestamps(
    n: int, start: datetime, end: datetime, duration: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return start and submission times, rising with the row (recruits answer later)."""
    span_us = max(int((end - start).total_seconds() * 1e6), n)
    offsets = np.sort(rng.integers(0, span_us, size=n))
    base = np.datetime64(start.astimezone(UTC).replace(tzinfo=None), "us")
    submitted = base + offsets.astype("timedelta64[us]")
    duration_us = (duration * 1e6).astype("timedelta64[us]")
    return submitted - duration_us, submitted


def responses_generate(
    *,
    survey: Survey,
    n: int,
    seeds: int | None = None,
    batch_size: int = 100_000,
    seed: int | None = None,
    span: timedelta = DEFAULT_SPAN,
    progress: Callable[[int, int], None] | None = None,
    flagged_share: float = 0.0,
) -> GenerateResult:
    """Store n generated responses under new seed links of the survey; return what was made.

    ``flagged_share`` of them (about) are flagged too_fast or same_device, with paradata to match.
    """
    if n <= 0:
        raise ValueError("n must be positive")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    seeds = seeds or default_seed_count(n)
    forest = bulk_forest_grow(n=n, seeds=seeds, coupon_limit=survey.coupon_limit, rng=rng)
    links = _seed_links_create(survey=survey, count=seeds)
    referral = link_codes(n)
    link_code = np.array([link.code for link in links])
    code_used = np.where(forest.recruiter >= 0, referral[np.maximum(forest.recruiter, 0)], "")
    code_used = np.where(forest.recruiter < 0, link_code[forest.seed], code_used)
    end = timezone.now()
    timing = timing_draw(
        survey=survey, seed_of_row=forest.seed, flagged_share=flagged_share, rng=rng
    )
    started_at, submitted_at = _timestamps(n, end - span, end, timing.duration_seconds, rng)
    maker = AnswerMaker(survey)
    first_id = _reserve_ids(n)
    link_ids = np.array([link.pk for link in links])
    for offset in range(0, n, batch_size):
        size = min(batch_size, n - offset)
        rows = slice(offset, offset + size)
        answers, other_texts, network = maker.draw(size, rng)
        recruiter = forest.recruiter[rows]
        batch = Batch(
            columns={
                "id": first_id + np.arange(offset, offset + size),
                "survey_id": [survey.pk] * size,
                "submission_key": random_uuids(size),
                "withdraw_token": random_uuids(size),
                "language": rng.choice(
                    list(LANGUAGE_SHARES), size=size, p=list(LANGUAGE_SHARES.values())
                ),
                "started_at": started_at[rows],
                "submitted_at": submitted_at[rows],
                "answers": answers,
                "other_texts": other_texts,
                "network_size": network,
                "referral_code": referral[rows],
                "code_used": code_used[rows],
                "recruiter_id": np.where(recruiter >= 0, first_id + recruiter, -1),
                "seed_link_id": link_ids[forest.seed[rows]],
                "wave": forest.wave[rows],
                "client_hash": random_hashes(size),
                "quality_flags": timing.quality_flags[rows],
                "paradata": timing.paradata[rows],
                "device_class": timing.device_class[rows],
                "device_hash": timing.device_hash[rows],
            },
        )
        batch_write(survey=survey, batch=batch, rng=rng)
        if progress is not None:
            progress(offset + size, n)
    tables_analyze()
    return GenerateResult(
        created=n,
        first_id=first_id,
        last_id=first_id + n - 1,
        seed_links=links,
        seconds=time.perf_counter() - started,
    )


def _seed_links_create(*, survey: Survey, count: int) -> list[SeedLink]:
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M")
    return [
        SeedLink.objects.create(
            survey=survey, label=f"Generated seed {i + 1} ({stamp})", note="generate_responses"
        )
        for i in range(count)
    ]


def _reserve_ids(n: int) -> int:
    """Return the first of n consecutive response ids that no other insert will take."""
    table = Response._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The lock waits for inserts in flight; after setval, new rows get ids past ours.
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            # Identifiers come from the model's metadata and PostgreSQL itself, not from input.
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
            last_value, is_called = cursor.fetchone()
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
            (max_id,) = cursor.fetchone()
            first = max(last_value if is_called else last_value - 1, max_id) + 1
            cursor.execute("SELECT setval(%s, %s, true)", [sequence, first + n - 1])
        else:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
            first = cursor.fetchone()[0] + 1
    return first
