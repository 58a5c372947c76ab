"""Read a survey's chained responses into the arrays of its recruitment forest, in one pass.

At a million responses the ORM's row by row reading (a datetime, a whole decoded ``answers``
dict and a call of :meth:`AnswerMatrices.add` per response) took 20 s; on PostgreSQL the rows
come by COPY instead (``postgres``, 7 s). Elsewhere (SQLite, the embedded default) the
portable ORM reading stays (``portable``). Both read the same rows in the same order and give
the same arrays (tests/estimates/test_rds_reading.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import QuerySet

from aggregates.counting import unflagged_mark
from estimates.rds.reading.chains import Chains
from estimates.rds.reading.portable import read_portable
from estimates.rds.reading.postgres import read_postgres
from surveys.models import Response

__all__ = ["Chains", "read_chains"]


def read_chains(
    *, chained: QuerySet[Response], n: int, options: dict[str, Sequence[str]]
) -> Chains:
    """Read the first n of the ordered chained responses with each question's answers.

    ``options`` gives each question's option codes in column order. A response that arrived
    after n was counted is left to the next rebuild.
    """
    rows = chained.annotate(unflagged=unflagged_mark())[:n]
    if connection.vendor == "postgresql":
        return read_postgres(rows, n, options)
    return read_portable(rows, n, options)
