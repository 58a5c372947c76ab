"""The long export: one row per answer (per ticked option of a multiple choice).

A withdrawn response has no answers left, so it has no rows; its place in the recruitment
chains is in the wide export and recruitment.csv, which carry the recruiters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aggregates.selectors import survey_questions
from exports.options import (
    ITERATOR_CHUNK,
    OTHER_TEXT,
    ExportOptions,
    Progress,
    export_responses,
    header_row,
    option_label,
    with_progress,
)
from surveys.csv_safe import neutralize
from surveys.models import QuestionKind, Survey

NUMBER_KINDS = {QuestionKind.INTEGER, QuestionKind.DECIMAL}


def long_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    questions = survey_questions(survey=survey)
    language = "en" if options.labels == "codes" else options.labels
    labels = {
        question.code: {
            o.code: neutralize(option_label(o, language)) for o in question.options.all()
        }
        for question in questions
    }
    kinds = {question.code: question.kind for question in questions}
    yield header_row(["response_id", "question", "option", "label", "value"])
    rows = (
        export_responses(survey=survey, options=options)
        .order_by("id")
        .values_list("id", "answers", "other_texts")
        .iterator(ITERATOR_CHUNK)
    )
    for pk, answers, other_texts in with_progress(rows, progress):
        for question in questions:
            code = question.code
            value = answers.get(code)
            if value is None:
                continue
            kind = kinds[code]
            if kind == QuestionKind.SINGLE and isinstance(value, str):
                yield [pk, code, neutralize(value), labels[code].get(value, ""), 1]
            elif kind == QuestionKind.MULTIPLE and isinstance(value, list):
                for option in value:
                    option = str(option)
                    yield [pk, code, neutralize(option), labels[code].get(option, ""), 1]
            elif kind in NUMBER_KINDS and isinstance(value, int | float):
                yield [pk, code, None, None, value]
            elif isinstance(value, str):
                yield [pk, code, None, None, neutralize(value)]
            other = other_texts.get(code) if isinstance(other_texts, dict) else None
            if isinstance(other, str) and other:
                yield [pk, f"{code}{OTHER_TEXT}", None, None, neutralize(other)]
