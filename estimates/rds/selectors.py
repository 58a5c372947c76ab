"""Reads of the published RDS estimates: beside the dashboard's raw shares, and per question."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aggregates.filters import ResponseFilter
from aggregates.selectors import QuestionResult, Results, Share
from estimates.contracts import (
    EMPIRICAL,
    NO_INTERVAL,
    NO_RDS1_UNFLAGGED,
    TREE,
    Estimate,
    OptionEstimates,
    QuestionRecord,
)
from estimates.models import RDSEstimateSet, RDSQuestion
from estimates.rds.sample import WITH_PARAMS
from estimates.rds.subgroup import subgroup_compute
from surveys.models import Response, Survey


@dataclass(frozen=True)
class OptionEstimate:
    """One option's raw share beside its population estimates, all in percent."""

    code: str
    label: str
    count: int
    raw: float | None
    rds2: float | None
    low: float | None
    high: float | None
    rds1: float | None
    ss: float | None = None
    ss_low: float | None = None
    ss_high: float | None = None
    # Post-stratified to the population margins (estimates.margins), when they are entered.
    ps: float | None = None
    ps_low: float | None = None
    ps_high: float | None = None
    # How each interval was made, named for the reader ("tree bootstrap", "R's EL", ...).
    method: str = ""
    ss_method: str = ""
    # HCG (Fellows 2019), when recruitment times and a population size allow it.
    hcg: float | None = None
    hcg_low: float | None = None
    hcg_high: float | None = None
    # Without flagged responses (whole sample, "without flagged" view only), else None:
    # RDS-II, its reported interval (and how it was made) and RDS-I.
    rds2_unflagged: float | None = None
    low_unflagged: float | None = None
    high_unflagged: float | None = None
    method_unflagged: str = ""
    rds1_unflagged: float | None = None


@dataclass(frozen=True)
class QuestionEstimates:
    """A question's RDS estimates, or the reasons some could not be made."""

    code: str
    options: list[OptionEstimate]
    homophily: float | None
    unavailable: dict[str, str]
    # A margin question's own post-stratified shares are its margins: no interval to give.
    poststrat_fixed: bool = False

    @property
    def has_hcg(self) -> bool:
        """Return whether the question has HCG estimates (single choice, N, recruitment times)."""
        return any(option.hcg is not None for option in self.options)


@dataclass(frozen=True)
class Subgroup:
    """How a filtered view's estimates were made: its members and its bootstrap."""

    respondents: int
    sample: int
    replicates: int
    # Why the interval was left out (a single seed, ...), translated; "" when there is one.
    interval_unavailable: str = ""


@dataclass(frozen=True)
class Estimates:
    """The survey's published RDS estimates, or those of a filtered view's subgroup."""

    built_at: dt.datetime
    respondents: int
    seeds: int
    waves: int
    imputed_degrees: int
    outside_chains: int
    replicates: int
    unavailable: str
    questions: dict[str, QuestionEstimates]
    population_size: int | None = None
    # Why there are no SS estimates (no population size, ...), translated; "" when there are.
    ss_unavailable: str = ""
    # Set for a filtered view: the estimates are the subgroup's (R's subset semantics).
    subgroup: Subgroup | None = None
    # The options carry post-stratified shares (with_poststrat); the design effects beside them.
    poststratified: bool = False
    design_effects: dict[str, float | None] = field(default_factory=dict)


def _pattern(message: str) -> re.Pattern[str]:
    """Return a regular expression matching the message with its placeholders filled in."""
    parts = re.split(r"%\((\w+)\)s", message)
    # re.split keeps the placeholder names at the odd positions.
    return re.compile(
        "".join(
            f"(?P<{part}>.+?)" if odd else re.escape(part)
            for odd, part in ((i % 2 == 1, p) for i, p in enumerate(parts))
        )
    )


_WITH_PARAMS = [(message, _pattern(message)) for message in WITH_PARAMS]


def reason_text(reason: str) -> str:
    """Return a stored reason in the page's language.

    Reasons are stored in English, as the estimators give them. One with a value filled in
    (an id, a size, an option) is found by its pattern and translated with the same values, so
    that rows stored before the reasons were translatable read in the page's language too.
    """
    if not reason:
        return ""
    translated = _(reason)
    if translated != reason:
        return translated
    for message, pattern in _WITH_PARAMS:
        found = pattern.fullmatch(reason)
        if found:
            return _(message) % found.groupdict()
    return reason


# The interval methods as stored (estimates.contracts) and as the dashboard names them.
METHOD_NAMES = {
    TREE: gettext_lazy("tree bootstrap"),
    EMPIRICAL: gettext_lazy("R's empirical likelihood"),
}


