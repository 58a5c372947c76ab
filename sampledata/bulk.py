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
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import numpy as np
from django.db import connection, models, transaction
from django.utils import timezone

from sampledata.study import MULTIPLE_CHOICE, STUDY_SHARES
from surveys.links.codes import ALPHABET, CODE_LENGTH
from surveys.models import LinkEvent, QuestionKind, QuestionRole, Response, SeedLink, Survey

SINGLE_SHARES: dict[str, dict[str, float]] = {
    code: shares for code, shares in STUDY_SHARES.items() if code not in MULTIPLE_CHOICE
}
# At a million respondents a few come from the other SCO members too, as in real recruitment.
SINGLE_SHARES["country"] = {
    **{code: share * 0.96 for code, share in STUDY_SHARES["country"].items()},
    "in": 1.5,
    "pk": 1.5,
    "other": 1.0,
}
MULTIPLE_SHARES: dict[str, dict[str, float]] = {
    code: STUDY_SHARES[code] for code in MULTIPLE_CHOICE
}
OTHER_TEXTS: tuple[str, ...] = ("Signal", "LinkedIn", "Mongolia", "Другое", "Басқа", "Reddit")
LANGUAGE_SHARES: dict[str, float] = {"ru": 0.62, "kk": 0.14, "en": 0.24}
# How many recruits a respondent brings: 0, 1, 2, 3 (mean 1.3, so chains grow but many end).
RECRUIT_SHARES: tuple[float, ...] = (0.30, 0.30, 0.20, 0.20)
# Unlimited seed links bring a few wave-0 respondents each.
WAVE0_PER_SEED = (1, 6)
NETWORK_MEDIAN, NETWORK_SIGMA = 30.0, 1.1
DURATION_MEDIAN_SECONDS, DURATION_SIGMA = 420.0, 0.6
DEFAULT_SPAN = timedelta(days=60)
# Share of visitors who open a link but do not consent, and who consent but never submit.
OPENED_ONLY, CONSENTED_ONLY = 0.45, 0.15

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class Forest:
    """Recruitment of n new respondents: indices into the run, -1 for wave 0."""

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


def forest_grow(*, n: int, seeds: int, coupon_limit: int, rng: np.random.Generator) -> Forest:
    """Grow a recruitment forest breadth-first under the seed links, respecting coupon limits."""
    recruiter = np.full(n, -1, dtype=np.int64)
    seed = np.zeros(n, dtype=np.int64)
    wave = np.zeros(n, dtype=np.int64)
    offspring = rng.choice(len(RECRUIT_SHARES), size=n, p=RECRUIT_SHARES)
    if coupon_limit > 0:
        offspring = np.minimum(offspring, coupon_limit)
    # Plain lists: a million scalar writes are much faster than into numpy arrays.
    recruiter_list, seed_list, wave_list = recruiter.tolist(), seed.tolist(), wave.tolist()
    offspring_list = offspring.tolist()
    queue: deque[int] = deque()
    size = 0
    for link in range(seeds):
        for _ in range(int(rng.integers(*WAVE0_PER_SEED, endpoint=True))):
            if size < n:
                seed_list[size] = link
                queue.append(size)
                size += 1
    extra_roots = rng.integers(0, seeds, size=n).tolist()
    while size < n:
        if not queue:
            # Every chain has ended: a seed link brings one more wave-0 respondent.
            seed_list[size] = extra_roots[size]
            queue.append(size)
            size += 1
            continue
        parent = queue.popleft()
        for _ in range(offspring_list[parent]):
            if size == n:
                break
            recruiter_list[size] = parent
            seed_list[size] = seed_list[parent]
            wave_list[size] = wave_list[parent] + 1
            queue.append(size)
            size += 1
    return Forest(
        recruiter=np.array(recruiter_list, dtype=np.int64),
        seed=np.array(seed_list, dtype=np.int64),
        wave=np.array(wave_list, dtype=np.int64),
    )


