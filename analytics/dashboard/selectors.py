"""Reads of the analysts' pages: distributions and crosstabs from the published aggregates.

The unfiltered dashboard reads only the aggregate tables. A filter on one crosstab dimension
(country, age group, language or wave) reads that dimension's published crosstab rows. Any
other filter (several dimensions, a date range) is counted live from the matching responses,
which is fine for the small subsets analysts look at this way.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Subquery
from django.utils.translation import gettext as _

from analytics.aggregation.counting import (
    ANSWER_DIMENSIONS,
    INTEGER_BIN_CODES,
    LANGUAGE,
    WAVE,
    Cell,
    count_crosstab,
    count_live,
    count_plan,
)
from analytics.aggregation.filters import ResponseFilter
from analytics.models import (
    AggregateCount,
    AggregateSnapshot,
    AggregateState,
    RDSEstimateSet,
    RDSQuestion,
)
from surveys.models import Option, Question, QuestionKind, Survey

# The figures of the study whose questionnaire ships (figure 2 is the featured crosstab).
STUDY_FIGURES: dict[str, dict[str, int]] = {
    "sco-2025": {
        "awareness": 1,
        "impact": 3,
        "initiatives": 4,
        "platforms": 5,
        "trust": 6,
        "threats": 7,
        "conflict_prevention": 9,
    }
}
FEATURED_CROSSTAB = ("awareness", "age_group")
FEATURED_FIGURE = 2


@dataclass(frozen=True)
class Share:
    """One option's count and its share (percent) of the base."""

    code: str
    label: str
    count: int
    percent: float | None


@dataclass(frozen=True)
class QuestionResult:
    """The distribution of answers to one question."""

    code: str
    text: str
    kind: str
    base: int
    shares: list[Share]
    figure: int | None = None

    @property
    def has_chart(self) -> bool:
        return bool(self.shares)


@dataclass(frozen=True)
class CrosstabGroup:
    """The distribution of a question within one group of a dimension."""

    value: str
    label: str
    base: int
    shares: list[Share]


@dataclass(frozen=True)
class Crosstab:
    """A question by a dimension, with shares within each group."""

    question: QuestionResult
    dimension: str
    dimension_label: str
    groups: list[CrosstabGroup]
    figure: int | None = None


@dataclass
class Results:
    """What the dashboard shows for a survey and a filter."""

    survey: Survey
    filters: ResponseFilter
    built_at: dt.datetime | None
    live: bool
    respondents: int
    questions: list[QuestionResult] = field(default_factory=list)


def _percent(count: int, base: int) -> float | None:
    return round(100 * count / base, 1) if base else None


def survey_questions(*, survey: Survey) -> list[Question]:
    """Return the survey's questions in order, with their options, in two queries."""
    return list(
        Question.objects.filter(survey=survey)
        .order_by("page__position", "position")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position")))
    )


def published_snapshot(*, survey: Survey) -> AggregateSnapshot | None:
    """Return the survey's published snapshot, if any has been built."""
    state = AggregateState.objects.filter(pk=survey.pk).select_related("snapshot").first()
    return state.snapshot if state else None


def published_cells(
    *, survey: Survey, dimensions: list[str], value: str | None = None
) -> Counter[Cell]:
    """Return the published cells of these dimensions (optionally one group's only).

    One statement reads the pointer and the rows, so a rebuild that switches the pointer
    meanwhile cannot hand back a mix of two snapshots.
    """
    current = AggregateState.objects.filter(pk=survey.pk).values("snapshot_id")[:1]
    rows = AggregateCount.objects.filter(snapshot_id=Subquery(current), dimension__in=dimensions)
    if value is not None:
        rows = rows.filter(value=value)
    cells: Counter[Cell] = Counter()
    for dimension, group, question, option, count in rows.values_list(
        "dimension", "value", "question", "option", "count"
    ):
        cells[(dimension, group, question, option)] = count
    return cells


def dimension_label(*, dimension: str, questions: list[Question]) -> str:
    """Return a dimension's name for people."""
    if dimension == LANGUAGE:
        return _("Questionnaire language")
    if dimension == WAVE:
        return _("Recruitment wave")
    for question in questions:
        if question.code == dimension:
            return question.text
    return dimension


def group_label(*, dimension: str, value: str, questions: list[Question]) -> str:
    """Return the name of a dimension's group for people."""
    if dimension == LANGUAGE:
        return str(dict(settings.LANGUAGES).get(value, value))
    if dimension == WAVE:
        return _("Wave %(number)s") % {"number": value}
    for question in questions:
        if question.code == dimension:
            for option in question.options.all():
                if option.code == value:
                    return option.label
    return value


def _question_result(
    question: Question, cells: Counter[Cell], dimension: str, value: str, figure: int | None
) -> QuestionResult:
    base = cells[(dimension, value, question.code, "")]
    if question.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        pairs = [(option.code, option.label) for option in question.options.all()]
    elif question.kind == QuestionKind.INTEGER:
        pairs = [(code, code) for code in INTEGER_BIN_CODES]
    else:
        pairs = []
    shares = [
        Share(code, label, count, _percent(count, base))
        for code, label in pairs
        for count in [cells[(dimension, value, question.code, code)]]
    ]
    if question.kind == QuestionKind.MULTIPLE:
        # As in the study's figures: the most chosen first (shares sum over 100 %).
        shares.sort(key=lambda share: -share.count)
    return QuestionResult(question.code, question.text, question.kind, base, shares, figure)


@dataclass
class _Source:
    cells: Counter[Cell]
    built_at: dt.datetime | None
    live: bool
    dimension: str
    value: str


