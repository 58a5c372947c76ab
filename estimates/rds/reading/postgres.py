"""Read the chained responses by one streaming COPY on PostgreSQL.

COPY streams: the database computes the next rows while these are read. The numbers come as
one text of integers, parsed by numpy a chunk at a time, and per question only that answer's
JSON text. A question's answers take few distinct texts (its option codes, the combinations
ticked in a multiple choice), so each distinct text is decoded once, by
``AnswerMatrices.add`` itself: the rule stays in one place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Func,
    JSONField,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, Coalesce, Extract

from estimates.rds.reading.chains import Chains, seed_label
from estimates.rds.sample import AnswerMatrices
from surveys.models import Response

__all__ = ["read_postgres"]

# Rows of the COPY parsed at once: a few megabytes.
CHUNK = 20_000


def _json(raw: bytes) -> object:
    """Decode a JSON text as COPY's text format sends it.

    JSON text holds no control characters, so the only escape COPY adds is a doubled backslash.
    """
    return json.loads(raw.replace(b"\\\\", b"\\"))


class _Distinct(dict[bytes, int]):
    """Number each distinct JSON text of one question's answer, decoding a new one once."""

    def __init__(self, code: str, options: Sequence[str]) -> None:
        super().__init__()
        self.code = code
        self.options = options
        # Entry s: the answer numbered s as AnswerMatrices reads it.
        self.ticked: list[np.ndarray] = []
        self.answered: list[bool] = []

    def __missing__(self, raw: bytes) -> int:
        one = AnswerMatrices({self.code: self.options}, 1)
        # An empty text: the answers have no such key.
        one.add(0, {self.code: _json(raw)} if raw else {})
        ticked, answered = one.matrices[self.code]
        self.ticked.append(ticked[0])
        self.answered.append(bool(answered[0]))
        number = self[raw] = len(self.answered) - 1
        return number

    def numbers(self, texts: Sequence[bytes]) -> np.ndarray:
        """Return each text's number, decoding the texts not seen before."""
        return np.fromiter(map(self.__getitem__, texts), dtype=np.int32, count=len(texts))

    def matrices(self, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (ticked, answered) of the rows whose answers have these numbers."""
        ticked = np.array(self.ticked, dtype=bool).reshape(len(self.ticked), len(self.options))
        return ticked[numbers], np.array(self.answered, dtype=bool)[numbers]


# Between a row's answer texts: a control character, which JSON text never holds unescaped.
SEPARATOR = "\x1f"


def _copy_sql(
    rows: QuerySet[Response], options: dict[str, Sequence[str]]
) -> tuple[str, list[object]]:
    """Return COPY of each row as three text fields: numbers, seed label, answers.

    The numbers (id, recruiter or -1, network size or -1, unflagged 1 or 0, submission time in
    microseconds since the epoch) are one field of integers, parsed by numpy a chunk at a time;
    the label and each question's answer are JSON texts, the answers joined by SEPARATOR.
    """
    texts: list[Any] = []
    for code in options:
        texts += [Cast(KeyTransform(code, "answers"), TextField()), Value(SEPARATOR)]
    numbers = Func(
        Value(" "),
        "id",
        Coalesce("recruiter_id", -1),
        Coalesce(Response.network_size.field.name, -1),
        "unflagged",
        # Exact: PostgreSQL's epoch of a timestamp is numeric; the microseconds are integers.
        Cast(Extract("submitted_at", "epoch") * 1_000_000, BigIntegerField()),
        function="concat_ws",
        output_field=TextField(),
    )
    label = Case(
        When(recruiter__isnull=True, then=Func("seed_link__label", function="to_jsonb")),
        output_field=JSONField(),
    )
    columns = rows.annotate(
        numbers=numbers,
        seed_label=Coalesce(Cast(label, TextField()), Value("null"), output_field=TextField()),
        texts=Func(*texts[:-1], function="concat", output_field=TextField())
        if texts
        else Value(""),
    ).values_list("numbers", "seed_label", "texts")
    sql, params = columns.query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT", list(params)


def read_postgres(rows: QuerySet[Response], n: int, options: dict[str, Sequence[str]]) -> Chains:
    """Read the rows by COPY, as numbers and JSON texts, a chunk of rows at a time."""
    statement, params = _copy_sql(rows, options)
    numbers = np.empty((n, 5), dtype=np.int64)
    seed_labels: dict[str, str] = {}
    distinct = [_Distinct(code, codes) for code, codes in options.items()]
    # Per question, the number of each row's answer text: 4 bytes a row instead of k + 1.
    answer_numbers = np.empty((len(distinct), n), dtype=np.int32)
    count = 0

    def read(chunk: bytes, size: int) -> None:
        nonlocal count
        end = count + size
        # One row per COPY message, ending in "\n"; fields end in "\t" (escaped inside).
        fields = chunk.replace(b"\n", b"\t").split(b"\t")
        block = np.fromstring(b" ".join(fields[0::3]), dtype=np.int64, sep=" ")
        numbers[count:end] = block.reshape(size, 5)
        for at in np.flatnonzero(numbers[count:end, 1] < 0):
            pk = int(numbers[count + at, 0])
            seed_labels[str(pk)] = seed_label(pk, _json(fields[3 * at + 1]))
        if distinct:
            texts = SEPARATOR.encode().join(fields[2::3]).split(SEPARATOR.encode())
            for q, question in enumerate(distinct):
                answer_numbers[q, count:end] = question.numbers(texts[q :: len(distinct)])
        count = end

    # Rows are copied into one buffer as they come: a list of a chunk's messages would keep
    # that many objects alive for the garbage collector to walk again and again (a second
    # at a million rows).
    chunk, size = bytearray(), 0
    # The psycopg cursor itself: Django's debug wrapper passes no parameters to copy().
    with transaction.atomic(), connection.cursor() as wrapper:
        # One core: merging parallel workers' sorted rows cost more than the workers saved
        # (7.1 s against 6.5 s at a million), and the refresh's budget is one core.
        wrapper.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        with wrapper.cursor.copy(statement, params) as copy:
            for row in copy:
                chunk += row
                size += 1
                if size == CHUNK:
                    read(bytes(chunk), size)
                    chunk, size = bytearray(), 0
    if size:
        read(bytes(chunk), size)
    ids, recruiters, degrees, unflagged, micros = numbers[:count].T
    answers = {
        question.code: question.matrices(row_numbers[:count])
        for question, row_numbers in zip(distinct, answer_numbers, strict=True)
    }
    return Chains(
        ids=ids.copy(),
        recruiters=recruiters.copy(),
        degrees=np.where(degrees < 0, np.nan, degrees),
        unflagged=unflagged == 1,
        # The same double as datetime.timestamp(): an exact integer over 10**6, rounded once.
        times=micros / 1_000_000,
        seed_labels=seed_labels,
        answers=answers,
    )
