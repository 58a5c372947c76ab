"""Without flagged responses: the dashboard's modes and why responses are left out.

Who is left out is decided in one place, ``surveys.models.unflagged_q``: flagged responses that
no organizer accepted, and excluded ones. The counts themselves come from the aggregate tables.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache

from aggregates.counting import counted_responses
from aggregates.filters import ResponseFilter
from surveys.models import Review, Survey
from surveys.quality.reviews import flag_label

# The dashboard's modes: every response counts, or flagged ones (not accepted) are left out.
FLAGGED_ALL = "all"
FLAGGED_WITHOUT = "without"
# The reason an organizer's exclusion is listed under, beside the flags' codes.
EXCLUDED = Review.EXCLUDED.value
LEFT_OUT_CACHE_SECONDS = 24 * 3600

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeftOut:
    """Why responses are left out without flagged ones: a flag, or an organizer's exclusion."""

    code: str
    label: str
    count: int


def left_out_reasons(
    *, survey: Survey, filters: ResponseFilter, snapshot_id: int | None = None
) -> list[LeftOut]:
    """Return why the responses matching a filter are left out of the unflagged figures.

    Each flag counts once per response that carries it; an organizer's exclusion counts as its
    own reason. Reading the left-out responses scans the survey's, so the reasons beside a
    published snapshot are kept with it: a review or a flag change publishes a new one.
    """
    if snapshot_id is None:
        counted = _left_out_counts(survey=survey, filters=filters)
    else:
        key = f"analytics:left-out:{survey.pk}:{snapshot_id}:{sorted(filters.as_dict().items())}"
        key = f"analytics:left-out:{hashlib.sha256(key.encode()).hexdigest()}"
        try:
            counted = cache.get(key)
        except Exception:
            log.warning("cache unreachable; counting the left-out responses again")
            counted = None
        if counted is None:
            counted = _left_out_counts(survey=survey, filters=filters)
            try:
                cache.set(key, counted, LEFT_OUT_CACHE_SECONDS)
            except Exception:
                log.warning("cache unreachable; the left-out responses are not kept")
    # Labels are translated on every read: the cache holds codes only, for every language.
    return [
        LeftOut(code, str(Review.EXCLUDED.label) if code == EXCLUDED else flag_label(code), n)
        for code, n in counted
    ]


def _left_out_counts(*, survey: Survey, filters: ResponseFilter) -> list[tuple[str, int]]:
    left_out = filters.apply(counted_responses(survey=survey).filter(unflagged=0))
    flags: Counter[str] = Counter()
    excluded = 0
    for codes, review in left_out.values_list("quality_flags", "review").iterator(2000):
        flags.update({str(code) for code in codes or []})
        excluded += review == Review.EXCLUDED
    counted = sorted(flags.items(), key=lambda item: (-item[1], item[0]))
    return counted + ([(EXCLUDED, excluded)] if excluded else [])