def link_codes(n: int) -> np.ndarray:
    """Return n fresh 70-bit link codes (as ``new_link_code`` makes them), vectorised."""
    alphabet = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
    # 256 is a multiple of 32: the low five bits of a random byte are uniform.
    symbols = np.frombuffer(os.urandom(n * CODE_LENGTH), dtype=np.uint8) & 31
    return alphabet[symbols].view(f"S{CODE_LENGTH}").ravel().astype(f"U{CODE_LENGTH}")


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex(raw: np.ndarray) -> np.ndarray:
    """Return the rows of a (n, k) byte array as (n, 2k) ASCII hex digits."""
    out = np.empty((raw.shape[0], raw.shape[1] * 2), dtype=np.uint8)
    out[:, 0::2] = _HEX[raw >> 4]
    out[:, 1::2] = _HEX[raw & 15]
    return out


def random_uuids(n: int) -> np.ndarray:
    """Return n random (version 4) UUIDs in canonical text form, vectorised."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = _hex(raw)
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    for start, end, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        text[:, at : at + end - start] = digits[:, start:end]
    return text.view("S36").ravel().astype("U36")


def random_hashes(n: int) -> np.ndarray:
    """Return n client hashes shaped like ``surveys.privacy.client_hash`` (32 hex digits)."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16)
    return _hex(raw).view("S32").ravel().astype("U32")


def _probabilities(shares: dict[str, float], codes: list[str]) -> np.ndarray:
    weights = np.array([shares.get(code, 0.0) for code in codes], dtype=float)
    if weights.sum() <= 0:
        weights = np.ones(len(codes))
    return weights / weights.sum()


@dataclass(frozen=True)
class _Question:
    code: str
    kind: str
    options: list[str]
    other: str | None
    low: int
    high: int
    role: str


def _questions(survey: Survey) -> list[_Question]:
    questions = []
    for page in survey.ordered_pages():
        for question in page.questions.all():
            options = list(question.options.all())
            other = next((o.code for o in options if o.is_other), None)
            questions.append(
                _Question(
                    code=question.code,
                    kind=question.kind,
                    options=[o.code for o in options],
                    other=other,
                    low=question.min_value if question.min_value is not None else 0,
                    high=question.max_value if question.max_value is not None else 5000,
                    role=question.role,
                )
            )
    return questions


