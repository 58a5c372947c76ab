"""Convergence and bottleneck diagnostics of RDS-II estimates (Gile, Johnston & Salganik 2015).

Numpy only: cumulative estimates by wave or by sample order, and the estimate within each seed's
recruitment tree; with them, a question's stored diagnostics (SS across population sizes,
differential activity and population homophily).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from estimates.contracts import Diagnostics, SizePoint
from estimates.rds.sample import (
    Indicators,
    RDSError,
    RDSSample,
    as_dict,
    gettext_noop,
    multi_choice,
    single_choice,
)
from estimates.rds.weights import (
    differential_activity_multi,
    population_homophily,
    rds2_weights,
)

__all__ = [
    "CumulativeEstimate",
    "bottleneck",
    "bottleneck_multi",
    "convergence",
    "convergence_multi",
    "question_diagnostics",
]


@dataclass(frozen=True)
class CumulativeEstimate:
    """Hold the cumulative RDS-II estimate after one wave or after one more respondent."""

    #: Wave number (``by="wave"``) or number of rows taken in sample order (``by="order"``).
    position: int
    #: Number of respondents who answered the question among those included so far.
    respondents: int
    shares: dict[str, float]


def _convergence(
    sample: RDSSample,
    answers: Indicators,
    by: Literal["wave", "order"],
    points: int | None = None,
) -> list[CumulativeEstimate]:
    """Return cumulative RDS-II estimates by wave or by sample order (at most ``points``)."""
    if by not in ("wave", "order"):
        raise ValueError("by must be 'wave' or 'order'")
    if sample.n_waves < 2:
        raise RDSError(
            gettext_noop("Convergence needs at least two waves; the sample holds only seeds.")
        )
    weights = rds2_weights(sample)
    if by == "wave":
        order = np.argsort(sample.wave, kind="stable")
        ends = np.cumsum(np.bincount(sample.wave)) - 1  # last row of each wave in that order
        positions = range(len(ends))
    else:
        order = np.arange(sample.size)
        ends = order
        if points is not None and points < sample.size:
            # Evenly spaced steps, always ending with the whole sample, keep a plot small.
            ends = np.unique(np.linspace(0, sample.size - 1, points).round().astype(np.int64))
        positions = (ends + 1).tolist()
    ticks = np.cumsum(weights[order, None] * answers.ticked[order], axis=0)
    totals = np.cumsum(weights[order] * answers.answered[order])
    answered = np.cumsum(answers.answered[order])
    return [
        CumulativeEstimate(
            position=position,
            respondents=int(answered[end]),
            shares=as_dict(answers.options, ticks[end] / totals[end]),
        )
        for position, end in zip(positions, ends, strict=True)
        if totals[end] > 0
    ]


def convergence(
    sample: RDSSample,
    *,
    values: Sequence[str | None],
    by: Literal["wave", "order"],
    points: int | None = None,
) -> list[CumulativeEstimate]:
    """Return the cumulative RDS-II estimate after each wave or each respondent in order."""
    return _convergence(sample, single_choice(sample, values), by, points)


def convergence_multi(
    sample: RDSSample,
    *,
    ticked: np.ndarray,
    answered: np.ndarray,
    options: Sequence[str],
    by: Literal["wave", "order"],
    points: int | None = None,
) -> list[CumulativeEstimate]:
    """Return cumulative multiple-choice RDS-II shares after each wave or each respondent."""
    return _convergence(sample, multi_choice(sample, ticked, answered, options), by, points)


def _bottleneck(sample: RDSSample, answers: Indicators) -> dict[str, dict[str, float]]:
    """Return the RDS-II estimate within each seed's recruitment tree."""
    seeds = sample.seeds
    if seeds.size < 2:
        raise RDSError(
            gettext_noop(
                "The bottleneck diagnostic compares seeds' trees; the sample has one seed."
            )
        )
    weights = rds2_weights(sample) * answers.answered
    tree = np.searchsorted(seeds, sample.seed)
    totals = np.bincount(tree, weights=weights, minlength=seeds.size)
    # Column by column: bincount adds each row's weight to its tree in row order, as np.add.at
    # does, so the sums are the same, without add.at's per-element cost at a million rows.
    ticks = np.column_stack(
        [
            np.bincount(tree, weights=weights * answers.ticked[:, g], minlength=seeds.size)
            for g in range(len(answers.options))
        ]
    ).reshape(seeds.size, len(answers.options))
    return {
        sample.ids[s]: (as_dict(answers.options, ticks[t] / totals[t]) if totals[t] > 0 else {})
        for t, s in enumerate(seeds)
    }


def bottleneck(sample: RDSSample, *, values: Sequence[str | None]) -> dict[str, dict[str, float]]:
    """Return the RDS-II estimate within each seed's tree (empty when nobody in it answered)."""
    return _bottleneck(sample, single_choice(sample, values))


def bottleneck_multi(
    sample: RDSSample, *, ticked: np.ndarray, answered: np.ndarray, options: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Return multiple-choice RDS-II shares within each seed's tree."""
    return _bottleneck(sample, multi_choice(sample, ticked, answered, options))


def question_diagnostics(
    sample: RDSSample,
    *,
    values: list[str | None] | None,
    ss_curve: list[SizePoint],
    ticked: np.ndarray,
    answered: np.ndarray,
    options: Sequence[str],
) -> Diagnostics:
    """Return the SS share across population sizes, differential activity and homophily.

    values: each respondent's answer to a single-choice question, None for multiple choice.
    """
    homophily: dict[str, float | None] | None = None
    reason = ""
    if values is not None:  # population homophily is defined for single choice only
        try:
            homophily = population_homophily(sample, values=values)
        except RDSError as error:
            reason = str(error)
    return Diagnostics(
        ss_by_size=tuple(ss_curve),
        differential_activity=differential_activity_multi(
            sample, ticked=ticked, answered=answered, options=options
        ),
        population_homophily=homophily,
        population_homophily_unavailable=reason,
    )
