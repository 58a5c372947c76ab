"""The population size N that Gile's SS estimator needs, and its range: set by analysts."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.validators import MaxValueValidator, MinValueValidator

from surveys.models import Survey
from surveys.quality import design_log

# The column's limit on PostgreSQL (integer): far above any population a survey is drawn from.
MAX_POPULATION = 2_000_000_000


class PopulationSizeForm(forms.ModelForm):
    """N and its low and high guesses; the model's clean() keeps N between them."""

    class Meta:
        model = Survey
        fields = ["population_size", "population_size_low", "population_size_high"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"min": 1, "max": MAX_POPULATION})
            field.validators += [MinValueValidator(1), MaxValueValidator(MAX_POPULATION)]


def population_size_save(*, form: PopulationSizeForm, user: AbstractBaseUser | None) -> bool:
    """Save N and its range and log the change; return whether the estimates need N anew."""
    before, saved = design_log.survey_form_save(form=form, user=user)
    return design_log.population_value(before) != design_log.population_value(saved)