class AnswerMaker:
    """Draw answers with the study's marginals and render them as the JSON the ORM stores."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.questions = _questions(survey)
        self._multiple_cache: dict[tuple[str, int], str] = {}

    def _single_fragments(self, question: _Question) -> np.ndarray:
        return np.array(
            [f"{json.dumps(question.code)}: {json.dumps(code)}" for code in question.options],
            dtype=object,
        )

    def _multiple_fragment(self, question: _Question, mask: int) -> str:
        key = (question.code, mask)
        fragment = self._multiple_cache.get(key)
        if fragment is None:
            chosen = [code for bit, code in enumerate(question.options) if mask >> bit & 1]
            fragment = f"{json.dumps(question.code)}: {json.dumps(chosen)}"
            self._multiple_cache[key] = fragment
        return fragment

    def draw(self, n: int, rng: np.random.Generator) -> tuple[list[str], list[str], np.ndarray]:
        """Return n answers and "other" texts as JSON text, and the network sizes."""
        columns: list[Any] = []
        others: list[tuple[str, np.ndarray]] = []
        network = np.full(n, -1, dtype=np.int64)
        for question in self.questions:
            if question.kind == QuestionKind.SINGLE:
                p = _probabilities(SINGLE_SHARES.get(question.code, {}), question.options)
                picked = rng.choice(len(question.options), size=n, p=p)
                columns.append(self._single_fragments(question)[picked])
                if question.other is not None:
                    others.append((question.code, picked == question.options.index(question.other)))
            elif question.kind == QuestionKind.MULTIPLE:
                rates = _multiple_rates(MULTIPLE_SHARES.get(question.code, {}), question.options)
                p = rates / rates.sum()
                ticked = rng.random((n, len(rates))) < rates
                # A required question: whoever ticked nothing ticks one, by relative share.
                empty = ~ticked.any(axis=1)
                ticked[empty, rng.choice(len(p), size=int(empty.sum()), p=p)] = True
                masks = ticked.astype(np.int64) @ (1 << np.arange(len(p), dtype=np.int64))
                columns.append(
                    np.array([self._multiple_fragment(question, m) for m in masks.tolist()])
                )
                if question.other is not None:
                    others.append(
                        (question.code, ticked[:, question.options.index(question.other)])
                    )
            elif question.kind == QuestionKind.INTEGER:
                values = np.rint(rng.lognormal(np.log(NETWORK_MEDIAN), NETWORK_SIGMA, size=n))
                values = np.clip(values, question.low, question.high).astype(np.int64)
                if question.role == QuestionRole.NETWORK_SIZE:
                    network = values
                columns.append(
                    np.array([f"{json.dumps(question.code)}: {v}" for v in values.tolist()])
                )
            else:
                words = np.array(
                    [f"{json.dumps(question.code)}: {json.dumps(t)}" for t in OTHER_TEXTS]
                )
                columns.append(words[rng.integers(0, len(OTHER_TEXTS), size=n)])
        answers = ["{" + ", ".join(parts) + "}" for parts in zip(*columns, strict=True)]
        other_texts = self._other_texts(n, others, rng)
        return answers, other_texts, network

    def _other_texts(
        self, n: int, others: list[tuple[str, np.ndarray]], rng: np.random.Generator
    ) -> list[str]:
        texts = [[] for _ in range(n)]  # type: list[list[str]]
        for code, ticked in others:
            picks = rng.integers(0, len(OTHER_TEXTS), size=n)
            for row in np.flatnonzero(ticked).tolist():
                texts[row].append(
                    f"{json.dumps(code)}: {json.dumps(OTHER_TEXTS[picks[row]], ensure_ascii=False)}"
                )
        return ["{" + ", ".join(parts) + "}" for parts in texts]


def _multiple_rates(shares: dict[str, float], codes: list[str]) -> np.ndarray:
    return np.array([shares.get(code, 10.0) / 100.0 for code in codes], dtype=float)


def _timestamps(
    n: int, start: datetime, end: datetime, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return submission times rising with the row (recruits answer after their recruiter)."""
    span_us = max(int((end - start).total_seconds() * 1e6), n)
    offsets = np.sort(rng.integers(0, span_us, size=n))
    base = np.datetime64(start.astimezone(UTC).replace(tzinfo=None), "us")
    submitted = base + offsets.astype("timedelta64[us]")
    duration = rng.lognormal(np.log(DURATION_MEDIAN_SECONDS), DURATION_SIGMA, size=n)
    duration_us = (np.clip(duration, 60, 7200) * 1e6).astype("timedelta64[us]")
    return submitted - duration_us, submitted


def _iso(values: np.ndarray) -> np.ndarray:
    return np.char.add(np.datetime_as_string(values, unit="us"), "+00:00")


@dataclass
class _Batch:
    """The column values of one batch, in the order of ``Response`` fields."""

    ids: np.ndarray
    columns: dict[str, Any]


