"""The analyst's prior on the population size N for SS-PSE (numpy only).

Handcock, Gile & Mar (2014), "Estimating hidden population size using respondent-driven sampling
data", Electronic Journal of Statistics 8(1), section 3.2; R's ``sspse::dsizeprior`` (1.1.0-6),
``type = "beta"``. The sample fraction n / N is given a beta(alpha, beta) prior, so that on the
population sizes N = n, n + 1, ..., max_size

    p(N) ∝ (N + ½ - n)^(beta - 1) · (N + ½)^-(alpha + beta).

From a prior median M, alpha = M / (M - n) and beta is solved so that the prior's median is M.
From prior quartiles both are solved for. The largest size considered, max_size, starts at three
times the median (ten times the upper quartile) and is grown or shrunk by 10 % until the density
at max_size is about 1 % of the density at the mode, as R does, so that the prior's tail is kept
but the sampler does not walk through sizes the analyst rules out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from estimates.rds.sample import RDSError, gettext_noop

__all__ = ["SizePrior", "size_prior"]

#: R's cap on beta for ``posteriorsize`` (``maxbeta = 90``) and on the largest size (``maxNmax``);
#: the platform lets the largest size grow to ten times the sample for samples above 20,000.
MAX_BETA = 90.0
MAX_SIZE_LIMIT = 200_000
SIZE_LIMIT_PER_RESPONDENT = 10
# R keeps adjusting max_size while the tail-to-mode ratio is outside 1 % ± 0.5 %.
_TAIL, _TAIL_SLACK = 0.01, 0.005
_ADJUST_ROUNDS = 200

PRIOR_BELOW_SAMPLE = gettext_noop(
    "The prior guess of the population size must be larger than the number of respondents."
)
TOO_LARGE = gettext_noop(
    "SS-PSE considers population sizes up to 200,000, or ten times the number of respondents "
    "if that is more; give a smaller prior guess."
)
QUARTILES_ORDER = gettext_noop("The lower quartile must be smaller than the upper quartile.")


@dataclass(frozen=True, eq=False)
class SizePrior:
    """The prior on N: its support n..max_size, normalised probabilities and summaries."""

    sizes: np.ndarray  # n, n + 1, ..., max_size
    log_probability: np.ndarray  # normalised, one per size
    alpha: float
    beta: float
    median: float
    mean: float
    mode: float
    quartiles: tuple[float, float]
    start: int  # where the sampler starts N: the prior median (at most max_size / 2)

    @property
    def max_size(self) -> int:
        """Return the largest population size the sampler may draw."""
        return int(self.sizes[-1])


def _probabilities(sizes: np.ndarray, n: int, alpha: float, beta: float) -> np.ndarray:
    """Return the beta prior's probabilities on the given sizes (normalised)."""
    x = sizes + 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = (beta - 1.0) * np.log(x - n) - (alpha + beta) * np.log(x)
    log_p[~np.isfinite(log_p)] = np.min(log_p[np.isfinite(log_p)])
    p = np.exp(log_p - log_p.max())
    return p / p.sum()


def _quantile(sizes: np.ndarray, p: np.ndarray, q: float) -> float:
    """Return R's ``(x + 0.5)[match(TRUE, cumsum(p) >= q)]``."""
    index = int(np.searchsorted(np.cumsum(p), q - 1e-12))
    return float(sizes[min(index, len(sizes) - 1)] + 0.5)


def _solve_beta(sizes: np.ndarray, n: int, alpha: float, median: float) -> float:
    """Return the beta whose prior median is nearest ``median`` (the median grows with beta)."""
    # R minimises |M - median| with optimize(); the median is monotone in beta, so bisection
    # finds the same crossing deterministically.
    low, high = 1.0, MAX_BETA
    for _ in range(60):
        middle = 0.5 * (low + high)
        if _quantile(sizes, _probabilities(sizes, n, alpha, middle), 0.5) < median:
            low = middle
        else:
            high = middle
    return high


