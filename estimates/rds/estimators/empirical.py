"""R's default interval for weighted RDS shares: the "empirical likelihood" standard error.

``RDS::RDS.II.estimates``, ``RDS.I.estimates`` and ``RDS.SS.estimates`` report, by default
(``empir.lik = TRUE``), the share ± 1.96 standard errors, the standard error coming from the
package's ``EL.se`` (``R/estimate-utils.R``, called from ``R/rds.estimates.local.R`` of
``cran/RDS``). It is a second-order (pairwise) linearisation of the weighted share:

* every pair of respondents i > j (in sample order) carries the weight w_ij = w_i w_j, capped at
  ten times the median of all n² products w_i w_j, and the pair's outcome o_ij = (o_i + o_j) / 2;
* the pairwise estimate is p = Σ w_ij o_ij / Σ w_ij over the pairs i > j;
* respondent i's influence is G_i = Σ_{j < i} w_ij² (o_ij - p), and the variance is
  4 Σ_i G_i² / (Σ_{i > j} w_ij²)², times the finite-population factor (N - n) / (N - 1) when a
  population size N is given (n counts every respondent, answered or not, as R's
  ``length(outcome)`` does).

It is analytic (no random draws), so unlike the tree bootstrap it works on a single-seed chain.
R builds the n x n matrix. Here a pair contributes the product of its rows' squared weights below
the cap and the squared cap above it; a row's partners below the cap are the weights up to a
limit, so its sums over earlier rows are sums over earlier rows with a weight below its limit,
taken block by block (O(n sqrt(distinct limits)) time, O(n) memory): it runs at a million.
The influence G_i depends on the order of the rows, as in R: the order is the sample's
(the order of recruitment). Numpy only.
"""

from __future__ import annotations

import math

import numpy as np

from estimates.rds.sample import Indicators, RDSError, gettext_noop

__all__ = ["EL_Z", "el_intervals", "el_standard_error"]

#: R's multiplier for the 95 % interval (``estimate ± 1.96 x EL.se``).
EL_Z = 1.96

# Cells of the within-block masks handled at once: bounds their memory (float64).
_CELLS = 1 << 22
# Options summed at once: bounds the memory of the per-row sums (n x 2 x this many float64).
_GROUP = 8


