"""Entering a survey's population margins: validated as a whole, stored as a whole."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import localize
from django.utils.translation import gettext as _

from estimates.margins.messages import margins_message
from estimates.margins.raking import MarginsError, rake
from estimates.margins.reader import MarginRow
from estimates.margins.sample import MARGIN_ROLES, Margin, margin_cells
from estimates.models import PopulationMargin
from surveys.models import Survey

#: How far a question's shares may be from summing to 1.
SUM_TOLERANCE = 1e-6


def _where(row: MarginRow) -> str:
    return _("Line %(line)s: ") % {"line": row.line} if row.line else ""


def _row_errors(survey: Survey, rows: Sequence[MarginRow]) -> list[ValidationError]:
    """Return what is wrong with single rows: question, role, option, share, repetition."""
    questions = {q.code: q for q in survey.questions.prefetch_related("options")}
    errors: list[ValidationError] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        # The numbers in the messages are written as the page's language writes them (0,35).
        params = {"question": row.question, "option": row.option, "share": localize(row.share)}
        question = questions.get(row.question)
        if question is None:
            message, code = _("the survey has no question “%(question)s”."), "unknown_question"
        elif question.role not in MARGIN_ROLES:
            message = _("“%(question)s” is not a country, gender or age-group question.")
            code = "no_margin_role"
        elif row.option not in {option.code for option in question.options.all()}:
            message = _("“%(question)s” has no option “%(option)s”.")
            code = "unknown_option"
        elif not 0 <= row.share <= 1:
            message = _(
                "the share of %(question)s = %(option)s, %(share)s, is not between 0 and 1."
            )
            code = "share_range"
        elif (row.question, row.option) in seen:
            message, code = _("%(question)s = %(option)s is given twice."), "duplicate"
        else:
            seen.add((row.question, row.option))
            continue
        errors.append(ValidationError(_where(row) + message, code=code, params=params))
    return errors


def _margins(survey: Survey, rows: Sequence[MarginRow]) -> list[Margin]:
    """Return the rows as margins by question, in questionnaire order, options in theirs."""
    given: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        given[row.question][row.option] = row.share
    margins = []
    for question in survey.questions.filter(code__in=given).order_by("page__position", "position"):
        codes = tuple(option.code for option in question.options.all())
        shares = np.array([given[question.code].get(code, np.nan) for code in codes])
        margins.append(Margin(question.code, codes, shares))
    return margins


def margins_validate(*, survey: Survey, rows: Sequence[MarginRow]) -> list[Margin]:
    """Return the rows as margins, or raise ValidationError listing every problem."""
    errors = _row_errors(survey, rows)
    if errors:
        raise ValidationError(errors)
    margins = _margins(survey, rows)
    for margin in margins:
        total = float(np.nansum(margin.shares))
        if abs(total - 1) > SUM_TOLERANCE:
            errors.append(
                ValidationError(
                    _("The shares of “%(question)s” add up to %(total)s, not 1."),
                    code="shares_sum",
                    params={"question": margin.question, "total": localize(round(total, 9))},
                )
            )
    if errors:
        raise ValidationError(errors)
    try:
        cells = margin_cells(survey=survey, margins=margins)
        rake(cells.cells, [np.nan_to_num(m.shares, nan=0.0) for m in margins])
    except MarginsError as error:
        code = "empty_cell" if error.code in {"no_margin", "no_respondent"} else error.code
        raise ValidationError(margins_message(error), code=code) from error
    return margins


def margins_replace(
    *, survey: Survey, rows: Sequence[MarginRow], user: AbstractBaseUser | None
) -> int:
    """Replace all of the survey's margins by the rows once they pass; return how many."""
    if not rows:
        raise ValidationError(_("Give at least one margin."), code="no_rows")
    margins_validate(survey=survey, rows=rows)
    entered_by = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        PopulationMargin.objects.filter(survey=survey).delete()
        PopulationMargin.objects.bulk_create(
            PopulationMargin(
                survey=survey,
                question=row.question,
                option=row.option,
                share=row.share,
                entered_by=entered_by,
            )
            for row in rows
        )
    return len(rows)


def margins_clear(*, survey: Survey) -> int:
    """Remove every margin of the survey; return how many there were."""
    deleted, _by_model = PopulationMargin.objects.filter(survey=survey).delete()
    return deleted
