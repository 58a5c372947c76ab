"""The dashboard's layout in the admin, once a field of the survey's own page."""

from __future__ import annotations

from django.contrib import admin

from aggregates.models import DashboardLayout


@admin.register(DashboardLayout)
class DashboardLayoutAdmin(admin.ModelAdmin):
    list_display = ["survey"]
    list_select_related = ["survey"]
