"""Recruitment's own records: the organizers' muted health alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
