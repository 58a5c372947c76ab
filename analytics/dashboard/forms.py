"""The dashboard's form: the response filter, the crosstab to show, all or without flagged."""

from __future__ import annotations

from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Column
from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from aggregates.counting import LANGUAGE, WAVE
from aggregates.selectors import (
    FLAGGED_ALL,
    FLAGGED_WITHOUT,
    crosstab_dimensions,
    dimension_label,
)
from analytics.forms import FilterForm, small_fields
from surveys.models import QuestionKind


class Radios(forms.RadioSelect):
    """Radios whose first one takes the field's own id, as every other control here has."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if index == "0":
            return id_
        return super().id_for_label(id_, index)


class DashboardForm(FilterForm):
    """Filters, the crosstab to show, and whether flagged responses count."""

    question = forms.ChoiceField(label=_("Question"), required=False)
    dimension = forms.ChoiceField(label=_("by"), required=False)
    # The sensitivity check: the same tables with flagged responses (not accepted) left out.
    flagged = forms.ChoiceField(
        label=_("Responses"),
        required=False,
        initial=FLAGGED_ALL,
        choices=[
            (FLAGGED_ALL, _("All responses")),
            (FLAGGED_WITHOUT, _("Without flagged responses")),
        ],
        widget=Radios,
    )

    def __init__(self, *args: Any, featured: tuple[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("flagged"):
            # A link that does not say (?survey=...) shows all responses, with its radio checked.
            self.data = self.data.copy()
            self.data["flagged"] = FLAGGED_ALL
        self.featured = featured
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
        self.helper = small_fields(self, columns={}, default="col-6 col-md-4 col-lg-2")
        # Radios in a fieldset with its legend, side by side, instead of a small text control.
        row = self.helper.layout[0]
        row.fields[-1] = Column(InlineRadios("flagged"), css_class="col-12")

    def flagged_mode(self) -> str:
        """Return whether to count all responses or leave the flagged out ("all" by default)."""
        data = getattr(self, "cleaned_data", {})
        return data.get("flagged") or FLAGGED_ALL

    def crosstab(self) -> tuple[str, str] | None:
        """Return the (question, dimension) to cross, the featured crosstab by default."""
        data = getattr(self, "cleaned_data", {})
        questions = [code for code, _label in self.fields["question"].choices]
        dimensions = [code for code, _label in self.fields["dimension"].choices]
        featured_question, featured_dimension = self.featured or (None, None)
        question = data.get("question") or (
            featured_question if featured_question in questions else None
        )
        dimension = data.get("dimension") or (
            featured_dimension if featured_dimension in dimensions else None
        )
        question = question or (questions[0] if questions else None)
        dimension = dimension or next(
            (d for d in dimensions if d not in {LANGUAGE, WAVE}), dimensions[0]
        )
        return (question, dimension) if question else None
