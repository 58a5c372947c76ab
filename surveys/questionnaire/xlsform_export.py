"""Write a survey's questionnaire back as an XLSForm that loads into the same questionnaire.

Pages become groups; options a choice list per question (named after it), with an ``other``
column marking "other (specify)" (``or_other`` would recode it); every text a column per
language (``label::Kazakh (kk)``…). The platform's roles, bounds and settings travel in
columns pyxform accepts and the loader reads: ``role``, ``min``, ``max``; ``eligibility``,
``coupon_limit``, ``min_completion_seconds``, ``consent``, ``consent_label`` and
``description`` on the settings sheet. The dashboard's figure numbers are the platform's own
and stay in the questionnaire file or the admin.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from surveys.csv_safe import neutralize
from surveys.models import Question, QuestionKind, Survey
from surveys.models.i18n import LANGUAGE_CODES

LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "kk": "Kazakh"}
TYPES = {
    QuestionKind.SINGLE: "select_one",
    QuestionKind.MULTIPLE: "select_multiple",
    QuestionKind.INTEGER: "integer",
    QuestionKind.DECIMAL: "decimal",
    QuestionKind.TEXT: "text",
    QuestionKind.NOTE: "note",
    QuestionKind.DATE: "date",
}


def _column(name: str, language: str) -> str:
    return f"{name}::{LANGUAGE_NAMES.get(language, language)} ({language})"


def _texts(obj: object, field: str, name: str) -> dict[str, str]:
    return {_column(name, lang): getattr(obj, f"{field}_{lang}") for lang in LANGUAGE_CODES}


def _type(question: Question) -> str:
    kind = TYPES[QuestionKind(question.kind)]
    # The list is named after the question; "other (specify)" is marked on the choices sheet,
    # so that its code and labels come back as they are (or_other would make them new).
    return f"{kind} {question.code}" if question.has_options else kind


def _cell(value: object) -> object:
    # A text starting like a formula must stay text when the sheet is opened.
    if value is None or value == "":
        return None
    return neutralize(value) if isinstance(value, str) else value


def questionnaire_workbook(*, survey: Survey) -> Workbook:
    """Return the survey's questionnaire as an XLSForm workbook."""
    survey_columns = [
        "type",
        "name",
        *(_column("label", lang) for lang in LANGUAGE_CODES),
        *(_column("hint", lang) for lang in LANGUAGE_CODES),
        "required",
        "relevant",
        "constraint",
        *(_column("constraint_message", lang) for lang in LANGUAGE_CODES),
        "role",
        "min",
        "max",
    ]
    rows: list[dict[str, object]] = []
    choices: list[list[object]] = []
    for page in survey.ordered_pages():
        rows.append(
            {
                "type": "begin_group",
                "name": page.code,
                "relevant": page.relevant,
                **_texts(page, "title", "label"),
                **_texts(page, "intro", "hint"),
            }
        )
        for question in page.questions.all():
            rows.append(
                {
                    "type": _type(question),
                    "name": question.code,
                    **_texts(question, "text", "label"),
                    **_texts(question, "help", "hint"),
                    "required": "yes" if question.required else "no",
                    "relevant": question.relevant,
                    "constraint": question.constraint,
                    **_texts(question, "constraint_message", "constraint_message"),
                    "role": question.role,
                    "min": question.min_value,
                    "max": question.max_value,
                }
            )
            for option in question.options.all():
                labels = [getattr(option, f"label_{lang}") for lang in LANGUAGE_CODES]
                other = "yes" if option.is_other else None
                choices.append([question.code, option.code, *labels, other])
        rows.append({"type": "end_group", "name": page.code})

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(survey_columns)
    for row in rows:
        sheet.append([_cell(row.get(column)) for column in survey_columns])
    choice_sheet = book.create_sheet("choices")
    labels = [_column("label", lang) for lang in LANGUAGE_CODES]
    choice_sheet.append(["list_name", "name", *labels, "other"])
    for choice in choices:
        choice_sheet.append([_cell(value) for value in choice])
    settings = {
        "form_id": survey.slug,
        **{
            "form_title" if lang == "en" else _column("form_title", lang): getattr(
                survey, f"title_{lang}"
            )
            for lang in LANGUAGE_CODES
        },
        "version": survey.form_version,
        "default_language": "English (en)",
        "eligibility": survey.eligibility,
        "coupon_limit": str(survey.coupon_limit),
        "min_completion_seconds": str(survey.min_completion_seconds),
        **_texts(survey, "consent", "consent"),
        **_texts(survey, "consent_label", "consent_label"),
        **_texts(survey, "description", "description"),
    }
    settings_sheet = book.create_sheet("settings")
    settings_sheet.append(list(settings))
    settings_sheet.append([_cell(value) for value in settings.values()])
    return book


def questionnaire_export(*, survey: Survey, path: Path) -> None:
    """Write the survey's questionnaire as an XLSForm file at path."""
    questionnaire_workbook(survey=survey).save(path)
