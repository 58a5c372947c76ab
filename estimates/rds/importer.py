"""Load a data set in the layout of R's ``RDS`` package as a survey with a recruitment forest.

Published reference samples (``faux``, ``fauxmadrona``) can then be analysed by the platform
itself, through the same aggregate tables, estimates and exports as collected data.
"""

from __future__ import annotations

import csv
import math
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from estimates.models import EstimationSettings
from estimates.rds.population import population_logged
from surveys.models import Option, Page, Question, QuestionKind, Response, SeedLink, Survey
from surveys.quality import design_log

SEED_MARKERS = {"", "seed", "na", "0", "-1"}


@dataclass(frozen=True)
class ImportResult:
    survey: Survey
    responses: int
    seeds: int
    questions: list[str]


def _code(text: str) -> str:
    return slugify(text.replace(".", "_")).replace("-", "_") or "value"


def _value_code(raw: str) -> str | None:
    raw = raw.strip()
    if raw.upper() in {"", "NA", "NAN"}:
        return None
    try:
        number = float(raw)
    except ValueError:
        return _code(raw)
    return str(int(number)) if number.is_integer() else _code(raw)


def _degree(raw: str) -> int | None:
    try:
        number = float(raw)
    except ValueError:
        return None
    return None if math.isnan(number) or number < 0 else round(number)


def _moment(raw: str, line: int, column: str) -> datetime:
    """Return a recruitment time given as Unix seconds or an ISO date (UTC unless it says)."""
    text = raw.strip()
    try:
        return datetime.fromtimestamp(float(text), tz=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"line {line}: the {column} value {raw!r} is neither Unix seconds nor an ISO date"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _submission_times(
    rows: list[dict[str, str]], id_column: str, time_column: str | None
) -> dict[str, datetime]:
    """Return each row's submission time: its recruitment time, else the file's row order."""
    if time_column is None:
        # Keep the file's row order as the order of recruitment (convergence plots, HCG).
        now = timezone.now()
        return {row[id_column]: now + timedelta(seconds=i) for i, row in enumerate(rows)}
    moments = [_moment(row[time_column], i + 2, time_column) for i, row in enumerate(rows)]
    # Equal times keep the file's order (as R's order() does), a microsecond apart.
    order = sorted(range(len(rows)), key=lambda i: moments[i])
    times: dict[str, datetime] = {}
    tie = 0
    for position, i in enumerate(order):
        tie = tie + 1 if position and moments[i] == moments[order[position - 1]] else 0
        times[rows[i][id_column]] = moments[i] + timedelta(microseconds=tie)
    return times


def _texts(prefix: str, text: str) -> dict[str, str]:
    return {f"{prefix}_{language}": text for language, _name in settings.LANGUAGES}


@transaction.atomic
def rds_import(
    *,
    path: Path,
    slug: str,
    outcomes: list[str],
    id_column: str = "id",
    recruiter_column: str = "recruiter.id",
    degree_column: str = "network.size",
    population_size: int | None = None,
    population_size_range: tuple[int, int] | None = None,
    time_column: str | None = None,
) -> ImportResult:
    """Create a survey from an RDS-layout CSV: one single-choice question per outcome column.

    time_column holds recruitment times (Unix seconds or ISO dates), kept as submission times.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    columns = {id_column, recruiter_column, degree_column, *outcomes}
    if time_column:
        columns.add(time_column)
    missing = columns - set(rows[0] if rows else ())
    if missing:
        raise ValueError(f"{path.name} has no column(s): {', '.join(sorted(missing))}")
    if Survey.objects.filter(slug=slug).exists():
        raise ValueError(f"A survey {slug!r} exists already; choose another --survey slug.")

    title = f"RDS data set {path.stem}"
    low, high = population_size_range or (None, None)
    survey = Survey(
        slug=slug,
        is_open=False,
        coupon_limit=0,
        **_texts("title", title),
        **_texts("consent", f"Imported from {path.name}."),
        **_texts("consent_label", "Imported"),
    )
    estimation = EstimationSettings(
        population_size=population_size, population_size_low=low, population_size_high=high
    )
    estimation.clean()  # the population size must lie within its range
    survey.save()
    if population_size is not None:  # no N is the default: no row needed
        estimation.survey = survey
        estimation.save()
    # The estimators' population size is part of the design that a report must give.
    design_log.design_change_record(
        survey=survey,
        what=design_log.What.POPULATION_SIZE,
        old="",
        new=population_logged(estimation),
        user=None,
    )
    page = Page.objects.create(survey=survey, code="imported", position=1, **_texts("title", title))
    codes = []
    for position, column in enumerate(outcomes, start=1):
        question = Question.objects.create(
            survey=survey,
            page=page,
            code=_code(column),
            position=position,
            kind=QuestionKind.SINGLE,
            **_texts("text", column),
        )
        values = sorted({v for v in (_value_code(row[column]) for row in rows) if v is not None})
        Option.objects.bulk_create(
            Option(question=question, code=value, position=i, **_texts("label", value))
            for i, value in enumerate(values, start=1)
        )
        codes.append(question.code)

    ids = {row[id_column] for row in rows}
    children: dict[str | None, list[dict[str, str]]] = {}
    for row in rows:
        recruiter = row[recruiter_column].strip()
        parent = None if recruiter.lower() in SEED_MARKERS or recruiter not in ids else recruiter
        children.setdefault(parent, []).append(row)

    submitted = _submission_times(rows, id_column, time_column)
    created: dict[str, Response] = {}
    seeds = 0
    # Parents before children, so that every recruiter exists when its recruits are stored.
    queue: deque[tuple[dict[str, str], Response | None]] = deque(
        (row, None) for row in children.get(None, [])
    )
    while queue:
        row, recruiter = queue.popleft()
        seed_link = recruiter.seed_link if recruiter else None
        if recruiter is None:
            seeds += 1
            seed_link = SeedLink.objects.create(
                survey=survey, label=f"seed {row[id_column]}", note=f"imported from {path.name}"
            )
        answers = {
            code: value
            for code, column in zip(codes, outcomes, strict=True)
            if (value := _value_code(row[column])) is not None
        }
        response = Response.objects.create(
            survey=survey,
            submission_key=uuid.uuid4(),
            language="en",
            started_at=submitted[row[id_column]],
            submitted_at=submitted[row[id_column]],
            answers=answers,
            network_size=_degree(row[degree_column]),
            code_used=row[id_column][:32],
            recruiter=recruiter,
            seed_link=seed_link,
            wave=(recruiter.wave + 1) if recruiter else 0,
        )
        created[row[id_column]] = response
        queue.extend((child, response) for child in children.get(row[id_column], []))
    if len(created) != len(rows):
        raise ValueError(
            f"{len(rows) - len(created)} rows are not reachable from a seed (a recruitment cycle?)"
        )
    return ImportResult(survey=survey, responses=len(created), seeds=seeds, questions=codes)
