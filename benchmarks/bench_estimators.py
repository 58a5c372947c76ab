"""Time R's interval (EL), Gile's SS and HCG on simulated forests of 10,000 and 100,000.

Run with ``.venv/bin/python benchmarks/bench_estimators.py [--sizes 10000 100000]``. Not a test:
it prints one line per estimator and size. The population size is ten times the sample (a 10 %
sample fraction, where SS and HCG simulate); the question has three answers; SS uses as many
samples as the platform's rebuild (``ss_sample_count``: R's 500 at these sizes).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.rds.estimators.empirical import el_intervals
from analytics.rds.estimators.hcg import hcg_weights
from analytics.rds.sample import single_choice
from analytics.rds.ss import ss_weights
from analytics.rds.weights import rds2_weights
from benchmarks.bench_bootstrap import simulate_forest


def _timed(label: str, size: int, action: Callable[[], object]) -> None:
    started = time.perf_counter()
    action()
    print(f"{label:<28} n = {size:>7,}: {time.perf_counter() - started:8.2f} s", flush=True)


def _run(size: int, rng: np.random.Generator, with_hcg: bool) -> None:
    sample, values = simulate_forest(respondents=size, seeds=20, max_recruits=3, rng=rng)
    answers = single_choice(sample, values)
    population = 10 * size
    weights = rds2_weights(sample)
    _timed("R's interval (RDS-II, EL)", size, lambda: el_intervals(weights, answers))
    _timed("SS weights, N = 10 n", size, lambda: ss_weights(sample, population_size=population))
    if with_hcg:
        times = np.arange(size, dtype=float)
        _timed(
            "HCG, N = 10 n",
            size,
            lambda: hcg_weights(
                parent=sample.parent,
                time=times,
                degree=sample.degree,
                group=answers.codes,
                population_size=population,
            ),
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--skip-hcg-above", type=int, default=100_000)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    for size in args.sizes:
        _run(size, rng, size <= args.skip_hcg_above)


if __name__ == "__main__":
    main()
