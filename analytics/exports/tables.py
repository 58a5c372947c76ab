"""The small table exports: the aggregate table (with RDS estimates) and the crosstabs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import translation

from analytics.dashboard.selectors import all_crosstabs, survey_results
from analytics.exports.options import ExportOptions, Progress, header_row
from analytics.models import RDSQuestion
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
        header = ["question", "option"]
        if _labelled(options):
            header += ["question_text", "option_label"]
        yield header_row([*header, "count", "base", "percent", *RDS_COLUMNS])
        for question in results.questions:
            for share in question.shares:
                row: list[Any] = [neutralize(question.code), neutralize(share.code)]
                if _labelled(options):
                    row += [neutralize(question.text), neutralize(share.label)]
                weighted = estimates.get(question.code, {}).get(share.code, {})
                yield [
                    *row,
                    share.count,
                    question.base,
                    share.percent,
                    *(weighted.get(key) for key in RDS_KEYS),
                ]


# Shares as fractions at full precision, so that they can be checked against other software.
# SS columns stay empty when no population size was set (see the dashboard for why).
RDS_COLUMNS = [
    "rds2_share",
    "rds2_ci_low",
    "rds2_ci_high",
    "rds1_share",
    "ss_share",
    "ss_ci_low",
    "ss_ci_high",
]
RDS_KEYS = ("rds2", "low", "high", "rds1", "ss", "ss_low", "ss_high")


def _estimates(survey: Survey) -> dict[str, dict[str, dict[str, float | None]]]:
    rows = RDSQuestion.objects.filter(estimate_set__survey=survey).values_list("question", "shares")
    return dict(rows)


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
