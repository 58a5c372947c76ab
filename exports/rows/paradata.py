"""The paradata export: one row per response and questionnaire page, in long format.

Columns: ``response_id``, ``device_class`` (phone, tablet, desktop; empty when the browser
sent no User-Agent), ``language_switches``, ``total_seconds`` (the sum of the page seconds),
``page`` (the page's position, 1 first), ``page_code`` and ``seconds`` on that page (summed
over visits, each visit capped at 30 minutes: ``surveys.paradata.timing.PAGE_SECONDS_CAP``). Every
response has one row per page of the questionnaire; a response stored without timing (before
timing existed, or written by a generator) has empty seconds. Withdrawn responses have no rows:
a withdrawal erases the paradata with the answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from exports.options import (
    ITERATOR_CHUNK,
    ExportOptions,
    Progress,
    export_responses,
    header_row,
    with_progress,
)
from surveys.csv_safe import neutralize
from surveys.models import Survey
from surveys.paradata.timing import LANGUAGE_SWITCHES, PAGE_SECONDS, TOTAL_SECONDS

COLUMNS = (
    "response_id",
    "device_class",
    "language_switches",
    "total_seconds",
    "page",
    "page_code",
    "seconds",
)


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def paradata_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    """Yield the header, then one row per response and page."""
    pages = [(page.position, neutralize(page.code)) for page in survey.ordered_pages()]
    yield header_row(COLUMNS)
    rows = (
        export_responses(survey=survey, options=options)
        .order_by("id")
        .values_list("id", "device_class", "paradata")
        .iterator(ITERATOR_CHUNK)
    )
    for pk, device_class, paradata in with_progress(rows, progress):
        data = paradata if isinstance(paradata, dict) else {}
        seconds = data.get(PAGE_SECONDS) if isinstance(data.get(PAGE_SECONDS), dict) else {}
        switches = _number(data.get(LANGUAGE_SWITCHES))
        total = _number(data.get(TOTAL_SECONDS))
        device = neutralize(device_class) or None
        for position, code in pages:
            page_seconds = _number(seconds.get(str(position)))
            yield [pk, device, switches, total, position, code, page_seconds]
