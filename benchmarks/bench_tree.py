"""The recruitment tree of one 5,000-respondent chain, served to an organizer.

Run against the local stack (``make serve`` first, or ``make bench``)::

    .venv/bin/python benchmarks/bench_tree.py [--nodes 5000] [--requests 10]

A seed link whose chain holds exactly ``--nodes`` respondents is generated on first use (note
"bench-tree-N") with ``sampledata.bulk.responses_generate``. Figures: the median time to serve its
tree page (the SVG drawn on the server) and its JSON, through gunicorn, logged in as an
organizer: target at most 1 s.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (
    Figure,
    django_setup,
    figure_print,
    figures_write,
    median,
    stack_env,
    staff_cookies,
    timed_gets,
)

TARGET_MS = 1000.0


def chain_seed(*, survey: Any, nodes: int) -> Any:
    """Return a seed link of the survey whose chain has exactly that many respondents."""
    from sampledata.bulk import responses_generate
    from surveys.models import SeedLink

    note = f"bench-tree-{nodes}"
    seed = SeedLink.objects.filter(survey=survey, note=note).first()
    if seed is not None and seed.responses.count() == nodes:
        return seed
    result = responses_generate(survey=survey, n=nodes, seeds=1, seed=5)
    seed = result.seed_links[0]
    SeedLink.objects.filter(pk=seed.pk).update(note=note, label=f"Benchmark chain of {nodes:,}")
    return seed


def measure(*, base_url: str, survey: Any, nodes: int = 5000, requests: int = 10) -> list[Figure]:
    """Measure the tree page and its JSON for one chain and print each figure."""
    seed = chain_seed(survey=survey, nodes=nodes)
    cookies = staff_cookies(surveys=[survey])
    figures = []
    for name, suffix in (("page (SVG)", "/"), ("JSON", ".json")):
        url = f"{base_url}/en/organize/{survey.slug}/tree/{seed.pk}{suffix}"
        timed_gets(url, cookies=cookies, count=1)  # warm caches
        at = median(timed_gets(url, cookies=cookies, count=requests))
        figure = Figure(
            name=f"recruitment tree {name}, {nodes:,}-node chain",
            value=at,
            unit="ms",
            baseline=TARGET_MS,
            baseline_name="limit (ms)",
            target=f"≤ {TARGET_MS:.0f} ms",
            ok=at <= TARGET_MS,
            notes=f"median of {requests}",
        )
        figures.append(figure)
        figure_print(figure)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--survey", default="sco-2025")
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    env = stack_env()
    django_setup(env)
    from surveys.models import Survey

    survey = Survey.objects.get(slug=args.survey)
    print(f"== recruitment tree of a {args.nodes:,}-node chain in {survey.slug}", flush=True)
    figures = measure(
        base_url=env["SITE_URL"], survey=survey, nodes=args.nodes, requests=args.requests
    )
    figures_write(args.json, figures)


if __name__ == "__main__":
    main()
