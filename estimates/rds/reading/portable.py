"""Read the chained responses through the ORM, one at a time: any database Django supports."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.db.models import QuerySet

from estimates.rds.reading.chains import Chains, seed_label
from estimates.rds.sample import AnswerMatrices
from surveys.models import Response

__all__ = ["read_portable"]


def read_portable(rows: QuerySet[Response], n: int, options: dict[str, Sequence[str]]) -> Chains:
    """Read the n rows into arrays, each response's answers by AnswerMatrices.add."""
    ids = np.empty(n, dtype=np.int64)
    recruiters = np.empty(n, dtype=np.int64)
    degrees, times = np.empty(n), np.empty(n)
    unflagged = np.empty(n, dtype=bool)
    seed_labels: dict[str, str] = {}
    answers = AnswerMatrices(options, n)
    count = 0
    values = rows.values_list(
        "id",
        "recruiter_id",
        # The column, by the field: platform code never spells a question code.
        Response.network_size.field.name,
        "answers",
        "seed_link__label",
        "unflagged",
        "submitted_at",
    )
    for row, (pk, recruiter, degree, given, label, mark, submitted) in enumerate(
        values.iterator(chunk_size=5000)
    ):
        ids[row] = pk
        recruiters[row] = -1 if recruiter is None else recruiter
        degrees[row] = np.nan if degree is None else degree
        unflagged[row] = bool(mark)
        times[row] = submitted.timestamp()
        if recruiter is None:
            seed_labels[str(pk)] = seed_label(pk, label)
        answers.add(row, given)
        count = row + 1
    chains = Chains(ids, recruiters, degrees, unflagged, times, seed_labels, answers.matrices)
    return chains.head(count)
