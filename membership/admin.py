"""The admin's list of who is a member of which study."""

from __future__ import annotations

from django.contrib import admin

from membership.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("survey", "user", "role", "created_at")
    list_filter = ("survey", "role")
    search_fields = ("user__username", "survey__slug")
    autocomplete_fields = ("user",)
    list_select_related = ("survey", "user")
