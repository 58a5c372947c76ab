from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """The data in files: every export format, export jobs and the analysis bundle."""

    name = "exports"
    verbose_name = _("Analytics")
    default_auto_field = "django.db.models.BigAutoField"
