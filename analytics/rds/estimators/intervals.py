"""Every estimate's interval: R's empirical-likelihood one beside the tree bootstrap's, and the
one the analyst chose to report (numpy only).

The tree bootstrap (Baraff, McCormick & Raftery 2016) resamples recruitment trees, so it needs at
least two seeds. R's default interval (:mod:`analytics.rds.estimators.empirical`) is analytic
and exists for any sample. The survey chooses which one is reported; where the tree bootstrap
cannot run the reported interval falls back to R's, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analytics.rds.estimators.empirical import el_intervals
from analytics.rds.sample import Indicators, RDSError

__all__ = [
    "EMPIRICAL",
    "METHODS",
    "TREE",
    "choose_intervals",
    "el_columns",
    "rds1_weights",
]

#: The tree bootstrap (Baraff, McCormick & Raftery 2016).
TREE = "tree"
#: R's empirical-likelihood interval, ``RDS.*.estimates(empir.lik = TRUE)``.
EMPIRICAL = "el"
METHODS = (TREE, EMPIRICAL)

Interval = tuple[float, float]


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


def el_columns(
    answers: Indicators,
    weights: Mapping[str, np.ndarray | None],
    *,
    population_size: float | None,
) -> dict[str, dict[str, float]]:
    """Return {option: {"<name>_el_low": .., "<name>_el_high": ..}} for each named weighting.

    A weighting that is None, or cannot give an interval (fewer than two answers), is left out.
    """
    columns: dict[str, dict[str, float]] = {option: {} for option in answers.options}
    for name, w in weights.items():
        if w is None:
            continue
        try:
            intervals = el_intervals(w, answers, population_size=population_size)
        except RDSError:
            continue
        for option, (low, high) in intervals.items():
            columns[option][f"{name}_el_low"] = low
            columns[option][f"{name}_el_high"] = high
    return columns


def choose_intervals(
    share: dict[str, float | None], *, method: str, tree_ran: bool
) -> dict[str, float | str | None]:
    """Return the reported RDS-II and SS intervals of one option, with the method of each.

    share holds the tree bootstrap's ``tree_low``/``tree_high``/``ss_tree_low``/``ss_tree_high``
    and R's ``rds2_el_*``/``ss_el_*``; the result sets ``low``/``high``/``method`` and
    ``ss_low``/``ss_high``/``ss_method`` (the method is ``None`` when there is no interval).
    """
    use_tree = method == TREE and tree_ran
    chosen: dict[str, float | str | None] = {}
    for prefix, el in (("", "rds2"), ("ss_", "ss")):
        tree = (share.get(f"{prefix}tree_low"), share.get(f"{prefix}tree_high"))
        empirical = (share.get(f"{el}_el_low"), share.get(f"{el}_el_high"))
        if use_tree and tree[0] is not None:
            low, high, name = tree[0], tree[1], TREE
        elif empirical[0] is not None:
            low, high, name = empirical[0], empirical[1], EMPIRICAL
        else:
            low, high, name = None, None, None
        chosen[f"{prefix}low"], chosen[f"{prefix}high"] = low, high
        chosen[f"{prefix}method"] = name
    return chosen
