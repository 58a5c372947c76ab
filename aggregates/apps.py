from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AggregatesConfig(AppConfig):
    """Counts of the responses, published as snapshots, kept following the responses."""

    name = "aggregates"
    verbose_name = _("Analytics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the receivers that schedule rebuilds when responses change.
        from aggregates import receivers  # noqa: F401
