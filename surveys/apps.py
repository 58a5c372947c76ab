from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Receivers: the questionnaire cache's invalidation and the edit guards.
        from surveys.questionnaire import cache, guards  # noqa: F401
