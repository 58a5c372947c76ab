"""Post-stratification and raking to known population margins, with their variances (numpy only).

* Raking is iterative proportional fitting (Deming & Stephan 1940, "On a least squares
  adjustment of a sampled frequency table when the expected marginal totals are known", Annals
  of Mathematical Statistics 11(4)): each margin in turn scales the weights of every category so
  that its weighted share equals the population share; sweeps repeat until every weighted share
  is within ``TOLERANCE`` of its margin, at most ``MAX_ITERATIONS`` sweeps. With one margin the
  first sweep is exact: that is post-stratification.
* The variance of a calibrated share is the linearization (Taylor) variance of a ratio
  estimator under with-replacement sampling of respondents, computed on the residuals of the
  ratio's influence values after a weighted least-squares fit on the margin categories
  (Deville & Särndal 1992): what R's ``survey`` package does for ``svymean`` after
  ``postStratify``, and approximately after ``rake``. The interval is Wald's, ±1.96 standard
  errors, cut to [0, 1].
* Kish's design effect of a weight set is n·Σw²/(Σw)² (Kish 1965, Survey Sampling): how many
  times the variance of a mean grows from unequal weights alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "MAX_ITERATIONS",
    "TOLERANCE",
    "Z_95",
    "MarginsError",
    "calibrated_shares",
    "kish_deff",
    "rake",
]

#: Largest gap allowed between a weighted share and its margin once raking has converged.
TOLERANCE = 1e-12
#: Raking sweeps (one pass over every margin) before giving up.
MAX_ITERATIONS = 1000
Z_95 = 1.959963984540054


class MarginsError(ValueError):
    """Signal that the sample cannot be weighted to the margins; the message says why.

    ``code`` names the problem and ``params`` its details, so that a page can say it in the
    reader's language (``estimates.margins.messages``); the message itself is English.
    """

    def __init__(self, message: str, *, code: str, params: dict[str, object] | None = None):
        super().__init__(message)
        self.code = code
        self.params = params or {}


def _check(cells: Sequence[np.ndarray], targets: Sequence[np.ndarray]) -> int:
    """Return the sample size after checking the shapes and the margins' sums."""
    if not cells or len(cells) != len(targets):
        raise ValueError("give one target vector per categorical variable, at least one")
    n = len(cells[0])
    if n == 0:
        raise MarginsError(
            "No respondent answered every question that has margins.", code="no_respondents"
        )
    for codes, target in zip(cells, targets, strict=True):
        if len(codes) != n:
            raise ValueError("every categorical variable must cover the same respondents")
        if codes.min() < 0 or codes.max() >= len(target):
            raise ValueError("category codes must index the target vector")
        if abs(float(target.sum()) - 1.0) > 1e-6 or (target < 0).any():
            raise MarginsError(
                "The margins of a question must be shares summing to 1.", code="shares_sum"
            )
    return n


def rake(
    cells: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    *,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
) -> np.ndarray:
    """Return weights of mean 1 whose weighted category shares meet every margin.

    ``cells[j]`` holds each respondent's category (0..k-1) of variable j and ``targets[j]`` its
    k population shares. Respondents start with equal weights.
    """
    n = _check(cells, targets)
    weights = np.ones(n)
    for iteration in range(max_iterations):
        for codes, target in zip(cells, targets, strict=True):
            totals = np.bincount(codes, weights=weights, minlength=len(target))
            if ((totals <= 0) & (target > 0)).any():
                raise MarginsError(
                    "A margin above zero has no respondent left to carry it (an empty cell).",
                    code="empty_cell",
                )
            factor = np.divide(
                target * weights.sum(), totals, out=np.zeros_like(totals), where=totals > 0
            )
            weights = weights * factor[codes]
            if weights.sum() <= 0:
                raise MarginsError(
                    "Every respondent would get a weight of zero.", code="zero_weights"
                )
        gap = max(
            float(
                np.abs(np.bincount(c, weights=weights, minlength=len(t)) / weights.sum() - t).max()
            )
            for c, t in zip(cells, targets, strict=True)
        )
        if gap <= tolerance:
            return weights * n / weights.sum()
        if iteration == max_iterations - 1:
            raise MarginsError(
                f"Raking did not converge in {max_iterations} sweeps (largest gap {gap:.2e}): "
                "the margins cannot all be met by this sample.",
                code="not_converged",
                params={"sweeps": max_iterations, "gap": gap},
            )
    raise AssertionError("unreachable")


def kish_deff(weights: np.ndarray) -> float | None:
    """Return Kish's design effect from unequal weights, None for an empty or weightless set."""
    weights = np.asarray(weights, dtype=float)
    weights = weights[~np.isnan(weights)]
    total = float(weights.sum())
    if weights.size == 0 or total <= 0:
        return None
    return float(weights.size * float(weights @ weights) / total**2)


def _design_matrix(cells: Sequence[np.ndarray], targets: Sequence[np.ndarray]) -> np.ndarray:
    """Return the 0/1 indicators of every margin category, one column per category."""
    n = len(cells[0])
    blocks = []
    for codes, target in zip(cells, targets, strict=True):
        block = np.zeros((n, len(target)))
        block[np.arange(n), codes] = 1.0
        blocks.append(block)
    return np.hstack(blocks)


def calibrated_shares(
    weights: np.ndarray,
    *,
    cells: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    ticked: np.ndarray,
    answered: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return each option's weighted share among answering respondents and its standard error.

    ``ticked`` is n x k (option ticked), ``answered`` n (question answered). A share without
    answering weight is NaN, as is a standard error from fewer than two respondents.
    """
    ticked = np.asarray(ticked, dtype=float) * np.asarray(answered, dtype=float)[:, None]
    answered = np.asarray(answered, dtype=float)
    base = float(weights @ answered)
    k = ticked.shape[1]
    if base <= 0:
        return np.full(k, math.nan), np.full(k, math.nan)
    shares = (weights @ ticked) / base
    n = len(weights)
    if n < 2:
        return shares, np.full(k, math.nan)
    # Influence values of the ratio estimator, then their residuals after the calibration.
    influence = (ticked - answered[:, None] * shares[None, :]) / base
    design = _design_matrix(cells, targets)
    root = np.sqrt(weights)[:, None]
    beta, *_ = np.linalg.lstsq(root * design, root * influence, rcond=None)
    residuals = influence - design @ beta
    scores = weights[:, None] * residuals
    scores -= scores.mean(axis=0)
    variance = n / (n - 1) * (scores**2).sum(axis=0)
    return shares, np.sqrt(variance)
