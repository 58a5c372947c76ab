"""The homophily configuration graph (HCG) estimator of population shares (numpy only).

Fellows (2019), "Respondent-driven sampling and the homophily configuration graph", Statistics in
Medicine 38(1); R's ``RDS.HCG.estimates`` / ``hcg.weights`` (``R/hcg-util.R`` of ``cran/RDS``).

RDS-II assumes people recruit at random among their ties; SS adds that the population is used up
as it is sampled. HCG adds homophily: ties between groups are described by a matrix theta, where
theta[a, b] is the share of a group-a member's ties that lead to group b, and the sample uses up
each group's ties as it goes. With the respondents in order of recruitment (their recruitment
times), the chance that a recruiter of group a recruits someone of group b is proportional to
theta[a, b] times the share of group b's ties still unsampled. The estimator alternates

1. the mean degree of each group, from Gile's SS weights within the group at its current size
   (share x N), and
2. theta, by maximum likelihood (Nelder-Mead) of the observed recruitments in time order, each
   theta implying the group shares through the balance of cross-group ties
   (N_a d_a theta[a, b] = N_b d_b theta[b, a]),

until the shares settle. Respondents' weights are then the group's share spread over its members
by their SS weights within the group (seeds included), as R's ``hcg.weights``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from estimates.rds.sample import RDSError, gettext_noop
from estimates.rds.ss import ss_degree_weights

__all__ = ["HCGResult", "hcg_weights"]

#: R's ``SS.infinity`` inside ``gile.ss.weights`` when HCG calls it (its default, 4 %).
_HCG_SS_INFINITY = 0.04
_PENALTY = 1e9


@dataclass(frozen=True)
class HCGResult:
    """The HCG estimate: group shares, the tie matrix and each respondent's weight."""

    shares: np.ndarray
    theta: np.ndarray
    mean_degree: np.ndarray
    weights: np.ndarray  # in the input's order, summing to 1; 0 for a missing outcome


def _nelder_mead(
    f: Callable[[np.ndarray], float], start: np.ndarray, *, reltol: float, max_iter: int
) -> np.ndarray:
    """Minimise f from start by Nelder-Mead, with the stopping rule of R's ``optim``."""
    # Reflection 1, contraction 0.5, expansion 2, a first simplex 10 % of the largest |value|
    # around the start, stop when the spread of values is within reltol of the best, as R does.
    k = len(start)
    step = 0.1 * max(float(np.max(np.abs(start))), 1.0 if not start.any() else 0.0)
    simplex = np.vstack([start, start + step * np.eye(k)])
    values = np.array([f(x) for x in simplex])
    for _ in range(max_iter):
        order = np.argsort(values, kind="stable")
        simplex, values = simplex[order], values[order]
        if values[-1] <= values[0] + reltol * (abs(values[0]) + reltol):
            break
        centre = simplex[:-1].mean(axis=0)
        reflected = centre + (centre - simplex[-1])
        fr = f(reflected)
        if fr < values[0]:
            expanded = centre + 2 * (reflected - centre)
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            worst = reflected if fr < values[-1] else simplex[-1]
            contracted = centre + 0.5 * (worst - centre)
            fc = f(contracted)
            if fc < min(fr, values[-1]):
                simplex[-1], values[-1] = contracted, fc
            else:  # shrink towards the best vertex
                simplex[1:] = simplex[0] + 0.5 * (simplex[1:] - simplex[0])
                values[1:] = [f(x) for x in simplex[1:]]
    return simplex[int(np.argmin(values))]


def _unflatten(flat: np.ndarray, k: int) -> np.ndarray:
    """Return theta from its off-diagonal entries, row by row; rows sum to one."""
    theta = np.zeros((k, k))
    theta[~np.eye(k, dtype=bool)] = flat
    theta[np.diag_indices(k)] = 1 - theta.sum(axis=1)
    return theta


def _balanced_shares(theta: np.ndarray, mean_degree: np.ndarray) -> np.ndarray:
    """Return the group shares that balance the ties between every pair of groups."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = theta * mean_degree[:, None] / (theta.T * mean_degree[None, :])
    shares = 1 / np.nansum(ratio, axis=1)
    return shares / shares.sum()


def _constrained(shares: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Return the shares moved into their lower bounds, staying as close as they can."""

    # min sum (p - shares)^2 + 10 (sum p - 1)^2 subject to p >= lower: p = max(lower, shares - c)
    # with c = 10 (sum p - 1), a monotone equation in c solved by bisection.
    def gap(c: float) -> float:
        return c - 10 * (np.maximum(lower, shares - c).sum() - 1)

    low, high = -1.0, 1.0
    while gap(low) > 0:
        low *= 2
    while gap(high) < 0:
        high *= 2
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if gap(mid) < 0 else (low, mid)
    return np.maximum(lower, shares - (low + high) / 2)


def _shares(
    theta: np.ndarray,
    mean_degree: np.ndarray,
    counts: np.ndarray,
    degree_totals: np.ndarray,
    size: int,
) -> np.ndarray:
    """Return the balanced shares, moved up to what the sample already holds of each group."""
    shares = _balanced_shares(theta, mean_degree)
    lower = np.maximum(counts / size, degree_totals / (size * mean_degree))
    if np.any(shares < lower):
        return _constrained(shares, lower)
    return shares


