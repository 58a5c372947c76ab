from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    """The dual-incentive ledger: amounts, payout contacts kept apart and encrypted, payments."""

    name = "incentives"
    verbose_name = _("Incentives")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect the receivers of surveys' submitted, reviewed and withdrawn signals.
        from incentives import receivers  # noqa: F401
