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
    "percentile_intervals",
    "replicate_totals",
    "tree_bootstrap",
    "tree_bootstrap_counts",
    "tree_bootstrap_multi",
    "tree_bootstrap_weighted_multi",
]

# Upper bound on replicates x respondents-in-one-wave handled at once by the bootstrap; it bounds
# the memory of the vectorised draws (a few arrays of this many int64) and fixes the chunking, so
# results stay deterministic for a given seed and sample.
_BOOTSTRAP_CELLS = 1 << 20
# Replicates x respondents of copy counts multiplied at once (float64: 256 MB): bounds memory, not
# results (each replicate's totals are summed wave by wave whatever the batch).
_BATCH_CELLS = 1 << 25


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
    # Each (replicate, parent) cell's first slot and fan, repeated once per draw: the same
    # numbers as dividing a repeated cell index back into row and column, without the division.
    base = (np.arange(rows, dtype=np.int64)[:, None] * width + starts).ravel()
    # The fans repeated once per draw in the narrowest integer type that holds them, and the
    # draws scaled in place: at a million respondents a replicate makes about a million draws,
    # so each pass over them is memory traffic (same draws, same picks, fewer bytes).
    narrow = np.min_scalar_type(-int(n_children.max(initial=0)))  # signed: fan - 1 below
    fan = np.repeat(np.broadcast_to(n_children.astype(narrow), (rows, parents)).ravel(), draws)
    scaled = rng.random(fan.size)
    np.multiply(scaled, fan, out=scaled)
    pick = scaled.astype(np.int64)
    np.minimum(pick, fan - 1, out=pick)
    pick += np.repeat(base, draws)
    return np.bincount(pick, minlength=rows * width).reshape(rows, width)


def _bootstrap_waves(
    sample: RDSSample, replicates: int, seed: int, levels: list[np.ndarray] | None = None
) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Yield (replicate rows, respondent rows, copy counts) wave by wave, chunk by chunk."""
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    levels = wave_levels(sample) if levels is None else levels
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


def replicate_totals(
    sample: RDSSample,
    *,
    columns: np.ndarray,
    weights: Sequence[np.ndarray],
    replicates: int,
    seed: int,
    within: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Return, per weight set, every replicate's weighted totals of the columns.

    columns is n x c (one row per respondent); the result for weight set w is replicates x c,
    entry [r, j] = Σ_i copies of i in replicate r x w_i x columns[i, j]. One pass of draws serves
    every column and weight set: the draws dominate the cost, and the intervals of two
    estimators or two questions then differ by their weights and answers only, not by chance.
    With within (one bool per respondent), one more entry follows: the first weight set's totals
    over the respondents within only, as if the others weighed nothing.
    """
    levels = wave_levels(sample)
    order = np.concatenate(levels)
    # Rows in wave order, so that each wave is a contiguous view rather than a copy per chunk.
    # The first set's weights are multiplied into the columns once here rather than into every
    # replicate's copies: one product per batch of replicates instead of one per weight set.
    first_weights, *other_weights = [np.asarray(w, dtype=float)[order] for w in weights]
    weighted = np.ascontiguousarray(columns[order] * first_weights[:, None], dtype=float)
    plain = np.ascontiguousarray(columns[order], dtype=float) if other_weights else weighted
    left_out = None if within is None else ~np.asarray(within, dtype=bool)[order]
    bounds = np.cumsum([0] + [len(level) for level in levels])
    totals = [np.zeros((replicates, weighted.shape[1])) for _ in range(len(weights))]
    part = np.zeros((replicates, weighted.shape[1])) if left_out is not None else None
    # Counts of consecutive chunks of replicates are held until they fill _BATCH_CELLS, then
    # multiplied wave by wave for all of them at once: a product over many replicates reads the
    # columns far fewer times than one per chunk. Each replicate still gets its waves' totals
    # added in wave order, whenever the flush falls.
    pending: list[tuple[slice, int, np.ndarray]] = []

    def flush() -> None:
        for wave in sorted({wave for _, wave, _ in pending}):
            held = [(rows, counts) for rows, w, counts in pending if w == wave]
            first, last = held[0][0].start, held[-1][0].stop
            # Stacked and made float in one pass (vstack then astype would copy twice).
            copies = np.concatenate([counts for _, counts in held], dtype=float)
            span = slice(bounds[wave], bounds[wave + 1])
            whole = copies @ weighted[span]
            totals[0][first:last] += whole
            if part is not None and left_out is not None:
                # The respondents left out are few (the flagged ones): subtract their share
                # rather than multiplying the copies of everyone else a second time.
                out = np.flatnonzero(left_out[span])
                part[first:last] += whole - copies[:, out] @ weighted[span][out]
            for w, total in zip(other_weights, totals[1:], strict=True):
                total[first:last] += (copies * w[span]) @ plain[span]
        pending.clear()

    held_cells = 0
    previous: slice | None = None
    wave = 0
    for rows, _level, counts in _bootstrap_waves(sample, replicates, seed, levels):
        wave = wave + 1 if rows == previous else 0
        previous = rows
        pending.append((rows, wave, counts))
        held_cells += counts.size
        if held_cells >= _BATCH_CELLS:
            flush()
            held_cells = 0
    if pending:
        flush()
    return totals if part is None else [*totals, part]


def percentile_intervals(
    numerator: np.ndarray, denominator: np.ndarray, *, options: Sequence[str], level: float
) -> dict[str, tuple[float, float]]:
    """Return each option's percentile interval of the replicates' shares."""
    if not 0 < level < 1:
        raise ValueError("level must be strictly between 0 and 1")
    valid = denominator > 0
    if not valid.any():
        raise RDSError(
            gettext_noop("No bootstrap replicate contains a respondent who answered this question.")
        )
    estimates = numerator[valid] / denominator[valid, None]
    tail = (1 - level) / 2
    lower, upper = np.quantile(estimates, [tail, 1 - tail], axis=0)
    return {o: (float(lo), float(hi)) for o, lo, hi in zip(options, lower, upper, strict=True)}


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
    columns = np.column_stack([answers.ticked, answers.answered])
    totals = replicate_totals(
        sample, columns=columns, weights=weight_sets, replicates=replicates, seed=seed
    )
    return [
        percentile_intervals(t[:, :-1], t[:, -1], options=answers.options, level=level)
        for t in totals
    ]


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
