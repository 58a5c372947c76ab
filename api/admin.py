"""The admin's view of API tokens: names, expiry, last use, revocation; never the token."""

from __future__ import annotations

from django.contrib import admin

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "survey",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("survey",)
    readonly_fields = ("survey", "prefix", "created_by", "created_at", "last_used_at")
    fields = (
        "survey",
        "name",
        "prefix",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )

    def has_add_permission(self, request: object) -> bool:
        # A token is made where it can be shown once: the organizers' page or create_api_token.
        return False
