"""Forms a respondent fills in: consent, and one form per questionnaire page."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from surveys.links.codes import WITHDRAW_CODE_LENGTH, is_code, normalize_code
from surveys.logic.expressions import holds
from surveys.logic.page import PageLogic, stored_value
from surveys.models import Page, Question, QuestionKind, Survey

OTHER_SUFFIX = "__other"
MAX_OTHER_LENGTH = 500

REQUIRED = _("Please answer this question.")
INVALID_CHOICE = _("Choose one of the listed options.")
OTHER_MISSING = _("You chose “%(option)s”: please write your answer in the text field.")
OTHER_NOT_CHOSEN = _(
    "You wrote an answer for “%(option)s” but chose another option: choose “%(option)s” "
    "or clear the text."
)
NOT_A_NUMBER = _("Enter a whole number.")
TOO_SMALL = _("Enter a number no smaller than %(limit_value)s.")
TOO_LARGE = _("Enter a number no larger than %(limit_value)s.")
TOO_LONG = _(
    "Please shorten this text to at most %(limit_value)d characters (it has %(show_value)d)."
)
NULL_CHARACTER = _("The text contains characters that are not allowed.")
NOT_A_DECIMAL = _("Enter a number.")
NOT_A_DATE = _("Enter a date.")
CONSTRAINT_FAILED = _("This answer is not accepted: please check it.")

# A question's look: the fieldset around it, and each option's input beside its label.
QUESTION_TEMPLATE = "surveys/question.html"
OPTION_TEMPLATE = "surveys/forms/option.html"
CONSENT_TEMPLATE = "surveys/forms/consent.html"


class PageRenderer(DjangoTemplates):
    """Django's form templates, with the project's templates/ folder for the survey's own."""

    @cached_property
    def engine(self) -> Any:
        django_forms = Path(forms.__file__).parent / "templates"
        project_dirs = [str(folder) for config in settings.TEMPLATES for folder in config["DIRS"]]
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [*project_dirs, django_forms],
                "NAME": "surveyforms",
                "OPTIONS": {},
            }
        )


# One renderer for every form: each engine keeps its own cache of compiled templates.
PAGE_RENDERER = PageRenderer()


class _OptionIds:
    """Give each option the id ``<question>-<option>`` that labels and tests point at."""

    # The option template writes "checked" itself, right after the value.
    checked_attribute: dict[str, bool] = {}
    option_template_name = OPTION_TEMPLATE

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)  # type: ignore[misc]
        option["attrs"]["id"] = f"{name}-{value}"
        return option


class OptionRadios(_OptionIds, forms.RadioSelect):
    """Radio buttons for a single-choice question."""


class OptionCheckboxes(_OptionIds, forms.CheckboxSelectMultiple):
    """Checkboxes for a multiple-choice question."""


class BootstrapBoundField(BoundField):
    """A field whose input Bootstrap marks invalid while it has errors."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        # A group's errors mark the group (its fieldset), not each of its options.
        if self.errors and not isinstance(widget, _OptionIds):
            attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        return attrs


class ConsentBoundField(BootstrapBoundField):
    """The consent box, described by the consent text above it and by its error."""

    @property
    def aria_describedby(self) -> str:
        return "consent-text consent-error" if self.errors else "consent-text"


class QuestionBoundField(BootstrapBoundField):
    """A page's field with its question and its "other" text box, for the question template."""

    @property
    def aria_describedby(self) -> str | None:
        # A question's errors stand in one block above its inputs (see the question template).
        return f"err-{self.name.removesuffix(OTHER_SUFFIX)}" if self.errors else None

    @property
    def question(self) -> Question:
        return self.field.question  # type: ignore[attr-defined]

    @property
    def has_options(self) -> bool:
        return isinstance(self.field.widget, _OptionIds)

    @property
    def other(self) -> BoundField | None:
        """Return the "other — specify" text box of the question, if it has one."""
        name = self.name + OTHER_SUFFIX
        return self.form[name] if name in self.form.fields else None

    @property
    def other_code(self) -> str | None:
        return _other_option(self.question)

    @property
    def relevant_json(self) -> str:
        """Return the condition the browser re-checks as answers change, as JSON ("" none)."""
        return self.form.logic.browser_condition(self.question)  # type: ignore[attr-defined]

    @property
    def hidden_now(self) -> bool:
        return not self.form.logic.is_asked(self.question)  # type: ignore[attr-defined]

    @property
    def all_errors(self) -> ErrorList:
        """Return the question's errors and those of its "other" text box."""
        other = self.other
        return self.errors + (other.errors if other is not None else [])


