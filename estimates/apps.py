from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstimatesConfig(AppConfig):
    """RDS estimates, population margins and sizes, computed from the responses and counts."""

    name = "estimates"
    verbose_name = _("Analytics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the receiver that refreshes the estimates after the counts.
        from estimates import receivers  # noqa: F401
