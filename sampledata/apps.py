from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampleDataConfig(AppConfig):
    """Development data: the study's published shares, demo respondents, the bulk generator."""

    name = "sampledata"
    verbose_name = _("Sample data")
    default_auto_field = "django.db.models.BigAutoField"
