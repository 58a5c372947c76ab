"""Successive-sampling population size estimation (SS-PSE), a Gibbs sampler in numpy.

Handcock, Gile & Mar (2014), "Estimating hidden population size using respondent-driven sampling
data", Electronic Journal of Statistics 8(1):1491-1521, and (2015) Biometrics 71(1):258-266;
R's ``sspse::posteriorsize`` (1.1.0-6) with ``visibility = FALSE`` (no measurement error in the
reported degrees), its Conway-Maxwell-Poisson degree law and beta prior on the sample fraction.

The model: respondents are drawn one after another without replacement, each with probability
proportional to their degree among the people not yet drawn (successive sampling). So the order
in which the degrees arrive says how large the population is: if high-degree people keep arriving
until the end, the pool is far from used up. The unknowns are N, the degree law θ = (log λ, nu)
on 1..K, and the degrees of the N - n people never sampled. Given the order of recruitment the
sampler alternates (``gcmp`` in ``src/posteriorcmp.c``):

1. θ by Metropolis-Hastings given the degree counts of the whole population (every 10th sweep);
2. N - n with probability ∝ (Σ_k π_k e^{-r k})^m · (n + m)! / m! · prior(n + m), where π is the
   degree law and r a latent "time" of the sampling (the exponential-clock representation);
3. r = Σ_i E_i / (U + b_i), with E_i ~ Exp(1), U the total degree of the unsampled people and
   b_i the total degree of respondents i, i + 1, ..., n (in the order of recruitment);
4. the unsampled people's degrees from π_k e^{-r k} (R draws them by rejection, never at K).

R runs 500 Metropolis steps per θ update, and so does this; any number leaves the posterior
unchanged (a valid Metropolis-within-Gibbs step), fewer only mix more slowly. The MAP is the
mode of a Gaussian kernel density of the draws (R's ``density`` with its default bandwidth).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from estimates.rds.estimators.cmp import CMPPrior, cmp_probabilities, theta_steps
from estimates.rds.estimators.sspse_prior import SizePrior, size_prior
from estimates.rds.sample import RDSError, gettext_noop

__all__ = [
    "PopulationSize",
    "degree_prior",
    "kernel_density",
    "population_size",
    "tree_degrees",
]

#: R's cap on degrees in the non-measurement-error model (``K <- 35`` in ``posteriorsize``).
MAX_DEGREE = 35
#: R's defaults: 5,000 warm-up sweeps, a draw kept every 10th sweep, θ updated every 10th.
WARMUP = 5000
INTERVAL = 10
THETA_EVERY = 10
#: Metropolis steps per θ update, as R. Fewer leave the posterior the same but mix more slowly:
#: with 100, fauxmadrona's posterior median varied about twice as much from seed to seed.
THETA_STEPS = 500
GRID_POINTS = 512

TOO_FEW = gettext_noop("The population size needs at least ten respondents with a network size.")


@dataclass(frozen=True, eq=False)
class PopulationSize:
    """The posterior of the population size N, summarised, with densities for a plot."""

    map: float  # kernel-density mode of the draws
    mean: float
    median: float
    lower: float  # 2.5 %
    upper: float  # 97.5 %
    n: int
    samples: int
    seed: int | None
    prior: SizePrior
    draws: np.ndarray  # the N draws, in chain order
    grid: np.ndarray  # population sizes at which the densities are given
    prior_density: np.ndarray  # per unit of N
    posterior_density: np.ndarray  # per unit of N (kernel density of the draws)


def degree_prior(degrees: np.ndarray, k_max: int = MAX_DEGREE) -> CMPPrior:
    """Return R's prior on the degree law: the degrees' inverse-degree-weighted mean and s.d."""
    # As posteriorsize: degrees rescaled to a mean of 8 (mem.optimism.prior = mean / 8), capped
    # at K, weighted by 1 / degree (the sample over-represents high degrees). R then smooths the
    # two moments through a CMP fit; with df 1 and 3 the prior is weak, so the moments are used.
    raw = np.where(degrees == 0, 1.0, degrees)
    scaled = np.clip(degrees / (raw.mean() / 8.0), None, k_max)
    scaled[scaled == 0] = 1.0
    w = 1.0 / scaled
    mean = float(np.sum(w * scaled) / w.sum())
    sd = math.sqrt(max(float(np.sum(w * scaled * scaled) / w.sum()) - mean * mean, 1e-6))
    return CMPPrior(mean=mean, sd=min(sd, 4.0 * mean))


def tree_degrees(*, degree: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Return each degree raised to the ties the sample saw: recruits plus the recruiter."""
    # R's include.tree: someone who recruited three people and was recruited has degree >= 4.
    recruits = np.bincount(parent[parent >= 0], minlength=len(parent))
    return np.maximum(degree, recruits + (parent >= 0))


