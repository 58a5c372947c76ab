"""RDS-II and RDS-I population shares, recruitment transitions and homophily (numpy only).

* RDS-II (Volz & Heckathorn 2008): weight proportional to 1 / degree.
* RDS-I (Salganik & Heckathorn 2004): stationary distribution of the recruitment Markov chain
  divided by the harmonic mean degree of each group, as ``RDS::RDS.I.estimates``.
* Recruitment and population homophily as ``RDS::homophily.estimates``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from estimates.rds.sample import (
    HOMOPHILY_UNDEFINED,
    POPULATION_TOO_SMALL,
    Indicators,
    RDSError,
    RDSSample,
    as_dict,
    gettext_noop,
    multi_choice,
    require_degrees,
    single_choice,
)

__all__ = [
    "differential_activity",
    "differential_activity_multi",
    "homophily",
    "option_shares",
    "population_homophily",
    "rds1_shares",
    "rds2_multi_shares",
    "rds2_shares",
    "rds2_weights",
    "stationary_distribution",
    "transition_counts",
    "weighted_shares",
]


def rds2_weights(sample: RDSSample, *, population_size: int | None = None) -> np.ndarray:
    """Return Volz-Heckathorn weights, summing to population_size when it is given."""
    require_degrees(sample)
    degree = sample.degree
    weights = 1.0 / (sample.size * degree / degree.sum())  # as R: degrees scaled to mean 1
    if population_size is not None:
        if population_size < sample.size:
            raise RDSError(POPULATION_TOO_SMALL, {"size": population_size, "n": sample.size})
        weights = population_size * weights / weights.sum()
    return weights


def weighted_shares(weights: np.ndarray, answers: Indicators) -> np.ndarray:
    """Return the weighted share of answering respondents who ticked each option."""
    total = float(weights[answers.answered].sum())
    if total <= 0:
        raise RDSError(gettext_noop("The answering respondents carry no weight."))
    return (weights @ answers.ticked) / total


def option_shares(weights: np.ndarray, answers: Indicators) -> dict[str, float]:
    """Return each option's weighted share, keyed by option code."""
    return as_dict(answers.options, weighted_shares(weights, answers))


def rds2_multi_shares(
    sample: RDSSample, *, ticked: np.ndarray, answered: np.ndarray, options: Sequence[str]
) -> dict[str, float]:
    """Return the RDS-II share of answering respondents who ticked each option."""
    answers = multi_choice(sample, ticked, answered, options)
    return option_shares(rds2_weights(sample), answers)


def rds2_shares(sample: RDSSample, *, values: Sequence[str | None]) -> dict[str, float]:
    """Return the RDS-II share of each category among respondents who answered."""
    answers = single_choice(sample, values)
    return option_shares(rds2_weights(sample), answers)


def _differential_activity(
    sample: RDSSample, answers: Indicators, weights: np.ndarray | None
) -> dict[str, float]:
    """Return each option's weighted mean degree over that of the answering rest."""
    require_degrees(sample)
    weights = rds2_weights(sample) if weights is None else weights
    degree = sample.degree
    result: dict[str, float] = {}
    for g, option in enumerate(answers.options):
        member = answers.ticked[:, g] & answers.answered
        rest = answers.answered & ~member
        if not member.any() or not rest.any():
            continue  # nobody to compare with: the ratio is undefined
        inside = float(weights[member] @ degree[member]) / float(weights[member].sum())
        outside = float(weights[rest] @ degree[rest]) / float(weights[rest].sum())
        result[option] = inside / outside
    return result


def differential_activity(
    sample: RDSSample, *, values: Sequence[str | None], weights: np.ndarray | None = None
) -> dict[str, float]:
    """Return the mean degree of each category over that of the others (RDS-II by default).

    As ``RDS::differential.activity.estimates``: with two categories, R reports the value of the
    one whose name sorts last.
    """
    return _differential_activity(sample, single_choice(sample, values), weights)


def differential_activity_multi(
    sample: RDSSample,
    *,
    ticked: np.ndarray,
    answered: np.ndarray,
    options: Sequence[str],
    weights: np.ndarray | None = None,
) -> dict[str, float]:
    """Return the mean degree of those who ticked each option over that of those who did not."""
    return _differential_activity(sample, multi_choice(sample, ticked, answered, options), weights)


# --------------------------------------------------------------------------------------------
# Transitions, RDS-I (Salganik-Heckathorn) and homophily
# --------------------------------------------------------------------------------------------


def _transition_matrix(sample: RDSSample, answers: Indicators) -> np.ndarray:
    """Count recruiter-category -> recruit-category transitions among answered pairs."""
    codes = answers.codes
    recruits = np.flatnonzero(sample.parent >= 0)
    from_codes = codes[sample.parent[recruits]]
    to_codes = codes[recruits]
    keep = (from_codes >= 0) & (to_codes >= 0)
    k = len(answers.options)
    flat = np.bincount(from_codes[keep] * k + to_codes[keep], minlength=k * k)
    return flat.reshape(k, k)


def _stationary(counts: np.ndarray) -> np.ndarray:
    """Return the stationary distribution of the row-normalised transition matrix, as R does."""
    tij = counts.astype(float)
    tij[tij.sum(axis=1) == 0] = 0.1  # RDS::count.transitions gives empty rows 0.1 per cell
    mle = tij / tij.sum(axis=1, keepdims=True)
    eigenvalues, eigenvectors = np.linalg.eig(mle.T)
    tolerance = math.sqrt(np.finfo(float).eps)
    if np.count_nonzero(np.abs(eigenvalues + 1.0) < tolerance) == 1:
        raise RDSError(
            gettext_noop(
                "The recruitment Markov chain is periodic (groups only recruit across), so it "
                "has no stationary distribution."
            )
        )
    ones = np.flatnonzero(np.abs(eigenvalues - 1.0) < tolerance)
    if ones.size != 1:
        raise RDSError(
            gettext_noop(
                "The recruitment Markov chain has no unique stationary distribution (some groups "
                "never recruit into the others)."
            )
        )
    vector = np.real(eigenvectors[:, ones[0]])
    return vector / vector.sum()


