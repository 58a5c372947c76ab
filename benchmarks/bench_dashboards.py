"""The analysts' dashboard and the organizers' monitor at 1,000,000 responses and at 1,000.

Run against the local stack (``make serve`` first, or ``make bench``)::

    .venv/bin/python benchmarks/bench_dashboards.py [--requests 30]

Each page is requested one request at a time through gunicorn, logged in as a user with the
organizer and analyst permissions, first for the big survey (``sco-2025``, about a million
responses) and then for a copy of the questionnaire holding 1,000 responses in 30 chains
(``sco-2025-bench-1k-30-flagged``, created on first use): enough seed links to fill the monitor's
page of chains, so that both monitors show the same 25 rows and differ in data alone. As many of
its responses are flagged as ``generate_responses`` flags of the big one's (5 %), so that both
show their flagged responses and the flagged counts per chain. Figures: the median time of each
page at the big survey (target at most 150 ms) and its ratio to the median at 1,000 responses
(target: no slower; up to 1.10 is counted as noise on this shared machine).
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
    staff_cookies,
    timed_gets,
    two_sizes_main,
)

MEDIAN_TARGET_MS = 150.0
NOISE = 1.10


def pages(slug: str) -> dict[str, str]:
    """Return the dashboards of one survey: name -> path."""
    return {
        "analysts' dashboard": f"/en/analytics/?survey={slug}",
        "organizers' monitor": f"/en/organize/{slug}/",
    }


def measure(*, base_url: str, big: Any, small: Any, requests: int = 30) -> list[Figure]:
    """Measure every dashboard at both sizes and print each figure as it comes."""
    from aggregates.rebuild import aggregates_rebuild

    cookies = staff_cookies(surveys=[big, small])
    for survey in (big, small):
        # The dashboards read the published aggregates: make sure they are current.
        aggregates_rebuild(survey_id=survey.pk)
    big_count, small_count = big.responses.count(), small.responses.count()
    figures = []
    for name, big_path in pages(big.slug).items():
        small_path = pages(small.slug)[name]
        timed_gets(base_url + small_path, cookies=cookies, count=2)  # warm caches
        at_small = median(timed_gets(base_url + small_path, cookies=cookies, count=requests))
        try:
            timed_gets(base_url + big_path, cookies=cookies, count=2)
            at_big = median(timed_gets(base_url + big_path, cookies=cookies, count=requests))
        except PageFailed as failed:
            # One failure is the figure: repeating a 30 s timeout teaches nothing more.
            figure = Figure(
                name=f"{name}, median at {big_count:,} responses",
                value=failed.milliseconds,
                unit="ms",
                baseline=at_small,
                baseline_name=f"median at {small_count:,}",
                target=f"≤ {MEDIAN_TARGET_MS:.0f} ms and ratio ≤ {NOISE}",
                ok=False,
                notes=f"FAILED: HTTP {failed.status} (gunicorn kills requests after 30 s)",
            )
            figures.append(figure)
            figure_print(figure)
            continue
        figure = Figure(
            name=f"{name}, median at {big_count:,} responses",
            value=at_big,
            unit="ms",
            baseline=at_small,
            baseline_name=f"median at {small_count:,}",
            target=f"≤ {MEDIAN_TARGET_MS:.0f} ms and ratio ≤ {NOISE}",
            ok=at_big <= MEDIAN_TARGET_MS and at_big <= at_small * NOISE,
            notes=f"{requests} requests each",
        )
        figures.append(figure)
        figure_print(figure)
    return figures


if __name__ == "__main__":
    two_sizes_main(doc=__doc__, title="dashboards", measure=measure, requests=30)
