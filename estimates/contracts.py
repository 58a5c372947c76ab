"""The stored shape of a question's RDS estimates, in one place: typed, frozen and versioned.

``estimates.rds.refresh`` computes the estimates, ``RDSQuestion`` stores them as JSON and the
dashboard, the exports, the API and the recruitment health checks read them. All of them go
through these dataclasses: ``QuestionRecord.to_json`` writes the row (its columns are the JSON
object's keys, with ``"version"``), ``QuestionRecord.from_json`` reads every version ever stored,
so no other module knows a stored key. The subgroup estimates a filtered view computes on
request are cached in the same shape.

The stored shape (``VERSION`` 1), per row of ``RDSQuestion``::

    version            1 (null in rows stored before the shape carried a version: "version 0")
    shares             {option: {key: fraction 0-1, a method name or null}}, the keys being
        rds2, low, high, method           RDS-II; the reported 95 % interval and how it was made
        tree_low, tree_high               the tree bootstrap's interval (>= 2 seeds)
        rds2_el_low, rds2_el_high         R's empirical-likelihood interval
        rds1, rds1_el_low, rds1_el_high   RDS-I (single choice, >= 2 waves)
        rds2_unflagged, low_unflagged,    RDS-II without flagged responses, its reported
          high_unflagged, method_unflagged  interval and how it was made,
          unflagged_tree_low, unflagged_tree_high, rds2_el_low_unflagged, rds2_el_high_unflagged
        rds1_unflagged                    RDS-I without flagged responses
        ss, ss_low, ss_high, ss_method    Gile's SS (with a population size), likewise
        ss_tree_low, ss_tree_high, ss_el_low, ss_el_high
        hcg, hcg_low, hcg_high            HCG (single choice, N and recruitment times); R's interval
    homophily          float or null (single choice)
    unavailable        {"shares"|"interval"|"rds1"|"rds1_unflagged"|"hcg"|"convergence"|
                        "bottleneck": reason}
    convergence_wave   [{"position": wave, "respondents": n, "shares": {option: share}}]
    convergence_order  the same by order of recruitment
    bottleneck         {seed's tree label: {option: share}}
    diagnostics        {"ss_by_size": [{"population_size": N, "shares": {option: share}}],
                        "differential_activity": {option: ratio},
                        "population_homophily": {option: value} or
                        "population_homophily_unavailable": reason}

A method is ``"tree"`` (tree bootstrap) or ``"el"`` (R's empirical likelihood); reasons are
stored untranslated. Version 0 rows may lack any key added since the first build; a missing key
reads as "not computed", and an interval stored before the method was recorded (no ``method``
key) was the tree bootstrap's. Pure Python: no Django, no numpy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EMPIRICAL",
    "LINEARIZATION",
    "METHODS",
    "NO_BOTTLENECK",
    "NO_CONVERGENCE",
    "NO_HCG",
    "NO_INTERVAL",
    "NO_RDS1",
    "NO_RDS1_UNFLAGGED",
    "TREE",
    "UNANSWERED",
    "VERSION",
    "CurvePoint",
    "Diagnostics",
    "Estimate",
    "Interval",
    "OptionEstimates",
    "QuestionRecord",
    "SizePoint",
    "UnknownVersion",
    "bounds",
]

#: The version ``to_json`` writes; ``from_json`` reads it and every earlier one.
VERSION = 1
#: The tree bootstrap (Baraff, McCormick & Raftery 2016).
TREE = "tree"
#: R's empirical-likelihood interval, ``RDS.*.estimates(empir.lik = TRUE)``.
EMPIRICAL = "el"
METHODS = (TREE, EMPIRICAL)
#: The linearization interval of a post-stratified or raked share (estimates.margins).
LINEARIZATION = "linearization"
# The keys of ``unavailable``: why nobody's shares (nobody answered), no interval, no RDS-I,
# no HCG, no convergence curve or no bottleneck plot could be given.
UNANSWERED = "shares"
NO_INTERVAL = "interval"
NO_RDS1 = "rds1"
NO_HCG = "hcg"
NO_CONVERGENCE = "convergence"
NO_BOTTLENECK = "bottleneck"
NO_RDS1_UNFLAGGED = "rds1_unflagged"


class UnknownVersion(ValueError):
    """Stored estimates are in a version this build cannot read (written by a newer one)."""


@dataclass(frozen=True)
class Interval:
    """A 95 % interval (fractions 0-1) and how it was made (``TREE``, ``EMPIRICAL``, or for a
    post-stratified share, which is computed on request and never stored, ``LINEARIZATION``)."""

    low: float
    high: float
    method: str


@dataclass(frozen=True)
class Estimate:
    """One estimator's share of an option, with the interval reported and each method's own."""

    share: float | None = None
    # The interval the survey reports (its setting, or R's where the bootstrap cannot run).
    reported: Interval | None = None
    tree: Interval | None = None
    el: Interval | None = None

    @property
    def low(self) -> float | None:
        """Return the reported interval's lower bound, None without one."""
        return None if self.reported is None else self.reported.low

    @property
    def high(self) -> float | None:
        """Return the reported interval's upper bound, None without one."""
        return None if self.reported is None else self.reported.high

    @property
    def method(self) -> str | None:
        """Return how the reported interval was made (``TREE``/``EMPIRICAL``), None without one."""
        return None if self.reported is None else self.reported.method