def kernel_density(draws: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Return the Gaussian kernel density of the draws on the grid (R's ``bw.nrd0``)."""
    x = np.asarray(draws, dtype=float)
    q75, q25 = np.quantile(x, [0.75, 0.25])
    spread = min(float(np.std(x, ddof=1)), (q75 - q25) / 1.34)
    if spread <= 0:
        spread = float(np.std(x, ddof=1)) or abs(float(x[0])) or 1.0
    bandwidth = 0.9 * spread * len(x) ** -0.2
    values, counts = np.unique(x, return_counts=True)  # the draws are integers: few distinct
    z = (grid[:, None] - values[None, :]) / bandwidth
    return (np.exp(-0.5 * z * z) @ counts) / (len(x) * bandwidth * math.sqrt(2 * math.pi))


def _draw_categories(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Return ``size`` draws of 0..len(p)-1 with probabilities ∝ p."""
    cumulative = np.cumsum(p)
    u = rng.random(size) * cumulative[-1]
    return np.minimum(np.searchsorted(cumulative, u), len(p) - 1)


def population_size(
    *,
    degrees: np.ndarray,
    prior_median: float | None = None,
    prior_quartiles: tuple[float, float] | None = None,
    samples: int = 2000,
    seed: int | None = None,
    warmup: int = WARMUP,
    interval: int = INTERVAL,
    theta_every: int = THETA_EVERY,
    theta_update_steps: int = THETA_STEPS,
) -> PopulationSize:
    """Return the SS-PSE posterior of N from the degrees in order of recruitment."""
    # The degrees must already be in order of recruitment (earliest first); missing ones are
    # left out by the caller, as R drops them.
    reported = np.asarray(degrees, dtype=float)
    n = len(reported)
    if n < 10:
        raise RDSError(TOO_FEW)
    prior = size_prior(n=n, median=prior_median, quartiles=prior_quartiles)
    theta_prior = degree_prior(reported)
    rng = np.random.default_rng(seed)

    k = np.arange(1, MAX_DEGREE + 1, dtype=float)
    log_fact = np.array([math.lgamma(v + 1) for v in k])
    sampled = np.clip(reported, 1, MAX_DEGREE).astype(np.int64)
    sample_counts = np.bincount(sampled - 1, minlength=MAX_DEGREE).astype(float)
    # b_i: the total degree of respondents i..n, the part of the pool they took from i on.
    after = np.cumsum(sampled[::-1])[::-1].astype(float)

    max_size = prior.max_size
    max_extra = max_size - n
    m = np.arange(max_extra, dtype=float)
    # log (n + m)! / m! + log prior(n + m): the part of P(N = n + m) that does not change.
    lgamma = np.frompyfunc(math.lgamma, 1, 1)
    fixed = (
        lgamma(n + m + 1).astype(float)
        - lgamma(m + 1).astype(float)
        + prior.log_probability[:max_extra]
    )
    # Unsampled people start with the degrees of the last ten respondents (as R).
    unseen = sampled[rng.integers(max(n - 10, 0), n, size=max_extra)]
    size = min(prior.start, max_size)
    r = float(np.sum(rng.standard_exponential(n) / (unseen[: size - n].sum() + after)))

    log_lambda = math.log(theta_prior.mean)
    nu = theta_prior.sd**2 / theta_prior.mean
    counts = sample_counts.copy()
    draws = np.empty(samples)
    kept = 0
    step = -warmup
    while kept < samples:
        if step == -warmup or step % theta_every == 0:
            log_lambda, nu = theta_steps(
                rng=rng,
                counts=counts,
                k=k,
                log_fact=log_fact,
                prior=theta_prior,
                log_lambda=log_lambda,
                nu=nu,
                steps=theta_update_steps,
            )
            pi = cmp_probabilities(log_lambda, nu, k, log_fact)
        # N given θ and r.
        log_p = m * math.log(float(pi @ np.exp(-r * k))) + fixed
        weights = np.exp(log_p - log_p.max())
        size = n + int(_draw_categories(rng, weights, 1)[0])
        # r given N and the degrees.
        total_unseen = float(unseen[: size - n].sum())
        r = float(np.sum(rng.standard_exponential(n) / (total_unseen + after)))
        # The unsampled degrees given N and r (R never draws K for them).
        tilted = pi[:-1] * np.exp(-r * k[:-1])
        fresh = _draw_categories(rng, tilted, size - n) + 1
        unseen[: size - n] = fresh
        counts = sample_counts + np.bincount(fresh - 1, minlength=MAX_DEGREE)
        if step > 0 and step % interval == 0:
            draws[kept] = size
            kept += 1
        step += 1

    grid = np.linspace(n, max_size, GRID_POINTS)
    posterior = kernel_density(draws, grid)
    prior_p = np.exp(prior.log_probability)
    return PopulationSize(
        map=float(grid[int(np.argmax(posterior))]),
        mean=float(draws.mean()),
        median=float(np.median(draws)),
        lower=float(np.quantile(draws, 0.025)),
        upper=float(np.quantile(draws, 0.975)),
        n=n,
        samples=samples,
        seed=seed,
        prior=prior,
        draws=draws,
        grid=grid,
        prior_density=np.interp(grid, prior.sizes, prior_p),
        posterior_density=posterior,
    )
