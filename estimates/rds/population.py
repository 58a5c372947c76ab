"""The population size N that Gile's SS estimator needs, and its range: set by analysts."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction

from estimates.models import EstimationSettings
from surveys.models import Survey
from surveys.quality import design_log

# The column's limit on PostgreSQL (integer): far above any population a survey is drawn from.
MAX_POPULATION = 2_000_000_000


class PopulationSizeForm(forms.ModelForm):
    """N and its low and high guesses; the model's clean() keeps N between them."""

    class Meta:
        model = EstimationSettings
        fields = ["population_size", "population_size_low", "population_size_high"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"min": 1, "max": MAX_POPULATION})
            field.validators += [MinValueValidator(1), MaxValueValidator(MAX_POPULATION)]


def population_logged(settings: EstimationSettings) -> str:
    """Return the population size and its range as the design log stores them."""
    return design_log.population_value(
        size=settings.population_size,
        low=settings.population_size_low,
        high=settings.population_size_high,
    )


@transaction.atomic
def population_size_save(*, form: forms.ModelForm, user: AbstractBaseUser | None) -> bool:
    """Save N and its range and log the change; return whether the estimates need N anew.

    The form is the analysts' page's (PopulationSizeForm) or the admin's, of EstimationSettings.
    """
    survey = form.instance.survey
    # The survey's row, locked: two analysts saving at once are logged in turn.
    Survey.objects.select_for_update().only("pk").get(pk=survey.pk)
    stored = EstimationSettings.objects.filter(pk=survey.pk).first()
    old = population_logged(stored or EstimationSettings(survey=survey))
    new = population_logged(form.save())
    design_log.design_change_record(
        survey=survey, what=design_log.What.POPULATION_SIZE, old=old, new=new, user=user
    )
    return old != new