def bounds(interval: Interval | None) -> tuple[float | None, float | None]:
    """Return an interval's (low, high), (None, None) without one."""
    return (None, None) if interval is None else (interval.low, interval.high)


_NONE = Estimate()


@dataclass(frozen=True)
class _Keys:
    """Where one estimator's numbers are stored in an option's dict."""

    share: str
    reported: tuple[str, str, str | None] | None = None  # low, high, method (None: implied)
    implied: str = EMPIRICAL  # the reported interval's method when no key stores it
    tree: tuple[str, str] | None = None
    el: tuple[str, str] | None = None


# The one map from the dataclasses to the stored keys (see the module's docstring).
_STORED: dict[str, _Keys] = {
    "rds2": _Keys(
        "rds2",
        reported=("low", "high", "method"),
        tree=("tree_low", "tree_high"),
        el=("rds2_el_low", "rds2_el_high"),
    ),
    # Without flagged responses: the reported interval, the tree bootstrap's and R's over the
    # unflagged answers (estimates.rds.estimators.reported).
    "rds2_unflagged": _Keys(
        "rds2_unflagged",
        reported=("low_unflagged", "high_unflagged", "method_unflagged"),
        tree=("unflagged_tree_low", "unflagged_tree_high"),
        el=("rds2_el_low_unflagged", "rds2_el_high_unflagged"),
    ),
    "rds1": _Keys("rds1", el=("rds1_el_low", "rds1_el_high")),
    "rds1_unflagged": _Keys("rds1_unflagged"),
    "ss": _Keys(
        "ss",
        reported=("ss_low", "ss_high", "ss_method"),
        tree=("ss_tree_low", "ss_tree_high"),
        el=("ss_el_low", "ss_el_high"),
    ),
    # HCG's interval is R's empirical-likelihood one (RDS.HCG.estimates); no key names it.
    "hcg": _Keys("hcg", reported=("hcg_low", "hcg_high", None)),
}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _interval(
    stored: Mapping[str, Any], keys: tuple[str, str] | None, method: str
) -> Interval | None:
    if keys is None:
        return None
    low, high = _number(stored.get(keys[0])), _number(stored.get(keys[1]))
    return None if low is None or high is None else Interval(low, high, method)


def _read_estimate(stored: Mapping[str, Any], keys: _Keys, version: int) -> Estimate:
    reported, legacy = None, False
    if keys.reported is not None:
        low_key, high_key, method_key = keys.reported
        method = keys.implied if method_key is None else stored.get(method_key)
        # Stored before the interval could be chosen (no method key): the tree bootstrap's.
        legacy = version == 0 and method_key is not None and method_key not in stored
        reported = _interval(stored, (low_key, high_key), TREE if legacy else str(method or TREE))
    tree = _interval(stored, keys.tree, TREE)
    if legacy and keys.tree and keys.tree[0] not in stored:
        tree = reported  # the same interval, under the name it has had since
    return Estimate(
        share=_number(stored.get(keys.share)),
        reported=reported,
        tree=tree,
        el=_interval(stored, keys.el, EMPIRICAL),
    )


def _write_estimate(estimate: Estimate, keys: _Keys) -> dict[str, Any]:
    out: dict[str, Any] = {keys.share: estimate.share}
    for names, interval in ((keys.reported, estimate.reported), (keys.tree, estimate.tree)):
        if names is not None:
            out[names[0]] = None if interval is None else interval.low
            out[names[1]] = None if interval is None else interval.high
    if keys.reported is not None and keys.reported[2] is not None:
        out[keys.reported[2]] = None if estimate.reported is None else estimate.reported.method
    if keys.el is not None:
        out[keys.el[0]] = None if estimate.el is None else estimate.el.low
        out[keys.el[1]] = None if estimate.el is None else estimate.el.high
    return out


@dataclass(frozen=True)
class OptionEstimates:
    """Every estimator's share of one option with its intervals; unset ones are not computed."""

    rds2: Estimate = _NONE
    # RDS-II over the unflagged respondents, with the whole sample's weights.
    rds2_unflagged: Estimate = _NONE
    rds1: Estimate = _NONE
    # RDS-I of the recruitment between unflagged respondents.
    rds1_unflagged: Estimate = _NONE
    ss: Estimate = _NONE
    hcg: Estimate = _NONE

    def to_json(self) -> dict[str, Any]:
        """Return the option's stored dict (the keys of the module's docstring)."""
        out: dict[str, Any] = {}
        for name, keys in _STORED.items():
            out.update(_write_estimate(getattr(self, name), keys))
        return out

    @classmethod
    def from_json(cls, stored: Mapping[str, Any], *, version: int = VERSION) -> OptionEstimates:
        """Read an option's stored dict of the given version (see ``QuestionRecord``)."""
        read = {name: _read_estimate(stored, keys, version) for name, keys in _STORED.items()}
        return cls(**read)


