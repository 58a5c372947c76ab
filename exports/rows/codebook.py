"""The codebook export: every column of the wide export with its wording in every language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from aggregates.selectors import survey_questions
from estimates.margins.weights import WEIGHT_COLUMNS
from exports.options import META_COLUMNS, OTHER_TEXT, ExportOptions, Progress, header_row
from exports.rows.not_asked import NOT_ASKED_CODES
from exports.rows.wide import wide_columns
from surveys.csv_safe import neutralize
from surveys.logic.skip import question_conditions
from surveys.logic.words import condition_in_words
from surveys.models import Question, QuestionKind, QuestionRole, Survey
from surveys.quality.reviews import FLAG_LABELS


def _meta_descriptions() -> dict[str, str]:
    return {
        "response_id": _("Response number"),
        "submitted_at": _("When the response was submitted (UTC)"),
        "language": _("Questionnaire language"),
        "duration_seconds": _("Seconds from consent to submission"),
        "wave": _("Recruitment wave (0 = came through a seed link or without any link)"),
        "recruiter_id": _("Response number of the recruiter"),
        "seed_id": _("Seed link at the root of the recruitment chain"),
        "network_size": _("Network size (number of people the respondent knows)"),
        "quality_flags": _(
            "Quality flags, separated by |: %(codes)s (kept, never dropped; the aggregates' "
            "*_unflagged columns leave out flagged responses no organizer accepted); "
            "withdrawn: answers deleted"
        )
        % {"codes": ", ".join(FLAG_LABELS)},
    }


def paradata_descriptions() -> dict[str, str]:
    """Return what each column of the paradata export holds, in the active language."""
    return {
        "device_class": _("Device: phone, tablet or desktop, from the browser (empty: not sent)"),
        "language_switches": _("How many times the respondent switched the language"),
        "total_seconds": _("Seconds spent on the pages, summed"),
        "page": _("Page number (1 = first)"),
        "page_code": _("Page code"),
        "seconds": _(
            "Seconds on this page, from being served to being left, summed over visits, "
            "each visit capped at 30 minutes"
        ),
    }


def weight_descriptions() -> dict[str, str]:
    """Return what each weight column of the responses export holds, in the active language."""
    return {
        "weight_poststrat": _(
            "Post-stratified weight: raked to the population margins entered for the survey, "
            "mean 1; empty without margins or an answer to a margin question"
        ),
        "weight_rds2": _(
            "RDS-II weight: the mean network size divided by the respondent's (R's RDS package's "
            "scale)"
        ),
        "weight_ss": _(
            "Gile's SS weight at the survey's population size N, summing to N; empty without N"
        ),
    }


def _asked_when_row(
    code: str, condition: str, questions: dict[str, Question], languages: list[str]
) -> list[Any]:
    """Return the row saying when a question is asked; its columns hold NOT_ASKED otherwise."""
    words = []
    for language in languages:
        with translation.override(language):
            words.append(
                neutralize(
                    _("Asked when %(condition)s; otherwise not asked (%(codes)s).")
                    % {
                        "condition": condition_in_words(
                            condition, questions=questions, language=language
                        ),
                        "codes": NOT_ASKED_CODES,
                    }
                )
            )
    return [None, neutralize(code), None, "asked_when", 0, *words]


def codebook_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    languages = [code for code, _name in settings.LANGUAGES]
    descriptions = {}
    for language in languages:
        with translation.override(language):
            descriptions[language] = _meta_descriptions()
    wordings = [f"wording_{language}" for language in languages]
    yield header_row(["column", "question", "option", "kind", "other", *wordings])
    weights = {}
    for language in languages:
        with translation.override(language):
            weights[language] = weight_descriptions()
    for column in META_COLUMNS:
        yield [
            column,
            None,
            None,
            "metadata",
            0,
            *(neutralize(descriptions[language][column]) for language in languages),
        ]
    questions = survey_questions(survey=survey)
    own_columns: dict[str, str] = {}
    for column in wide_columns(survey, questions, "codes"):
        if column.kind not in {"tick", "other"}:
            own_columns[column.question] = column.header
    conditions = question_conditions(survey=survey)
    by_code = {question.code: question for question in questions}
    for question in questions:
        texts = [neutralize(getattr(question, f"text_{language}")) for language in languages]
        own_column = own_columns.get(question.code)
        if question.role == QuestionRole.NETWORK_SIZE and own_column is None:
            own_column = "network_size"
        yield [
            neutralize(own_column) if own_column else None,
            neutralize(question.code),
            None,
            question.kind,
            0,
            *texts,
        ]
        for option in question.options.all():
            option_column = (
                f"{question.code}__{option.code}"
                if question.kind == QuestionKind.MULTIPLE
                else own_column
            )
            yield [
                neutralize(option_column) if option_column else None,
                neutralize(question.code),
                neutralize(option.code),
                "option",
                int(option.is_other),
                *(neutralize(getattr(option, f"label_{language}")) for language in languages),
            ]
        if any(option.is_other for option in question.options.all()):
            yield [
                neutralize(f"{question.code}{OTHER_TEXT}"),
                neutralize(question.code),
                None,
                "other_text",
                1,
                *texts,
            ]
        if question.code in conditions:
            yield _asked_when_row(question.code, conditions[question.code], by_code, languages)
    if survey.eligibility.strip():
        yield [
            None,
            None,
            None,
            "eligibility",
            0,
            *(
                neutralize(
                    condition_in_words(survey.eligibility, questions=by_code, language=language)
                )
                for language in languages
            ),
        ]
    for column in WEIGHT_COLUMNS:
        yield [
            column,
            None,
            None,
            "weight",
            0,
            *(neutralize(weights[language][column]) for language in languages),
        ]
    # The paradata export's own columns (its response_id is the one above).
    paradata = {}
    for language in languages:
        with translation.override(language):
            paradata[language] = paradata_descriptions()
    for column in paradata[languages[0]]:
        yield [
            column,
            None,
            None,
            "paradata",
            0,
            *(neutralize(paradata[language][column]) for language in languages),
        ]
