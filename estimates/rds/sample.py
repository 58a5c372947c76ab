"""The recruitment forest of a respondent-driven sample, and one question's answers as indicators.

Everything under ``estimates.rds`` except ``refresh``, ``reading``, ``ss_estimates``,
``hcg_estimates``, ``guidance``, ``selectors``, ``views`` and ``importer`` is independent
of Django and uses numpy alone, checked against R's ``RDS`` package (0.9-10). Build an
:class:`RDSSample` with :func:`rds_sample` from ids, recruiter ids and reported degrees (or with
:func:`forest_sample` from recruiter rows and degrees as arrays), then call
the estimators (``weights``, ``bootstrap``, ``diagnostics``) with the answers to one question.
Single-choice questions are passed as ``values`` (one category or ``None`` per respondent);
multiple-choice questions as an ``n x k`` indicator matrix plus an ``answered`` mask. Internally
every estimator works on indicator matrices (:class:`Indicators`), so the single-choice functions
are thin wrappers around the multiple-choice ones.

Where the data cannot support an estimate an :class:`RDSError` is raised whose message says why;
it is meant to be shown to the analyst instead of a number.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CYCLE",
    "DUPLICATE_IDS",
    "HOMOPHILY_UNDEFINED",
    "OWN_RECRUITER",
    "POPULATION_TOO_SMALL",
    "SS_POPULATION_TOO_SMALL",
    "WITH_PARAMS",
    "AnswerMatrices",
    "Indicators",
    "RDSError",
    "RDSSample",
    "as_dict",
    "forest_sample",
    "impute_degrees",
    "multi_choice",
    "rds_sample",
    "require_degrees",
    "single_choice",
    "wave_levels",
]


def gettext_noop(message: str) -> str:
    """Mark a reason for the catalogues; the pages translate it when shown.

    Named after Django's so that makemessages finds the reasons, but Django-free: the estimators
    run without it (R comparisons, the bundle's scripts).
    """
    return message


# Reasons that name a value (an id, a size, an option): stored filled in, in English, as every
# reason is, and translated when shown by matching these patterns (estimates.rds.selectors).
DUPLICATE_IDS = gettext_noop("Respondent ids must be unique; duplicated: %(ids)s.")
OWN_RECRUITER = gettext_noop("Respondent %(id)s is listed as their own recruiter.")
CYCLE = gettext_noop(
    "The recruitment chains contain a cycle (not traceable to any seed) through respondents "
    "%(ids)s."
)
POPULATION_TOO_SMALL = gettext_noop(
    "The population size, %(size)s, is smaller than the sample size, %(n)s."
)
SS_POPULATION_TOO_SMALL = gettext_noop(
    "The population size, %(size)s, is smaller than the sample size, %(n)s: Gile's SS estimator "
    "needs the size of the whole population the sample was drawn from."
)
HOMOPHILY_UNDEFINED = gettext_noop(
    "Population homophily for “%(option)s” is undefined: no recruitment between it and the "
    "other groups among respondents with recruits."
)
#: Every reason with placeholders, for the pages that translate a stored reason.
WITH_PARAMS = (
    DUPLICATE_IDS,
    OWN_RECRUITER,
    CYCLE,
    POPULATION_TOO_SMALL,
    SS_POPULATION_TOO_SMALL,
    HOMOPHILY_UNDEFINED,
)


class RDSError(ValueError):
    """Signal that the sample cannot support the requested RDS estimate.

    message is the reason in English as marked for the catalogues; ``%(name)s`` placeholders are
    filled from params, and ``str()`` gives the reason filled in, which is what is stored.
    """

    def __init__(self, message: str, params: dict[str, object] | None = None) -> None:
        self.message = message
        self.params = dict(params or {})
        super().__init__(message % self.params if self.params else message)


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


# --------------------------------------------------------------------------------------------
# Sample construction
# --------------------------------------------------------------------------------------------


def _frozen(array: np.ndarray) -> np.ndarray:
    """Mark an array read-only and return it."""
    array.setflags(write=False)
    return array


def expand_children(
    nodes: np.ndarray, child_ptr: np.ndarray, child_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the recruits of ``nodes`` (grouped by recruiter, in order) and their recruiters."""
    starts = child_ptr[nodes]
    counts = child_ptr[nodes + 1] - starts
    total = int(counts.sum())
    owners = np.repeat(np.arange(len(nodes)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return child_idx[np.repeat(starts, counts) + offsets], nodes[owners]


def wave_levels(sample: RDSSample) -> list[np.ndarray]:
    """Return the waves as row-index arrays in which each recruiter's recruits are contiguous."""
    levels = [sample.seeds]
    while True:
        children, _ = expand_children(levels[-1], sample.child_ptr, sample.child_idx)
        if children.size == 0:
            return levels
        levels.append(children)


def _is_missing(value: object) -> bool:
    """Return whether a value counts as missing (None or a float NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def impute_degrees(reported: np.ndarray) -> tuple[np.ndarray, int]:
    """Return the degrees with missing (NaN) or zero ones replaced by the largest, and how many.

    When nobody reported a degree they are left as they are.
    """
    missing = np.isnan(reported) | (reported == 0)
    imputed = int(missing.sum())
    degree = reported.copy()
    if imputed < len(reported):
        degree[missing] = np.nanmax(reported)
    return degree, imputed


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
        raise RDSError(gettext_noop("The sample is empty: there are no respondents to analyse."))
    id_list = [str(i) for i in ids]
    position = {rid: row for row, rid in enumerate(id_list)}
    if len(position) != n:
        duplicates = sorted(i for i, c in Counter(id_list).items() if c > 1)
        raise RDSError(DUPLICATE_IDS, {"ids": ", ".join(duplicates[:5])})
    parent = np.full(n, -1, dtype=np.int64)
    for row, rec in enumerate(recruiter_ids):
        if not _is_missing(rec):
            parent[row] = position.get(str(rec), -1)
    reported = np.array([np.nan if _is_missing(d) else float(d) for d in degrees], dtype=float)
    return forest_sample(ids=id_list, parent=parent, reported=reported)


def forest_sample(*, ids: Sequence[str], parent: np.ndarray, reported: np.ndarray) -> RDSSample:
    """Build an RDS sample from each row's recruiter row (-1: a seed) and degree (NaN: missing).

    rds_sample's second half, for a caller that has the rows as arrays already: a million
    respondents' ids looked up one by one take a second.
    """
    n = len(ids)
    if n == 0:
        raise RDSError(gettext_noop("The sample is empty: there are no respondents to analyse."))
    own = np.flatnonzero(parent == np.arange(n))
    if own.size:
        raise RDSError(OWN_RECRUITER, {"id": ids[own[0]]})
    if np.isinf(reported).any() or (reported < 0).any():
        raise RDSError(gettext_noop("Degrees (network sizes) must be finite and non-negative."))
    degree, imputed = impute_degrees(reported)

    recruited = np.flatnonzero(parent >= 0)
    order = recruited[np.argsort(parent[recruited], kind="stable")]
    child_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(parent[recruited], minlength=n), out=child_ptr[1:])

    wave = np.full(n, -1, dtype=np.int64)
    root = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(parent < 0)
    if frontier.size == 0:
        raise RDSError(
            gettext_noop(
                "The sample has no seed: every respondent lists a recruiter in the sample."
            )
        )
    wave[frontier] = 0
    root[frontier] = frontier
    depth = 0
    while frontier.size:
        depth += 1
        children, recruiters = expand_children(frontier, child_ptr, order)
        wave[children] = depth
        root[children] = root[recruiters]
        frontier = children
    if (wave < 0).any():
        stuck = [ids[i] for i in np.flatnonzero(wave < 0)[:5]]
        raise RDSError(CYCLE, {"ids": ", ".join(stuck)})
    return RDSSample(
        ids=tuple(ids),
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
class Indicators:
    """Hold one question's answers as an n x k indicator matrix and an answered mask."""

    ticked: np.ndarray
    answered: np.ndarray
    options: tuple[str, ...]

    @property
    def codes(self) -> np.ndarray:
        """Return the category index of each answer (single choice), -1 when unanswered."""
        return np.where(self.answered, self.ticked.argmax(axis=1), -1)


class AnswerMatrices:
    """Each question's stored answers as (ticked n x k, answered n), filled row by row.

    ``options`` gives each question's option codes in column order. A stored answer is an
    option code, or a list of them for a multiple choice; an unknown option is not ticked.
    """

    def __init__(self, options: dict[str, Sequence[str]], n: int) -> None:
        self._columns = {
            code: {option: k for k, option in enumerate(codes)} for code, codes in options.items()
        }
        self.matrices = {
            code: (np.zeros((n, len(columns)), dtype=bool), np.zeros(n, dtype=bool))
            for code, columns in self._columns.items()
        }

    def add(self, row: int, given: dict[str, object]) -> None:
        """Record one respondent's answers (``Response.answers``) in row ``row``."""
        for code, columns in self._columns.items():
            value = given.get(code)
            if value in (None, "", []):
                continue
            ticked, answered = self.matrices[code]
            answered[row] = True
            for option in value if isinstance(value, list) else [value]:
                if option in columns:
                    ticked[row, columns[option]] = True


def _encoded_strings(
    values: Sequence[str | None],
) -> tuple[tuple[str, ...], np.ndarray | None]:
    """Return the sorted categories and each value's index when every value is a str or None.

    The platform's answers are plain strings: encoding them through one dictionary look-up per
    value, without a Python function call each, keeps a million respondents' answers to well
    under a second. Anything else (numbers, NaN, subclasses) gives (), None: the general path.
    """
    try:
        distinct = set(values)
    except TypeError:  # unhashable values: only the general path can label them
        return (), None
    if not all(v is None or type(v) is str for v in distinct):
        return (), None
    options = tuple(sorted(v for v in distinct if v is not None))
    lookup: dict[str | None, int] = {o: k for k, o in enumerate(options)}
    lookup[None] = -1
    codes = np.fromiter(map(lookup.__getitem__, values), dtype=np.int64, count=len(values))
    return options, codes


def single_choice(sample: RDSSample, values: Sequence[str | None]) -> Indicators:
    """Encode single-choice answers as indicators over their sorted categories."""
    if len(values) != sample.size:
        raise ValueError(f"Expected {sample.size} values, got {len(values)}")
    options, codes = _encoded_strings(values)
    if codes is None:
        labels = [None if _is_missing(v) else str(v) for v in values]
        options = tuple(sorted({v for v in labels if v is not None}))
        lookup = {o: k for k, o in enumerate(options)}
        codes = np.array([-1 if v is None else lookup[v] for v in labels], dtype=np.int64)
    if not options:
        raise RDSError(gettext_noop("No respondent answered this question."))
    answered = codes >= 0
    ticked = np.zeros((sample.size, len(options)), dtype=bool)
    ticked[np.flatnonzero(answered), codes[answered]] = True
    return Indicators(ticked=ticked, answered=answered, options=options)


def multi_choice(
    sample: RDSSample, ticked: np.ndarray, answered: np.ndarray, options: Sequence[str]
) -> Indicators:
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
        raise RDSError(gettext_noop("No respondent answered this question."))
    return Indicators(ticked=ticked & answered[:, None], answered=answered, options=tuple(options))


def require_degrees(sample: RDSSample) -> None:
    """Raise RDSError when no respondent reported a degree."""
    if not sample.has_degrees:
        raise RDSError(
            gettext_noop(
                "No respondent reported a network size (degree), so degree-weighted RDS estimates "
                "cannot be computed."
            )
        )


def as_dict(options: Sequence[str], values: np.ndarray) -> dict[str, float]:
    """Pair options with numbers as plain Python floats."""
    return {o: float(v) for o, v in zip(options, values, strict=True)}