def _source(*, survey: Survey, filters: ResponseFilter, dimensions: list[str]) -> _Source:
    if filters.is_empty() or filters.single_dimension() is not None:
        snapshot = published_snapshot(survey=survey)
        if snapshot is None:
            return _Source(Counter(), None, False, "", "")
        single = filters.single_dimension()
        if single is None:
            cells = published_cells(survey=survey, dimensions=["", *dimensions])
            return _Source(cells, snapshot.built_at, False, "", "")
        dimension, value = single
        cells = published_cells(survey=survey, dimensions=[dimension], value=value)
        return _Source(cells, snapshot.built_at, False, dimension, value)
    cells = count_live(survey=survey, plan=count_plan(survey=survey), filters=filters)
    return _Source(cells, None, True, "", "")


def survey_results(
    *,
    survey: Survey,
    filters: ResponseFilter,
    questions: list[Question] | None = None,
    crosstab: tuple[str, str] | None = None,
) -> tuple[Results, Crosstab | None]:
    """Return every question's distribution and one crosstab under a filter."""
    questions = survey_questions(survey=survey) if questions is None else questions
    figures = STUDY_FIGURES.get(survey.slug, {})
    source = _source(survey=survey, filters=filters, dimensions=[crosstab[1]] if crosstab else [])
    results = Results(
        survey=survey,
        filters=filters,
        built_at=source.built_at,
        live=source.live,
        respondents=source.cells[(source.dimension, source.value, "", "")],
        questions=[
            _question_result(q, source.cells, source.dimension, source.value, figures.get(q.code))
            for q in questions
        ],
    )
    table = None
    if crosstab is not None:
        cross_cells = source.cells
        if source.dimension:
            # A filtered crosstab crosses two dimensions: count just that table live.
            cross_cells = count_crosstab(
                survey=survey,
                plan=count_plan(survey=survey),
                question=crosstab[0],
                dimension=crosstab[1],
                filters=filters,
            )
        table = _crosstab(
            survey, questions, cross_cells, *crosstab, figure=_crosstab_figure(survey, crosstab)
        )
    return results, table


def _crosstab_figure(survey: Survey, crosstab: tuple[str, str]) -> int | None:
    if survey.slug in STUDY_FIGURES and crosstab == FEATURED_CROSSTAB:
        return FEATURED_FIGURE
    return None


def _group_order(dimension: str, values: set[str], questions: list[Question]) -> list[str]:
    if dimension == WAVE:
        return sorted(values, key=lambda v: (not v.isdigit(), int(v) if v.isdigit() else 0, v))
    if dimension == LANGUAGE:
        order = [code for code, _name in settings.LANGUAGES]
    else:
        order = [
            option.code
            for question in questions
            if question.code == dimension
            for option in question.options.all()
        ]
    known = [value for value in order if value in values]
    return known + sorted(values - set(known))


def _crosstab(
    survey: Survey,
    questions: list[Question],
    cells: Counter[Cell],
    question_code: str,
    dimension: str,
    *,
    figure: int | None,
) -> Crosstab | None:
    question = next((q for q in questions if q.code == question_code), None)
    if question is None:
        return None
    values = {value for (dim, value, q, _o) in cells if dim == dimension and q == ""}
    groups = []
    for value in _group_order(dimension, values, questions):
        result = _question_result(question, cells, dimension, value, None)
        if result.base:
            groups.append(
                CrosstabGroup(
                    value,
                    group_label(dimension=dimension, value=value, questions=questions),
                    result.base,
                    result.shares,
                )
            )
    overall = _question_result(question, cells, "", "", None)
    return Crosstab(
        question=overall,
        dimension=dimension,
        dimension_label=dimension_label(dimension=dimension, questions=questions),
        groups=groups,
        figure=figure,
    )


def crosstab_dimensions(*, questions: list[Question]) -> list[str]:
    """Return the dimensions the survey's crosstabs are kept by."""
    singles = {q.code for q in questions if q.kind == QuestionKind.SINGLE}
    return [code for code in ANSWER_DIMENSIONS if code in singles] + [LANGUAGE, WAVE]


def all_crosstabs(*, survey: Survey, filters: ResponseFilter) -> list[Crosstab]:
    """Return every question by every dimension (for the crosstabs export)."""
    questions = survey_questions(survey=survey)
    dimensions = crosstab_dimensions(questions=questions)
    if filters.is_empty():
        cells = published_cells(survey=survey, dimensions=["", *dimensions])
    else:
        cells = count_live(survey=survey, plan=count_plan(survey=survey), filters=filters)
    tables = []
    for question in questions:
        for dimension in dimensions:
            table = _crosstab(survey, questions, cells, question.code, dimension, figure=None)
            if table is not None:
                tables.append(table)
    return tables


def wave_values(*, survey: Survey) -> list[str]:
    """Return the recruitment waves present in the published aggregates."""
    current = AggregateState.objects.filter(pk=survey.pk).values("snapshot_id")[:1]
    values = set(
        AggregateCount.objects.filter(
            snapshot_id=Subquery(current), dimension=WAVE, question="", option=""
        ).values_list("value", flat=True)
    )
    return _group_order(WAVE, values, [])


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
                rds2=_pct(row.shares.get(share.code, {}).get("rds2")),
                low=_pct(row.shares.get(share.code, {}).get("low")),
                high=_pct(row.shares.get(share.code, {}).get("high")),
                rds1=_pct(row.shares.get(share.code, {}).get("rds1")),
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
    )


def question_diagnostics(*, survey: Survey, code: str) -> RDSQuestion | None:
    """Return the stored RDS diagnostics of one question, or None."""
    return (
        RDSQuestion.objects.filter(estimate_set__survey=survey, question=code)
        .select_related("estimate_set")
        .first()
    )
