"""The response filter shared by the dashboard and the exports, drawn with crispy-bootstrap5."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from aggregates.filters import EARLIEST_DATE, LATEST_DATE, ResponseFilter
from surveys.models import Question, QuestionRole

ANY = [("", _("All"))]
# Filters by the answer to the question that holds a role; the field is named by the role, so
# that a link such as ?country=kz works whatever the question's code in a given study.
FILTER_ROLES = ((QuestionRole.COUNTRY, _("Country")), (QuestionRole.AGE_GROUP, _("Age group")))


class DateInput(forms.DateInput):
    """A date picker of the browser."""

    input_type = "date"


def small_fields(
    form: forms.Form, *, columns: dict[str, str], default: str, gutter: str = "gx-2"
) -> FormHelper:
    """Return a helper that lays the fields out in a row of Bootstrap's small controls."""
    cells = []
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.CheckboxInput):
            cells.append(Column(name, css_class=columns.get(name, "col-12")))
            continue
        size = "form-select-sm" if isinstance(field.widget, forms.Select) else "form-control-sm"
        cells.append(Column(Field(name, css_class=size), css_class=columns.get(name, default)))
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_class = "small mb-0"
    # Crispy gives every field a bottom margin: the row needs only a horizontal gutter.
    helper.layout = Layout(Row(*cells, css_class=gutter))
    return helper


# Django's own bound validators: their messages, naming the limit, exist in every language.
DATE_RANGE = [MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]


class FilterForm(forms.Form):
    """The response filter: by a role's answer, the language, the wave and dates."""

    language = forms.ChoiceField(label=_("Language"), required=False)
    wave = forms.ChoiceField(label=_("Wave"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput, validators=DATE_RANGE
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput, validators=DATE_RANGE
    )

    def __init__(
        self, *args: Any, questions: list[Question], waves: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        by_role = {question.role: question for question in questions if question.role}
        self.role_codes: dict[str, str] = {}
        role_fields: dict[str, forms.Field] = {}
        for role, label in FILTER_ROLES:
            question = by_role.get(role)
            if question is None:
                continue
            self.role_codes[role] = question.code
            role_fields[role] = forms.ChoiceField(
                label=label,
                required=False,
                choices=ANY + [(option.code, option.label) for option in question.options.all()],
            )
        self.fields = {**role_fields, **self.fields}
        self.fields["language"].choices = ANY + list(settings.LANGUAGES)
        self.fields["wave"].choices = ANY + [(wave, wave) for wave in waves]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            # Beside the field, as the range error is: the analyst sees where to correct it.
            self.add_error(
                "date_to", ValidationError(_("The start date is after the end date."), code="dates")
            )
        return cleaned

    def filters(self) -> ResponseFilter:
        """Return the filter of a valid form."""
        data = self.cleaned_data
        wave = data.get("wave")
        return ResponseFilter(
            answers={code: data.get(role) or "" for role, code in self.role_codes.items()},
            language=data.get("language") or "",
            wave=int(wave) if wave not in (None, "") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class PopulationEstimateForm(forms.Form):
    """The analyst's prior guess of the population size and the sampler's settings."""

    prior_median = forms.IntegerField(
        label=_("Your best guess of the population size (prior median)"),
        min_value=1,
        help_text=_(
            "Half of your belief below it, half above. It must be larger than the number of "
            "respondents."
        ),
    )
    samples = forms.IntegerField(
        label=_("Posterior draws"), min_value=100, max_value=20000, initial=2000
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,  # the stored column's limit
        help_text=_("Give one to get the same result again."),
    )

    def __init__(self, *args: Any, respondents: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.respondents = respondents

    def clean_prior_median(self) -> int:
        value = self.cleaned_data["prior_median"]
        if self.respondents is not None and value <= self.respondents:
            raise ValidationError(
                _("The prior guess must be larger than the %(n)s respondents with a network size."),
                code="below_sample",
                params={"n": self.respondents},
            )
        return value