def _method(estimate: Estimate) -> str:
    """Return the name of the method behind an estimate's reported interval, "" without one."""
    if estimate.reported is None:
        return ""
    return str(METHOD_NAMES.get(estimate.reported.method, ""))


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _unflagged(stored: OptionEstimates) -> dict[str, Any]:
    """Return an option's estimates without flagged responses, in percent."""
    return {
        "low_unflagged": _pct(stored.rds2_unflagged.low),
        "high_unflagged": _pct(stored.rds2_unflagged.high),
        "method_unflagged": _method(stored.rds2_unflagged),
        "rds1_unflagged": _pct(stored.rds1_unflagged.share),
    }


def _option(share: Share, stored: OptionEstimates, *, unflagged: bool) -> OptionEstimate:
    """Return one option's raw share beside its estimates, in percent (and without flagged)."""
    rds2, ss, hcg = stored.rds2.reported, stored.ss.reported, stored.hcg.reported
    return OptionEstimate(
        code=share.code,
        label=share.label,
        count=share.count,
        raw=share.percent,
        rds2=_pct(stored.rds2.share),
        low=_pct(None if rds2 is None else rds2.low),
        high=_pct(None if rds2 is None else rds2.high),
        rds1=_pct(stored.rds1.share),
        ss=_pct(stored.ss.share),
        ss_low=_pct(None if ss is None else ss.low),
        ss_high=_pct(None if ss is None else ss.high),
        hcg=_pct(stored.hcg.share),
        hcg_low=_pct(None if hcg is None else hcg.low),
        hcg_high=_pct(None if hcg is None else hcg.high),
        method=_method(stored.rds2),
        ss_method=_method(stored.ss),
        rds2_unflagged=share.rds2_unflagged,
        **(_unflagged(stored) if unflagged else {}),
    )


def _questions(
    results: list[QuestionResult], stored: dict[str, QuestionRecord], *, unflagged: bool = False
) -> dict[str, QuestionEstimates]:
    """Pair each question's raw shares with its estimates, in the raw shares' order.

    unflagged adds the estimates without flagged responses ("without flagged" view).
    """
    questions = {}
    for result in results:
        record = stored.get(result.code)
        if record is None:
            continue
        reasons = dict(record.unavailable)
        alone = reasons.pop(NO_RDS1_UNFLAGGED, "")
        unavailable = {key: reason_text(reason) for key, reason in reasons.items()}
        if unflagged and alone:
            unavailable[NO_RDS1_UNFLAGGED] = _("Without flagged responses: %(reason)s") % {
                "reason": reason_text(alone)
            }
        questions[result.code] = QuestionEstimates(
            code=result.code,
            options=[
                _option(share, record.option(share.code), unflagged=unflagged)
                for share in result.shares
            ],
            homophily=record.homophily,
            unavailable=unavailable,
        )
    return questions


def survey_estimates(*, survey: Survey, results: Results) -> Estimates | None:
    """Return the RDS estimates beside the raw shares of an unfiltered result, if built."""
    # Shares only: the diagnostics (a curve per question, a share per seed) grow with the data
    # and the dashboard does not show them.
    shares_only = RDSQuestion.objects.only(
        "estimate_set", "question", "version", "shares", "homophily", "unavailable"
    )
    estimate_set = (
        RDSEstimateSet.objects.filter(pk=survey.pk)
        .prefetch_related(Prefetch("questions", queryset=shares_only))
        .first()
    )
    if estimate_set is None:
        return None
    stored = {row.question: row.record() for row in estimate_set.questions.all()}
    questions = _questions(results.questions, stored, unflagged=results.without_flagged)
    return Estimates(
        built_at=estimate_set.built_at,
        respondents=estimate_set.respondents,
        seeds=estimate_set.seeds,
        waves=estimate_set.waves,
        imputed_degrees=estimate_set.imputed_degrees,
        outside_chains=estimate_set.outside_chains,
        replicates=estimate_set.replicates,
        unavailable=reason_text(estimate_set.unavailable),
        questions=questions,
        population_size=estimate_set.population_size,
        ss_unavailable=reason_text(estimate_set.ss_unavailable),
    )


def with_poststrat(
    estimates: Estimates,
    shares: dict[str, dict[str, Estimate]],
    deff: dict[str, float | None],
) -> Estimates:
    """Return the estimates with each option's post-stratified share and interval beside them.

    Post-stratifying on a question sets its shares to the margins entered for it: its interval
    has no width ("38,0 to 38,0"), which the dashboard explains instead of showing.
    """
    questions = {
        code: replace(
            question,
            options=[
                _poststratified(option, shares.get(code, {}).get(option.code, Estimate()))
                for option in question.options
            ],
            poststrat_fixed=_fixed(shares.get(code, {})),
        )
        for code, question in estimates.questions.items()
    }
    return replace(
        estimates,
        questions=questions,
        poststratified=bool(shares),
        design_effects={name: value for name, value in deff.items() if value is not None},
    )