def _reject_null_characters(value: str) -> None:
    if "\x00" in value:
        raise ValidationError(NULL_CHARACTER, code="null_characters")


def _text_field(
    *, required: bool, max_length: int, label: str, widget: forms.Widget
) -> forms.CharField:
    field = forms.CharField(
        required=required,
        max_length=max_length,
        label=label,
        strip=True,
        widget=widget,
        error_messages={"required": REQUIRED, "max_length": TOO_LONG},
    )
    # Django's own null-character validator speaks a message our catalogue does not own.
    field.validators = [v for v in field.validators if v.code != "null_characters"]
    field.validators.insert(0, _reject_null_characters)
    return field


class ConsentForm(forms.Form):
    default_renderer = PAGE_RENDERER
    bound_field_class = ConsentBoundField
    use_required_attribute = False

    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please confirm your consent to take part.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        template_name=CONSENT_TEMPLATE,
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = survey.consent_label


class WithdrawCodeForm(forms.Form):
    """The withdrawal code a respondent wrote down, typed in as it was copied."""

    code = forms.CharField(
        label=_("Withdrawal code"),
        max_length=40,
        error_messages={"required": _("Enter your withdrawal code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != WITHDRAW_CODE_LENGTH or not is_code(code):
            raise ValidationError(
                _("A withdrawal code has 12 letters and digits, like ABCD-EFGH-JKMN."),
                code="invalid_withdraw_code",
            )
        return code


def _other_option(question: Question) -> str | None:
    for option in question.options.all():
        if option.is_other:
            return option.code
    return None


def _option_label(question: Question, code: str) -> str:
    return next(str(option.label) for option in question.options.all() if option.code == code)


def _tick_other_when_written(data: Any, questions: list[Question]) -> Any:
    """Return the posted data with "other" chosen wherever its text was written."""
    # Typing in the "other" box is choosing it: a multiple choice gains the tick beside the
    # others; a single choice holding another option keeps it and is refused in ``clean``.
    data = data.copy()
    for question in questions:
        other_code = _other_option(question)
        if other_code is None or not str(data.get(question.code + OTHER_SUFFIX, "")).strip():
            continue
        if question.kind == QuestionKind.MULTIPLE:
            chosen = data.getlist(question.code) if hasattr(data, "getlist") else []
            if other_code not in chosen and hasattr(data, "setlist"):
                data.setlist(question.code, [*chosen, other_code])
        elif not data.get(question.code):
            data[question.code] = other_code
    return data


def _question_field(question: Question) -> forms.Field:
    messages = {"required": REQUIRED, "invalid_choice": INVALID_CHOICE}
    # Typed inputs are named by the question's legend, which also says whether it is required.
    labelled = {"id": f"{question.code}-input", "aria-labelledby": f"q-{question.code}-legend"}
    if question.kind == QuestionKind.SINGLE:
        return forms.ChoiceField(
            required=question.required,
            choices=[(option.code, option.label) for option in question.options.all()],
            widget=OptionRadios(attrs={"class": "form-check-input", "required": question.required}),
            error_messages=messages,
        )
    if question.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(
            required=question.required,
            choices=[(option.code, option.label) for option in question.options.all()],
            widget=OptionCheckboxes(attrs={"class": "form-check-input"}),
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
            widget=forms.NumberInput(
                attrs={"class": "form-control number-input", "inputmode": "numeric", **labelled}
            ),
        )
    if question.kind == QuestionKind.DECIMAL:
        return forms.FloatField(
            required=question.required,
            error_messages={"required": REQUIRED, "invalid": NOT_A_DECIMAL},
            widget=forms.NumberInput(
                attrs={
                    "class": "form-control number-input",
                    "inputmode": "decimal",
                    "step": "any",
                    **labelled,
                }
            ),
        )
    if question.kind == QuestionKind.DATE:
        return forms.DateField(
            required=question.required,
            input_formats=["%Y-%m-%d"],
            error_messages={"required": REQUIRED, "invalid": NOT_A_DATE},
            widget=forms.DateInput(
                format="%Y-%m-%d", attrs={"class": "form-control", "type": "date", **labelled}
            ),
        )
    if question.kind == QuestionKind.NOTE:
        return forms.CharField(required=False, widget=forms.HiddenInput)
    return _text_field(
        required=question.required,
        max_length=question.max_length,
        label=question.text,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3, **labelled}),
    )


def _other_field(question: Question, other_code: str) -> forms.CharField:
    option = next(option for option in question.options.all() if option.code == other_code)
    return _text_field(
        required=False,
        max_length=MAX_OTHER_LENGTH,
        label=question.text,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm other-text",
                "id": f"{question.code}-other-text",
                "aria-label": f"{option.label}: {gettext('please specify')}",
            }
        ),
    )


