"""Time the vectorised tree bootstrap on a simulated 10,000-respondent RDS forest.

Run with ``.venv/bin/python benchmarks/bench_bootstrap.py``. Not a test: it prints the time of
``tree_bootstrap`` (1,000 replicates), replicates per second, and the ratio against a baseline
measured in the same run: 1,000 plain RDS-II point estimates on i.i.d. resampled index arrays,
i.e. the same number of weighted means without the tree recursion. Target: at most 5 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from estimates.rds.bootstrap import tree_bootstrap
from estimates.rds.sample import RDSSample, rds_sample
from estimates.rds.weights import rds2_weights

TARGET_SECONDS = 5.0
CATEGORIES = ("a", "b", "c")


def simulate_forest(
    *, respondents: int, seeds: int, max_recruits: int, rng: np.random.Generator
) -> tuple[RDSSample, list[str]]:
    """Grow a random recruitment forest breadth-first and answer a three-category question."""
    recruiters: list[int] = [-1] * seeds
    queue = deque(range(seeds))
    while len(recruiters) < respondents:
        if not queue:  # every chain died out: reopen the most recent respondent
            queue.append(len(recruiters) - 1)
        parent = queue.popleft()
        for _ in range(int(rng.integers(0, max_recruits + 1))):  # 0..max recruits, uniform
            if len(recruiters) == respondents:
                break
            queue.append(len(recruiters))
            recruiters.append(parent)
    ids = [f"r{i}" for i in range(respondents)]
    sample = rds_sample(
        ids=ids,
        recruiter_ids=[None if r < 0 else ids[r] for r in recruiters],
        degrees=rng.integers(1, 60, size=respondents).astype(float).tolist(),
    )
    values = rng.choice(CATEGORIES, size=respondents, p=[0.5, 0.3, 0.2]).tolist()
    return sample, values


def iid_baseline(sample: RDSSample, values: list[str], *, replicates: int, seed: int) -> np.ndarray:
    """Compute RDS-II shares on i.i.d. resampled index arrays, one replicate at a time."""
    rng = np.random.default_rng(seed)
    weights = rds2_weights(sample)
    codes = np.searchsorted(np.array(CATEGORIES), np.array(values))
    shares = np.empty((replicates, len(CATEGORIES)))
    for r in range(replicates):
        index = rng.integers(0, sample.size, size=sample.size)
        w = weights[index]
        shares[r] = np.bincount(codes[index], weights=w, minlength=len(CATEGORIES)) / w.sum()
    return shares


def main() -> int:
    """Run the benchmark and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--max-recruits", type=int, default=3)
    parser.add_argument("--replicates", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3, help="report the best of this many runs")
    args = parser.parse_args()

    rng = np.random.default_rng(7)
    sample, values = simulate_forest(
        respondents=args.respondents, seeds=args.seeds, max_recruits=args.max_recruits, rng=rng
    )
    print(
        f"forest: {sample.size} respondents, {len(sample.seeds)} seeds, {sample.n_waves} waves, "
        f"max {int(sample.n_children.max())} recruits"
    )

    tree_times, base_times = [], []
    interval: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeats):
        start = time.perf_counter()
        interval = tree_bootstrap(sample, values=values, replicates=args.replicates)
        tree_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        iid_baseline(sample, values, replicates=args.replicates, seed=1)
        base_times.append(time.perf_counter() - start)

    tree_time, base_time = min(tree_times), min(base_times)
    print(f"tree_bootstrap: {args.replicates} replicates in {tree_time:.3f} s", end=" ")
    print(f"(best of {args.repeats})")
    print(f"  {args.replicates / tree_time:,.0f} replicates/s")
    print(f"baseline (iid RDS-II point estimates): {base_time:.3f} s")
    print(f"  ratio tree/baseline: {tree_time / base_time:.2f}")
    for option, (low, high) in interval.items():
        print(f"  {option}: [{low:.4f}, {high:.4f}]")
    verdict = "OK" if tree_time <= TARGET_SECONDS else "TOO SLOW"
    print(f"target <= {TARGET_SECONDS:.1f} s: {verdict}")
    return 0 if tree_time <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
