"""The degree distribution of SS-PSE: a Conway-Maxwell-Poisson law on 1..K (numpy only).

Shmueli, Minka, Kadane, Borle & Boatwright (2005), "A useful distribution for fitting discrete
data: revival of the Conway-Maxwell-Poisson distribution", JRSS C 54(1): P(k) ∝ λ^k / (k!)^nu.
SS-PSE (Handcock, Gile & Mar 2014, section 3.3) uses it truncated to the degrees 1..K, with a
prior on its mean μ and variance sigma² (R's ``sspse``: a scaled-inverse-χ² prior on sigma² and
a normal prior on μ with s.d. sigma / √df_μ), and updates θ = (log λ, nu) by random-walk
Metropolis-Hastings given how many population members have each degree (``MHcmptheta`` in
``src/posteriorcmp.c``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["CMPPrior", "cmp_moments", "cmp_probabilities", "theta_steps"]

#: R's proposal scales: log λ moves by N(0, 0.1), nu is multiplied by exp(N(0, 0.15)).
LOG_LAMBDA_STEP = 0.1
NU_STEP = 0.15


@dataclass(frozen=True)
class CMPPrior:
    """The prior on the degree law: mean μ0 (df_μ) and scale sigma0 of the variance (df_sigma)."""

    mean: float
    sd: float
    mean_df: float = 1.0
    sd_df: float = 3.0


def cmp_probabilities(
    log_lambda: float, nu: float, k: np.ndarray, log_fact: np.ndarray
) -> np.ndarray:
    """Return the CMP probabilities of the degrees k (1..K), normalised over them."""
    log_w = k * log_lambda - nu * log_fact
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def cmp_moments(p: np.ndarray, k: np.ndarray) -> tuple[float, float]:
    """Return the mean and variance of degrees k with probabilities p."""
    mean = float(p @ k)
    return mean, float(p @ (k * k)) - mean * mean


class _Target:
    """Log posterior of θ given the degree counts, for many θ at once."""

    def __init__(self, counts: np.ndarray, k: np.ndarray, log_fact: np.ndarray, prior: CMPPrior):
        self.k, self.log_fact, self.prior = k, log_fact, prior
        self.powers = np.vstack([np.ones_like(k), k, k * k])  # for Z, Σ k w and Σ k² w at once
        self.total = float(counts.sum())
        self.sum_k = float(counts @ k)
        self.sum_log_fact = float(counts @ log_fact)

    def __call__(self, log_lambda: np.ndarray, nu: np.ndarray) -> np.ndarray:
        log_w = np.outer(log_lambda, self.k) - np.outer(nu, self.log_fact)
        top = log_w.max(axis=1)
        z, first, second = (np.exp(log_w - top[:, None]) @ self.powers.T).T
        mean = first / z
        variance = second / z - mean * mean
        prior = self.prior
        with np.errstate(divide="ignore", invalid="ignore"):
            # Scaled-inverse-χ²(df, s²) density of the variance, as R's dsclinvchisq macro:
            # dchisq(df·s²/x, df) · df·s²/x².
            df, scale2 = prior.sd_df, prior.sd * prior.sd
            y = df * scale2 / variance
            log_prior = (
                (df / 2 - 1) * np.log(y)
                - y / 2
                - (df / 2) * math.log(2)
                - math.lgamma(df / 2)
                + np.log(df * scale2 / (variance * variance))
            )
            if prior.mean_df > 0:
                sd = np.sqrt(variance / prior.mean_df)
                log_prior += -0.5 * ((mean - prior.mean) / sd) ** 2 - np.log(sd)
            value = (
                log_lambda * self.sum_k
                - nu * self.sum_log_fact
                - self.total * (top + np.log(z))
                + log_prior
            )
        return np.where(variance > 0, value, -np.inf)


#: Proposals evaluated together; the chain is the same as one at a time (see theta_steps).
_BATCH = 16


def theta_steps(
    *,
    rng: np.random.Generator,
    counts: np.ndarray,
    k: np.ndarray,
    log_fact: np.ndarray,
    prior: CMPPrior,
    log_lambda: float,
    nu: float,
    steps: int,
) -> tuple[float, float]:
    """Return θ after ``steps`` Metropolis-Hastings moves given the population's degree counts."""
    target = _Target(counts, k, log_fact, prior)
    current = float(target(np.array([log_lambda]), np.array([nu]))[0])
    moves = rng.standard_normal((steps, 2)) * (LOG_LAMBDA_STEP, NU_STEP)
    log_u = np.log(rng.random(steps))
    # Most proposals are rejected, so the next few are all made from the current θ: evaluate a
    # batch of them at once and move to the first accepted one, then start a new batch after it.
    # Every step uses its own random numbers in order, so this is the one-at-a-time chain.
    i = 0
    while i < steps:
        j = min(steps, i + _BATCH)
        proposed_lambda = log_lambda + moves[i:j, 0]
        proposed_nu = nu * np.exp(moves[i:j, 1])
        proposed = target(proposed_lambda, proposed_nu)
        # The log-normal proposal on nu is not symmetric: the Hastings ratio is nu* / nu.
        ratio = proposed - current + moves[i:j, 1]
        accepted = np.flatnonzero((ratio >= 0) | (log_u[i:j] < ratio))
        if len(accepted) == 0:
            i = j
            continue
        hit = int(accepted[0])
        log_lambda, nu = float(proposed_lambda[hit]), float(proposed_nu[hit])
        current = float(proposed[hit])
        i += hit + 1
    return log_lambda, nu