def _weighted_median(values: np.ndarray, counts: np.ndarray) -> float:
    """Return R's median of the values repeated counts times (the mean of the two middle ones)."""
    order = np.argsort(values, kind="stable")
    values, counts = values[order], counts[order]
    cumulative = np.cumsum(counts)
    total = int(cumulative[-1])
    lower = values[np.searchsorted(cumulative, (total - 1) // 2, side="right")]
    upper = values[np.searchsorted(cumulative, total // 2, side="right")]
    return float((lower + upper) / 2)


def el_standard_error(
    weights: np.ndarray,
    outcome: np.ndarray,
    *,
    respondents: int | None = None,
    population_size: float | None = None,
) -> float:
    """Return R's ``EL.se`` of the weighted share of outcome among the given rows.

    weights and outcome (0/1) describe the answering respondents in sample order; respondents is
    the whole sample's size, used in the finite-population factor (defaults to len(weights)).
    """
    w = np.asarray(weights, dtype=float)
    o = np.asarray(outcome, dtype=float)
    keep = np.isfinite(w) & np.isfinite(o)
    (se,) = _standard_errors(
        w[keep], o[keep, None] > 0.5, respondents=respondents, population_size=population_size
    )
    return se


def _standard_errors(
    w: np.ndarray,
    outcomes: np.ndarray,
    *,
    respondents: int | None,
    population_size: float | None,
) -> list[float]:
    """Return ``EL.se`` of each column of outcomes (n x options, bool) under the weights w."""
    n = len(w)
    if n < 2:
        raise RDSError(gettext_noop("The interval needs at least two respondents who answered."))
    values, cls = np.unique(w, return_inverse=True)
    k = len(values)
    m = np.bincount(cls, minlength=k).astype(float)
    products = np.outer(values, values)
    cap = 10 * _weighted_median(products.ravel(), np.outer(m, m).ravel())
    q = np.minimum(products, cap)
    a = q * q
    diag_q, diag_a = np.diag(q), np.diag(a)
    # Sums over pairs i > j: half of (all ordered pairs minus the diagonal), q being symmetric.
    total = (m @ q @ m - m @ diag_q) / 2
    if total <= 0:
        raise RDSError(gettext_noop("The answering respondents carry no weight."))
    squares = (m @ a @ m - m @ diag_a) / 2
    options = outcomes.shape[1]
    estimates = []
    for g in range(options):
        m1 = np.bincount(cls[outcomes[:, g]], minlength=k).astype(float)
        estimates.append(((m1 @ q @ m - m1 @ diag_q) / 2) / total)
    # a_ij is v_i² v_j² below the cap and cap² above it. A class's products with the classes in
    # increasing weight order increase, so its partners below the cap are the classes < limit.
    limit_of_class = (products <= cap).sum(axis=1)
    # Only the distinct limits matter (a few dozen at a million, of over a thousand weights):
    # classes between two limits are summed together, bin b holding the classes below the b-th.
    cuts = np.unique(limit_of_class)
    bins = len(cuts) + 1
    cls_bin = np.searchsorted(cuts, np.arange(k), side="right")[cls]
    limit = (np.searchsorted(cuts, limit_of_class, side="left") + 1)[cls]
    square = values[cls] ** 2
    capped = cap * cap
    before = np.arange(n, dtype=float)  # how many rows came earlier
    earlier = np.empty(0)
    found = []
    sampled = n if respondents is None else respondents
    padded_rows = _padded_rows(n, bins)
    for first in range(0, options, _GROUP):
        ones = outcomes[:, first : first + _GROUP].astype(float)
        width = ones.shape[1]
        # The columns written straight into the zero-padded array the sums need: at a million
        # rows each copy of them costs as much as a pass of the sums.
        columns = np.zeros((padded_rows, 2 * width + (2 if first == 0 else 0)))
        np.multiply(square[:, None], ones, out=columns[:n, :width])
        columns[:n, width : 2 * width] = ones
        if first == 0:  # the sums without the outcome, in the same pass
            columns[:n, 2 * width] = square
            columns[:n, 2 * width + 1] = 1.0
        below = _earlier_sums(cls_bin, limit, bins, columns)
        if first == 0:
            earlier = square * below[:, 2 * width] + capped * (before - below[:, 2 * width + 1])
        ones_before = np.cumsum(ones, axis=0) - ones  # whole numbers: exact
        earlier_ones = square[:, None] * below[:, :width] + capped * (
            ones_before - below[:, width : 2 * width]
        )
        for column in range(width):
            one = ones[:, column]
            # G_i = Σ_{j<i} a_ij ((o_i - 2p) + o_j) / 2.
            influence = (one - 2 * estimates[first + column]) / 2 * earlier
            influence += 0.5 * earlier_ones[:, column]
            variance = 4 * float(influence @ influence) / squares**2
            if population_size is None:
                found.append(math.sqrt(variance))
                continue
            found.append(
                math.sqrt(max(0.0, (population_size - sampled) * variance / (population_size - 1)))
            )
    return found


def _block_size(k: int) -> int:
    """Return the rows per block for k classes: balances n b (within) against n k / b (across)."""
    return int(min(512, max(32, 8 * math.isqrt(k + 1))))


def _padded_rows(n: int, k: int) -> int:
    """Return n rounded up to whole blocks of _block_size(k) rows."""
    b = _block_size(k)
    return -(-n // b) * b


def _earlier_sums(cls: np.ndarray, limit: np.ndarray, k: int, columns: np.ndarray) -> np.ndarray:
    """Return Σ_{j<i, cls_j < limit_i} columns[j] for every row i (n x columns), cls < k.

    columns has _padded_rows(n, k) rows, zero below the n rows. Rows go in blocks of b in
    sample order. The earlier blocks' part comes from each block's totals by class, summed over
    the earlier blocks and then over the classes below the limit; the part within a row's own
    block from a b x b mask. That is O(n b + n k / b) per column instead of the O(n k) of
    running counts for every class.
    """
    n, width = len(cls), columns.shape[1]
    if (cls < limit).all():
        # Every row's limit is above every class (no pair reaches the cap, as with RDS-I's few
        # weights): the sums over all earlier rows, running sums.
        return np.cumsum(columns[:n], axis=0) - columns[:n]
    b = _block_size(k)
    blocks = len(columns) // b
    pad = blocks * b - n
    # Padding rows take class k, below no limit (limit <= k), and carry nothing.
    cls = np.concatenate([cls, np.full(pad, k)])
    limit = np.concatenate([limit, np.zeros(pad, dtype=limit.dtype)])
    block = np.repeat(np.arange(blocks), b)
    # Totals by (block + 1, class + 1) with a leading row and column of zeros: after running
    # sums along both axes, prefix[B, L] is the sum over the blocks before B and classes below L.
    cell = (block + 1) * (k + 2) + cls + 1
    query = block * (k + 2) + limit
    found = np.empty((blocks * b, width))
    for g in range(width):
        prefix = np.bincount(cell, weights=columns[:, g], minlength=(blocks + 1) * (k + 2))
        prefix = prefix.reshape(blocks + 1, k + 2)
        np.cumsum(prefix, axis=0, out=prefix)
        np.cumsum(prefix, axis=1, out=prefix)
        found[:, g] = prefix.ravel().take(query)
    by_block_cls, by_block_limit = cls.reshape(blocks, b), limit.reshape(blocks, b)
    by_block_columns = columns.reshape(blocks, b, width)
    by_block_found = found.reshape(blocks, b, width)
    before = np.tri(b, b, -1, dtype=bool)  # [i, j]: row j comes before row i
    step = max(1, _CELLS // (b * b))
    for start in range(0, blocks, step):
        part = slice(start, start + step)
        mask = (by_block_cls[part, None, :] < by_block_limit[part, :, None]) & before
        by_block_found[part] += mask.astype(float) @ by_block_columns[part]
    return found[:n]


def el_intervals(
    weights: np.ndarray,
    answers: Indicators,
    *,
    population_size: float | None = None,
) -> dict[str, tuple[float, float]]:
    """Return R's interval (share ± 1.96 EL.se) for each option, unclipped as R reports it."""
    answered = answers.answered
    w = weights[answered]
    total = float(w.sum())
    if total <= 0:
        raise RDSError(gettext_noop("The answering respondents carry no weight."))
    ticked = answers.ticked[answered]
    keep = np.isfinite(w)  # as el_standard_error: rows without a finite weight are left out
    errors = _standard_errors(
        w[keep], ticked[keep], respondents=len(weights), population_size=population_size
    )
    result: dict[str, tuple[float, float]] = {}
    for g, option in enumerate(answers.options):
        share = float(w @ ticked[:, g]) / total
        se = errors[g]
        result[option] = (share - EL_Z * se, share + EL_Z * se)
    return result
