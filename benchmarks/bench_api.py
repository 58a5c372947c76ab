"""The read API's responses list: a page of 1,000 at a million responses, first and deep.

Run against the local stack (``make serve`` first, or ``make bench``)::

    .venv/bin/python benchmarks/bench_api.py [--requests 20]

A pipeline pulls ``/api/v1/surveys/<slug>/responses/?page_size=1000`` and follows ``next``. The
pages are keyset pages (``id > cursor``), so a page deep in the survey should cost what the first
one costs. Each page is requested one request at a time with a token of its survey: the first
page and a page from the middle of the big survey (``sco-2025``), and the first page of the
1,000-response copy that the dashboards' benchmark uses, as the baseline taken in the same run.
Figures: the median of each big-survey page (target at most 100 ms) and its ratio to the small
survey's first page (target ≤ 1.10, noise on this shared machine).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    Figure,
    PageFailed,
    figure_print,
    median,
    timed_gets,
    two_sizes_main,
)

MEDIAN_TARGET_MS = 100.0
NOISE = 1.10
PAGE_SIZE = 1000


def token_headers(*, survey: Any) -> dict[str, str]:
    """Return the Authorization header of a fresh token that may read the survey."""
    from api.tokens import api_token_create

    _token, plaintext = api_token_create(survey=survey, name="benchmark", expires_days=1)
    return {"Authorization": f"Token {plaintext}"}


def middle_cursor(*, survey: Any) -> str:
    """Return the cursor of the page that starts halfway through the survey's responses."""
    from api.pagination import cursor_encode

    ids = survey.responses.order_by("pk").values_list("pk", flat=True)
    return cursor_encode(after=ids[survey.responses.count() // 2])


def measure(*, base_url: str, big: Any, small: Any, requests: int = 20) -> list[Figure]:
    """Time the first page of both surveys and a middle page of the big one; print each figure."""
    path = "/api/v1/surveys/{slug}/responses/?page_size=" + str(PAGE_SIZE)
    small_headers, big_headers = token_headers(survey=small), token_headers(survey=big)
    small_url = base_url + path.format(slug=small.slug)
    timed_gets(small_url, cookies={}, headers=small_headers, count=2)  # warm caches
    at_small = median(timed_gets(small_url, cookies={}, headers=small_headers, count=requests))
    first = base_url + path.format(slug=big.slug)
    pages = {
        "first page": first,
        "middle page": f"{first}&cursor={middle_cursor(survey=big)}",
    }
    count = big.responses.count()
    figures = []
    for name, url in pages.items():
        notes = f"{requests} requests each, page_size={PAGE_SIZE}"
        try:
            timed_gets(url, cookies={}, headers=big_headers, count=2)
            value = median(timed_gets(url, cookies={}, headers=big_headers, count=requests))
        except PageFailed as failed:
            value, notes = failed.milliseconds, f"FAILED: HTTP {failed.status}"
        figure = Figure(
            name=f"API responses, {name} at {count:,} responses",
            value=value,
            unit="ms",
            baseline=at_small,
            baseline_name=f"first page at {small.responses.count():,}",
            target=f"≤ {MEDIAN_TARGET_MS:.0f} ms and ratio ≤ {NOISE}",
            ok=not notes.startswith("FAILED")
            and value <= MEDIAN_TARGET_MS
            and value <= at_small * NOISE,
            notes=notes,
        )
        figures.append(figure)
        figure_print(figure)
    return figures


if __name__ == "__main__":
    two_sizes_main(doc=__doc__, title="read API", measure=measure, requests=20)
