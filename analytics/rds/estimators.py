"""Respondent-driven sampling (RDS) estimators in plain numpy, checked against R's ``RDS`` package.

Everything here is independent of Django: build an :class:`RDSSample` with :func:`rds_sample`
from ids, recruiter ids and reported degrees, then call the estimators with the answers to one
question. Single-choice questions are passed as ``values`` (one category or ``None`` per
respondent); multiple-choice questions as an ``n x k`` indicator matrix plus an ``answered``
mask. Internally every estimator works on indicator matrices, so the single-choice functions are
thin wrappers around the multiple-choice ones.

Methods and references:

* RDS-II (Volz & Heckathorn 2008): weight proportional to 1 / degree.
* RDS-I (Salganik & Heckathorn 2004): stationary distribution of the recruitment Markov chain
  divided by the harmonic mean degree of each group, as ``RDS::RDS.I.estimates``.
* Tree bootstrap (Baraff, McCormick & Raftery 2016): resample seeds with replacement, then the
  recruits of every drawn respondent with replacement, recursively.
* Convergence and bottleneck diagnostics (Gile, Johnston & Salganik 2015).
* Recruitment and population homophily as ``RDS::homophily.estimates``.

Where the data cannot support an estimate an :class:`RDSError` is raised whose message says why;
it is meant to be shown to the analyst instead of a number.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = [
    "CumulativeEstimate",
    "RDSError",
    "RDSSample",
    "bottleneck",
    "bottleneck_multi",
    "convergence",
    "convergence_multi",
    "homophily",
    "population_homophily",
    "rds1_shares",
    "rds2_multi_shares",
    "rds2_shares",
    "rds2_weights",
    "rds_sample",
    "stationary_distribution",
    "transition_counts",
    "tree_bootstrap",
    "tree_bootstrap_counts",
    "tree_bootstrap_multi",
]

# Upper bound on replicates x respondents-in-one-wave handled at once by the bootstrap; it bounds
# the memory of the vectorised draws (a few arrays of this many int64) and fixes the chunking, so
# results stay deterministic for a given seed and sample.
_BOOTSTRAP_CELLS = 1 << 20


class RDSError(ValueError):
    """Signal that the sample cannot support the requested RDS estimate."""


@dataclass(frozen=True, eq=False)
class RDSSample:
    """Hold the recruitment forest of an RDS sample as read-only numpy arrays."""

    # Row i of every array describes respondent ids[i]; the row order is the order given to
    # rds_sample (the "order of recruitment" used by convergence).
    ids: tuple[str, ...]
    #: Row index of the recruiter, -1 for seeds.
    parent: np.ndarray
    #: Degree (network size) after replacing missing or zero values by the largest one; all NaN
    #: when nobody reported a degree.
    degree: np.ndarray
    #: Row index of the seed at the root of each respondent's recruitment tree.
    seed: np.ndarray
    #: Wave (0 for seeds, 1 for their recruits, ...), computed from the recruitment chains.
    wave: np.ndarray
    #: CSR offsets: the recruits of row ``i`` are ``child_idx[child_ptr[i]:child_ptr[i + 1]]``.
    child_ptr: np.ndarray
    #: CSR targets, recruits grouped by recruiter, each group in row order.
    child_idx: np.ndarray
    #: How many degrees were missing or zero and replaced by the largest reported degree.
    imputed_degrees: int

    @property
    def size(self) -> int:
        """Return the number of respondents."""
        return len(self.ids)

    @property
    def seeds(self) -> np.ndarray:
        """Return the row indices of the seeds in row order."""
        return np.flatnonzero(self.parent < 0)

    @property
    def n_children(self) -> np.ndarray:
        """Return the number of recruits of every respondent."""
        return np.diff(self.child_ptr)

    @property
    def n_waves(self) -> int:
        """Return the number of waves, counting the seeds as wave 0."""
        return int(self.wave.max()) + 1

    @property
    def has_degrees(self) -> bool:
        """Return whether at least one respondent reported a usable degree."""
        return not bool(np.isnan(self.degree).any())


@dataclass(frozen=True)
class CumulativeEstimate:
    """Hold the cumulative RDS-II estimate after one wave or after one more respondent."""

    #: Wave number (``by="wave"``) or number of rows taken in sample order (``by="order"``).
    position: int
    #: Number of respondents who answered the question among those included so far.
    respondents: int
    shares: dict[str, float]


# --------------------------------------------------------------------------------------------
# Sample construction
# --------------------------------------------------------------------------------------------


def _frozen(array: np.ndarray) -> np.ndarray:
    """Mark an array read-only and return it."""
    array.setflags(write=False)
    return array


def _expand_children(
    nodes: np.ndarray, child_ptr: np.ndarray, child_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the recruits of ``nodes`` (grouped by recruiter, in order) and their recruiters."""
    starts = child_ptr[nodes]
    counts = child_ptr[nodes + 1] - starts
    total = int(counts.sum())
    owners = np.repeat(np.arange(len(nodes)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return child_idx[np.repeat(starts, counts) + offsets], nodes[owners]


def _levels(sample: RDSSample) -> list[np.ndarray]:
    """Return the waves as row-index arrays in which each recruiter's recruits are contiguous."""
    levels = [sample.seeds]
    while True:
        children, _ = _expand_children(levels[-1], sample.child_ptr, sample.child_idx)
        if children.size == 0:
            return levels
        levels.append(children)


def _is_missing(value: object) -> bool:
    """Return whether a value counts as missing (None or a float NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def rds_sample(
    *,
    ids: Sequence[str],
    recruiter_ids: Sequence[str | None],
    degrees: Sequence[float | None],
) -> RDSSample:
    """Build an RDS sample; a recruiter of None or outside the sample makes a seed."""
    n = len(ids)
    if len(recruiter_ids) != n or len(degrees) != n:
        raise ValueError("ids, recruiter_ids and degrees must have the same length")
    if n == 0:
        raise RDSError("The sample is empty: there are no respondents to analyse.")
    id_list = [str(i) for i in ids]
    position = {rid: row for row, rid in enumerate(id_list)}
    if len(position) != n:
        duplicates = sorted(i for i, c in Counter(id_list).items() if c > 1)
        raise RDSError(f"Respondent ids must be unique; duplicated: {', '.join(duplicates[:5])}.")

    parent = np.full(n, -1, dtype=np.int64)
    for row, rec in enumerate(recruiter_ids):
        if _is_missing(rec):
            continue
        rec_row = position.get(str(rec), -1)
        if rec_row == row:
            raise RDSError(f"Respondent {id_list[row]} is listed as their own recruiter.")
        parent[row] = rec_row

    reported = np.array([np.nan if _is_missing(d) else float(d) for d in degrees], dtype=float)
    if np.isinf(reported).any() or (reported < 0).any():
        raise RDSError("Degrees (network sizes) must be finite and non-negative.")
    missing = np.isnan(reported) | (reported == 0)
    imputed = int(missing.sum())
    degree = reported.copy()
    if imputed < n:
        degree[missing] = np.nanmax(reported)

    recruited = np.flatnonzero(parent >= 0)
    order = recruited[np.argsort(parent[recruited], kind="stable")]
    child_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(parent[recruited], minlength=n), out=child_ptr[1:])

    wave = np.full(n, -1, dtype=np.int64)
    root = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(parent < 0)
    if frontier.size == 0:
        raise RDSError("The sample has no seed: every respondent lists a recruiter in the sample.")
    wave[frontier] = 0
    root[frontier] = frontier
    depth = 0
    while frontier.size:
        depth += 1
        children, recruiters = _expand_children(frontier, child_ptr, order)
        wave[children] = depth
        root[children] = root[recruiters]
        frontier = children
    if (wave < 0).any():
        stuck = [id_list[i] for i in np.flatnonzero(wave < 0)[:5]]
        raise RDSError(
            "The recruitment chains contain a cycle (not traceable to any seed) through "
            f"respondents {', '.join(stuck)}."
        )
    return RDSSample(
        ids=tuple(id_list),
        parent=_frozen(parent),
        degree=_frozen(degree),
        seed=_frozen(root),
        wave=_frozen(wave),
        child_ptr=_frozen(child_ptr),
        child_idx=_frozen(order),
        imputed_degrees=imputed,
    )


# --------------------------------------------------------------------------------------------
# Answers as indicator matrices
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Indicators:
    """Hold one question's answers as an n x k indicator matrix and an answered mask."""

    ticked: np.ndarray
    answered: np.ndarray
    options: tuple[str, ...]

    @property
    def codes(self) -> np.ndarray:
        """Return the category index of each answer (single choice), -1 when unanswered."""
        return np.where(self.answered, self.ticked.argmax(axis=1), -1)


def _single_choice(sample: RDSSample, values: Sequence[str | None]) -> _Indicators:
    """Encode single-choice answers as indicators over their sorted categories."""
    if len(values) != sample.size:
        raise ValueError(f"Expected {sample.size} values, got {len(values)}")
    labels = [None if _is_missing(v) else str(v) for v in values]
    options = tuple(sorted({v for v in labels if v is not None}))
    if not options:
        raise RDSError("No respondent answered this question.")
    lookup = {o: k for k, o in enumerate(options)}
    codes = np.array([-1 if v is None else lookup[v] for v in labels], dtype=np.int64)
    answered = codes >= 0
    ticked = np.zeros((sample.size, len(options)), dtype=bool)
    ticked[np.flatnonzero(answered), codes[answered]] = True
    return _Indicators(ticked=ticked, answered=answered, options=options)


def _multi_choice(
    sample: RDSSample, ticked: np.ndarray, answered: np.ndarray, options: Sequence[str]
) -> _Indicators:
    """Validate a multiple-choice indicator matrix and answered mask."""
    ticked = np.asarray(ticked, dtype=bool)
    answered = np.asarray(answered, dtype=bool)
    if ticked.shape != (sample.size, len(options)):
        raise ValueError(
            f"ticked must have shape ({sample.size}, {len(options)}), got {ticked.shape}"
        )
    if answered.shape != (sample.size,):
        raise ValueError(f"answered must have shape ({sample.size},), got {answered.shape}")
    if not answered.any():
        raise RDSError("No respondent answered this question.")
    return _Indicators(ticked=ticked & answered[:, None], answered=answered, options=tuple(options))


# --------------------------------------------------------------------------------------------
# RDS-II (Volz-Heckathorn)
# --------------------------------------------------------------------------------------------


def _require_degrees(sample: RDSSample) -> None:
    """Raise RDSError when no respondent reported a degree."""
    if not sample.has_degrees:
        raise RDSError(
            "No respondent reported a network size (degree), so degree-weighted RDS estimates "
            "cannot be computed."
        )


def rds2_weights(sample: RDSSample, *, population_size: int | None = None) -> np.ndarray:
    """Return Volz-Heckathorn weights, summing to population_size when it is given."""
    _require_degrees(sample)
    degree = sample.degree
    weights = 1.0 / (sample.size * degree / degree.sum())  # as R: degrees scaled to mean 1
    if population_size is not None:
        if population_size < sample.size:
            raise RDSError(
                f"The population size, {population_size}, is smaller than the sample size, "
                f"{sample.size}."
            )
        weights = population_size * weights / weights.sum()
    return weights


def _shares(weights: np.ndarray, answers: _Indicators) -> np.ndarray:
    """Return the weighted share of answering respondents who ticked each option."""
    total = float(weights[answers.answered].sum())
    if total <= 0:
        raise RDSError("The answering respondents carry no weight.")
    return (weights @ answers.ticked) / total


def _as_dict(options: Sequence[str], values: np.ndarray) -> dict[str, float]:
    """Pair options with numbers as plain Python floats."""
    return {o: float(v) for o, v in zip(options, values, strict=True)}


def rds2_multi_shares(
    sample: RDSSample, *, ticked: np.ndarray, answered: np.ndarray, options: Sequence[str]
) -> dict[str, float]:
    """Return the RDS-II share of answering respondents who ticked each option."""
    answers = _multi_choice(sample, ticked, answered, options)
    return _as_dict(answers.options, _shares(rds2_weights(sample), answers))


def rds2_shares(sample: RDSSample, *, values: Sequence[str | None]) -> dict[str, float]:
    """Return the RDS-II share of each category among respondents who answered."""
    answers = _single_choice(sample, values)
    return _as_dict(answers.options, _shares(rds2_weights(sample), answers))


# --------------------------------------------------------------------------------------------
# Transitions, RDS-I (Salganik-Heckathorn) and homophily
# --------------------------------------------------------------------------------------------


def _transition_matrix(sample: RDSSample, answers: _Indicators) -> np.ndarray:
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
            "The recruitment Markov chain is periodic (groups only recruit across), so it has no "
            "stationary distribution."
        )
    ones = np.flatnonzero(np.abs(eigenvalues - 1.0) < tolerance)
    if ones.size != 1:
        raise RDSError(
            "The recruitment Markov chain has no unique stationary distribution (some groups "
            "never recruit into the others)."
        )
    vector = np.real(eigenvectors[:, ones[0]])
    return vector / vector.sum()


def _require_transitions(counts: np.ndarray) -> None:
    """Raise RDSError when no recruitment with both answers known was observed."""
    if counts.sum() == 0:
        raise RDSError(
            "No recruitment links with an answer from both recruiter and recruit: the sample "
            "has fewer than two waves of answering respondents."
        )


def transition_counts(
    sample: RDSSample, *, values: Sequence[str | None]
) -> dict[tuple[str, str], int]:
    """Count recruitments from each recruiter category to each recruit category."""
    answers = _single_choice(sample, values)
    counts = _transition_matrix(sample, answers)
    return {
        (a, b): int(counts[i, j])
        for i, a in enumerate(answers.options)
        for j, b in enumerate(answers.options)
    }


def stationary_distribution(sample: RDSSample, *, values: Sequence[str | None]) -> dict[str, float]:
    """Return the stationary distribution of the recruitment transition matrix."""
    answers = _single_choice(sample, values)
    counts = _transition_matrix(sample, answers)
    _require_transitions(counts)
    return _as_dict(answers.options, _stationary(counts))


def rds1_shares(
    sample: RDSSample, *, values: Sequence[str | None], smoothed: bool = False
) -> dict[str, float]:
    """Return the RDS-I (Salganik-Heckathorn) share of each category, as RDS.I.estimates."""
    _require_degrees(sample)
    answers = _single_choice(sample, values)
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
    return _as_dict(answers.options, ratio / ratio.sum())


def homophily(sample: RDSSample, *, values: Sequence[str | None]) -> float:
    """Return recruitment homophily: same-group recruitments over those expected at random."""
    answers = _single_choice(sample, values)
    counts = _transition_matrix(sample, answers).astype(float)
    _require_transitions(counts)
    expected = float(counts.sum(axis=1) @ counts.sum(axis=0)) / counts.sum()
    return float(np.trace(counts)) / expected


def population_homophily(sample: RDSSample, *, values: Sequence[str | None]) -> dict[str, float]:
    """Return RDS-II population homophily of each category against the rest, as R does."""
    _require_degrees(sample)
    answers = _single_choice(sample, values)
    if len(answers.options) < 2:
        raise RDSError("Population homophily needs at least two answer categories.")
    codes = answers.codes
    degree = sample.degree
    parent = sample.parent
    recruits = np.flatnonzero((parent >= 0) & answers.answered)
    k = len(answers.options)
    # Composition of each respondent's answering recruits: an estimate of their ties per group.
    recruit_mix = np.zeros((sample.size, k))
    np.add.at(recruit_mix, (parent[recruits], codes[recruits]), 1.0)
    n_recruits = recruit_mix.sum(axis=1)
    usable = answers.answered & (n_recruits > 0)
    if not usable.any():
        raise RDSError("No answering respondent recruited anyone who answered this question.")
    weights = np.where(usable, 1.0 / degree, 0.0)
    weights /= weights.sum()
    ties = np.zeros((sample.size, k))
    ties[usable] = recruit_mix[usable] * (degree[usable] / n_recruits[usable])[:, None]
    mean_degree = float(weights @ degree)
    result: dict[str, float] = {}
    for g, option in enumerate(answers.options):
        member = answers.ticked[:, g]
        p = float(weights @ member)
        mean_degree_in = float(weights @ (degree * member)) / p if p > 0 else math.nan
        mean_degree_out = float(weights @ (degree * ~member)) / (1 - p) if p < 1 else math.nan
        cross = np.where(member, ties.sum(axis=1) - ties[:, g], ties[:, g])
        mean_cross = float(weights @ cross)
        if mean_cross == 0 or math.isnan(mean_degree_in) or math.isnan(mean_degree_out):
            raise RDSError(
                f"Population homophily for {option!r} is undefined: no recruitment between it and "
                "the other groups among respondents with recruits."
            )
        result[option] = (
            2 * p * mean_degree_out * (1 - p) * mean_degree_in / (mean_cross * mean_degree)
        )
    return result


# --------------------------------------------------------------------------------------------
# Tree bootstrap (Baraff, McCormick & Raftery 2016)
# --------------------------------------------------------------------------------------------


def _resample_recruits(
    counts: np.ndarray, n_children: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Draw each copy's recruits with replacement; return copies per recruit (rows x recruits)."""
    # counts[r, j] is how often parent j appears in replicate r. Every copy draws as many recruits
    # as the parent had, uniformly with replacement among them, so parent j makes
    # counts[r, j] * n_children[j] draws. The next wave's columns are the parents' recruits
    # concatenated in parent order (the layout produced by _levels).
    rows, parents = counts.shape
    width = int(n_children.sum())
    starts = np.cumsum(n_children) - n_children
    draws = (counts * n_children).ravel()
    pair = np.repeat(np.arange(rows * parents, dtype=np.int64), draws)
    row, column = np.divmod(pair, parents)
    fan = n_children[column]
    pick = np.minimum((rng.random(pair.size) * fan).astype(np.int64), fan - 1)
    flat = row * width + starts[column] + pick
    return np.bincount(flat, minlength=rows * width).reshape(rows, width)


def _bootstrap_waves(
    sample: RDSSample, replicates: int, seed: int
) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Yield (replicate rows, respondent rows, copy counts) wave by wave, chunk by chunk."""
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    levels = _levels(sample)
    if len(levels[0]) < 2:
        raise RDSError(
            "The tree bootstrap needs at least two seeds: with a single recruitment tree the "
            "between-tree variability cannot be estimated."
        )
    rng = np.random.default_rng(seed)
    n_children = sample.n_children
    widest = max(len(level) for level in levels)
    chunk = max(1, min(replicates, _BOOTSTRAP_CELLS // widest))
    n_seeds = np.array([len(levels[0])], dtype=np.int64)
    for start in range(0, replicates, chunk):
        rows = slice(start, min(start + chunk, replicates))
        counts = np.ones((rows.stop - rows.start, 1), dtype=np.int64)
        fan = n_seeds  # seeds are drawn as the recruits of a virtual root
        for level in levels:
            counts = _resample_recruits(counts, fan, rng)
            yield rows, level, counts
            fan = n_children[level]


def tree_bootstrap_counts(
    sample: RDSSample, *, replicates: int = 1000, seed: int = 20250101
) -> np.ndarray:
    """Return how often each respondent appears in each tree-bootstrap replicate."""
    result = np.zeros((replicates, sample.size), dtype=np.int64)
    for rows, level, counts in _bootstrap_waves(sample, replicates, seed):
        result[rows, level] = counts
    return result


def _bootstrap(
    sample: RDSSample, answers: _Indicators, replicates: int, seed: int, level: float
) -> dict[str, tuple[float, float]]:
    """Return tree-bootstrap percentile intervals of the RDS-II shares of each option."""
    if not 0 < level < 1:
        raise ValueError("level must be strictly between 0 and 1")
    weights = rds2_weights(sample)
    weighted_ticks = weights[:, None] * answers.ticked
    weighted_answered = weights * answers.answered
    numerator = np.zeros((replicates, len(answers.options)))
    denominator = np.zeros(replicates)
    for rows, wave_rows, counts in _bootstrap_waves(sample, replicates, seed):
        copies = counts.astype(float)
        numerator[rows] += copies @ weighted_ticks[wave_rows]
        denominator[rows] += copies @ weighted_answered[wave_rows]
    valid = denominator > 0
    if not valid.any():
        raise RDSError("No bootstrap replicate contains a respondent who answered this question.")
    estimates = numerator[valid] / denominator[valid, None]
    tail = (1 - level) / 2
    lower, upper = np.quantile(estimates, [tail, 1 - tail], axis=0)
    return {
        o: (float(lo), float(hi)) for o, lo, hi in zip(answers.options, lower, upper, strict=True)
    }


def tree_bootstrap(
    sample: RDSSample,
    *,
    values: Sequence[str | None],
    replicates: int = 1000,
    seed: int = 20250101,
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Return tree-bootstrap percentile intervals for the RDS-II share of each category."""
    _require_degrees(sample)
    return _bootstrap(sample, _single_choice(sample, values), replicates, seed, level)


def tree_bootstrap_multi(
    sample: RDSSample,
    *,
    ticked: np.ndarray,
    answered: np.ndarray,
    options: Sequence[str],
    replicates: int = 1000,
    seed: int = 20250101,
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Return tree-bootstrap percentile intervals for multiple-choice RDS-II shares."""
    _require_degrees(sample)
    answers = _multi_choice(sample, ticked, answered, options)
    return _bootstrap(sample, answers, replicates, seed, level)


# --------------------------------------------------------------------------------------------
# Convergence and bottleneck diagnostics (Gile, Johnston & Salganik 2015)
# --------------------------------------------------------------------------------------------


def _convergence(
    sample: RDSSample,
    answers: _Indicators,
    by: Literal["wave", "order"],
    points: int | None = None,
) -> list[CumulativeEstimate]:
    """Return cumulative RDS-II estimates by wave or by sample order (at most ``points``)."""
    if by not in ("wave", "order"):
        raise ValueError("by must be 'wave' or 'order'")
    if sample.n_waves < 2:
        raise RDSError("Convergence needs at least two waves; the sample holds only seeds.")
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
            shares=_as_dict(answers.options, ticks[end] / totals[end]),
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
    return _convergence(sample, _single_choice(sample, values), by, points)


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
    return _convergence(sample, _multi_choice(sample, ticked, answered, options), by, points)


def _bottleneck(sample: RDSSample, answers: _Indicators) -> dict[str, dict[str, float]]:
    """Return the RDS-II estimate within each seed's recruitment tree."""
    seeds = sample.seeds
    if seeds.size < 2:
        raise RDSError("The bottleneck diagnostic compares seeds' trees; the sample has one seed.")
    weights = rds2_weights(sample) * answers.answered
    tree = np.searchsorted(seeds, sample.seed)
    totals = np.bincount(tree, weights=weights, minlength=seeds.size)
    ticks = np.zeros((seeds.size, len(answers.options)))
    np.add.at(ticks, tree, weights[:, None] * answers.ticked)
    return {
        sample.ids[s]: (_as_dict(answers.options, ticks[t] / totals[t]) if totals[t] > 0 else {})
        for t, s in enumerate(seeds)
    }


def bottleneck(sample: RDSSample, *, values: Sequence[str | None]) -> dict[str, dict[str, float]]:
    """Return the RDS-II estimate within each seed's tree (empty when nobody in it answered)."""
    return _bottleneck(sample, _single_choice(sample, values))


def bottleneck_multi(
    sample: RDSSample, *, ticked: np.ndarray, answered: np.ndarray, options: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Return multiple-choice RDS-II shares within each seed's tree."""
    return _bottleneck(sample, _multi_choice(sample, ticked, answered, options))
