"""The alerts' thresholds: the platform's defaults in one place, the organizer's overrides.

``RecruitmentSettings.health_thresholds`` holds the overrides by alert kind, e.g.
``{"seed_dominance": {"percent": 50}}``; a missing kind, setting or row takes the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from recruitment.models import RecruitmentSettings
from surveys.links import limits
from surveys.models import Survey

DYING_CHAIN = "dying_chain"
SEED_DOMINANCE = "seed_dominance"
CONVERGENCE = "convergence"
FLAGGED_SHARE = "flagged_share"
SURVEY_STALLED = "survey_stalled"
KINDS = (SURVEY_STALLED, DYING_CHAIN, SEED_DOMINANCE, CONVERGENCE, FLAGGED_SHARE)

Thresholds = dict[str, dict[str, float]]


@dataclass(frozen=True)
class Setting:
    """One threshold an organizer can change."""

    kind: str
    name: str
    label: Promise
    help: Promise
    default: float
    minimum: float
    maximum: float
    whole: bool = True  # a whole number; otherwise one decimal

    @property
    def field(self) -> str:
        return f"{self.kind}__{self.name}"


SETTINGS: tuple[Setting, ...] = (
    # Two weeks: longer than a weekend or a holiday, short enough to act while seeds remember.
    Setting(
        SURVEY_STALLED,
        "days",
        _("Survey stalled after (days without any completed response)"),
        _("Checked whatever the chains do, open or closed."),
        14,
        1,
        3650,
    ),
    # The monitor's dormant highlight uses the same number of days by default.
    Setting(
        DYING_CHAIN,
        "days",
        _("Chain dying out after (days without a completed recruit)"),
        _("Checked while the survey is recruiting: open, with a response in as many days."),
        limits.DORMANT_DAYS,
        1,
        365,
    ),
    # Ten seed links of equal luck hold about 10 % each; the demo data's largest holds 20 %.
    # Above 40 % one seed's circle weighs on every estimate more than the rest together can.
    Setting(
        SEED_DOMINANCE,
        "percent",
        _("One chain's largest share of the sample (%)"),
        _("Checked once the sample has 30 responses."),
        40,
        1,
        100,
    ),
    # One wave: the demo data (505 respondents, 6 waves) moved at most 2.8 points in its last
    # wave, within every interval; over two waves one question moved 9.9 points from the estimate
    # after wave 3, which rested on 204 respondents (40 % of the sample), beyond its interval.
    # Two waves would call a finished survey of that size unsettled; raise it for a stricter view.
    Setting(
        CONVERGENCE,
        "waves",
        _("Waves over which an estimate must be stable"),
        _("The estimate after each of the last waves is compared with the latest one."),
        1,
        1,
        20,
    ),
    # Gile, Johnston & Salganik (2015) read convergence plots by eye. A movement within the
    # option's 95 % interval never counts; this floor matters where the interval is narrow.
    Setting(
        CONVERGENCE,
        "points",
        _("Smallest movement that counts (percentage points)"),
        # xgettext:no-python-format
        _("A movement within the estimate's 95 % interval never counts."),
        2.0,
        0.1,
        50,
        whole=False,
    ),
    Setting(
        FLAGGED_SHARE,
        "percent",
        _("Largest share of flagged responses in one chain (%)"),
        _("Flagged responses not accepted on review; chains of 10 responses or more."),
        20,
        1,
        100,
    ),
)


def defaults() -> Thresholds:
    """Return the platform's default thresholds by alert kind."""
    found: Thresholds = {}
    for setting in SETTINGS:
        found.setdefault(setting.kind, {})[setting.name] = setting.default
    return found


def _valid(setting: Setting, value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not setting.minimum <= number <= setting.maximum:
        return None
    return int(number) if setting.whole else round(number, 1)


def thresholds_for(*, survey: Survey) -> Thresholds:
    """Return the thresholds in force: the survey's own, the defaults for the rest."""
    stored = RecruitmentSettings.of(survey).health_thresholds
    stored = stored if isinstance(stored, dict) else {}
    found = defaults()
    for setting in SETTINGS:
        given = stored.get(setting.kind)
        if isinstance(given, dict) and setting.name in given:
            value = _valid(setting, given[setting.name])
            if value is not None:
                found[setting.kind][setting.name] = value
    return found


@transaction.atomic
def thresholds_save(*, survey: Survey, values: dict[str, float]) -> Thresholds:
    """Store the organizer's thresholds, keyed by ``Setting.field``; defaults are not stored."""
    overrides: Thresholds = {}
    for setting in SETTINGS:
        value = _valid(setting, values.get(setting.field))
        if value is not None and value != setting.default:
            overrides.setdefault(setting.kind, {})[setting.name] = value
    survey.recruitment_settings, _created = RecruitmentSettings.objects.update_or_create(
        survey=survey, defaults={"health_thresholds": overrides}
    )
    return thresholds_for(survey=survey)
