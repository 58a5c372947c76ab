"""The respondents a survey's margins weight, read as numpy arrays; and the margins themselves.

Who is weighted: every response that is not withdrawn and answered every question with a
margin. A respondent who left a margin question unanswered cannot be placed in its cells: they
are left out of the post-stratified estimates (no ``weight_poststrat``) and counted, so that the
page and the README can say how many. Re-using the remaining margins for them would give one
respondent two different weighting schemes; leaving them out is what R's ``survey`` package does
with a missing calibration variable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models.fields.json import KeyTextTransform

from estimates.margins.raking import MarginsError
from estimates.models import PopulationMargin
from surveys.models import QuestionRole, Response, Survey

#: The roles of the questions whose population shares may be entered.
MARGIN_ROLES = (QuestionRole.COUNTRY, QuestionRole.GENDER, QuestionRole.AGE_GROUP)


@dataclass(frozen=True)
class Margin:
    """One question's population shares, in the question's option order."""

    question: str
    options: tuple[str, ...]
    shares: np.ndarray


@dataclass(frozen=True)
class MarginCells:
    """The weighted respondents: ids in id order and each one's category of every margin."""

    ids: np.ndarray  # int64 response ids, ascending
    cells: list[np.ndarray]  # one int array per margin, its category index per respondent
    margins: list[Margin]
    left_out: int  # respondents not withdrawn who left a margin question unanswered


def stored_shares(*, survey: Survey) -> dict[str, dict[str, float]]:
    """Return the survey's entered population shares as {question: {option: share}}."""
    stored: dict[str, dict[str, float]] = {}
    for question, option, share in PopulationMargin.objects.filter(survey=survey).values_list(
        "question", "option", "share"
    ):
        stored.setdefault(question, {})[option] = share
    return stored


def survey_margins(*, survey: Survey) -> list[Margin]:
    """Return the stored margins by question, in questionnaire order; [] when none are set."""
    stored = stored_shares(survey=survey)
    margins = []
    questions = (
        survey.questions.filter(code__in=stored)
        .order_by("page__position", "position")
        .prefetch_related("options")
    )
    for question in questions:
        given = stored[question.code]
        # Options in questionnaire order; an option without an entered share is NaN here: an
        # empty cell if anyone chose it (an entered 0 instead weights its respondents to zero).
        codes = [option.code for option in question.options.all()]
        codes += sorted(set(given) - set(codes))
        shares = np.array([given.get(code, np.nan) for code in codes], dtype=float)
        margins.append(Margin(question.code, tuple(codes), shares))
    return margins


def margin_cells(*, survey: Survey, margins: list[Margin]) -> MarginCells:
    """Read every kept respondent's answer to each margin question as a category index."""
    if not margins:
        raise ValueError("no margins to weight by")
    fields = {
        f"m{index}": KeyTextTransform(m.question, "answers") for index, m in enumerate(margins)
    }
    rows = (
        Response.objects.filter(survey=survey, withdrawn_at__isnull=True)
        .annotate(**fields)
        .order_by("id")
        .values_list("id", *fields)
    )
    lookups = [{code: k for k, code in enumerate(m.options)} for m in margins]
    ids: list[int] = []
    codes: list[list[int]] = [[] for _ in margins]
    left_out = 0
    unknown: dict[str, set[str]] = {}
    for pk, *values in rows.iterator(chunk_size=5000):
        if any(value in (None, "") for value in values):
            left_out += 1
            continue
        ids.append(pk)
        for index, value in enumerate(values):
            category = lookups[index].get(value)
            if category is None:
                unknown.setdefault(margins[index].question, set()).add(str(value))
                category = 0
            codes[index].append(category)
    if unknown:
        question, values = sorted(unknown.items())[0]
        answer = ", ".join(sorted(values))
        raise MarginsError(
            f"Respondents answered {question} = {answer}, which has no margin (an empty cell).",
            code="no_margin",
            params={"question": question, "option": answer, "count": 1},
        )
    cells = [np.array(c, dtype=np.int64) for c in codes]
    for margin, categories in zip(margins, cells, strict=True):
        _require_full_cells(margin, categories)
    return MarginCells(
        ids=np.array(ids, dtype=np.int64),
        cells=cells,
        margins=margins,
        left_out=left_out,
    )


def _require_full_cells(margin: Margin, categories: np.ndarray) -> None:
    """Raise MarginsError for a chosen option without a margin or a margin without anyone."""
    counts = np.bincount(categories, minlength=len(margin.options))
    for option, share, count in zip(margin.options, margin.shares, counts, strict=True):
        if count > 0 and np.isnan(share):
            raise MarginsError(
                f"{count} respondents answered {margin.question} = {option}, which has no "
                "margin (an empty cell).",
                code="no_margin",
                params={"question": margin.question, "option": option, "count": int(count)},
            )
        if count == 0 and share > 0:
            raise MarginsError(
                f"{margin.question} = {option} has a population share of {share:g} but no "
                "respondent (an empty cell).",
                code="no_respondent",
                params={"question": margin.question, "option": option, "share": float(share)},
            )
