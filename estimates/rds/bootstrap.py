"""Tree bootstrap intervals for RDS-II shares (Baraff, McCormick & Raftery 2016), numpy only.

Resample seeds with replacement, then the recruits of every drawn respondent with replacement,
recursively; the percentile interval of the replicates' RDS-II shares is the estimate's interval.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from estimates.rds.sample import (
    Indicators,
    RDSError,
    RDSSample,
    gettext_noop,
    multi_choice,
    require_degrees,
    single_choice,
    wave_levels,
)
from estimates.rds.weights import rds2_weights

__all__ = [
    "tree_bootstrap",
    "tree_bootstrap_counts",
    "tree_bootstrap_multi",
    "tree_bootstrap_weighted_multi",
]

# Upper bound on replicates x respondents-in-one-wave handled at once by the bootstrap; it bounds
# the memory of the vectorised draws (a few arrays of this many int64) and fixes the chunking, so
# results stay deterministic for a given seed and sample.
_BOOTSTRAP_CELLS = 1 << 20


def _resample_recruits(
    counts: np.ndarray, n_children: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Draw each copy's recruits with replacement; return copies per recruit (rows x recruits)."""
    # counts[r, j] is how often parent j appears in replicate r. Every copy draws as many recruits
    # as the parent had, uniformly with replacement among them, so parent j makes
    # counts[r, j] * n_children[j] draws. The next wave's columns are the parents' recruits
    # concatenated in parent order (the layout produced by _levels).
    rows, parents = counts.shape
    width = int(n_children.sum())
    starts = np.cumsum(n_children) - n_children
    draws = (counts * n_children).ravel()
    pair = np.repeat(np.arange(rows * parents, dtype=np.int64), draws)
    row, column = np.divmod(pair, parents)
    fan = n_children[column]
    pick = np.minimum((rng.random(pair.size) * fan).astype(np.int64), fan - 1)
    flat = row * width + starts[column] + pick
    return np.bincount(flat, minlength=rows * width).reshape(rows, width)


def _bootstrap_waves(
    sample: RDSSample, replicates: int, seed: int
) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Yield (replicate rows, respondent rows, copy counts) wave by wave, chunk by chunk."""
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    levels = wave_levels(sample)
    if len(levels[0]) < 2:
        raise RDSError(
            gettext_noop(
                "The tree bootstrap needs at least two seeds: with a single recruitment tree the "
                "between-tree variability cannot be estimated."
            )
        )
    rng = np.random.default_rng(seed)
    n_children = sample.n_children
    widest = max(len(level) for level in levels)
    chunk = max(1, min(replicates, _BOOTSTRAP_CELLS // widest))
    n_seeds = np.array([len(levels[0])], dtype=np.int64)
    for start in range(0, replicates, chunk):
        rows = slice(start, min(start + chunk, replicates))
        counts = np.ones((rows.stop - rows.start, 1), dtype=np.int64)
        fan = n_seeds  # seeds are drawn as the recruits of a virtual root
        for level in levels:
            counts = _resample_recruits(counts, fan, rng)
            yield rows, level, counts
            fan = n_children[level]


def tree_bootstrap_counts(
    sample: RDSSample, *, replicates: int = 1000, seed: int = 20250101
) -> np.ndarray:
    """Return how often each respondent appears in each tree-bootstrap replicate."""
    result = np.zeros((replicates, sample.size), dtype=np.int64)
    for rows, level, counts in _bootstrap_waves(sample, replicates, seed):
        result[rows, level] = counts
    return result


def _bootstrap(
    sample: RDSSample,
    answers: Indicators,
    replicates: int,
    seed: int,
    level: float,
    weight_sets: Sequence[np.ndarray],
) -> list[dict[str, tuple[float, float]]]:
    """Return tree-bootstrap percentile intervals of the weighted shares, one per weight set."""
    if not 0 < level < 1:
        raise ValueError("level must be strictly between 0 and 1")
    # Every weight set is applied to the same replicates: the draws dominate the cost, and the
    # intervals of two estimators then differ by their weights only, not by chance.
    weighted = [(w[:, None] * answers.ticked, w * answers.answered) for w in weight_sets]
    numerators = [np.zeros((replicates, len(answers.options))) for _ in weight_sets]
    denominators = [np.zeros(replicates) for _ in weight_sets]
    for rows, wave_rows, counts in _bootstrap_waves(sample, replicates, seed):
        copies = counts.astype(float)
        for (ticks, answered), numerator, denominator in zip(
            weighted, numerators, denominators, strict=True
        ):
            numerator[rows] += copies @ ticks[wave_rows]
            denominator[rows] += copies @ answered[wave_rows]
    tail = (1 - level) / 2
    intervals = []
    for numerator, denominator in zip(numerators, denominators, strict=True):
        valid = denominator > 0
        if not valid.any():
            raise RDSError(
                gettext_noop(
                    "No bootstrap replicate contains a respondent who answered this question."
                )
            )
        estimates = numerator[valid] / denominator[valid, None]
        lower, upper = np.quantile(estimates, [tail, 1 - tail], axis=0)
        intervals.append(
            {
                o: (float(lo), float(hi))
                for o, lo, hi in zip(answers.options, lower, upper, strict=True)
            }
        )
    return intervals


def tree_bootstrap(
    sample: RDSSample,
    *,
    values: Sequence[str | None],
    replicates: int = 1000,
    seed: int = 20250101,
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Return tree-bootstrap percentile intervals for the RDS-II share of each category."""
    require_degrees(sample)
    answers = single_choice(sample, values)
    return _bootstrap(sample, answers, replicates, seed, level, [rds2_weights(sample)])[0]


def tree_bootstrap_multi(
    sample: RDSSample,
    *,
    ticked: np.ndarray,
    answered: np.ndarray,
    options: Sequence[str],
    replicates: int = 1000,
    seed: int = 20250101,
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Return tree-bootstrap percentile intervals for multiple-choice RDS-II shares."""
    require_degrees(sample)
    answers = multi_choice(sample, ticked, answered, options)
    return _bootstrap(sample, answers, replicates, seed, level, [rds2_weights(sample)])[0]


def tree_bootstrap_weighted_multi(
    sample: RDSSample,
    *,
    ticked: np.ndarray,
    answered: np.ndarray,
    options: Sequence[str],
    weights: Sequence[np.ndarray],
    replicates: int = 1000,
    seed: int = 20250101,
    level: float = 0.95,
) -> list[dict[str, tuple[float, float]]]:
    """Return tree-bootstrap intervals of the shares under each set of fixed respondent weights."""
    # Resampled respondents carry the weight computed on the full sample. For RDS-II that is the
    # usual tree bootstrap (its weight depends on the respondent's own degree only); for SS it is
    # the "tree bootstrap with fixed SS weights", cheaper than re-estimating SS weights on every
    # replicate, and not R's default SS interval (a successive-sampling bootstrap).
    require_degrees(sample)
    if any(len(w) != sample.size for w in weights):
        raise ValueError("every weight vector must have one weight per respondent")
    answers = multi_choice(sample, ticked, answered, options)
    return _bootstrap(sample, answers, replicates, seed, level, weights)