def _fixed(stratified: dict[str, Estimate]) -> bool:
    """Return whether a question's post-stratified intervals all have no width (its margins)."""
    intervals = [(e.low, e.high) for e in stratified.values() if e.low is not None]
    # A rounding error's width, far below the 0.05 points the page shows.
    return bool(intervals) and all(abs(high - low) < 1e-9 for low, high in intervals)


def _poststratified(option: OptionEstimate, stratified: Estimate) -> OptionEstimate:
    return replace(
        option,
        ps=_pct(stratified.share),
        ps_low=_pct(stratified.low),
        ps_high=_pct(stratified.high),
    )


def subgroup_estimates(
    *, survey: Survey, filters: ResponseFilter, results: Results
) -> Estimates | None:
    """Return a filtered view's subgroup estimates beside its raw shares, or why there are none.

    Computed on request from the whole recruitment forest and cached (estimates.rds.subgroup).
    """
    found = subgroup_compute(survey=survey, filters=filters)
    if found is None:
        return None
    estimate_set = RDSEstimateSet.objects.get(pk=survey.pk)
    reason = reason_text(found.reason)
    if found.params:
        reason %= found.params
    stored = found.questions
    intervals = {row.unavailable.get(NO_INTERVAL, "") for row in stored.values()}
    intervals.discard("")
    ss_reason = estimate_set.ss_unavailable or found.ss_unavailable
    return Estimates(
        built_at=estimate_set.built_at,
        respondents=found.respondents,
        seeds=found.seeds,
        waves=estimate_set.waves,
        imputed_degrees=estimate_set.imputed_degrees,
        outside_chains=estimate_set.outside_chains,
        replicates=found.replicates,
        unavailable=reason,
        questions=_questions(results.questions, stored),
        population_size=estimate_set.population_size,
        ss_unavailable=reason_text(ss_reason),
        subgroup=Subgroup(
            respondents=found.respondents,
            sample=estimate_set.respondents if found.sample is None else found.sample,
            replicates=found.replicates,
            interval_unavailable=reason_text(intervals.pop()) if intervals else "",
        ),
    )


def rds2_unflagged(*, survey: Survey) -> dict[str, dict[str, float | None]]:
    """Return the stored RDS-II shares without flagged responses, by question and option."""
    rows = RDSQuestion.objects.filter(estimate_set__survey=survey).only(
        "question", "version", "shares"
    )
    return {
        row.question: {
            option: estimates.rds2_unflagged.share
            for option, estimates in row.record().options.items()
        }
        for row in rows
    }


def question_diagnostics(*, survey: Survey, code: str) -> RDSQuestion | None:
    """Return the stored RDS diagnostics of one question, or None."""
    return (
        RDSQuestion.objects.filter(estimate_set__survey=survey, question=code)
        .select_related("estimate_set")
        .first()
    )


def _root_number(label: str) -> int | None:
    """Return the response id behind a seed's label ("#12 · Almaty" or "#12")."""
    head = label.split(" ", 1)[0]
    return int(head[1:]) if head.startswith("#") and head[1:].isdigit() else None


def bottleneck_sizes(*, survey: Survey, code: str, stored: RDSQuestion) -> dict[str, int]:
    """Return how many respondents in each seed's tree answered the question, by tree label.

    The stored bottleneck holds shares only; a share from one respondent and one from a hundred
    look alike without their n. One read of the chains (id, recruiter, the answer), cached under
    the estimates' build time.
    """
    built = stored.estimate_set.built_at.timestamp()
    key = f"analytics:rds-tree-n:v1:{survey.pk}:{built}:{code}"
    found = cache.get(key)
    if found is not None:
        return found
    rows = (
        Response.objects.filter(survey=survey, wave__isnull=False)
        .order_by("wave", "pk")
        .values_list("pk", "recruiter_id", f"answers__{code}")
    )
    root: dict[int, int] = {}
    answered: dict[int, int] = {}
    for pk, recruiter, answer in rows.iterator(chunk_size=5000):
        # Waves in order: a recruiter's root is known before their recruits are read.
        top = pk if recruiter is None else root.get(recruiter, recruiter)
        root[pk] = top
        if answer not in (None, "", []):
            answered[top] = answered.get(top, 0) + 1
    found = {
        label: answered.get(number, 0)
        for label in stored.record().bottleneck
        if (number := _root_number(label)) is not None
    }
    cache.set(key, found, 24 * 60 * 60)
    return found
