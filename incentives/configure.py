"""The organizers' incentive settings: one service for the form and the command, all logged."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from incentives.models import IncentiveSettings
from surveys.models import DesignChange, Survey
from surveys.quality.design_log import OFF, ON, UNLIMITED, design_change_record

What = DesignChange.What
FIELDS = (
    "enabled",
    "currency",
    "primary_amount",
    "per_recruit_amount",
    "budget",
    "payout_methods_ru",
    "payout_methods_kk",
    "payout_methods_en",
    "phone_region",
    "erase_after_days",
)


def incentive_settings_for(*, survey: Survey) -> IncentiveSettings:
    """Return the survey's settings, unsaved and off when nobody has set them."""
    found = IncentiveSettings.objects.filter(survey=survey).first()
    return found or IncentiveSettings(survey=survey)


def _logged(config: IncentiveSettings) -> dict[str, str]:
    # What the STROBE-RDS checklist reports, as design-log tokens.
    money = config.currency
    methods = " | ".join(
        line.strip() for line in config.payout_methods_en.splitlines() if line.strip()
    )
    return {
        What.INCENTIVES: ON if config.enabled else OFF,
        What.INCENTIVE_PRIMARY: f"{config.primary_amount} {money}",
        What.INCENTIVE_PER_RECRUIT: f"{config.per_recruit_amount} {money}",
        What.INCENTIVE_BUDGET: UNLIMITED if config.budget is None else f"{config.budget} {money}",
        What.INCENTIVE_METHODS: methods[:100],
        What.INCENTIVE_ERASE_DAYS: str(config.erase_after_days),
    }


def incentives_update(
    *, survey: Survey, user: AbstractBaseUser | None, **changes: Any
) -> IncentiveSettings:
    """Change the survey's incentive settings, validate them, and log each change of design.

    Amounts already in the ledger keep the values they accrued with.
    """
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown incentive settings: {sorted(unknown)}")
    with transaction.atomic():
        config = incentive_settings_for(survey=survey)
        # A survey's first settings are compared with the defaults (off): only news is logged.
        before = _logged(config)
        for name, value in changes.items():
            setattr(config, name, value)
        config.full_clean()
        config.save()
        for what, new in _logged(config).items():
            design_change_record(survey=survey, what=what, old=before[what], new=new, user=user)
    return config