def _require_transitions(counts: np.ndarray) -> None:
    """Raise RDSError when no recruitment with both answers known was observed."""
    if counts.sum() == 0:
        raise RDSError(
            gettext_noop(
                "No recruitment links with an answer from both recruiter and recruit: the sample "
                "has fewer than two waves of answering respondents."
            )
        )


def transition_counts(
    sample: RDSSample, *, values: Sequence[str | None]
) -> dict[tuple[str, str], int]:
    """Count recruitments from each recruiter category to each recruit category."""
    answers = single_choice(sample, values)
    counts = _transition_matrix(sample, answers)
    return {
        (a, b): int(counts[i, j])
        for i, a in enumerate(answers.options)
        for j, b in enumerate(answers.options)
    }


def stationary_distribution(sample: RDSSample, *, values: Sequence[str | None]) -> dict[str, float]:
    """Return the stationary distribution of the recruitment transition matrix."""
    answers = single_choice(sample, values)
    counts = _transition_matrix(sample, answers)
    _require_transitions(counts)
    return as_dict(answers.options, _stationary(counts))


def rds1_shares(
    sample: RDSSample, *, values: Sequence[str | None], smoothed: bool = False
) -> dict[str, float]:
    """Return the RDS-I (Salganik-Heckathorn) share of each category, as RDS.I.estimates."""
    require_degrees(sample)
    answers = single_choice(sample, values)
    if len(answers.options) == 1:
        return {answers.options[0]: 1.0}
    counts = _transition_matrix(sample, answers)
    _require_transitions(counts)
    q_hat = _stationary(counts)
    if smoothed:  # "data smoothing": force the observed chain to be reversible
        tij = counts.astype(float)
        tij[tij.sum(axis=1) == 0] = 0.1
        mle = tij / tij.sum(axis=1, keepdims=True)
        smooth = tij.sum() * q_hat[:, None] * mle
        q_hat = _stationary(0.5 * (smooth + smooth.T))
    inverse_degree = (1.0 / sample.degree) @ answers.ticked
    h_hat = answers.ticked.sum(axis=0) / inverse_degree  # harmonic mean degree per group
    ratio = q_hat / h_hat
    return as_dict(answers.options, ratio / ratio.sum())


def homophily(sample: RDSSample, *, values: Sequence[str | None]) -> float | None:
    """Return recruitment homophily: same-group recruitments over those expected at random.

    None when no answer group both recruited and was recruited: at random no recruitment
    would stay within a group, so the ratio is 0 / 0.
    """
    answers = single_choice(sample, values)
    counts = _transition_matrix(sample, answers).astype(float)
    _require_transitions(counts)
    expected = float(counts.sum(axis=1) @ counts.sum(axis=0)) / counts.sum()
    if expected == 0:
        return None
    return float(np.trace(counts)) / expected


def population_homophily(sample: RDSSample, *, values: Sequence[str | None]) -> dict[str, float]:
    """Return RDS-II population homophily of each category against the rest, as R does."""
    require_degrees(sample)
    answers = single_choice(sample, values)
    if len(answers.options) < 2:
        raise RDSError(gettext_noop("Population homophily needs at least two answer categories."))
    codes = answers.codes
    degree = sample.degree
    parent = sample.parent
    recruits = np.flatnonzero((parent >= 0) & answers.answered)
    k = len(answers.options)
    # Composition of each respondent's answering recruits: an estimate of their ties per group.
    # Whole counts, so summing them by bincount gives exactly what adding ones one by one does.
    recruit_mix = (
        np.bincount(parent[recruits] * k + codes[recruits], minlength=sample.size * k)
        .astype(float)
        .reshape(sample.size, k)
    )
    n_recruits = recruit_mix.sum(axis=1)
    usable = answers.answered & (n_recruits > 0)
    if not usable.any():
        raise RDSError(
            gettext_noop("No answering respondent recruited anyone who answered this question.")
        )
    weights = np.where(usable, 1.0 / degree, 0.0)
    weights /= weights.sum()
    ties = np.zeros((sample.size, k))
    ties[usable] = recruit_mix[usable] * (degree[usable] / n_recruits[usable])[:, None]
    mean_degree = float(weights @ degree)
    all_ties = ties.sum(axis=1)  # the same for every option: summed once
    result: dict[str, float] = {}
    for g, option in enumerate(answers.options):
        member = answers.ticked[:, g]
        p = float(weights @ member)
        mean_degree_in = float(weights @ (degree * member)) / p if p > 0 else math.nan
        mean_degree_out = float(weights @ (degree * ~member)) / (1 - p) if p < 1 else math.nan
        cross = np.where(member, all_ties - ties[:, g], ties[:, g])
        mean_cross = float(weights @ cross)
        if mean_cross == 0 or math.isnan(mean_degree_in) or math.isnan(mean_degree_out):
            raise RDSError(HOMOPHILY_UNDEFINED, {"option": option})
        result[option] = (
            2 * p * mean_degree_out * (1 - p) * mean_degree_in / (mean_cross * mean_degree)
        )
    return result
