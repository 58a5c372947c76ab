"""The log of changes to stored responses that move them in or out of what is counted."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResponseChange(models.Model):
    """One withdrawal, flag or review of a stored response, appended in the same transaction.

    The change feed (surveys.changefeed) hands these out by id, as it hands out new responses,
    so that whoever counted the response before learns that its count is out of date.
    """

    class Kind(models.TextChoices):
        WITHDRAWN = "withdrawn", _("withdrawn")
        FLAGGED = "flagged", _("flagged")
        REVIEWED = "reviewed", _("reviewed")

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey("surveys.Response", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("response change")
        verbose_name_plural = _("response changes")
        indexes = [
            # The feed reads one survey's changes above its mark, as it does responses.
            models.Index(fields=["survey", "id"], name="responsechange_survey_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} {self.kind}"
