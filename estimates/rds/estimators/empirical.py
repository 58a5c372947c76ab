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
R builds the n x n matrix; here the pairs are grouped by distinct weight and outcome, which gives
the same sums in O(n x distinct weights) time and memory, so it runs at 100,000 respondents.
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

# Rows x distinct weights handled at once when accumulating the earlier rows' counts: bounds the
# memory of the running counts (a few float64 arrays of this many cells).
_CELLS = 1 << 22
# Above this many distinct weights x respondents the pairwise sums would take minutes.
_MAX_WORK = 5 * 10**9


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
    if n * k > _MAX_WORK:
        raise RDSError(
            gettext_noop("Too many distinct weights for R's interval at this sample size.")
        )
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
    # G_i = Σ_{j<i} a[c_i, c_j] ((o_i - 2p) + o_j) / 2, from running counts of earlier rows. The
    # counts of all earlier rows do not depend on the outcome: they are summed once for every
    # option, only those of earlier rows with the outcome are summed per option.
    influence_sq = [0.0] * options
    seen = np.zeros(k)
    seen_ones = [np.zeros(k) for _ in range(options)]
    chunk = max(1, _CELLS // k)
    for start in range(0, n, chunk):
        rows = slice(start, min(start + chunk, n))
        c = cls[rows]
        size = len(c)
        hot = np.zeros((size, k))
        hot[np.arange(size), c] = 1.0
        before = np.cumsum(hot, axis=0) - hot + seen
        seen = before[-1] + hot[-1]
        rows_a = a[c]
        earlier = np.einsum("ij,ij->i", rows_a, before)
        shifted = np.zeros((size + 1, k))
        for g in range(options):
            one = outcomes[rows, g]
            # Earlier rows with the outcome, by class: an exclusive running count (whole numbers,
            # so exactly the inclusive count minus the row itself, in two passes instead of five).
            shifted.fill(0.0)
            ticked_rows = np.flatnonzero(one)
            shifted[ticked_rows + 1, c[ticked_rows]] = 1.0
            np.cumsum(shifted, axis=0, out=shifted)
            shifted += seen_ones[g]
            before_ones = shifted[:-1]
            seen_ones[g] = shifted[-1].copy()
            influence = (one - 2 * estimates[g]) / 2 * earlier
            influence += 0.5 * np.einsum("ij,ij->i", rows_a, before_ones)
            influence_sq[g] += float(influence @ influence)
    found = []
    for g in range(options):
        variance = 4 * influence_sq[g] / squares**2
        if population_size is None:
            found.append(math.sqrt(variance))
            continue
        sampled = n if respondents is None else respondents
        found.append(
            math.sqrt(max(0.0, (population_size - sampled) * variance / (population_size - 1)))
        )
    return found


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
