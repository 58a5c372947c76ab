"""A question's intervals (tree bootstrap, R's), and its estimates without flagged responses.

The analyst's sensitivity check compares the estimates with and without the responses
``surveys.models.unflagged_q`` leaves out. As for RDS-II without them (``rds2_unflagged``), the
whole recruitment forest stays (a flagged recruiter keeps its recruits' waves and trees) and each
estimate is taken over the unflagged respondents who answered, as R's ``subset`` argument does:

* RDS-II's reported interval without them follows the survey's ``interval_method``: the tree
  bootstrap draws the very replicates of the full-sample interval, with the RDS-II weights of
  flagged respondents set to zero (the bootstrap of the unflagged answers, at the cost of one
  more weighted sum per wave, not new draws); R's interval is computed over the unflagged
  answers only where it is the one reported;
* RDS-I without them models the recruitment between the unflagged respondents' answers: a
  transition counts when recruiter and recruit both answered and neither is left out.

When no flagged respondent answered a question, the estimates are the same with and without
flagged responses and are copied, not computed again. Numpy and ``estimates.contracts`` only.
"""

from __future__ import annotations

import contextlib

import numpy as np

from estimates.contracts import TREE, Estimate, Interval, OptionEstimates
from estimates.rds.bootstrap import percentile_intervals, replicate_totals
from estimates.rds.estimators.intervals import choose_interval, el_by_weighting, rds1_weights
from estimates.rds.sample import RDSError, RDSSample, multi_choice
from estimates.rds.weights import rds1_shares, rds2_weights

__all__ = ["r_intervals", "tree_intervals", "unflagged_estimates"]

Intervals = dict[str, Interval]

# The tree bootstrap's interval: 95 %, as R reports.
LEVEL = 0.95


def _differs(answered: np.ndarray, kept: np.ndarray) -> bool:
    """Return whether a flagged respondent answered: only then do the estimates differ."""
    return bool(kept.any()) and bool((answered & ~kept).any())


def tree_intervals(
    sample: RDSSample,
    *,
    questions: dict[str, tuple[np.ndarray, np.ndarray, list[str]]],
    ss_weights: np.ndarray | None,
    kept: np.ndarray,
    method: str,
    replicates: int,
    seed: int,
) -> dict[str, tuple[Intervals, Intervals, Intervals]]:
    """Return each question's tree-bootstrap RDS-II, SS and RDS-II-without-flagged intervals.

    questions maps a code to (ticked, answered, options); each gets its intervals by option.
    One pass of draws serves every question (the draws cost far more than the weighted sums),
    so every question's intervals come from the same replicates, as each question's used to.
    SS weights are fixed at their full-sample values in every replicate: the "tree bootstrap
    with fixed SS weights" (R's default SS interval is a successive-sampling bootstrap
    instead), which re-estimating SS on each of a thousand replicates would cost. The interval
    without flagged responses is kept only when it is the one reported and differs.
    """
    rds2 = rds2_weights(sample)
    sets = {"everyone": rds2, "fixed_ss": ss_weights}
    named = {name: w for name, w in sets.items() if w is not None}
    blocks = [
        np.column_stack([multi_choice(sample, ticked, answered, options).ticked, answered])
        for ticked, answered, options in questions.values()
    ]
    if not blocks:
        return {}
    # "kept": RDS-II with the flagged respondents weighing nothing, left out of every
    # replicate's numerator and denominator: the same draws give the interval over the
    # unflagged answers alone.
    totals = dict(
        zip(
            [*named, "kept"],
            replicate_totals(
                sample,
                columns=np.hstack(blocks),
                weights=list(named.values()),
                replicates=replicates,
                seed=seed,
                within=kept,
            ),
            strict=True,
        )
    )
    found: dict[str, tuple[Intervals, Intervals, Intervals]] = {}
    start = 0
    for code, (_ticked, answered, options) in questions.items():
        span = slice(start, start + len(options))
        start += len(options) + 1

        def intervals(name: str, span: slice = span, options: list[str] = options) -> Intervals:
            sums = totals[name]
            shares = percentile_intervals(
                sums[:, span], sums[:, span.stop], options=options, level=LEVEL
            )
            return {o: Interval(float(lo), float(hi), TREE) for o, (lo, hi) in shares.items()}

        without: Intervals = {}
        if method == TREE and _differs(answered, kept):
            # No replicate may have drawn an unflagged respondent who answered: left out then.
            with contextlib.suppress(RDSError):
                without = intervals("kept")
        found[code] = (
            intervals("everyone"),
            intervals("fixed_ss") if "fixed_ss" in named else {},
            without,
        )
    return found


