"""The too-fast rule: under the survey's floor always, under 40 % of the median once 30 exist.

The median is taken over the survey's latest timed responses (newest first, through the index on
survey and id) and kept in the cache for a few minutes: at a million responses a submit reads at
most ``MEDIAN_SAMPLE`` small values once per ``MEDIAN_CACHE_SECONDS``, never the whole table,
and the median of the latest 5,000 is the survey's own to within seconds. Flagged responses are
in it too: leaving them out would need the flags to judge the flags.
"""

from __future__ import annotations

import contextlib
import statistics

from django.core.cache import cache
from django.db.models.fields.json import KT

from surveys.models import Response, Survey
from surveys.paradata.timing import TOTAL_SECONDS

TOO_FAST_SHARE = 0.4
TOO_FAST_MIN_RESPONSES = 30
MEDIAN_SAMPLE = 5_000
MEDIAN_CACHE_SECONDS = 5 * 60


def _median_key(survey: Survey) -> str:
    return f"surveys:completion-median:{survey.pk}"


def completion_median(*, survey: Survey) -> tuple[int, float | None]:
    """Return how many timed responses the median covers (at most MEDIAN_SAMPLE) and the median."""
    key = _median_key(survey)
    try:
        cached = cache.get(key)
    except Exception:  # a cache outage must not fail a submit
        cached = None
    if cached is not None:
        return cached[0], cached[1]
    totals = list(
        Response.objects.filter(
            survey=survey, withdrawn_at__isnull=True, paradata__has_key=TOTAL_SECONDS
        )
        .order_by("-id")
        .annotate(total=KT(f"paradata__{TOTAL_SECONDS}"))
        .values_list("total", flat=True)[:MEDIAN_SAMPLE]
    )
    values = [float(total) for total in totals if total is not None]
    result = (len(values), statistics.median(values) if values else None)
    with contextlib.suppress(Exception):  # the next submit computes it again
        cache.set(key, result, MEDIAN_CACHE_SECONDS)
    return result


def too_fast(*, survey: Survey, total_seconds: int | None) -> bool:
    """Say whether a completion this fast gets the too_fast flag (an untimed one does not)."""
    if total_seconds is None:
        return False
    if total_seconds < survey.min_completion_seconds:
        return True
    count, median = completion_median(survey=survey)
    return (
        count >= TOO_FAST_MIN_RESPONSES
        and median is not None
        and total_seconds < TOO_FAST_SHARE * median
    )


def too_fast_under(*, survey: Survey) -> int:
    """Return the completion time, in seconds, under which a response is flagged too fast now."""
    count, median = completion_median(survey=survey)
    floor = float(survey.min_completion_seconds)
    if count >= TOO_FAST_MIN_RESPONSES and median is not None:
        return round(max(floor, TOO_FAST_SHARE * median))
    return round(floor)