def _tail_ratio(p: np.ndarray) -> float:
    return float(p[-1] / p.max())


def _quartile_fit(
    sizes: np.ndarray, n: int, quartiles: tuple[float, float], start: tuple[float, float]
) -> tuple[float, float]:
    """Return (alpha, beta) whose prior quartiles are nearest the given ones (pattern search)."""

    def miss(log_ab: np.ndarray) -> float:
        p = _probabilities(sizes, n, math.exp(log_ab[0]), math.exp(log_ab[1]))
        return math.hypot(
            quartiles[0] - _quantile(sizes, p, 0.25), quartiles[1] - _quantile(sizes, p, 0.75)
        )

    # The objective is a step function of (alpha, beta) (quantiles of a discrete prior), so a
    # compass search on the log scale, halving its step, is more reliable than gradients.
    point = np.log(np.array(start))
    best = miss(point)
    step = 1.0
    while step > 1e-3:
        moved = False
        for direction in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            trial = point + step * np.array(direction)
            value = miss(trial)
            if value < best:
                point, best, moved = trial, value, True
        if not moved:
            step /= 2
    return math.exp(point[0]), math.exp(point[1])


def size_prior(
    *, n: int, median: float | None = None, quartiles: tuple[float, float] | None = None
) -> SizePrior:
    """Return the beta prior on N from the prior median or the prior quartiles of N."""
    if quartiles is not None:
        low, high = quartiles
        if low >= high:
            raise RDSError(QUARTILES_ORDER)
        if low <= n:
            raise RDSError(PRIOR_BELOW_SAMPLE)
        max_size = math.ceil(10 * high)
    elif median is not None:
        if median <= n:
            raise RDSError(PRIOR_BELOW_SAMPLE)
        alpha = median / (median - n)
        max_size = math.ceil(3 * median)
    else:
        raise ValueError("give the prior median or the prior quartiles")
    # R cuts the support at 200,000 silently; a guess near the cut would be a truncated prior.
    limit = max(MAX_SIZE_LIMIT, SIZE_LIMIT_PER_RESPONDENT * n)
    if 2 * (quartiles[1] if quartiles is not None else float(median)) > limit:
        raise RDSError(TOO_LARGE)

    def fit(sizes: np.ndarray, guess: tuple[float, float]) -> tuple[float, float]:
        if quartiles is not None:
            return _quartile_fit(sizes, n, quartiles, guess)
        return alpha, _solve_beta(sizes, n, alpha, float(median))

    sizes = np.arange(n, max_size + 1, dtype=float)
    a, b = fit(sizes, (1.0, 10.0))
    for _ in range(_ADJUST_ROUNDS):
        ratio = _tail_ratio(_probabilities(sizes, n, a, b))
        if abs(ratio - _TAIL) <= _TAIL_SLACK:
            break
        max_size = round(max_size * (1.1 if ratio > _TAIL else 0.9))
        sizes = np.arange(n, max(max_size, n + 2) + 1, dtype=float)
        a, b = fit(sizes, (a, b))
    sizes = sizes[sizes <= limit]
    p = _probabilities(sizes, n, a, b)
    prior_median = _quantile(sizes, p, 0.5)
    with np.errstate(divide="ignore"):
        log_p = np.log(p)
    log_p[~np.isfinite(log_p)] = -1000.0  # as R: sizes the prior rules out stay reachable
    return SizePrior(
        sizes=sizes,
        log_probability=log_p,
        alpha=a,
        beta=b,
        median=prior_median,
        mean=float(np.sum((sizes + 0.5) * p)),
        mode=float(sizes[int(np.argmax(p))] + 0.5),
        quartiles=(_quantile(sizes, p, 0.25), _quantile(sizes, p, 0.75)),
        start=round(min(sizes[-1] / 2, prior_median)),
    )