class PageForm(forms.Form):
    """The questions of one page; field names are question codes."""

    default_renderer = PAGE_RENDERER
    bound_field_class = QuestionBoundField
    # Only radio groups say "required" to the browser; the legend says it to everyone.
    use_required_attribute = False

    def __init__(
        self,
        *args: Any,
        page: Page,
        earlier_answers: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        self.questions: list[Question] = list(page.questions.all())
        # Which questions the page asks: decided here from earlier pages' answers, or in the
        # browser and again in clean() when the condition reads this page's answers.
        self.logic = PageLogic(
            questions=self.questions,
            earlier_answers=earlier_answers or {},
            initial=self.initial,
        )
        if self.is_bound:
            self.data = _tick_other_when_written(self.data, self.questions)
        for question in self.questions:
            if not self.logic.may_ask(question):
                continue
            field = _question_field(question)
            field.question = question  # type: ignore[attr-defined]
            field.template_name = QUESTION_TEMPLATE
            self.fields[question.code] = field
            other_code = _other_option(question)
            if other_code:
                self.fields[question.code + OTHER_SUFFIX] = _other_field(question, other_code)

    @property
    def question_fields(self) -> list[BoundField]:
        """Return the questions' fields in page order; "other" boxes sit inside them."""
        return [self[question.code] for question in self.questions if question.code in self.fields]

    @property
    def question_codes(self) -> tuple[str, ...]:
        return tuple(question.code for question in self.questions)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Not asked: neither its errors nor its answer count, whatever was posted for it.
        for question in self.logic.decide(cleaned, self.errors):
            for name in (question.code, question.code + OTHER_SUFFIX):
                cleaned.pop(name, None)
                self.errors.pop(name, None)
        for question in self.questions:
            if self.logic.is_asked(question) and question.code not in self.errors:
                self._check_constraint(question, cleaned)
            other_code = _other_option(question)
            if other_code is None or question.code not in cleaned:
                continue
            chosen = cleaned[question.code]
            ticked = other_code in chosen if isinstance(chosen, list) else chosen == other_code
            other_name = question.code + OTHER_SUFFIX
            label = {"option": _option_label(question, other_code)}
            if ticked and not cleaned.get(other_name) and other_name not in self.errors:
                self.add_error(
                    other_name, ValidationError(OTHER_MISSING, code="other_missing", params=label)
                )
            elif not ticked and cleaned.get(other_name):
                # Only a single choice gets here ("other" is ticked for the rest): never drop
                # the text silently, ask which of the two the respondent meant.
                self.add_error(
                    other_name,
                    ValidationError(OTHER_NOT_CHOSEN, code="other_not_chosen", params=label),
                )
            elif not ticked:
                cleaned[other_name] = ""
        return cleaned

    def _check_constraint(self, question: Question, cleaned: dict[str, Any]) -> None:
        value = stored_value(cleaned.get(question.code))
        if value in (None, "", []) or not question.constraint:
            return
        if not holds(question.constraint, self.logic.seen, value):
            message = question.constraint_message or str(CONSTRAINT_FAILED)
            self.add_error(question.code, ValidationError(message, code="constraint"))

    def valid_answers(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Return the answers and "other" texts that passed validation, leaving out the rest."""
        answers: dict[str, Any] = {}
        other_texts: dict[str, str] = {}
        cleaned = getattr(self, "cleaned_data", {})
        for question in self.questions:
            if question.code in cleaned and question.code not in self.errors:
                value = stored_value(cleaned[question.code])
                if value not in (None, "", []) and question.has_answer:
                    answers[question.code] = value
            other_name = question.code + OTHER_SUFFIX
            if cleaned.get(other_name) and other_name not in self.errors:
                other_texts[question.code] = cleaned[other_name]
        return answers, other_texts


def initial_for_page(page: Page, answers: dict[str, Any], other_texts: dict[str, str]) -> dict:
    """Return a page form's initial values from a draft."""
    initial: dict[str, Any] = {}
    for question in page.questions.all():
        if question.code in answers:
            initial[question.code] = answers[question.code]
        if question.code in other_texts:
            initial[question.code + OTHER_SUFFIX] = other_texts[question.code]
    return initial