def _group_ss(degree: np.ndarray, size: int, seed: int, samples: int) -> np.ndarray:
    """Return SS weights of one group's respondents at the group's size (ones if one degree)."""
    if len(np.unique(degree)) <= 1:
        return np.ones(len(degree))
    return ss_degree_weights(
        degree, population_size=size, seed=seed, samples=samples, infinity=_HCG_SS_INFINITY
    )


def hcg_weights(
    *,
    parent: np.ndarray,
    time: np.ndarray,
    degree: np.ndarray,
    group: np.ndarray,
    population_size: int,
    seed: int = 20250101,
    samples: int = 500,
    tolerance: float = 5e-5,
    max_iter: int = 50,
    reltol: float = math.sqrt(np.finfo(float).eps),
    max_optim: int = 500,
) -> HCGResult:
    """Return the HCG estimate for groups coded 0..k-1 (-1: missing), parents as row indices."""
    n = len(degree)
    k = int(group.max()) + 1 if n else 0
    if k < 2 or np.any(np.bincount(group[group >= 0], minlength=k) == 0):
        raise RDSError(
            gettext_noop("HCG needs at least two answer groups, each with a respondent.")
        )
    if population_size < n:
        raise RDSError(gettext_noop("HCG needs a population size at least as large as the sample."))
    order = np.argsort(time, kind="stable")  # R's order(): ties keep the input's order
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    dg = degree[order].astype(float)
    out = group[order]
    parent_sorted = np.where(parent[order] >= 0, rank[np.maximum(parent[order], 0)], -1)
    seed_row = parent_sorted < 0
    known = out >= 0
    recruiter_out = np.where(seed_row, -1, out[np.maximum(parent_sorted, 0)])
    counts = np.bincount(out[known], minlength=k).astype(float)
    degree_totals = np.bincount(out[known], weights=dg[known], minlength=k)
    links = known & (recruiter_out >= 0)
    table = np.zeros((k, k))
    np.add.at(table, (recruiter_out[links], out[links]), 1.0)
    theta = (table + 1) / (table + 1).sum(axis=1, keepdims=True)
    overall = n / float(np.sum(1 / dg))
    mean_degree = np.full(k, overall)
    for g in range(k):
        members = known & ~seed_row & (out == g)
        if members.any():
            mean_degree[g] = members.sum() / float(np.sum(1 / dg[members]))
    shares = _balanced_shares(theta, mean_degree)
    # Degree already sampled from each group before each respondent, in order of recruitment.
    used = np.zeros((n, k))
    used[np.flatnonzero(known), out[known]] = dg[known]
    used = np.cumsum(used, axis=0) - used
    rows = np.flatnonzero(links)
    from_group, to_group = recruiter_out[rows], out[rows]

    @np.errstate(divide="ignore", invalid="ignore")
    def minus_log_likelihood(flat: np.ndarray) -> float:
        theta = _unflatten(flat, k)
        if np.any(theta <= 0) or np.any(theta >= 1):
            return _PENALTY * (np.abs(theta[theta < 0] - 1).sum() + theta[theta > 1].sum() + 1)
        ties = _shares(theta, mean_degree, counts, degree_totals, population_size)
        ties = ties * population_size * mean_degree
        unsampled = ties - degree_totals
        if np.any(unsampled < 0):
            return _PENALTY * (-unsampled[unsampled < 0].sum() + 1)
        left = (ties[None, :] - used[rows]) / ties[None, :]
        chance = theta[from_group] * left
        p = chance[np.arange(len(rows)), to_group] / chance.sum(axis=1)
        good = np.isfinite(p) & (p > 0) & (p <= 1)
        return -float(np.log(p[good]).sum())

    last = np.full(k, np.inf)
    for _ in range(max_iter):
        for g in range(k):
            members = known & ~seed_row & (out == g)
            if not members.any():
                mean_degree[g] = overall
                continue
            size = max(int(counts[g]), math.ceil(shares[g] * population_size))
            w = _group_ss(dg[members], size, seed, samples)
            mean_degree[g] = float(dg[members] @ w) / float(w.sum())
        mean_degree = np.maximum(mean_degree, degree_totals / (shares * population_size))
        flat = theta[~np.eye(k, dtype=bool)]
        theta = _unflatten(
            _nelder_mead(minus_log_likelihood, flat, reltol=reltol, max_iter=max_optim), k
        )
        shares = _shares(theta, mean_degree, counts, degree_totals, population_size)
        if not np.all(np.isfinite(shares)):
            raise RDSError(
                gettext_noop(
                    "HCG could not be estimated: the recruitments between the answer groups are "
                    "too few to estimate how often each group recruits the others."
                )
            )
        if float(np.sum((shares - last) ** 2)) < tolerance:
            break
        last = shares
    weights_sorted = np.zeros(n)
    for g in range(k):
        members = known & (out == g)
        size = max(int(counts[g]), math.ceil(shares[g] * population_size))
        w = _group_ss(dg[members], size, seed, samples)
        weights_sorted[members] = shares[g] * w / w.sum()
    weights = weights_sorted[rank]
    return HCGResult(
        shares=shares, theta=theta, mean_degree=mean_degree, weights=weights / weights.sum()
    )
