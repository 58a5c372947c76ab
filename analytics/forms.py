"""Forms of the analysts' pages: dashboard filters and the export request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from analytics.aggregation.counting import LANGUAGE, WAVE
from analytics.aggregation.filters import ResponseFilter
from analytics.dashboard.selectors import FEATURED_CROSSTAB, crosstab_dimensions, dimension_label
from analytics.exports.writers import KINDS, ExportOptions
from surveys.models import Question, QuestionKind

ANY = [("", _("All"))]


class _DateInput(forms.DateInput):
    input_type = "date"


def _style(form: forms.Form) -> None:
    """Give the widgets Bootstrap's small controls."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = css


class FilterForm(forms.Form):
    """The response filter shared by the dashboard and the exports."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    age_group = forms.ChoiceField(label=_("Age group"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    wave = forms.ChoiceField(label=_("Wave"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=_DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=_DateInput)

    def __init__(
        self, *args: Any, questions: list[Question], waves: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        by_code = {question.code: question for question in questions}
        for name in ("country", "age_group"):
            question = by_code.get(name)
            if question is None:
                del self.fields[name]
                continue
            self.fields[name].choices = ANY + [
                (option.code, option.label) for option in question.options.all()
            ]
        self.fields["language"].choices = ANY + list(settings.LANGUAGES)
        self.fields["wave"].choices = ANY + [(wave, wave) for wave in waves]
        _style(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."), code="dates")
        return cleaned

    def filters(self) -> ResponseFilter:
        """Return the filter of a valid form."""
        data = self.cleaned_data
        wave = data.get("wave")
        return ResponseFilter(
            country=data.get("country") or "",
            age_group=data.get("age_group") or "",
            language=data.get("language") or "",
            wave=int(wave) if wave not in (None, "") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class DashboardForm(FilterForm):
    """Filters plus the crosstab to show."""

    question = forms.ChoiceField(label=_("Question"), required=False)
    dimension = forms.ChoiceField(label=_("by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_questions = [
            q for q in self.questions if q.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
        ]
        self.fields["question"].choices = [
            (q.code, Truncator(q.text).chars(70)) for q in choice_questions
        ]
        self.fields["dimension"].choices = [
            (dimension, dimension_label(dimension=dimension, questions=self.questions))
            for dimension in crosstab_dimensions(questions=self.questions)
        ]
        _style(self)

    def crosstab(self) -> tuple[str, str] | None:
        """Return the (question, dimension) to cross, the study's figure 2 by default."""
        data = getattr(self, "cleaned_data", {})
        questions = [code for code, _label in self.fields["question"].choices]
        dimensions = [code for code, _label in self.fields["dimension"].choices]
        question = data.get("question") or (
            FEATURED_CROSSTAB[0] if FEATURED_CROSSTAB[0] in questions else None
        )
        dimension = data.get("dimension") or (
            FEATURED_CROSSTAB[1] if FEATURED_CROSSTAB[1] in dimensions else None
        )
        question = question or (questions[0] if questions else None)
        dimension = dimension or next(
            (d for d in dimensions if d not in {LANGUAGE, WAVE}), dimensions[0]
        )
        return (question, dimension) if question else None


class ExportForm(FilterForm):
    """What to export, in which labels and CSV dialect."""

    kind = forms.ChoiceField(
        label=_("Export"),
        choices=[
            ("responses", _("Responses, one row per response (wide)")),
            ("long", _("Answers, one row per answer (long)")),
            ("aggregates", _("Aggregate table (counts and shares)")),
            ("crosstabs", _("Crosstabs by age, country, gender, status, sphere, language, wave")),
            ("codebook", _("Codebook (codes with wording in Russian, Kazakh, English)")),
        ],
    )
    labels = forms.ChoiceField(
        label=_("Answers as"),
        choices=[
            ("codes", _("codes")),
            ("ru", _("Russian labels")),
            ("kk", _("Kazakh labels")),
            ("en", _("English labels")),
        ],
        initial="codes",
    )
    delimiter = forms.ChoiceField(
        label=_("Separator"),
        choices=[(",", _("comma ,")), (";", _("semicolon ; (Excel in many locales)"))],
        initial=",",
    )
    bom = forms.BooleanField(
        label=_("Byte order mark, so that Excel reads Cyrillic and Kazakh letters"),
        required=False,
        initial=True,
    )

    field_order = ["kind", "labels", "delimiter", "bom"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def options(self) -> ExportOptions:
        """Return the export options of a valid form."""
        data = self.cleaned_data
        assert data["kind"] in KINDS
        return ExportOptions(
            kind=data["kind"],
            labels=data["labels"],
            delimiter=data["delimiter"],
            bom=bool(data.get("bom")),
            filters=self.filters(),
        )
