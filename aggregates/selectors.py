"""Reads of the analysts' pages: distributions and crosstabs from the published aggregates.

The unfiltered dashboard reads only the aggregate tables. A filter on one crosstab dimension (a
breakdown question's answer, the language or the wave) reads that dimension's published
crosstab rows. Any other filter (several dimensions, a date range) is counted live from the
matching responses, which is fine for the small subsets analysts look at this way.

Every share comes twice: among all responses and among the unflagged ones (flagged responses no
organizer accepted, and excluded ones, left out; surveys.models.unflagged_q). The mode chosen,
all or without flagged, decides which of the two the shares' count and percent show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Subquery
from django.utils.translation import gettext as _

from aggregates.counting import (
    INTEGER_BIN_CODES,
    LANGUAGE,
    WAVE,
    Tally,
    answer_dimensions,
    count_crosstab,
    count_live,
    count_plan,
)
from aggregates.filters import ResponseFilter
from aggregates.models import AggregateCount, AggregateSnapshot, AggregateState, DashboardLayout
from aggregates.unflagged import (
    FLAGGED_ALL,
    FLAGGED_WITHOUT,
    LeftOut,
    left_out_reasons,
)
from surveys.models import Option, Question, QuestionKind, Survey


@dataclass(frozen=True)
class Share:
    """One option's count and share (percent) of the base, in the mode shown and unflagged.

    ``count`` and ``percent`` are those of the mode shown (all responses by default); the
    ``*_unflagged`` ones always leave flagged responses out. ``rds2_unflagged`` is the RDS-II
    estimate without flagged responses in percent, given in that mode for the whole sample.
    """

    code: str
    label: str
    count: int
    percent: float | None
    count_unflagged: int = 0
    percent_unflagged: float | None = None
    rds2_unflagged: float | None = None


@dataclass(frozen=True)
class QuestionResult:
    """The distribution of answers to one question."""

    code: str
    text: str
    kind: str
    base: int
    shares: list[Share]
    figure: int | None = None
    base_unflagged: int = 0

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
    """What the dashboard shows for a survey and a filter, with all responses or unflagged."""

    survey: Survey
    filters: ResponseFilter
    built_at: dt.datetime | None
    live: bool
    respondents: int
    questions: list[QuestionResult] = field(default_factory=list)
    flagged: str = FLAGGED_ALL
    respondents_unflagged: int = 0
    # Responses the unflagged figures leave out, and why (one may carry several flags).
    left_out: int = 0
    left_out_reasons: list[LeftOut] = field(default_factory=list)

    @property
    def without_flagged(self) -> bool:
        return self.flagged == FLAGGED_WITHOUT

    @property
    def left_out_overlap(self) -> int:
        """Return by how much the reasons outnumber the responses left out (several each)."""
        return max(sum(reason.count for reason in self.left_out_reasons) - self.left_out, 0)


def figure_numbers(*, survey: Survey) -> dict[str, int]:
    """Return the published report's figure number of each question, from the questionnaire."""
    figures = DashboardLayout.of(survey).layout.get("figures") or {}
    return {str(code): int(number) for code, number in figures.items()}


def featured_crosstab(*, survey: Survey) -> tuple[str, str] | None:
    """Return the (question, dimension) crosstab the questionnaire features, if any."""
    featured = DashboardLayout.of(survey).layout.get("featured_crosstab") or {}
    if not featured.get("question") or not featured.get("by"):
        return None
    return str(featured["question"]), str(featured["by"])


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


def published_cells(*, survey: Survey, dimensions: list[str], value: str | None = None) -> Tally:
    """Return the published cells of these dimensions (optionally one group's only).

    One statement reads the pointer and the rows, so a rebuild that switches the pointer
    meanwhile cannot hand back a mix of two snapshots.
    """
    current = AggregateState.objects.filter(pk=survey.pk).values("snapshot_id")[:1]
    rows = AggregateCount.objects.filter(snapshot_id=Subquery(current), dimension__in=dimensions)
    if value is not None:
        rows = rows.filter(value=value)
    cells = Tally()
    for dimension, group, question, option, count, unflagged in rows.values_list(
        "dimension", "value", "question", "option", "count", "unflagged"
    ):
        cells[(dimension, group, question, option)] = count
        cells.unflagged[(dimension, group, question, option)] = unflagged
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
    question: Question,
    cells: Tally,
    dimension: str,
    value: str,
    figure: int | None,
    flagged: str = FLAGGED_ALL,
    rds2_unflagged: dict[str, float | None] | None = None,
) -> QuestionResult:
    base = cells[(dimension, value, question.code, "")]
    base_unflagged = cells.unflagged[(dimension, value, question.code, "")]
    if question.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}:
        pairs = [(option.code, option.label) for option in question.options.all()]
    elif question.kind == QuestionKind.INTEGER:
        pairs = [(code, code) for code in INTEGER_BIN_CODES]
    else:
        pairs = []
    without = flagged == FLAGGED_WITHOUT
    rds2 = rds2_unflagged or {}
    shares = []
    for code, label in pairs:
        cell = (dimension, value, question.code, code)
        count, unflagged = cells[cell], cells.unflagged[cell]
        share = _percent(unflagged, base_unflagged)
        weighted = rds2.get(code)
        shares.append(
            Share(
                code,
                label,
                unflagged if without else count,
                share if without else _percent(count, base),
                unflagged,
                share,
                None if weighted is None else round(100 * weighted, 1),
            )
        )
    if question.kind == QuestionKind.MULTIPLE:
        # As in the study's figures: the most chosen first (shares sum over 100 %).
        shares.sort(key=lambda share: -share.count)
    shown = base_unflagged if without else base
    return QuestionResult(
        question.code, question.text, question.kind, shown, shares, figure, base_unflagged
    )


