"""The estimation settings in the admin: a new population size is a design change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from estimates.models import EstimationSettings
from estimates.rds.population import population_size_save


@admin.register(EstimationSettings)
class EstimationSettingsAdmin(admin.ModelAdmin):
    list_display = ["survey", "population_size", "interval_method"]

    def save_model(
        self, request: HttpRequest, obj: EstimationSettings, form: Any, change: bool
    ) -> None:
        """Save, logging a new population size or range as a design change."""
        population_size_save(form=form, user=request.user)
