"""Write generated responses and their funnel events: by COPY on PostgreSQL, by the ORM elsewhere.

A batch holds one list or array per ``Response`` column, named by attribute in
``RESPONSE_COLUMNS`` order; that tuple alone says which columns the generator fills, for the COPY
column list, the COPY lines and the ORM objects alike. Columns it does not fill get their
model default, so that a new field with a default needs no change here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import numpy as np
from django.db import connection, transaction

from surveys.models import LinkEvent, Response, Survey

RESPONSE_COLUMNS: tuple[str, ...] = (
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
    "quality_flags",
    "paradata",
    "device_class",
    "device_hash",
)
# How columns are held in a batch: datetime64 values, JSON text, and -1 standing for NULL.
_TIMES = frozenset({"started_at", "submitted_at"})
_JSON = frozenset({"answers", "other_texts", "quality_flags", "paradata"})
_NULLABLE = frozenset({"network_size", "recruiter_id"})
# Share of visitors who open a link but do not consent, and who consent but never submit.
OPENED_ONLY, CONSENTED_ONLY = 0.45, 0.15

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass
class Batch:
    """The column values of one batch, keyed by ``RESPONSE_COLUMNS``."""

    columns: dict[str, Any]

    def __len__(self) -> int:
        return len(self.columns["id"])


def batch_write(*, survey: Survey, batch: Batch, rng: np.random.Generator) -> None:
    """Store a batch of responses and the funnel events of its respondents in one transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy_responses(batch)
            _copy_events(survey, batch, rng)
        else:
            _create_responses(batch)
            _create_events(survey, batch, rng)


def tables_analyze() -> None:
    """Refresh the planner's statistics after a large load (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{Response._meta.db_table}"')
        cursor.execute(f'ANALYZE "{LinkEvent._meta.db_table}"')


def _values(values: Any) -> list[Any]:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


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


def _other_columns() -> list[tuple[str, str]]:
    """Return the other columns of ``Response`` with their default as COPY text."""
    extra = []
    for field in Response._meta.concrete_fields:
        if field.attname in RESPONSE_COLUMNS:
            continue
        if not field.has_default() and not field.null:
            raise RuntimeError(f"sampledata.rows does not know how to fill Response.{field.name}")
        default = field.get_default() if field.has_default() else None
        if field.unique and field.null:
            # One default for every row would break the unique key: NULL, as old rows have.
            default = None
        extra.append((field.column, _copy_value(default)))
    return extra


def _copy_column(name: str, values: Any) -> list[str]:
    if name in _TIMES:
        return np.char.add(np.datetime_as_string(values, unit="us"), "+00:00").tolist()
    if name in _NULLABLE:
        return ["\\N" if v < 0 else str(v) for v in _values(values)]
    if name in _JSON:
        return [v.translate(_COPY_ESCAPES) for v in values]
    return [str(v) for v in _values(values)]


def _copy_responses(batch: Batch) -> None:
    other = _other_columns()
    column_of = {field.attname: field.column for field in Response._meta.concrete_fields}
    names = [column_of[name] for name in RESPONSE_COLUMNS]
    columns = ", ".join(f'"{name}"' for name in names + [column for column, _ in other])
    tail = "".join("\t" + value for _, value in other)
    texts = [_copy_column(name, batch.columns[name]) for name in RESPONSE_COLUMNS]
    lines = ("\t".join(row) + tail + "\n" for row in zip(*texts, strict=True))
    _copy(f'COPY "{Response._meta.db_table}" ({columns}) FROM STDIN', lines)


def _copy(statement: str, lines: Iterator[str]) -> None:
    buffer = StringIO()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for count, line in enumerate(lines, 1):
            buffer.write(line)
            if count % 5000 == 0:
                copy.write(buffer.getvalue())
                buffer = StringIO()
        copy.write(buffer.getvalue())


def _aware(value: Any) -> datetime:
    if isinstance(value, np.datetime64):
        value = value.item()
    return value.replace(tzinfo=UTC)


def _orm_column(name: str, values: Any) -> list[Any]:
    if name in _TIMES:
        return [_aware(v) for v in _values(values)]
    if name in _NULLABLE:
        return [None if v < 0 else v for v in _values(values)]
    if name in _JSON:
        return [json.loads(v) for v in values]
    return _values(values)


def _create_responses(batch: Batch) -> None:
    columns = [_orm_column(name, batch.columns[name]) for name in RESPONSE_COLUMNS]
    objects = (
        Response(**dict(zip(RESPONSE_COLUMNS, row, strict=True)))
        for row in zip(*columns, strict=True)
    )
    Response.objects.bulk_create(objects, batch_size=2000)


def _events(batch: Batch, rng: np.random.Generator) -> Iterator[tuple[str, str, datetime]]:
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
    size = len(batch)
    for share, kinds in (
        (OPENED_ONLY, (LinkEvent.Kind.OPENED,)),
        (CONSENTED_ONLY, (LinkEvent.Kind.OPENED, LinkEvent.Kind.CONSENTED)),
    ):
        rows = rng.choice(size, size=int(size * share), replace=True)
        for row in rows.tolist():
            for kind in kinds:
                yield c["code_used"][row], kind, c["started_at"][row].item()


def _copy_events(survey: Survey, batch: Batch, rng: np.random.Generator) -> None:
    survey_id = str(survey.pk)
    lines = (
        f"{survey_id}\t{code}\t{kind}\t{when.isoformat()}+00:00\n"
        for code, kind, when in _events(batch, rng)
    )
    table = LinkEvent._meta.db_table
    _copy(f'COPY "{table}" ("survey_id", "code", "kind", "created_at") FROM STDIN', lines)


def _create_events(survey: Survey, batch: Batch, rng: np.random.Generator) -> None:
    LinkEvent.objects.bulk_create(
        (
            LinkEvent(survey=survey, code=code, kind=kind, created_at=_aware(when))
            for code, kind, when in _events(batch, rng)
        ),
        batch_size=5000,
    )
