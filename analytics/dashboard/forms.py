"""The dashboard's form: the response filter plus the crosstab to show."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from analytics.aggregation.counting import LANGUAGE, WAVE
from analytics.dashboard.selectors import crosstab_dimensions, dimension_label
from analytics.forms import FilterForm, small_fields
from surveys.models import QuestionKind


class DashboardForm(FilterForm):
    """Filters plus the crosstab to show."""

    question = forms.ChoiceField(label=_("Question"), required=False)
    dimension = forms.ChoiceField(label=_("by"), required=False)

    def __init__(self, *args: Any, featured: tuple[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
