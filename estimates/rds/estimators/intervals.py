"""Every estimate's interval: R's empirical-likelihood one beside the tree bootstrap's, and the
one the analyst chose to report (numpy only).

The tree bootstrap (Baraff, McCormick & Raftery 2016) resamples recruitment trees, so it needs at
least two seeds. R's default interval (:mod:`estimates.rds.estimators.empirical`) is analytic
and exists for any sample. The survey chooses which one is reported; where the tree bootstrap
cannot run the reported interval falls back to R's, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from estimates.contracts import EMPIRICAL, METHODS, TREE, Interval
from estimates.rds.estimators.empirical import el_intervals
from estimates.rds.sample import Indicators, RDSError

__all__ = [
    "EMPIRICAL",
    "METHODS",
    "TREE",
    "choose_interval",
    "el_by_weighting",
    "rds1_weights",
]

# The methods' names are part of the stored shape (estimates.contracts), re-exported here.


def rds1_weights(answers: Indicators, shares: Mapping[str, float]) -> np.ndarray:
    """Return R's RDS-I respondent weights: each group's share spread over its members."""
    # As RDS::rds.I.weights: weight = share of the group / number of respondents in it; those
    # who did not answer weigh nothing.
    codes = answers.codes
    counts = answers.ticked.sum(axis=0)
    per_group = np.array(
        [shares.get(o, 0.0) / c if c else 0.0 for o, c in zip(answers.options, counts, strict=True)]
    )
    return np.where(codes >= 0, per_group[np.maximum(codes, 0)], 0.0)


def el_by_weighting(
    answers: Indicators,
    weights: Sequence[np.ndarray | None],
    *,
    population_size: float | None,
) -> list[dict[str, Interval]]:
    """Return {option: R's interval} for each weighting, in the order given.

    A weighting that is None, or cannot give an interval (fewer than two answers), gets {}.
    """
    found: list[dict[str, Interval]] = []
    for w in weights:
        found.append({})
        if w is None:
            continue
        try:
            intervals = el_intervals(w, answers, population_size=population_size)
        except RDSError:
            continue
        found[-1] = {
            option: Interval(float(low), float(high), EMPIRICAL)
            for option, (low, high) in intervals.items()
        }
    return found


def choose_interval(
    *, tree: Interval | None, empirical: Interval | None, method: str, tree_ran: bool
) -> Interval | None:
    """Return the interval to report: the survey's method, R's where the bootstrap did not run.

    None when there is no interval at all.
    """
    if method == TREE and tree_ran and tree is not None:
        return tree
    return empirical
