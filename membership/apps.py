from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    """Who works on which study: per-survey members and their roles."""

    name = "membership"
    verbose_name = _("Study members")
    default_auto_field = "django.db.models.BigAutoField"
