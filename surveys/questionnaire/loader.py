"""Load a questionnaire from its JSON data file into the database, idempotently."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from surveys.logic.checks import LogicError, questionnaire_check
from surveys.models import Option, Page, Question, QuestionKind, Survey
from surveys.paradata.timing import HONEYPOT_FIELD, SERVED_FIELD
from surveys.quality import design_log
from surveys.signals import questionnaire_loaded

QUESTIONNAIRE_DIR = Path(__file__).resolve().parents[1] / "questionnaires"
LANGUAGES = [code for code, _ in settings.LANGUAGES]
# Names the page form posts besides the questions: a question with one of them as its code
# would be read as the other.
RESERVED_CODES = frozenset({HONEYPOT_FIELD, SERVED_FIELD, "action", "switch_language"})
# Survey settings a questionnaire file may set; the admin edits them afterwards.
SURVEY_SETTINGS = ("coupon_limit", "min_completion_seconds", "eligibility", "form_version")


def _texts(prefix: str, texts: dict[str, str] | None) -> dict[str, str]:
    texts = texts or {}
    return {f"{prefix}_{lang}": texts.get(lang, "") for lang in LANGUAGES}


def shipped_questionnaires() -> list[Path]:
    """Return the questionnaire files that ship with the platform."""
    return sorted(QUESTIONNAIRE_DIR.glob("*.json"))


def questionnaire_read(*, path: Path) -> dict[str, Any]:
    """Return the parsed questionnaire file."""
    return json.loads(path.read_text(encoding="utf-8"))


def _check_code(what: str, value: Any) -> None:
    # Codes end up in URLs, file names inside archives and export columns: letters, digits,
    # hyphens and underscores only, checked before anything is written.
    try:
        validate_slug(value if isinstance(value, str) else "")
    except ValidationError as error:
        raise ValidationError(
            f"{what} {value!r} is not a valid code: {' '.join(error.messages)}", code="invalid"
        ) from error


def questionnaire_check_codes(*, data: dict[str, Any]) -> None:
    """Refuse a questionnaire whose slug or any page, question or option code is not a slug."""
    _check_code("Survey slug", data.get("slug"))
    for page_data in data.get("pages", []):
        _check_code("Page code", page_data.get("code"))
        for question_data in page_data.get("questions", []):
            _check_code("Question code", question_data.get("code"))
            for option_data in question_data.get("options", []):
                _check_code(f"Option code of {question_data.get('code')}", option_data.get("code"))


@transaction.atomic
def questionnaire_load(*, data: dict[str, Any]) -> Survey:
    """Create or update a survey from questionnaire data; loading twice changes nothing."""
    questionnaire_check_codes(data=data)
    survey, created = Survey.objects.update_or_create(
        slug=data["slug"],
        defaults={
            **_texts("title", data["title"]),
            **_texts("description", data.get("description")),
            **_texts("consent", data["consent"]),
            **_texts("consent_label", data["consent_label"]),
        },
    )
    before = copy.copy(survey)
    logic_before = {} if created else design_log.logic_of(survey=survey)
    for name in SURVEY_SETTINGS:
        if name in data and getattr(survey, name) != data[name]:
            setattr(survey, name, data[name])
            survey.save(update_fields=[name])
    if not created:  # a reload that changes the coupon limit changes the survey's design
        design_log.survey_changed(survey=survey, before=before, user=None)
    questionnaire_loaded.send(sender=Survey, survey=survey, data=data)

    question_position = 0
    for page_position, page_data in enumerate(data["pages"], start=1):
        page, _ = Page.objects.update_or_create(
            survey=survey,
            code=page_data["code"],
            defaults={
                "position": page_position,
                **_texts("title", page_data["title"]),
                **_texts("intro", page_data.get("intro")),
                "relevant": page_data.get("relevant", ""),
            },
        )
        for question_data in page_data["questions"]:
            question_position += 1
            _load_question(survey, page, question_position, question_data)
    try:
        questionnaire_check(pages=survey.ordered_pages(), eligibility=survey.eligibility)
    except LogicError as error:
        raise ValidationError(str(error), code="logic") from error
    if not created:
        design_log.logic_changed(survey=survey, before=logic_before, user=None)
    return survey


def _load_question(survey: Survey, page: Page, position: int, data: dict[str, Any]) -> None:
    kind = data["kind"]
    if data["code"] in RESERVED_CODES:
        raise ValidationError(
            f"Question {data['code']}: the code is reserved for the page form.", code="reserved"
        )
    if kind not in QuestionKind.values:
        raise ValidationError(f"Question {data['code']}: unknown kind {kind!r}.", code="kind")
    question = Question.objects.filter(survey=survey, code=data["code"]).first()
    if question is None:
        question = Question(survey=survey, code=data["code"])
    question.page = page
    question.position = position
    question.kind = kind
    question.required = data.get("required", True)
    question.min_value = data.get("min")
    question.max_value = data.get("max")
    question.max_length = data.get("max_length", 1000)
    question.role = data.get("role", "")
    question.relevant = data.get("relevant", "")
    question.constraint = data.get("constraint", "")
    for field, value in {
        **_texts("text", data["text"]),
        **_texts("help", data.get("help")),
        **_texts("constraint_message", data.get("constraint_message")),
    }.items():
        setattr(question, field, value)
    # clean() refuses a kind change once answers exist. A language the file leaves out is shown
    # in English (surveys.models.i18n.localized), so only the English text is required.
    untranslated = [
        f"text_{lang}" for lang in LANGUAGES if lang != "en" and lang not in data["text"]
    ]
    try:
        question.full_clean(exclude=["survey", "page", *untranslated])
    except ValidationError as error:  # name the question: a file may hold hundreds
        message = f"{data['code']}: {' '.join(error.messages)}"
        raise ValidationError(message, code="question") from error
    question.save()
    for option_position, option_data in enumerate(data.get("options", []), start=1):
        Option.objects.update_or_create(
            question=question,
            code=option_data["code"],
            defaults={
                "position": option_position,
                "is_other": option_data.get("other", False),
                **_texts("label", option_data["label"]),
            },
        )
