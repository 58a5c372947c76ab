"""The survey's own settings that organizers change on their pages, each change logged."""

from __future__ import annotations

import copy

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.forms import ModelForm

from surveys.models import Survey
from surveys.quality import design_log


@transaction.atomic
def survey_settings_save(*, form: ModelForm, user: AbstractBaseUser | None) -> Survey:
    """Save a valid settings form of a survey and log the design changes it makes."""
    survey: Survey = form.instance
    # The stored state, read under a lock: two organizers saving at once are logged in turn.
    before = copy.copy(Survey.objects.select_for_update().get(pk=survey.pk))
    saved = form.save()
    design_log.survey_changed(survey=saved, before=before, user=user)
    return saved
