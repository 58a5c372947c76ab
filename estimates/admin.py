"""The estimation settings in the admin: a new population size is a design change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from estimates.models import EstimationSettings
from estimates.rds.population import population_logged
from surveys.quality import design_log


@admin.register(EstimationSettings)
class EstimationSettingsAdmin(admin.ModelAdmin):
    list_display = ["survey", "population_size", "interval_method"]

    def save_model(
        self, request: HttpRequest, obj: EstimationSettings, form: Any, change: bool
    ) -> None:
        """Save, logging a new population size or range as a design change."""
        stored = EstimationSettings.objects.filter(pk=obj.pk).first()
        old = population_logged(stored) if stored else design_log.UNKNOWN
        super().save_model(request, obj, form, change)
        design_log.design_change_record(
            survey=obj.survey,
            what=design_log.What.POPULATION_SIZE,
            old=old,
            new=population_logged(obj),
            user=request.user,
        )