def responses_generate(
    *,
    survey: Survey,
    n: int,
    seeds: int | None = None,
    batch_size: int = 100_000,
    seed: int | None = None,
    span: timedelta = DEFAULT_SPAN,
    progress: Callable[[int, int], None] | None = None,
) -> GenerateResult:
    """Store n generated responses under new seed links of the survey; return what was made."""
    if n <= 0:
        raise ValueError("n must be positive")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    seeds = seeds or default_seed_count(n)
    forest = forest_grow(n=n, seeds=seeds, coupon_limit=survey.coupon_limit, rng=rng)
    links = _seed_links_create(survey=survey, count=seeds)
    referral = link_codes(n)
    link_code = np.array([link.code for link in links])
    code_used = np.where(forest.recruiter >= 0, referral[np.maximum(forest.recruiter, 0)], "")
    code_used = np.where(forest.recruiter < 0, link_code[forest.seed], code_used)
    end = timezone.now()
    started_at, submitted_at = _timestamps(n, end - span, end, rng)
    maker = AnswerMaker(survey)
    first_id = _reserve_ids(n)
    postgres = connection.vendor == "postgresql"
    for offset in range(0, n, batch_size):
        size = min(batch_size, n - offset)
        rows = slice(offset, offset + size)
        answers, other_texts, network = maker.draw(size, rng)
        recruiter = forest.recruiter[rows]
        batch = _Batch(
            ids=first_id + np.arange(offset, offset + size),
            columns={
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
                "recruiter": np.where(recruiter >= 0, first_id + recruiter, -1),
                "seed_link": np.array([link.pk for link in links])[forest.seed[rows]],
                "wave": forest.wave[rows],
                "client_hash": random_hashes(size),
            },
        )
        with transaction.atomic():
            if postgres:
                _copy_responses(survey, batch)
                _copy_events(survey, batch, rng)
            else:
                _create_responses(survey, batch)
                _create_events(survey, batch, rng)
        if progress is not None:
            progress(offset + size, n)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE surveys_response")
            cursor.execute("ANALYZE surveys_linkevent")
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


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _extra_fields(known: set[str]) -> list[tuple[models.Field, str]]:
    """Return the other columns of ``Response`` with their default, so that new fields fit."""
    extra = []
    for field in Response._meta.concrete_fields:
        if field.primary_key or field.name in known or field.attname in known:
            continue
        if not field.has_default() and not field.null:
            raise RuntimeError(f"surveys.bulk does not know how to fill Response.{field.name}")
        default = field.get_default() if field.has_default() else None
        extra.append((field, _copy_value(default)))
    return extra


KNOWN_FIELDS = {
    "survey",
    "submission_key",
    "withdraw_token",
    "language",
    "started_at",
    "submitted_at",
    "answers",
    "other_texts",
    "network_size",
    "referral_code",
    "code_used",
    "recruiter",
    "seed_link",
    "wave",
    "client_hash",
}


def _copy_lines(survey: Survey, batch: _Batch) -> Iterator[str]:
    c = batch.columns
    started = _iso(c["started_at"]).tolist()
    submitted = _iso(c["submitted_at"]).tolist()
    network = ["\\N" if v < 0 else str(v) for v in c["network_size"].tolist()]
    recruiter = ["\\N" if v < 0 else str(v) for v in c["recruiter"].tolist()]
    tail = "\t".join(value for _, value in _extra_fields(KNOWN_FIELDS))
    survey_id = str(survey.pk)
    for row in zip(
        batch.ids.tolist(),
        c["submission_key"].tolist(),
        c["withdraw_token"].tolist(),
        c["language"].tolist(),
        started,
        submitted,
        c["answers"],
        c["other_texts"],
        network,
        c["referral_code"].tolist(),
        c["code_used"].tolist(),
        recruiter,
        c["seed_link"].tolist(),
        c["wave"].tolist(),
        c["client_hash"].tolist(),
        strict=True,
    ):
        (pk, key, token, language, start, submit, answers, others, size, code, used, rec,
         link, wave, client) = row  # fmt: skip
        line = (
            f"{pk}\t{survey_id}\t{key}\t{token}\t{language}\t{start}\t{submit}\t"
            f"{answers.translate(_COPY_ESCAPES)}\t{others.translate(_COPY_ESCAPES)}\t{size}\t"
            f"{code}\t{used}\t{rec}\t{link}\t{wave}\t{client}"
        )
        yield (line + "\t" + tail if tail else line) + "\n"


def _copy_responses(survey: Survey, batch: _Batch) -> None:
    fields = [
        "id",
        "survey_id",
        "submission_key",
        "withdraw_token",
        "language",
        "started_at",
        "submitted_at",
        "answers",
        "other_texts",
        "network_size",
        "referral_code",
        "code_used",
        "recruiter_id",
        "seed_link_id",
        "wave",
        "client_hash",
    ]
    fields += [field.column for field, _ in _extra_fields(KNOWN_FIELDS)]
    columns = ", ".join(f'"{name}"' for name in fields)
    table = Response._meta.db_table
    _copy(f'COPY "{table}" ({columns}) FROM STDIN', _copy_lines(survey, batch))


