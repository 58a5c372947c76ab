"""Moments as whole microseconds since 1970, in Python and in the database: cheaper than datetimes.

The monitor's tally stores and compares many moments; an integer costs less to read, keep and
pickle than a datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import BigIntegerField, Func

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def stamp(moment: datetime) -> int:
    """Return a moment as whole microseconds since 1970: cheaper to store than a datetime."""
    return (moment - EPOCH) // MICROSECOND


def moment_of(stamp: int) -> datetime:
    """Return the moment (in UTC) of a stamp()."""
    return EPOCH + timedelta(microseconds=stamp)


class Stamp(Func):
    """stamp() of a datetime column, computed by the database: an integer is cheaper to read."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django keeps a datetime in SQLite as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]": whole
        # seconds from the Julian day (rounded, exact), microseconds from the text.
        template = (
            "(CAST(round((julianday(%(expressions)s) - 2440587.5) * 86400) AS INTEGER) * 1000000"
            " + CAST(substr(%(expressions)s, 21, 6) AS INTEGER))"
        )
        return self.as_sql(compiler, connection, template=template, **extra)
