"""Forms a respondent fills in: consent, and one form per questionnaire page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from surveys.models import Page, Question, QuestionKind, Survey

OTHER_SUFFIX = "__other"
MAX_OTHER_LENGTH = 500

REQUIRED = _("Please answer this question.")
INVALID_CHOICE = _("Choose one of the listed options.")
OTHER_MISSING = _("You chose “other”: please write your answer in the text field.")
NOT_A_NUMBER = _("Enter a whole number.")
TOO_SMALL = _("Enter a number no smaller than %(limit_value)s.")
TOO_LARGE = _("Enter a number no larger than %(limit_value)s.")
TOO_LONG = _(
    "Please shorten this text to at most %(limit_value)d characters (it has %(show_value)d)."
)
NULL_CHARACTER = _("The text contains characters that are not allowed.")


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please confirm your consent to take part.")},
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = survey.consent_label


def _reject_null_characters(value: str) -> None:
    if "\x00" in value:
        raise ValidationError(NULL_CHARACTER, code="null_characters")


def _text_field(*, required: bool, max_length: int, label: str) -> forms.CharField:
    field = forms.CharField(
        required=required,
        max_length=max_length,
        label=label,
        strip=True,
        error_messages={"required": REQUIRED, "max_length": TOO_LONG},
    )
    # Django's own null-character validator speaks a message our catalogue does not own.
    field.validators = [v for v in field.validators if v.code != "null_characters"]
    field.validators.insert(0, _reject_null_characters)
    return field


def _question_field(question: Question) -> forms.Field:
    messages = {"required": REQUIRED, "invalid_choice": INVALID_CHOICE}
    if question.kind == QuestionKind.SINGLE:
        return forms.ChoiceField(
            required=question.required,
            choices=[(option.code, option.label) for option in question.options.all()],
            widget=forms.RadioSelect,
            error_messages=messages,
        )
    if question.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(
            required=question.required,
            choices=[(option.code, option.label) for option in question.options.all()],
            widget=forms.CheckboxSelectMultiple,
            error_messages={**messages, "invalid_list": INVALID_CHOICE},
        )
    if question.kind == QuestionKind.INTEGER:
        return forms.IntegerField(
            required=question.required,
            min_value=question.min_value,
            max_value=question.max_value,
            error_messages={
                "required": REQUIRED,
                "invalid": NOT_A_NUMBER,
                "min_value": TOO_SMALL,
                "max_value": TOO_LARGE,
            },
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
    return _text_field(
        required=question.required, max_length=question.max_length, label=question.text
    )


class PageForm(forms.Form):
    """The questions of one page; field names are question codes."""

    def __init__(self, *args: Any, page: Page, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        self.questions: list[Question] = list(page.questions.all())
        for question in self.questions:
            self.fields[question.code] = _question_field(question)
            if self._other_option(question):
                self.fields[question.code + OTHER_SUFFIX] = _text_field(
                    required=False, max_length=MAX_OTHER_LENGTH, label=question.text
                )

    @staticmethod
    def _other_option(question: Question) -> str | None:
        for option in question.options.all():
            if option.is_other:
                return option.code
        return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for question in self.questions:
            other_code = self._other_option(question)
            if other_code is None or question.code not in cleaned:
                continue
            chosen = cleaned[question.code]
            ticked = other_code in chosen if isinstance(chosen, list) else chosen == other_code
            other_name = question.code + OTHER_SUFFIX
            if ticked and not cleaned.get(other_name) and other_name not in self.errors:
                self.add_error(other_name, ValidationError(OTHER_MISSING, code="other_missing"))
            elif not ticked:
                cleaned[other_name] = ""
        return cleaned

    def valid_answers(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Return the answers and "other" texts that passed validation, leaving out the rest."""
        answers: dict[str, Any] = {}
        other_texts: dict[str, str] = {}
        cleaned = getattr(self, "cleaned_data", {})
        for question in self.questions:
            if question.code in cleaned and question.code not in self.errors:
                value = cleaned[question.code]
                if value not in (None, "", []):
                    answers[question.code] = value
            other_name = question.code + OTHER_SUFFIX
            if cleaned.get(other_name) and other_name not in self.errors:
                other_texts[question.code] = cleaned[other_name]
        return answers, other_texts

    def bound_questions(self) -> list[dict[str, Any]]:
        """Return what the template needs to lay out each question with its errors."""
        layout = []
        for question in self.questions:
            field = self[question.code]
            other_name = question.code + OTHER_SUFFIX
            value = field.value()
            if question.kind == QuestionKind.MULTIPLE:
                selected = set(value or [])
            else:
                selected = {value} if value not in (None, "") else set()
            layout.append(
                {
                    "question": question,
                    "field": field,
                    "other": self[other_name] if other_name in self.fields else None,
                    "selected": {str(code) for code in selected},
                    "errors": field.errors
                    + (self.errors.get(other_name, []) if other_name in self.fields else []),
                }
            )
        return layout


def initial_for_page(page: Page, answers: dict[str, Any], other_texts: dict[str, str]) -> dict:
    """Return a page form's initial values from a draft."""
    initial: dict[str, Any] = {}
    for question in page.questions.all():
        if question.code in answers:
            initial[question.code] = answers[question.code]
        if question.code in other_texts:
            initial[question.code + OTHER_SUFFIX] = other_texts[question.code]
    return initial
