"""The admin's view of a survey's alert thresholds, once a field of the survey's own page."""

from __future__ import annotations

from django.contrib import admin

from recruitment.models import RecruitmentSettings


@admin.register(RecruitmentSettings)
class RecruitmentSettingsAdmin(admin.ModelAdmin):
    list_display = ("survey", "health_thresholds")
    list_select_related = ("survey",)
