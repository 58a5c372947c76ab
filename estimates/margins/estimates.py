"""Post-stratified shares of every question with their intervals, and the weights' design effects.

A share is the weighted share of the post-stratified respondents who answered the question
(single choice: chose the option; multiple choice: ticked it), the same base as the dashboard's
raw shares. Its 95 % interval is the linearization interval of ``raking.calibrated_shares``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from aggregates.selectors import survey_questions
from estimates.contracts import LINEARIZATION, Estimate, Interval
from estimates.margins.raking import Z_95, calibrated_shares, kish_deff
from estimates.margins.sample import MarginCells
from estimates.margins.weights import WEIGHT_COLUMNS, WeightTable, weight_table
from estimates.rds.sample import AnswerMatrices
from surveys.models import Question, QuestionKind, Response, Survey


@dataclass(frozen=True)
class Poststratification:
    """A survey's post-stratified estimates, or why there are none."""

    # {question code: {option code: share with its linearization interval}}, fractions 0-1.
    estimates: dict[str, dict[str, Estimate]] = field(default_factory=dict)
    # Kish's design effect of each weight set ("poststrat", "rds2", "ss"); None when missing.
    design_effects: dict[str, float | None] = field(default_factory=dict)
    respondents: int = 0  # post-stratified
    left_out: int = 0  # not withdrawn, but a margin question unanswered
    raking: bool = False  # several margins (raking) rather than one (post-stratification)
    unavailable: str = ""  # untranslated


def _answers(
    survey: Survey, questions: list[Question], cells: MarginCells
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return each question's (ticked n x k, answered n) over the post-stratified respondents."""
    row_of = {int(pk): row for row, pk in enumerate(cells.ids)}
    answers = AnswerMatrices(
        {q.code: [o.code for o in q.options.all()] for q in questions}, len(cells.ids)
    )
    rows = (
        Response.objects.filter(survey=survey, withdrawn_at__isnull=True)
        .order_by("id")
        .values_list("id", "answers")
    )
    for pk, given in rows.iterator(chunk_size=5000):
        row = row_of.get(pk)
        if row is None:
            continue  # left out, or arrived after the weights were computed
        answers.add(row, given)
    return answers.matrices


def _interval(share: float, error: float) -> Estimate:
    if np.isnan(share):
        return Estimate()
    if np.isnan(error):
        return Estimate(share=float(share))
    low, high = max(0.0, float(share - Z_95 * error)), min(1.0, float(share + Z_95 * error))
    return Estimate(share=float(share), reported=Interval(low, high, LINEARIZATION))


def _design_effects(table: WeightTable) -> dict[str, float | None]:
    result: dict[str, float | None] = {}
    for name in WEIGHT_COLUMNS:
        weights = table.column(name)
        result[name.removeprefix("weight_")] = (
            None if name in table.unavailable else kish_deff(weights[~np.isnan(weights)])
        )
    return result


def poststratification(*, survey: Survey) -> Poststratification:
    """Return the post-stratified shares of every choice question and the design effects."""
    table = weight_table(survey=survey)
    deff = _design_effects(table)
    cells = table.cells
    if cells is None:
        return Poststratification(
            design_effects=deff, unavailable=table.unavailable["weight_poststrat"]
        )
    weights = table.column("weight_poststrat")[np.searchsorted(table.ids, cells.ids)]
    questions = [
        q
        for q in survey_questions(survey=survey)
        if q.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
    ]
    targets = [np.nan_to_num(m.shares, nan=0.0) for m in cells.margins]
    estimates: dict[str, dict[str, Estimate]] = {}
    for question, (ticked, answered) in _answers(survey, questions, cells).items():
        shares, errors = calibrated_shares(
            weights, cells=cells.cells, targets=targets, ticked=ticked, answered=answered
        )
        options = [o.code for o in next(q for q in questions if q.code == question).options.all()]
        estimates[question] = {
            option: _interval(share, error)
            for option, share, error in zip(options, shares, errors, strict=True)
        }
    return Poststratification(
        estimates=estimates,
        design_effects=deff,
        respondents=len(cells.ids),
        left_out=cells.left_out,
        raking=len(cells.margins) > 1,
    )


def as_rows(result: Poststratification) -> list[tuple[str, str, Estimate]]:
    """Return the estimates as flat rows (question, option, estimate)."""
    return [
        (question, option, estimate)
        for question, options in result.estimates.items()
        for option, estimate in options.items()
    ]
