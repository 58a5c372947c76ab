"""Aggregate rebuilds: a full rebuild against the raw GROUP BY it needs, and an incremental one.

Run against the local stack's PostgreSQL (``make serve`` first, or ``make bench``)::

    .venv/bin/python benchmarks/bench_aggregates.py [--incremental 10000] [--repeats 1]

Figures:

- full rebuild time (``aggregates.aggregates_rebuild(full=True)``: count, write the
  snapshot's rows, publish it) against the raw ``GROUP BY`` query it needs (the
  ``analytics.counting.count_sql`` SELECT, run and fetched on its own, nothing written), in the
  same run: target at most 1.5 times;
- an incremental rebuild after N new responses (default 10,000, stored with
  ``sampledata.bulk.responses_generate``): target at most 0.5 s.

The full rebuild and its baseline run ``--repeats`` times (default once: minutes at a million
rows), the incremental one three times; each figure is the median. A Celery rebuild that the
stack's beat starts at the same moment would queue ours behind its lock (benchmarks/run.py waits
for a quiet machine before each script).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import Figure, django_setup, figure_print, figures_write, median, stack_env

FULL_RATIO_TARGET = 1.5
INCREMENTAL_TARGET_SECONDS = 0.5


def _group_by_seconds(survey: Any) -> tuple[float, int]:
    from django.db import connection

    from aggregates.counting import count_plan, count_sql

    sql, params = count_sql(survey=survey, plan=count_plan(survey=survey))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cells = len(cursor.fetchall())
    return time.perf_counter() - started, cells


def _rebuild_seconds(survey: Any, *, full: bool) -> tuple[float, Any]:
    from aggregates.rebuild import aggregates_rebuild

    started = time.perf_counter()
    snapshot = aggregates_rebuild(survey_id=survey.pk, full=full)
    return time.perf_counter() - started, snapshot


def _full_figure(
    raw: list[float], full: list[float], *, responses: int, cells: int, written: int
) -> Figure:
    ratio = median(full) / median(raw)
    return Figure(
        name=f"full aggregate rebuild, {responses:,} responses",
        value=median(full),
        unit="s",
        baseline=median(raw),
        baseline_name="raw GROUP BY SELECT",
        target=f"ratio ≤ {FULL_RATIO_TARGET}",
        ok=ratio <= FULL_RATIO_TARGET,
        notes=f"{written:,} cells written, {cells:,} selected; median of {len(full)}",
    )


def measure(
    *, survey: Any, incremental: int = 10_000, repeats: int = 1, incremental_repeats: int = 3
) -> list[Figure]:
    """Measure the rebuild figures for the survey and print each as it comes."""
    from aggregates.models import AggregateCount
    from sampledata.bulk import responses_generate

    figures: list[Figure] = []

    def add(figure: Figure) -> None:
        figures.append(figure)
        figure_print(figure)

    responses = survey.responses.count()
    raw, full = [], []
    cells = written = 0
    for _ in range(repeats):
        seconds, cells = _group_by_seconds(survey)
        raw.append(seconds)
        seconds, snapshot = _rebuild_seconds(survey, full=True)
        full.append(seconds)
        written = AggregateCount.objects.filter(snapshot=snapshot).count()
    if repeats:  # --repeats 0 measures the incremental rebuild alone
        add(_full_figure(raw, full, responses=responses, cells=cells, written=written))

    incremental_times = []
    for _ in range(incremental_repeats):
        responses_generate(survey=survey, n=incremental, seed=None)
        seconds, snapshot = _rebuild_seconds(survey, full=False)
        if snapshot.full:
            raise RuntimeError("the rebuild after new responses was not incremental")
        incremental_times.append(seconds)
    add(
        Figure(
            name=f"incremental rebuild after {incremental:,} new responses",
            value=median(incremental_times),
            unit="s",
            baseline=INCREMENTAL_TARGET_SECONDS,
            baseline_name="limit (s)",
            target=f"≤ {INCREMENTAL_TARGET_SECONDS} s",
            ok=median(incremental_times) <= INCREMENTAL_TARGET_SECONDS,
            notes=f"median of {incremental_repeats}: "
            + ", ".join(f"{t:.3f}" for t in incremental_times),
        )
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--survey", default="sco-2025")
    parser.add_argument("--incremental", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    django_setup(stack_env())
    from surveys.models import Survey

    survey = Survey.objects.get(slug=args.survey)
    print(f"== aggregates of {survey.slug}", flush=True)
    figures_write(
        args.json, measure(survey=survey, incremental=args.incremental, repeats=args.repeats)
    )


if __name__ == "__main__":
    main()