@dataclass
class _Source:
    cells: Tally
    built_at: dt.datetime | None
    live: bool
    dimension: str
    value: str
    snapshot_id: int | None = None


def _source(*, survey: Survey, filters: ResponseFilter, dimensions: list[str]) -> _Source:
    if filters.is_empty() or filters.single_dimension() is not None:
        snapshot = published_snapshot(survey=survey)
        if snapshot is None:
            return _Source(Tally(), None, False, "", "")
        single = filters.single_dimension()
        if single is None:
            cells = published_cells(survey=survey, dimensions=["", *dimensions])
            return _Source(cells, snapshot.built_at, False, "", "", snapshot.pk)
        dimension, value = single
        cells = published_cells(survey=survey, dimensions=[dimension], value=value)
        return _Source(cells, snapshot.built_at, False, dimension, value, snapshot.pk)
    cells = count_live(survey=survey, plan=count_plan(survey=survey), filters=filters)
    return _Source(cells, None, True, "", "")


def survey_results(
    *,
    survey: Survey,
    filters: ResponseFilter,
    questions: list[Question] | None = None,
    crosstab: tuple[str, str] | None = None,
    flagged: str = FLAGGED_ALL,
    rds2_unflagged: dict[str, dict[str, float | None]] | None = None,
) -> tuple[Results, Crosstab | None]:
    """Return every question's distribution and one crosstab under a filter.

    flagged is FLAGGED_ALL or FLAGGED_WITHOUT: which figures the shares' count and percent show.
    rds2_unflagged is the stored RDS-II without flagged responses, by question and option (the
    estimates' ``rds2_unflagged``), shown beside the whole sample's shares in FLAGGED_WITHOUT.
    """
    questions = survey_questions(survey=survey) if questions is None else questions
    figures = figure_numbers(survey=survey)
    source = _source(survey=survey, filters=filters, dimensions=[crosstab[1]] if crosstab else [])
    group = (source.dimension, source.value, "", "")
    everyone, unflagged = source.cells[group], source.cells.unflagged[group]
    without = flagged == FLAGGED_WITHOUT
    # RDS-II without flagged responses is estimated for the whole sample only.
    weighted = (rds2_unflagged or {}) if without and filters.is_empty() and not source.live else {}
    results = Results(
        survey=survey,
        filters=filters,
        built_at=source.built_at,
        live=source.live,
        respondents=unflagged if without else everyone,
        questions=[
            _question_result(
                q,
                source.cells,
                source.dimension,
                source.value,
                figures.get(q.code),
                flagged,
                weighted.get(q.code),
            )
            for q in questions
        ],
        flagged=FLAGGED_WITHOUT if without else FLAGGED_ALL,
        respondents_unflagged=unflagged,
        left_out=everyone - unflagged,
    )
    if results.left_out:
        results.left_out_reasons = left_out_reasons(
            survey=survey, filters=filters, snapshot_id=source.snapshot_id
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
            survey,
            questions,
            cross_cells,
            *crosstab,
            figure=_crosstab_figure(survey, crosstab),
            flagged=results.flagged,
        )
    return results, table


def _crosstab_figure(survey: Survey, crosstab: tuple[str, str]) -> int | None:
    if crosstab != featured_crosstab(survey=survey):
        return None
    figure = DashboardLayout.of(survey).layout["featured_crosstab"].get("figure")
    return int(figure) if figure is not None else None


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
    cells: Tally,
    question_code: str,
    dimension: str,
    *,
    figure: int | None,
    flagged: str = FLAGGED_ALL,
) -> Crosstab | None:
    question = next((q for q in questions if q.code == question_code), None)
    if question is None:
        return None
    values = {value for (dim, value, q, _o) in cells if dim == dimension and q == ""}
    groups = []
    for value in _group_order(dimension, values, questions):
        result = _question_result(question, cells, dimension, value, None, flagged)
        if result.base:
            groups.append(
                CrosstabGroup(
                    value,
                    group_label(dimension=dimension, value=value, questions=questions),
                    result.base,
                    result.shares,
                )
            )
    overall = _question_result(question, cells, "", "", None, flagged)
    return Crosstab(
        question=overall,
        dimension=dimension,
        dimension_label=dimension_label(dimension=dimension, questions=questions),
        groups=groups,
        figure=figure,
    )


def crosstab_dimensions(*, questions: list[Question]) -> list[str]:
    """Return the dimensions the survey's crosstabs are kept by."""
    return [*answer_dimensions(questions=questions), LANGUAGE, WAVE]


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
