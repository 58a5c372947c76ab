"""Recruitment's own records: a survey's recruitment settings, the organizers' muted alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import OneRowPerSurvey


class RecruitmentSettings(OneRowPerSurvey, models.Model):
    """What recruitment keeps per survey: the health alerts' thresholds the organizers set.

    A survey without a row takes every default (recruitment.health.thresholds)."""

    survey = models.OneToOneField(
        "surveys.Survey",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="recruitment_settings",
    )
    # The overrides by alert kind, e.g. {"seed_dominance": {"percent": 50}}.
    health_thresholds = models.JSONField(_("alert thresholds"), default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.survey_id}"


class AlertSnooze(models.Model):
    """An organizer's "not now" for one health alert of a survey, until a given time."""

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    # The alert's kind and what it is about (a seed link's id, a question's code, "" for all).
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=100, blank=True)
    until = models.DateTimeField()
    snoozed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        # The table keeps the name it had in surveys: the move is the models' state only, so an
        # existing database changes nothing (no rename of the table, its indexes or its rows).
        db_table = "surveys_alertsnooze"
        constraints = [
            models.UniqueConstraint(fields=["survey", "kind", "key"], name="alert_snooze_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.kind}:{self.key} until {self.until:%Y-%m-%d}"
