"""Not asked is not "no answer": the cells a question's condition skipped, for the files.

In the CSV both are an empty cell (the codebook says when each question is asked). The SPSS
and Stata files tell them apart: a skipped numeric or single-choice cell holds -99, declared
user-missing and labelled "not asked", in .sav, and the extended missing value .a in .dta; no
answer stays system-missing. Text variables stay empty in both cases.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from exports.options import ExportOptions
from exports.rows.wide import wide_responses
from surveys.logic.skip import asked_codes, question_conditions
from surveys.models import Survey

NOT_ASKED = -99.0
STATA_NOT_ASKED = "a"
NOT_ASKED_LABEL = _("not asked")
NOT_ASKED_CODES = "CSV: empty; .sav: -99, user-missing; .dta: .a"


def not_asked_ids(*, survey: Survey, options: ExportOptions) -> dict[str, set[int]]:
    """Return, for each conditional question, the ids of exported responses not asked it."""
    conditional = set(question_conditions(survey=survey))
    if not conditional:
        return {}
    pages = survey.ordered_pages()
    skipped: dict[str, set[int]] = {code: set() for code in conditional}
    rows = (
        wide_responses(survey=survey, options=options)
        .filter(withdrawn_at__isnull=True)  # a tombstone's answers were erased, not skipped
        .values_list("id", "answers")
        .iterator(2000)
    )
    for pk, answers in rows:
        asked = asked_codes(pages, answers if isinstance(answers, dict) else {})
        for code in conditional - asked:
            skipped[code].add(pk)
    return skipped
