"""Time R's interval (EL), Gile's SS, HCG, SS-PSE and the estimates without flagged responses.

Simulated forests of 10,000 and 100,000 respondents; one in ten is flagged for the "without
flagged" lines: the tree bootstrap with and without the extra weight set (its added cost in
the refresh), and RDS-I without flagged responses.

Run with ``.venv/bin/python benchmarks/bench_estimators.py [--sizes 10000 100000]``. Not a test:
it prints one line per estimator and size. The population size is ten times the sample (a 10 %
sample fraction, where SS and HCG simulate); the question has three answers; SS uses as many
samples as the platform's rebuild (``ss_sample_count``: R's 500 at these sizes). SS-PSE runs
R's defaults (5,000 warm-up sweeps, 2,000 draws 10 sweeps apart, 500 Metropolis steps per θ
update) with a prior median of 1.5 n (at n = 100,000 a larger guess would pass R's cap of
200,000 on N).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_bootstrap import simulate_forest
from estimates.rds.bootstrap import tree_bootstrap_weighted_multi
from estimates.rds.estimators.empirical import el_intervals
from estimates.rds.estimators.hcg import hcg_weights
from estimates.rds.estimators.sspse import population_size
from estimates.rds.sample import Indicators, RDSSample, single_choice
from estimates.rds.ss import ss_weights
from estimates.rds.weights import rds1_shares, rds2_weights


def _timed(label: str, size: int, action: Callable[[], object]) -> None:
    started = time.perf_counter()
    action()
    print(f"{label:<28} n = {size:>7,}: {time.perf_counter() - started:8.2f} s", flush=True)


def _run(size: int, rng: np.random.Generator, with_hcg: bool, with_sspse: bool) -> None:
    sample, values = simulate_forest(respondents=size, seeds=20, max_recruits=3, rng=rng)
    answers = single_choice(sample, values)
    population = 10 * size
    weights = rds2_weights(sample)
    _timed("R's interval (RDS-II, EL)", size, lambda: el_intervals(weights, answers))
    _timed("SS weights, N = 10 n", size, lambda: ss_weights(sample, population_size=population))
    _without_flagged(sample, answers, values, rng)
    if with_hcg:
        _time_hcg(sample, answers, size)
    if with_sspse:
        _time_sspse(sample.degree, size)


def _time_hcg(sample: RDSSample, answers: Indicators, size: int) -> None:
    times = np.arange(size, dtype=float)
    _timed(
        "HCG, N = 10 n",
        size,
        lambda: hcg_weights(
            parent=sample.parent,
            time=times,
            degree=sample.degree,
            group=answers.codes,
            population_size=10 * size,
        ),
    )


def _time_sspse(degrees: np.ndarray, size: int) -> None:
    _timed(
        "SS-PSE, prior median 1.5 n",
        size,
        lambda: population_size(degrees=degrees, prior_median=1.5 * size, seed=1),
    )


def _without_flagged(
    sample: RDSSample, answers: Indicators, values: list[str | None], rng: np.random.Generator
) -> None:
    """Time the refresh's extra work without flagged responses (one in ten flagged)."""
    size = len(values)
    kept = rng.random(size) >= 0.1
    weights = rds2_weights(sample)
    common = {"ticked": answers.ticked, "answered": answers.answered, "options": answers.options}
    for label, sets in (
        ("tree bootstrap, RDS-II + SS", [weights, weights]),
        ("... + without flagged", [weights, weights, weights * kept]),
    ):
        _timed(
            label,
            size,
            lambda sets=sets: tree_bootstrap_weighted_multi(
                sample, weights=sets, replicates=1000, **common
            ),
        )
    alone = [v if k else None for v, k in zip(values, kept, strict=True)]
    _timed("RDS-I without flagged", size, lambda: rds1_shares(sample, values=alone))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--skip-hcg-above", type=int, default=100_000)
    parser.add_argument("--only-sspse", action="store_true", help="time SS-PSE alone")
    parser.add_argument("--only-hcg", action="store_true", help="time HCG alone")
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    for size in args.sizes:
        if args.only_sspse:
            sample, _values = simulate_forest(respondents=size, seeds=20, max_recruits=3, rng=rng)
            _time_sspse(sample.degree, size)
            continue
        if args.only_hcg:
            sample, values = simulate_forest(respondents=size, seeds=20, max_recruits=3, rng=rng)
            _time_hcg(sample, single_choice(sample, values), size)
            continue
        _run(size, rng, size <= args.skip_hcg_above, with_sspse=True)


if __name__ == "__main__":
    main()
