from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    """The organizers' console: seed links, the monitor, the tree, the RDS-layout CSV.

    Its models are `AlertSnooze` and `RecruitmentSettings`; `SeedLink` and `LinkEvent` stay in
    `surveys`, because `Response` references them and moving them would tie the two apps'
    migrations together.
    """

    name = "recruitment"
    verbose_name = _("Recruitment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the receivers: the sample-health alerts' of surveys.signals.survey_refreshed.
        from recruitment.health import store  # noqa: F401