def r_intervals(
    sample: RDSSample,
    *,
    ticked: np.ndarray,
    answered: np.ndarray,
    options: list[str],
    rds1: dict[str, float] | None,
    ss_weights: np.ndarray | None,
    population_size: int | None,
) -> tuple[Intervals, Intervals, Intervals]:
    """Return R's interval of each option's RDS-II, RDS-I and SS estimates ({} if none)."""
    answers = multi_choice(sample, ticked, answered, options)
    weights = (
        rds2_weights(sample),
        None if rds1 is None else rds1_weights(answers, rds1),
        ss_weights,
    )
    # As R: the finite-population correction uses the survey's population size, when known.
    el_rds2, el_rds1, el_ss = el_by_weighting(answers, weights, population_size=population_size)
    return el_rds2, el_rds1, el_ss


def unflagged_estimates(
    *,
    sample: RDSSample,
    ticked: np.ndarray,
    answered: np.ndarray,
    kept: np.ndarray,
    options: list[str],
    full: dict[str, OptionEstimates],
    shares: dict[str, float],
    tree: Intervals,
    values: list[str | None] | None,
    method: str,
    tree_ran: bool,
    population_size: int | None,
) -> tuple[dict[str, Estimate], dict[str, Estimate], str]:
    """Return RDS-II and RDS-I without flagged responses by option, and why RDS-I is missing.

    full holds the full-sample estimates, shares RDS-II over the unflagged answers, tree the
    unflagged tree interval (:func:`tree_intervals`). values is each respondent's single-choice
    answer when the question has RDS-I, else None. The reason is "" when RDS-I without flagged
    responses was made or there is none to compare with.
    """
    if not _differs(answered, kept):
        # Nobody answering is left out: the same numbers. Everybody is: none at all.
        same = bool(kept.any())
        rds2 = {
            code: Estimate(
                share=shares.get(code),
                reported=full[code].rds2.reported if same else None,
                tree=full[code].rds2.tree if same else None,
                el=full[code].rds2.el if same else None,
            )
            for code in options
        }
        rds1 = {code: Estimate(share=full[code].rds1.share if same else None) for code in options}
        return rds2, rds1, ""
    el: Intervals = {}
    if not (tree and method == TREE and tree_ran):
        # R's interval is computed only where it is the one reported: it costs a pass per option.
        answers = multi_choice(sample, ticked, kept, options)
        (el,) = el_by_weighting(answers, [rds2_weights(sample)], population_size=population_size)
    rds2 = {
        code: Estimate(
            share=shares.get(code),
            reported=choose_interval(
                tree=tree.get(code), empirical=el.get(code), method=method, tree_ran=tree_ran
            ),
            tree=tree.get(code),
            el=el.get(code),
        )
        for code in options
    }
    found: dict[str, float] = {}
    reason = ""
    if values is not None:
        if len(values) != len(kept):
            raise ValueError("values and kept must have one entry per respondent")
        alone = np.where(kept, np.array(values, dtype=object), None).tolist()
        try:
            found = rds1_shares(sample, values=alone)
        except RDSError as error:
            reason = str(error)
    rds1 = {code: Estimate(share=found.get(code) if found else None) for code in options}
    return rds2, rds1, reason