def _copy(statement: str, lines: Iterator[str]) -> None:
    buffer = StringIO()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for count, line in enumerate(lines, 1):
            buffer.write(line)
            if count % 5000 == 0:
                copy.write(buffer.getvalue())
                buffer = StringIO()
        copy.write(buffer.getvalue())


def _events(batch: _Batch, rng: np.random.Generator) -> Iterator[tuple[str, str, np.datetime64]]:
    """Yield the funnel of each generated respondent, and of visitors who went no further."""
    c = batch.columns
    opened = c["started_at"] - np.timedelta64(30, "s")
    for code, start, submit, was_opened in zip(
        c["code_used"].tolist(),
        c["started_at"].tolist(),
        c["submitted_at"].tolist(),
        opened.tolist(),
        strict=True,
    ):
        yield code, LinkEvent.Kind.OPENED, was_opened
        yield code, LinkEvent.Kind.CONSENTED, start
        yield code, LinkEvent.Kind.COMPLETED, submit
    size = len(c["code_used"])
    for share, kinds in (
        (OPENED_ONLY, (LinkEvent.Kind.OPENED,)),
        (CONSENTED_ONLY, (LinkEvent.Kind.OPENED, LinkEvent.Kind.CONSENTED)),
    ):
        rows = rng.choice(size, size=int(size * share), replace=True)
        for row in rows.tolist():
            for kind in kinds:
                yield c["code_used"][row], kind, c["started_at"][row].item()


def _copy_events(survey: Survey, batch: _Batch, rng: np.random.Generator) -> None:
    survey_id = str(survey.pk)
    lines = (
        f"{survey_id}\t{code}\t{kind}\t{when.isoformat()}+00:00\n"
        for code, kind, when in _events(batch, rng)
    )
    table = LinkEvent._meta.db_table
    _copy(f'COPY "{table}" ("survey_id", "code", "kind", "created_at") FROM STDIN', lines)


def _aware(value: Any) -> datetime:
    if isinstance(value, np.datetime64):
        value = value.item()
    return value.replace(tzinfo=UTC)


def _create_responses(survey: Survey, batch: _Batch) -> None:
    c = batch.columns
    rows = zip(
        batch.ids.tolist(),
        c["submission_key"].tolist(),
        c["withdraw_token"].tolist(),
        c["language"].tolist(),
        c["started_at"].tolist(),
        c["submitted_at"].tolist(),
        c["answers"],
        c["other_texts"],
        c["network_size"].tolist(),
        c["referral_code"].tolist(),
        c["code_used"].tolist(),
        c["recruiter"].tolist(),
        c["seed_link"].tolist(),
        c["wave"].tolist(),
        c["client_hash"].tolist(),
        strict=True,
    )
    objects = []
    for row in rows:
        (pk, key, token, language, start, submit, answers, others, size, code, used, rec,
         link, wave, client) = row  # fmt: skip
        objects.append(
            Response(
                id=pk,
                survey=survey,
                submission_key=key,
                withdraw_token=token,
                language=language,
                started_at=_aware(start),
                submitted_at=_aware(submit),
                answers=json.loads(answers),
                other_texts=json.loads(others),
                network_size=None if size < 0 else size,
                referral_code=code,
                code_used=used,
                recruiter_id=None if rec < 0 else rec,
                seed_link_id=link,
                wave=wave,
                client_hash=client,
            )
        )
    Response.objects.bulk_create(objects, batch_size=2000)


def _create_events(survey: Survey, batch: _Batch, rng: np.random.Generator) -> None:
    LinkEvent.objects.bulk_create(
        (
            LinkEvent(survey=survey, code=code, kind=kind, created_at=_aware(when))
            for code, kind, when in _events(batch, rng)
        ),
        batch_size=5000,
    )