@dataclass(frozen=True)
class CurvePoint:
    """The cumulative estimate after a wave (or a number of respondents in recruitment order)."""

    position: int
    respondents: int
    shares: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        """Return the point as stored."""
        return {"position": self.position, "respondents": self.respondents, "shares": self.shares}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> CurvePoint:
        """Read a stored point."""
        return cls(stored["position"], stored["respondents"], dict(stored["shares"]))


@dataclass(frozen=True)
class SizePoint:
    """The SS shares had the population been of this size."""

    population_size: int
    shares: dict[str, float | None]

    def to_json(self) -> dict[str, Any]:
        """Return the point as stored."""
        return {"population_size": self.population_size, "shares": self.shares}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> SizePoint:
        """Read a stored point."""
        return cls(stored["population_size"], dict(stored["shares"]))


@dataclass(frozen=True)
class Diagnostics:
    """The SS curve over population sizes, differential activity and population homophily."""

    ss_by_size: tuple[SizePoint, ...] = ()
    differential_activity: dict[str, float | None] = field(default_factory=dict)
    # Single choice only; otherwise None, with the reason when it could not be computed.
    population_homophily: dict[str, float | None] | None = None
    population_homophily_unavailable: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the diagnostics as stored; a measure not computed leaves its key out."""
        out: dict[str, Any] = {
            "ss_by_size": [point.to_json() for point in self.ss_by_size],
            "differential_activity": self.differential_activity,
        }
        if self.population_homophily is not None:
            out["population_homophily"] = self.population_homophily
        if self.population_homophily_unavailable:
            out["population_homophily_unavailable"] = self.population_homophily_unavailable
        return out

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Diagnostics:
        """Read stored diagnostics."""
        homophily = stored.get("population_homophily")
        return cls(
            ss_by_size=tuple(SizePoint.from_json(p) for p in stored.get("ss_by_size") or []),
            differential_activity=dict(stored.get("differential_activity") or {}),
            population_homophily=None if homophily is None else dict(homophily),
            population_homophily_unavailable=stored.get("population_homophily_unavailable", ""),
        )


@dataclass(frozen=True)
class QuestionRecord:
    """One question's estimates as stored in a row of ``RDSQuestion`` (or a subgroup's cache)."""

    # In the question's option order.
    options: dict[str, OptionEstimates] = field(default_factory=dict)
    homophily: float | None = None
    # Why an estimate or diagnostic is missing, untranslated: {"shares"|"interval"|...: reason}.
    unavailable: dict[str, str] = field(default_factory=dict)
    convergence_wave: tuple[CurvePoint, ...] = ()
    convergence_order: tuple[CurvePoint, ...] = ()
    bottleneck: dict[str, dict[str, float]] = field(default_factory=dict)
    # None when nothing was computed (nobody answered), or not read.
    diagnostics: Diagnostics | None = None

    @property
    def answered(self) -> bool:
        """Return whether anyone in the recruitment chains answered the question."""
        return UNANSWERED not in self.unavailable

    def option(self, code: str) -> OptionEstimates:
        """Return an option's estimates; an option without any reads as not computed."""
        return self.options.get(code) or OptionEstimates()

    def to_json(self) -> dict[str, Any]:
        """Return the row's stored columns, ``"version"`` first."""
        return {
            "version": VERSION,
            "shares": {code: option.to_json() for code, option in self.options.items()},
            "homophily": self.homophily,
            "unavailable": dict(self.unavailable),
            "convergence_wave": [point.to_json() for point in self.convergence_wave],
            "convergence_order": [point.to_json() for point in self.convergence_order],
            "bottleneck": self.bottleneck,
            "diagnostics": {} if self.diagnostics is None else self.diagnostics.to_json(),
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> QuestionRecord:
        """Read a stored row of any version; a column left out (a partial read) reads empty.

        Raises ``UnknownVersion`` for a version newer than this build's.
        """
        version = stored.get("version") or 0
        if not isinstance(version, int) or not 0 <= version <= VERSION:
            raise UnknownVersion(
                f"The stored RDS estimates are in version {version!r} of their shape; this build "
                f"reads versions 0 to {VERSION}. Run the newer build, or rebuild the estimates "
                "with this one (manage.py rebuild_aggregates)."
            )
        diagnostics = stored.get("diagnostics")
        return cls(
            options={
                code: OptionEstimates.from_json(values, version=version)
                for code, values in (stored.get("shares") or {}).items()
            },
            homophily=_number(stored.get("homophily")),
            unavailable=dict(stored.get("unavailable") or {}),
            convergence_wave=_curve(stored.get("convergence_wave")),
            convergence_order=_curve(stored.get("convergence_order")),
            bottleneck={k: dict(v) for k, v in (stored.get("bottleneck") or {}).items()},
            diagnostics=Diagnostics.from_json(diagnostics) if diagnostics else None,
        )


def _curve(stored: list[Mapping[str, Any]] | None) -> tuple[CurvePoint, ...]:
    return tuple(CurvePoint.from_json(point) for point in stored or [])
