"""The small table exports: the aggregate table (with RDS estimates) and the crosstabs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.utils import translation

from aggregates.selectors import all_crosstabs, survey_results
from estimates.contracts import Estimate, OptionEstimates, QuestionRecord, bounds
from estimates.margins.selectors import cached_poststratification
from estimates.models import RDSQuestion
from exports.options import ExportOptions, Progress, header_row
from surveys.csv_safe import neutralize
from surveys.models import Survey


def _labelled(options: ExportOptions) -> bool:
    return options.labels != "codes"


def aggregate_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    with translation.override(options.labels if _labelled(options) else "en"):
        results, _crosstab = survey_results(survey=survey, filters=options.filters)
        # Population estimates hold for the whole sample only; a filtered export leaves them empty.
        estimates = {} if not options.filters.is_empty() else _estimates(survey)
        # Margins describe the whole population: the post-stratified shares too.
        poststrat = (
            cached_poststratification(survey=survey).estimates if options.filters.is_empty() else {}
        )
        header = ["question", "option"]
        if _labelled(options):
            header += ["question_text", "option_label"]
        yield header_row(
            [
                *header,
                *COUNT_COLUMNS,
                *RDS_COLUMNS,
                *POSTSTRAT_COLUMNS,
                *INTERVAL_COLUMNS,
                *UNFLAGGED_COLUMNS,
            ]
        )
        for question in results.questions:
            for share in question.shares:
                row: list[Any] = [neutralize(question.code), neutralize(share.code)]
                if _labelled(options):
                    row += [neutralize(question.text), neutralize(share.label)]
                record = estimates.get(question.code)
                weighted = record.option(share.code) if record else OptionEstimates()
                stratified = poststrat.get(question.code, {}).get(share.code, Estimate())
                yield [
                    *row,
                    share.count,
                    question.base,
                    share.percent,
                    share.count_unflagged,
                    question.base_unflagged,
                    share.percent_unflagged,
                    *(cell(weighted) for _column, cell in RDS_FIELDS),
                    stratified.share,
                    stratified.low,
                    stratified.high,
                    *(cell(weighted) for _column, cell in INTERVAL_FIELDS),
                    *(cell(weighted) for _column, cell in UNFLAGGED_FIELDS),
                ]


# Every count twice: all responses, then without flagged ones (flagged and not accepted, or
# excluded, left out: surveys.models.unflagged_q); the gap is the analyst's sensitivity check.
COUNT_COLUMNS = (
    "count",
    "base",
    "percent",
    "count_unflagged",
    "base_unflagged",
    "percent_unflagged",
)
Cell = Callable[[OptionEstimates], Any]
# (column, cell of an option's stored estimates, estimates.contracts): shares as fractions at
# full precision, so that they can be checked against other software. SS columns stay empty
# when no population size was set (see the dashboard for why); rds2_share_unflagged is RDS-II
# without flagged responses.
RDS_FIELDS: tuple[tuple[str, Cell], ...] = (
    ("rds2_share", lambda o: o.rds2.share),
    ("rds2_ci_low", lambda o: o.rds2.low),
    ("rds2_ci_high", lambda o: o.rds2.high),
    ("rds2_share_unflagged", lambda o: o.rds2_unflagged.share),
    ("rds1_share", lambda o: o.rds1.share),
    ("ss_share", lambda o: o.ss.share),
    ("ss_ci_low", lambda o: o.ss.low),
    ("ss_ci_high", lambda o: o.ss.high),
)
RDS_COLUMNS = [column for column, _cell in RDS_FIELDS]
# Post-stratified (or raked) to the population margins (estimates.margins), with the
# linearization interval; empty without margins.
POSTSTRAT_COLUMNS = ("poststrat_share", "poststrat_ci_low", "poststrat_ci_high")
# Added after the columns above so that their positions stay put. rds2_ci_* and ss_ci_* carry
# the interval the survey reports, named by *_ci_method ("tree": tree bootstrap; "el": R's
# empirical-likelihood interval, also where the tree bootstrap cannot run); both methods'
# intervals follow, the *_el_* ones as R's RDS.*.estimates report them.
INTERVAL_FIELDS: tuple[tuple[str, Cell], ...] = (
    ("rds2_ci_method", lambda o: o.rds2.method),
    ("ss_ci_method", lambda o: o.ss.method),
    ("rds2_tree_low", lambda o: bounds(o.rds2.tree)[0]),
    ("rds2_tree_high", lambda o: bounds(o.rds2.tree)[1]),
    ("ss_tree_low", lambda o: bounds(o.ss.tree)[0]),
    ("ss_tree_high", lambda o: bounds(o.ss.tree)[1]),
    ("rds2_el_low", lambda o: bounds(o.rds2.el)[0]),
    ("rds2_el_high", lambda o: bounds(o.rds2.el)[1]),
    ("rds1_el_low", lambda o: bounds(o.rds1.el)[0]),
    ("rds1_el_high", lambda o: bounds(o.rds1.el)[1]),
    ("ss_el_low", lambda o: bounds(o.ss.el)[0]),
    ("ss_el_high", lambda o: bounds(o.ss.el)[1]),
    # HCG (Fellows 2019) with R's interval: single-choice questions of a survey with N.
    ("hcg_share", lambda o: o.hcg.share),
    ("hcg_ci_low", lambda o: o.hcg.low),
    ("hcg_ci_high", lambda o: o.hcg.high),
)
INTERVAL_COLUMNS = [column for column, _cell in INTERVAL_FIELDS]
# Added last, again so that every column above stays put: beside rds2_share_unflagged, the
# reported RDS-II interval without flagged responses (its method as rds2_ci_method's) and RDS-I
# without them (estimates.rds.estimators.reported); empty for estimates built before them.
UNFLAGGED_FIELDS: tuple[tuple[str, Cell], ...] = (
    ("rds2_ci_low_unflagged", lambda o: o.rds2_unflagged.low),
    ("rds2_ci_high_unflagged", lambda o: o.rds2_unflagged.high),
    ("rds2_ci_method_unflagged", lambda o: o.rds2_unflagged.method),
    ("rds1_share_unflagged", lambda o: o.rds1_unflagged.share),
)
UNFLAGGED_COLUMNS = [column for column, _cell in UNFLAGGED_FIELDS]


def _estimates(survey: Survey) -> dict[str, QuestionRecord]:
    rows = RDSQuestion.objects.filter(estimate_set__survey=survey).only(
        "question", "version", "shares"
    )
    return {row.question: row.record() for row in rows}


def crosstab_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    with translation.override(options.labels if _labelled(options) else "en"):
        tables = all_crosstabs(survey=survey, filters=options.filters)
        header = ["dimension", "group", "question", "option"]
        if _labelled(options):
            header += ["group_label", "question_text", "option_label"]
        yield header_row([*header, "count", "base", "percent"])
        for table in tables:
            for group in table.groups:
                for share in group.shares:
                    row: list[Any] = [
                        neutralize(table.dimension),
                        neutralize(group.value),
                        neutralize(table.question.code),
                        neutralize(share.code),
                    ]
                    if _labelled(options):
                        row += [
                            neutralize(group.label),
                            neutralize(table.question.text),
                            neutralize(share.label),
                        ]
                    yield [*row, share.count, group.base, share.percent]
