"""Reads of the published RDS estimates: beside the dashboard's raw shares, and per question."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from analytics.dashboard.selectors import Results
from analytics.models import RDSEstimateSet, RDSQuestion
from surveys.models import Survey


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


@dataclass(frozen=True)
class QuestionEstimates:
    """A question's RDS estimates, or the reasons some could not be made."""

    code: str
    options: list[OptionEstimate]
    homophily: float | None
    unavailable: dict[str, str]


@dataclass(frozen=True)
class Estimates:
    """The survey's published RDS estimates."""

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


_KEYS = ("rds2", "low", "high", "rds1", "ss", "ss_low", "ss_high")


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def survey_estimates(*, survey: Survey, results: Results) -> Estimates | None:
    """Return the RDS estimates beside the raw shares of an unfiltered result, if built."""
    # Shares only: the diagnostics (a curve per question, a share per seed) grow with the data
    # and the dashboard does not show them.
    shares_only = RDSQuestion.objects.only(
        "estimate_set", "question", "shares", "homophily", "unavailable"
    )
    estimate_set = (
        RDSEstimateSet.objects.filter(pk=survey.pk)
        .prefetch_related(Prefetch("questions", queryset=shares_only))
        .first()
    )
    if estimate_set is None:
        return None
    stored = {row.question: row for row in estimate_set.questions.all()}
    questions = {}
    for result in results.questions:
        row = stored.get(result.code)
        if row is None:
            continue
        options = [
            OptionEstimate(
                code=share.code,
                label=share.label,
                count=share.count,
                raw=share.percent,
                **{key: _pct(row.shares.get(share.code, {}).get(key)) for key in _KEYS},
            )
            for share in result.shares
        ]
        questions[result.code] = QuestionEstimates(
            code=result.code,
            options=options,
            homophily=row.homophily,
            unavailable={key: _(reason) for key, reason in row.unavailable.items()},
        )
    return Estimates(
        built_at=estimate_set.built_at,
        respondents=estimate_set.respondents,
        seeds=estimate_set.seeds,
        waves=estimate_set.waves,
        imputed_degrees=estimate_set.imputed_degrees,
        outside_chains=estimate_set.outside_chains,
        replicates=estimate_set.replicates,
        unavailable=_(estimate_set.unavailable) if estimate_set.unavailable else "",
        questions=questions,
        population_size=estimate_set.population_size,
        ss_unavailable=_(estimate_set.ss_unavailable) if estimate_set.ss_unavailable else "",
    )


def question_diagnostics(*, survey: Survey, code: str) -> RDSQuestion | None:
    """Return the stored RDS diagnostics of one question, or None."""
    return (
        RDSQuestion.objects.filter(estimate_set__survey=survey, question=code)
        .select_related("estimate_set")
        .first()
    )
